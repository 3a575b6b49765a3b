"""`vaultkit brief`: the page for the next session, its privacy, its files."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests import browser
from tests.helpers import build_tree, index_vault, snapshot
from vaultkit.brief.html import render_html
from vaultkit.brief.make import make_brief, note_text
from vaultkit.brief.page import render_body, render_preview
from vaultkit.brief.privacy import split_sections
from vaultkit.config import local_today
from vaultkit.fs import init_vault, load_vault
from vaultkit.refresh import opened, scan

GOLDEN = Path(__file__).parent / "golden" / "brief_example.md"
EXAMPLE_DAY = date(2026, 11, 24)
# Words from the example vault's private note and private sections.
EXAMPLE_PRIVATE = [
    "morning after",
    "rage at Dad",
    "unsent letter",
    "Letter to my mother",
    "night in the car",
    "Notes on Sam",
    "only for me",
    "careless on Sunday",
]


def example_vault(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    shutil.copytree(browser.ROOT / "examples" / "vault", root)
    return root


def made_for(root: Path, today: date, **span):  # type: ignore[no-untyped-def]
    vault = load_vault(root)
    with opened(vault, print) as store:
        scan(vault, store, today)
        return make_brief(vault, store, today, **span)


def today_of(root: Path) -> date:
    return local_today(load_vault(root).config)


# ---------------------------------------------------------------- the example vault


def test_golden_brief_of_the_example_vault(tmp_path: Path) -> None:
    made = made_for(example_vault(tmp_path), EXAMPLE_DAY)
    text = note_text(made, EXAMPLE_DAY)
    if os.environ.get("VAULTKIT_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_every_part_of_the_example_brief_has_content_and_nothing_private(tmp_path: Path) -> None:
    made = made_for(example_vault(tmp_path), EXAMPLE_DAY)
    empty = [k for k, v in made.brief.sections.items() if not v]
    # session 3's intention is not written yet; the check-in on day 3 cleared the 1-week one;
    # the example's check-ins do not ask the WHO-5 (it is opt-in)
    assert empty == ["Intention for this session", "Wellbeing (WHO-5)", "Follow-ups missed"]
    outputs = [note_text(made, EXAMPLE_DAY), render_preview(made.brief), render_html(made.brief)]
    for output in outputs:
        for words in EXAMPLE_PRIVATE:
            assert words not in output
    assert made.brief.left_out_notes == ["[[2026-11-11 Reflection]] (private: true)"]
    assert made.brief.left_out_sections == 2
    # A page a person hands over: note names, no ids, no paths.
    body = render_body(made.brief)
    assert "Integration/2026" not in body and "^" not in body and "letter-to-self" not in body


def test_an_earlier_session_and_a_date_span(tmp_path: Path) -> None:
    root = example_vault(tmp_path)
    first = render_body(made_for(root, EXAMPLE_DAY, session=1).brief)
    assert "Being eight and waiting by the window." in first
    assert "Go back to the window, gently." not in first  # session 2's intention
    assert "Book a follow-up with my therapist" not in first  # opened in session 2
    assert "Walk by the river on Sunday mornings · done 2026-10-04" in first
    since = render_body(made_for(root, EXAMPLE_DAY, since=date(2026, 10, 15)).brief)
    assert "Said no to an extra project" in since and "Slept well two nights" in since
    assert "lighthouse" not in since  # 2026-09-15, before the span


# ---------------------------------------------------------------- privacy, piece by piece


def test_private_sections_are_left_out_with_everything_nested_under_them() -> None:
    body = "\n".join(
        [
            "# Title",
            "intro",
            "## Open",
            "open text",
            "## Secret *(Private)*",
            "hidden one",
            "### Nested",
            "hidden two",
            "```",
            "## not a heading, inside a fence",
            "hidden three",
            "```",
            "<!--",
            "## not a heading, inside a comment",
            "-->",
            "hidden four",
            "## After",
            "after text",
            "",
            "Setext secret (private)",
            "-----------------------",
            "hidden five",
            "## Marked",
            "%% private %%",
            "hidden six",
            "## Last",
            "last %% a comment %% text <!-- another -->",
        ]
    )
    sections = split_sections(body)
    text = "\n".join(f"{p.heading}\n{p.text}" for p in sections.parts)
    for hidden in ("hidden", "Secret", "Nested", "not a heading", "Setext", "Marked", "comment", "another"):
        assert hidden not in text
    assert [p.heading for p in sections.parts] == ["", "Title", "Open", "After", "Last"]
    assert "after text" in text and "last  text" in text
    assert sections.private == 3


@pytest.mark.parametrize(
    "heading", ["## Letter (private) #journal", "## Letter (private) ^blk", "## Letter (private)\\"]
)
def test_a_private_heading_followed_by_a_tag_a_block_id_or_a_backslash(heading: str) -> None:
    sections = split_sections(f"## Open\nopen text\n{heading}\nSECRET words\n## After\nafter\n")
    text = "\n".join(f"{p.heading}\n{p.text}" for p in sections.parts)
    assert "SECRET" not in text and "Letter" not in text
    assert "open text" in text and "after" in text


def test_a_note_marked_private_gives_nothing_not_even_its_actions(vault: Path, run) -> None:
    today = today_of(vault)
    day = (today - timedelta(days=2)).isoformat()
    build_tree(
        vault,
        {
            "a.md": f"---\ntype: intention\ndate: {day}\nsession: 1\n---\n## Wish\nTo rest.\n",
            "b.md": (
                f"---\ntype: reflection\ndate: {day}\nsession: 1\nprivate: yes\nmood: 2\n"
                'actions:\n  - "Phone the old friend"\n---\n## What came up\nThe old friend.\n'
            ),
        },
    )
    result = run("brief", "--stdout")
    assert result.exit_code == 0, result.output
    assert "To rest." in result.stdout
    assert "old friend" not in result.stdout and "Mood" not in result.stdout
    assert "left out as private: 1 note, 0 parts" in result.stderr
    preview = run("brief", "--preview")
    assert "old friend" not in preview.stdout
    assert "[[b]] (private: true)" in preview.stdout


def test_raw_html_in_a_note_is_quoted_as_text_not_as_markup(vault: Path, run) -> None:
    """Obsidian would fetch an <img> the brief note held, when it is opened."""
    day = (today_of(vault) - timedelta(days=1)).isoformat()
    build_tree(
        vault,
        {
            "a.md": f"---\ntype: intention\ndate: {day}\nsession: 1\n---\n## Wish\n"
            'To rest. <img src="http://example.com/b.png"> <script>x()</script>\n',
        },
    )
    result = run("brief", "--stdout")
    assert result.exit_code == 0, result.output
    assert "To rest." in result.stdout
    assert "<img" not in result.stdout and "<script" not in result.stdout
    assert "&lt;img" in result.stdout


# ---------------------------------------------------------------- the command


def _session(vault: Path, next_session: date | None = None) -> date:
    today = today_of(vault)
    start = today - timedelta(days=3)
    extra = f"next_session: {next_session.isoformat()}\n" if next_session else ""
    build_tree(
        vault,
        {
            "Integration/i.md": f"---\ntype: intention\ndate: {start}\nsession: 1\nmood: 4\n---\n## Wish\nTo rest.\n",
            "Integration/r.md": (
                f"---\ntype: reflection\ndate: {start + timedelta(days=1)}\nsession: 1\nmood: 6\n{extra}"
                'actions:\n  - "Call my sister"\n---\n## What came up\nThe sea.\n'
                "## To bring to my next session\nThe dream about the sea.\n"
            ),
        },
    )
    return today


def test_brief_writes_a_note_once_and_never_overwrites_it(vault: Path, run) -> None:
    today = _session(vault)
    result = run("brief")
    assert result.exit_code == 0, result.output
    rel = f"Briefs/{today.isoformat()} Brief.md"
    assert result.stdout.splitlines()[-1] == rel
    note = vault / rel
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    text = note.read_text(encoding="utf-8")
    assert text.startswith(f"---\ntype: brief\ndate: {today.isoformat()}\n")
    assert "> [[r]]: The dream about the sea." in text and "- Call my sister" in text
    before = snapshot(vault)
    again = run("brief")
    assert again.exit_code == 1
    assert again.stderr.startswith(f"Error: {rel} already exists; vaultkit never overwrites a note.")
    assert snapshot(vault) == before


def test_stdout_and_preview_write_nothing(vault: Path, run) -> None:
    _session(vault)
    before = snapshot(vault)
    printed = run("brief", "--stdout")
    assert printed.exit_code == 0
    assert printed.stdout.startswith("# For session 2\n\n*Session 1, ") and "The sea." in printed.stdout
    preview = run("brief", "--preview")
    assert preview.exit_code == 0
    assert "== To bring to this session: included" in preview.stdout
    assert "== Follow-ups missed: nothing to include" in preview.stdout
    assert preview.stdout.endswith("Nothing was written. Run `vaultkit brief` to write it as a note.\n")
    assert snapshot(vault) == before


def test_the_brief_path_setting(vault: Path, run) -> None:
    today = _session(vault)
    (vault / ".vaultkit/config.yaml").write_text('brief_path: "Sessions/{{date:YYYY}}/Brief {{session}}"\n')
    result = run("brief")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"Sessions/{today.year}/Brief 1.md"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--session", "1", "--since", "2026-01-01"], 2, "use --session N or --since DATE, not both"),
        (["--preview", "--stdout"], 2, "--preview only shows what would be included"),
        (["--session", "7"], 1, "Error: no notes for session 7; sessions in this vault: 1"),
        (["--since", "soon"], 1, "Error: --since 'soon' is not a date; use YYYY-MM-DD"),
        (["--since", "2999-01-01"], 1, "Error: no integration notes since 2999-01-01; try an earlier date"),
        (["--html", "../out.html"], 1, "is outside the vault; the page holds text from your notes"),
    ],
)
def test_mistakes_say_what_to_do(vault: Path, run, args: list[str], code: int, message: str) -> None:
    _session(vault)
    result = run("brief", *args)
    assert result.exit_code == code
    assert message in result.stderr


def test_an_empty_vault_says_how_to_start(run) -> None:
    result = run("brief")
    assert result.exit_code == 1
    assert "start with `vaultkit new intention`" in result.stderr


def test_a_brief_is_not_integration_work_and_never_feeds_the_next(vault: Path, run) -> None:
    today = _session(vault)
    assert run("brief").exit_code == 0
    name = f"{today.isoformat()} Brief"
    index_vault(vault, today)
    summary = (vault / "Integration Actions.md").read_text(encoding="utf-8")
    assert f"- Latest brief: [[{name}]]" in summary
    status = json.loads(run("status", "--json").stdout)
    assert status["sessions"] == 1 and status["open_external"] == 1
    assert [m["mood"] for m in status["mood"]] == [4.0, 6.0]  # the brief adds no mood
    again = run("brief", "--stdout").stdout
    assert f"[[{name}]]" not in again
    assert again.count("The dream about the sea.") == 1


def test_status_asks_for_a_brief_when_the_next_session_is_close(vault: Path, run) -> None:
    today = _session(vault, next_session=today_of(vault) + timedelta(days=2))
    lines = run("status").stdout.splitlines()
    assert (
        f"Next session: {(today + timedelta(days=2)).isoformat()} (in 2 days); no brief for it yet  ->  vaultkit brief"
        in lines
    )
    assert run("brief").exit_code == 0
    lines = run("status").stdout.splitlines()
    assert lines[-1].endswith(f"(in 2 days); brief: [[{today.isoformat()} Brief]]")
    assert (
        json.loads(run("status", "--json").stdout)["next_session"] == (today + timedelta(days=2)).isoformat()
    )


def test_new_asks_what_to_bring_and_the_next_session_date(vault: Path, run) -> None:
    answers = ["" for _ in range(6)] + ["The dream", "2026-12-24"]
    result = run("new", "reflection", "--date", "2026-11-24", input="\n".join(answers) + "\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Anything you want to bring to your therapist or guide?" in result.stderr
    text = (vault / "Integration/2026/2026-11-24 Reflection.md").read_text(encoding="utf-8")
    assert "\nnext_session: 2026-12-24\n" in text  # a date, unquoted: Obsidian's date property
    assert "## To bring to my next session\nThe dream\n" in text


# ---------------------------------------------------------------- the HTML page


class _References(HTMLParser):
    """Every attribute that makes a browser load or point at something, and every tag."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data", "xlink:href", "background"):
                self.refs.append(value or "")


def assert_loads_nothing(page: str) -> None:
    found = _References()
    found.feed(page)
    assert found.refs == []
    assert not found.tags & {"script", "link", "img", "iframe", "object", "embed", "a", "base", "image"}
    assert "url(" not in page and "@import" not in page and "@font-face" not in page
    assert "default-src 'none'" in page  # and a browser is told to load nothing even so


def test_html_is_one_file_that_loads_nothing(vault: Path, run) -> None:
    today = today_of(vault)
    day = (today - timedelta(days=1)).isoformat()
    build_tree(
        vault,
        {
            "r.md": (
                f"---\ntype: reflection\ndate: {day}\nsession: 1\n---\n## What came up\n"
                "![a photo](https://example.org/p.png) <img src='http://example.org/x.gif'> "
                "[a link](https://example.org/) <https://example.org/auto> ![[local.png]] "
                '<script src="https://example.org/s.js"></script> <link rel=stylesheet href=//cdn.example/x.css>\n'
            )
        },
    )
    result = run("brief", "--html", str(vault / "Briefs/page.html"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Briefs/page.html"
    page = (vault / "Briefs/page.html").read_text(encoding="utf-8")
    assert_loads_nothing(page)
    assert "[image: a photo]" in page and "a link" in page
    assert "&lt;img src=" in page  # a note's own HTML is shown as text
    assert stat.S_IMODE((vault / "Briefs/page.html").stat().st_mode) == 0o600
    assert run("brief", "--html", str(vault / "Briefs/page.html")).exit_code == 1  # never overwritten


@pytest.mark.slow
def test_the_example_page_renders_and_prints_on_at_most_two_a4_pages(tmp_path: Path) -> None:
    made = made_for(example_vault(tmp_path), EXAMPLE_DAY)
    page = tmp_path / "brief.html"
    page.write_text(render_html(made.brief), encoding="utf-8")
    assert_loads_nothing(page.read_text(encoding="utf-8"))

    dom = browser.dump_dom(page)
    for heading in (
        "Intention",
        "What came up",
        "To bring to this session",
        "Support asked for",
        "Actions",
        "Mood",
    ):
        assert f"<h2>{heading}</h2>" in dom
    assert "<svg" in dom and "<polyline" in dom

    shot = browser.screenshot(page, tmp_path / "brief.png")
    width, height = browser.png_size(shot)
    assert (width, height) == (900, 1100)
    assert shot.stat().st_size > 30_000  # a page of text and a chart, not a blank one

    # The page leaves the paper size to the printer's setting; Chromium's own is
    # Letter. Print it on both, A4 as a person who picks it in the dialog would.
    a4 = tmp_path / "brief-a4.html"
    a4.write_text(page.read_text(encoding="utf-8").replace("</style>", "@page { size: A4; }</style>"))
    for printed, size in ((page, (612, 792)), (a4, (595, 842))):  # points
        pdf = browser.print_pdf(printed, tmp_path / f"{printed.stem}.pdf")
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
        assert box and (round(float(box[1])), round(float(box[2]))) == size
        assert 1 <= browser.pdf_pages(pdf) <= 2


def test_only_the_persons_words_are_quoted_not_the_template(vault: Path, run) -> None:
    today = today_of(vault)
    for kind, day in (("intention", today - timedelta(days=9)), ("check-in", today - timedelta(days=2))):
        made = run("new", kind, "--no-input", "--date", day.isoformat(), "--action", f"Step from the {kind}")
        assert made.exit_code == 0, made.output
    check_in = vault / made.stdout.splitlines()[-1]
    text = check_in.read_text(encoding="utf-8")
    assert "- Step from the intention — [[" in text  # the check-in carries the intention's action over
    check_in.write_text(text.replace("## Support\n", "## Support\nA walk with Sam.\n"), encoding="utf-8")
    page = run("brief", "--stdout").stdout
    assert "]]: A walk with Sam." in page
    for template_text in (
        "Every question here is optional",
        "For each one",
        "Session notes:",
        "prompt",
        "<!--",
    ):
        assert template_text not in page
    assert page.count("Step from the intention") == 1  # listed once, as an action
    assert "## What came up" not in page and "## Intention" not in page  # nothing written there yet


def test_long_action_lists_are_cut_to_a_page(vault: Path, run) -> None:
    today = today_of(vault)
    items = "".join(f'  - "Step {n}"\n' for n in range(30))
    build_tree(vault, {"r.md": f"---\ntype: reflection\ndate: {today}\nsession: 1\nactions:\n{items}---\n"})
    page = run("brief", "--stdout").stdout
    assert "- Step 4\n- and 25 more\n" in page and "Step 5" not in page


def test_the_cli_starts_without_markdown_it() -> None:
    import subprocess
    import sys

    code = "import sys, vaultkit.cli; print('markdown_it' in sys.modules, 'vaultkit.brief' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.split() == ["False", "False"]


# ---------------------------------------------------------------- a user's review (issue 20)


def _review_vault(vault: Path, body: str, extra: dict[str, str] | None = None) -> None:
    day = (today_of(vault) - timedelta(days=1)).isoformat()
    build_tree(
        vault,
        {
            "Integration/r.md": f"---\ntype: reflection\ndate: {day}\nsession: 1\n---\n{body}",
            "Notes/Private note.md": "---\nprivate: true\n---\n## Heading\nThe secret text.\n",
            "Notes/Public note.md": "---\ntags: [x]\n---\n## Heading (private)\nHidden part.\n## Open\nShared.\n",
            **(extra or {}),
        },
    )


def test_embeds_are_shown_as_names_and_lines_linking_a_private_note_are_left_out(vault: Path, run) -> None:
    _review_vault(
        vault,
        "## What came up\n"
        "Before the embeds.\n"
        "![[Private note]]\n"
        "![[Public note#Heading (private)]]\n"
        "![[Public note|the public one]] and ![a picture](elsewhere.png)\n"
        "A picture line ![a picture](Notes/Private%20note.md)\n"
        "A line that links to [[private note#Heading|it]].\n"
        "Another that links [the file](<../Notes/Private note.md>).\n"
        "This one names [[Public note#Heading (private)]] by a private heading.\n",
    )
    for args in (["--stdout"], ["--preview"]):
        page = run("brief", *args).stdout
        assert "Before the embeds." in page
        assert "![" not in page  # nothing is embedded when the brief is opened or exported
        assert "*the public one*" in page and "Private note" not in page and "[[private" not in page
        assert "links to" not in page and "Another" not in page and "picture line" not in page.lower()
        assert "[image: a picture]" in page
        assert "[[Public note]] by a private heading" in page and "Heading (private)" not in page
    assert "4 lines linking to a private note" in run("brief", "--preview").stdout
    assert run("brief", "--html", str(vault / "Briefs/page.html")).exit_code == 0
    page = (vault / "Briefs/page.html").read_text(encoding="utf-8")
    assert "Private note" not in page and "Before the embeds." in page


def test_a_check_ins_carried_over_actions_of_a_private_note_stay_out_whatever_the_heading(
    vault: Path, run
) -> None:
    today = today_of(vault)
    start = today - timedelta(days=5)
    build_tree(
        vault,
        {
            "Integration/i.md": f"---\ntype: intention\ndate: {start}\nsession: 1\n---\n## Wish\nTo rest.\n",
            "Integration/p.md": (
                f"---\ntype: reflection\ndate: {start + timedelta(days=1)}\nsession: 1\nprivate: true\n"
                'actions:\n  - "Phone the old friend"\n---\n## What came up\nThe old friend.\n'
            ),
            "Integration/c.md": (
                f"---\ntype: check-in\ndate: {start + timedelta(days=3)}\nsession: 1\n---\n"
                "## Still on my list\n- Phone the old friend — [[p]]\n- Rest more — [[i]]\n"
            ),
        },
    )
    page = run("brief", "--stdout").stdout
    assert "old friend" not in page
    assert "- Rest more — [[i]]" in page


def test_an_inline_private_comment_hides_its_section_and_no_comment_is_quoted() -> None:
    body = "\n".join(
        [
            "## Open",
            "open text",
            "## Notes on Sam %% private %%",
            "hidden one",
            "## Marked inline",
            "A line %% private %%",
            "hidden two",
            "## Heading %% a note to self %%",
            "shown",
            "## An HTML mark",
            "hidden three <!-- private -->",
        ]
    )
    sections = split_sections(body)
    text = "\n".join(f"{p.heading}\n{p.text}" for p in sections.parts)
    assert "hidden" not in text and "Sam" not in text and "A line" not in text and "note to self" not in text
    assert [p.heading for p in sections.parts] == ["", "Open", "Heading"]
    assert sections.private == 3


def test_a_private_heading_at_any_depth_starts_a_private_part() -> None:
    body = "\n".join(
        [
            "## Open",
            "open text",
            "> ## Quoted heading (private)",
            "> hidden one",
            "",
            "hidden two, after the quote",
            "### Nested under it",
            "hidden three",
            "- ## In a list #private",
            "  hidden four",
            "## Next",
            "> ## A quoted heading, shared",
            "shown",
        ]
    )
    sections = split_sections(body)
    text = "\n".join(f"{p.heading}\n{p.text}" for p in sections.parts)
    assert "hidden" not in text and "Quoted heading" not in text
    assert "open text" in text and "shown" in text and "quoted heading, shared" in text
    assert sections.private == 2


@pytest.mark.parametrize(
    "mark",
    [
        "Private: true\n",
        "private: 1\n",
        "PRIVATE: yes\n",
        "private: True\n",
        "tags:\n  - private\n",
        "tags: [integration, '#private']\n",
    ],
)
def test_common_ways_of_marking_a_whole_note_private(vault: Path, run, mark: str) -> None:
    today = _session(vault)
    build_tree(
        vault,
        {
            "Integration/c.md": (
                f"---\ntype: check-in\ndate: {today}\nsession: 1\nmood: 2\n{mark}"
                'actions:\n  - "Phone the old friend"\n---\n## How I am\nThe old friend.\n'
            )
        },
    )
    page = run("brief", "--stdout")
    assert page.exit_code == 0, page.output
    assert "The sea." in page.stdout and "old friend" not in page.stdout and "2 on" not in page.stdout
    assert "left out as private: 1 note" in page.stderr


@pytest.mark.parametrize(
    "body",
    [
        "%% private %%\n## How I am\nThe old friend.\n",
        "Some words first. %% private %%\n\n## How I am\nThe old friend.\n",
        "# Check-in\n%% private %%\n\n## How I am\nThe old friend.\n",
        "## How I am\nThe old friend.\n",  # private: false, and nothing at the top: shared
    ],
)
def test_a_private_comment_at_the_top_makes_the_whole_note_private(vault: Path, run, body: str) -> None:
    today = _session(vault)
    build_tree(
        vault,
        {
            "Integration/c.md": (
                f"---\ntype: check-in\ndate: {today}\nsession: 1\nprivate: false\nmood: 2\n"
                f'actions:\n  - "Phone the old friend"\n---\n{body}'
            )
        },
    )
    page = run("brief", "--stdout").stdout
    shared = "%%" not in body
    assert ("old friend" in page) == shared and ("2 on" in page) == shared
    if not shared:
        assert "(%% private %% at its top)" in run("brief", "--preview").stdout


def test_the_next_sessions_intention_joins_the_brief_of_the_session_just_past(vault: Path, run) -> None:
    today = _session(vault, next_session=today_of(vault) + timedelta(days=2))
    made = run("new", "intention", "--no-input", "--date", today.isoformat())
    assert made.exit_code == 0, made.output
    intention = vault / made.stdout.splitlines()[-1]
    text = intention.read_text(encoding="utf-8")
    assert "\nsession: 2\n" in text
    assert f"\nsession_date: {today + timedelta(days=2)}\n" in text  # the day session 1's notes recorded
    intention.write_text(text + "\n## For next time\nTo stay with the sea.\n", encoding="utf-8")
    page = run("brief", "--stdout").stdout
    assert page.startswith(
        f"# For session 2 · {today + timedelta(days=2)}\n\n*Session 1 and the next intention, "
    )
    assert "> [[r]]: The dream about the sea." in page and "- Call my sister" in page  # session 1's answers
    assert "## Intention for this session\n\nFrom [[" in page and "To stay with the sea." in page
    # the session being prepared for comes before the one it follows
    assert page.index("## Intention for this session") < page.index("## Intention\n")
    assert "Mood, 0 to 10: 4 on" in page  # session 1's moods still shown
    # status still reminds: the next session's date comes from the session just past
    assert "no brief for it yet  ->  vaultkit brief" in run("status").stdout
    assert run("brief").exit_code == 0
    assert "; brief: [[" in run("status").stdout
    # an explicit --session still gives that session alone
    only = run("brief", "--session", "2", "--stdout").stdout
    assert "To stay with the sea." in only and "The dream about the sea." not in only


# An ordinary session, as the review measured it: every prompt answered in two or three sentences.
_ANSWER = (
    "{what} came back a few times this week, mostly in the evenings when the house is quiet. "
    "I noticed my shoulders drop when I let it be there instead of pushing it away. "
    "I am not sure yet what it means, and that feels all right for now."
)


def ordinary_session(root: Path, today: date, check_ins: int = 3) -> None:
    """An intention, a reflection and `check_ins` check-ins, every heading answered."""
    start = today - timedelta(days=2 + 4 * check_ins)

    def note(kind: str, day: date, headings: list[str], extra: str = "") -> str:
        body = "".join(f"## {h}\n{_ANSWER.format(what=h)}\n\n" for h in headings)
        return f"---\ntype: {kind}\ndate: {day}\nsession: 1\nmood: {3 + day.day % 5}\n{extra}---\n{body}"

    actions = "actions:\n" + "".join(
        f'  - "Step number {n} of the plan for the weeks after"\n' for n in range(5)
    )
    files = {
        "Integration/i.md": note(
            "intention",
            start,
            [
                "What I would like from this session",
                "What I would like from the weeks after it",
                "Where I am now",
            ]
            + ["Setting", "Support"],
        ),
        "Integration/r.md": note(
            "reflection",
            start + timedelta(days=1),
            ["What happened", "What came up", "Where it may come from", "Who I am without it"]
            + ["My intention, looking back", "How I feel now", "What I want to change"]
            + ["To bring to my next session"],
            actions,
        ),
    }
    for n in range(check_ins):
        files[f"Integration/c{n}.md"] = note(
            "check-in",
            start + timedelta(days=3 + 4 * n),
            ["How I am", "What faded, what stuck", "Support", "To bring to my next session"],
        )
    build_tree(root, files)


def _a4_pages(page_html: str, folder: Path) -> int:
    page = folder / "a4.html"
    page.write_text(page_html.replace("</style>", "@page { size: A4; }</style>"), encoding="utf-8")
    return browser.pdf_pages(browser.print_pdf(page, folder / "a4.pdf"))


def part_of(page: str, heading: str) -> str:
    """One part of the page: from its heading to the next one."""
    start = page.index(heading)
    end = page.find("\n## ", start + 1)
    return page[start : end + 1 if end >= 0 else len(page)]


def _quoted_chars(part: str) -> int:
    return sum(len(line) for line in part.split("\n") if line.startswith(">"))


def test_an_ordinary_session_is_cut_to_a_page_that_says_where_the_rest_is(vault: Path, run) -> None:
    ordinary_session(vault, today_of(vault), check_ins=3)
    page = run("brief", "--stdout").stdout
    came_up = part_of(page, "## What came up")
    # the four notes share the part: each one quoted, each saying how many more answers it has
    assert "From [[r]] (5 more answers in the note):" in came_up and "From [[c2]] (1 more answer" in came_up
    assert "From [[c0]]:" in came_up  # one note quoted whole
    assert "More in" not in came_up
    assert 5 * 240 < _quoted_chars(came_up) <= 7 * 240 + 60  # labels count as well
    assert "instead of pushing it away. …\n" in came_up  # cut after a sentence
    assert all(len(line.split(":** ", 1)[-1]) <= 242 for line in came_up.split("\n") if line.startswith(">"))


def test_a_full_section_names_the_notes_it_has_no_room_for(vault: Path, run) -> None:
    ordinary_session(vault, today_of(vault), check_ins=9)
    page = run("brief", "--stdout").stdout
    came_up = part_of(page, "## What came up")
    bring = part_of(page, "## To bring")
    for part in (came_up, bring):
        named = re.search(r"\*More in ((?:\[\[\w+\]\](?:, )?)+)\.\*\n\n\Z", part)
        assert named, part
        quoted = re.findall(r"^(?:From |> )(\[\[\w+\]\])", part, re.M)
        assert quoted[0] == "[[r]]"
        # every note of the span is either quoted or named, in date order
        assert quoted + named[1].split(", ") == ["[[r]]"] + [f"[[c{n}]]" for n in range(9)]


@pytest.mark.slow
def test_an_ordinary_session_prints_on_at_most_two_pages(tmp_path: Path) -> None:
    today = date(2026, 11, 24)
    for check_ins in (3, 5):
        root = tmp_path / f"v{check_ins}"
        init_vault(root)
        ordinary_session(root, today, check_ins)
        if check_ins == 5:  # and long lists of actions: done in the span, and stalled from long ago
            old = "".join(
                f'  - "An older step, number {n}, still waiting for a quiet weekend"\n' for n in range(15)
            )
            done = "".join(f'  - "[x] A finished step number {n} ✅ 2026-11-20"\n' for n in range(15))
            build_tree(
                root,
                {
                    "old.md": f"---\ntype: check-in\ndate: 2026-08-01\nsession: 0\nactions:\n{old}---\n",
                    "Integration/d.md": f"---\ntype: check-in\ndate: 2026-11-20\nsession: 1\nactions:\n{done}---\n",
                },
            )
        made = made_for(root, today)
        assert len(made.brief.moods) == 2 + check_ins
        page = render_html(made.brief)
        assert _a4_pages(page, tmp_path) <= 2
        letter = tmp_path / "letter.html"
        letter.write_text(page, encoding="utf-8")
        assert browser.pdf_pages(browser.print_pdf(letter, tmp_path / "letter.pdf")) <= 2


@pytest.mark.parametrize(
    ("given", "code", "message"),
    [
        ("", 2, 'Invalid value for --html: needs a file name, e.g. --html "Briefs/brief.html"'),
        ("   ", 2, "needs a file name"),
        ("-", 2, "use --stdout to print the page"),
        ("Integration/i.md/page.html", 1, "part of that path is a file, not a folder; pick another path"),
        ("Integration/i.md", 1, "Integration/i.md already exists; vaultkit never overwrites a file"),
        ("x" * 300 + ".html", 1, "a name in that path is too long; pick a shorter one"),
        ("Integration", 1, "Integration is a folder; name the page's file"),
        ("Briefs/", 1, "Briefs/ is a folder; name the page's file"),
        ("/tmp/brief.html", 1, "/tmp/brief.html is outside the vault"),
    ],
)
def test_html_paths_that_cannot_be_written_say_why(
    vault: Path, run, given: str, code: int, message: str
) -> None:
    _session(vault)
    before = snapshot(vault)
    result = run("brief", "--html", given)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "unexpectedly" not in result.stderr
    assert snapshot(vault) == before


def test_a_relative_html_path_starts_at_the_vault_not_the_current_folder(
    vault: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _session(vault)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("brief", "--html", "Briefs/session 3.html")  # the README's own example
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Briefs/session 3.html"
    assert "The dream about the sea." in (vault / "Briefs/session 3.html").read_text(encoding="utf-8")
    assert list(elsewhere.iterdir()) == []
    inside = run(
        "brief", "--html", str(vault / "Briefs" / "absolute.html")
    )  # an absolute path inside is fine
    assert inside.exit_code == 0 and (vault / "Briefs/absolute.html").exists()


def test_the_html_mood_chart_spaces_its_points_by_date() -> None:
    from vaultkit.brief.html import mood_svg

    svg = mood_svg([("2026-11-01", 4), ("2026-11-02", 5), ("2026-11-03", 6), ("2026-11-21", 7)])
    xs = [float(v) for v in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert len(xs) == 4
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])  # a day apart each
    assert xs[3] - xs[2] == pytest.approx(18 * (xs[1] - xs[0]))  # 18 days later
    dates = re.findall(r'fill="#555">(\d\d-\d\d)</text>', svg)
    assert dates[0] == "11-01" and dates[-1] == "11-21"  # crowded days are not written over each other
    assert "11-02" not in dates


def test_a_date_span_says_its_dates_once(tmp_path: Path) -> None:
    made = made_for(example_vault(tmp_path), EXAMPLE_DAY, since=date(2026, 10, 1))
    assert made.brief.covers == "From 2026-10-01 to 2026-11-24"
    assert render_body(made.brief).startswith(
        "# For session 3 · 2026-11-26\n\n*From 2026-10-01 to 2026-11-24."
    )


def test_a_sessions_brief_shows_its_actions_as_they_stood_at_its_end(vault: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-24T12:00")
    build_tree(
        vault,
        {
            "Integration/i1.md": "---\ntype: intention\ndate: 2026-11-01\nsession: 1\n---\n",
            "Integration/r1.md": "---\ntype: reflection\ndate: 2026-11-02\nsession: 1\nactions:\n"
            '  - "[x] Tell Sam the plan ✅ 2026-11-20"\n  - "[-] Walk after lunch ❌ 2026-11-20"\n'
            '  - "[x] Rest ✅ 2026-11-05"\n---\n',
            "Integration/i2.md": "---\ntype: intention\ndate: 2026-11-15\nsession: 2\n---\n",
        },
    )
    page = run("brief", "--session", "1", "--stdout").stdout
    actions = part_of(page, "## Actions")
    assert "**Still open**\n\n- Tell Sam the plan\n- Walk after lunch\n" in actions  # both changed after
    assert "**Done**\n\n- Rest · done 2026-11-05\n" in actions
    assert "Let go" not in actions


def test_the_next_intentions_actions_are_in_its_brief_even_when_dated_ahead(
    vault: Path, run, monkeypatch
) -> None:
    monkeypatch.setenv("VAULTKIT_NOW", "2026-12-07T20:00")
    build_tree(
        vault,
        {
            "Integration/i1.md": "---\ntype: intention\ndate: 2026-11-20\nsession: 1\n---\n",
            "Integration/r1.md": "---\ntype: reflection\ndate: 2026-11-20\nsession: 1\n---\n",
        },
    )
    made = run(
        "new", "intention", "--date", "2026-12-10", "--yes", "--no-input", "--action", "Bring the journal"
    )
    assert made.exit_code == 0, made.output
    page = run("brief", "--stdout").stdout
    assert page.startswith("# For session 2 · 2026-12-10\n")
    assert "- Bring the journal" in part_of(page, "## Actions")
