"""Every way a person marks something private, one row each, through the command.

Each row writes one session's notes and runs `vaultkit brief` three ways
(`--stdout`, the note, `--html`, and `--preview` besides). Every private piece
of text holds the word "Quokka", so a single "quokka" in any output is a leak;
a private note's mood is 9.25, a value no other note has. Each row also says
which shared text of the same vault must still be there, so that a brief that
left everything out could not pass. Then what marks nothing private, and that
no text the markdown brief copies can become active HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import TODAY, build_tree

SECRET = "quokka"
PRIVATE_MOOD = "9.25"
START = TODAY - timedelta(days=5)

INTENTION = f"---\ntype: intention\ndate: {START}\nsession: 1\nmood: 4\n---\n## Wish\nTo rest by the sea.\n"
REFLECTION = (
    f"---\ntype: reflection\ndate: {START + timedelta(days=1)}\nsession: 1\nmood: 6\n"
    "actions:\n{actions}---\n## What came up\nThe sea was calm.\n"
)
PUBLIC_ACTIONS = '  - "Call my sister"\n'
# Shared text that must still be on the page, whatever the row.
ALWAYS = ["To rest by the sea.", "The sea was calm.", "Call my sister"]
# The shared text around a private part in the check-in.
AROUND = ["Shared words.", "Also shared."]


@dataclass(frozen=True)
class Way:
    """One way of marking something private. `kind` says what is private:
    "note" (the whole check-in: its text, its actions, its mood), "part" (a
    part of the check-in; the rest of it is shared), "link" (a line of the
    check-in that links to or embeds a private note), "action" (one action)."""

    kind: str
    mark: str  # frontmatter lines (note), or the private part of the body (part, link), or actions
    body: str = ""  # for "note": the body, when the mark is in it


def _check_in(meta: str, body: str, mood: str) -> str:
    day = START + timedelta(days=3)
    return f"---\ntype: check-in\ndate: {day}\nsession: 1\nmood: {mood}\n{meta}---\n{body}"


def _files(way: Way) -> dict[str, str]:
    actions = PUBLIC_ACTIONS
    files = {"Integration/i.md": INTENTION}
    if way.kind == "note":
        meta = way.mark + 'actions:\n  - "Feed the quokka"\n'
        body = way.body or "## How I am\nQuokka days, all of them.\n"
        files["Integration/c.md"] = _check_in(meta, body, PRIVATE_MOOD)
    elif way.kind == "action":
        actions += way.mark
        files["Integration/c.md"] = _check_in("", f"## How I am\n{AROUND[0]}\n\n## Later\n{AROUND[1]}\n", "3")
    else:
        body = f"## How I am\n{AROUND[0]}\n\n{way.mark}\n\n## Later\n{AROUND[1]}\n"
        files["Integration/c.md"] = _check_in("", body, "3")
        files["People/Mum.md"] = (
            f"---\nprivate: true\nmood: {PRIVATE_MOOD}\naliases: [Mother, Mama]\n---\nQuokka letter.\n"
        )
        files["People/Gran.md"] = "---\ntags: private\nalias: Granny\n---\nQuokka story.\n"
    files["Integration/r.md"] = REFLECTION.format(actions=actions)
    return files


WAYS: dict[str, Way] = {
    # ---- a whole note, by its frontmatter (Obsidian's tags: any form)
    "private: true": Way("note", "private: true\n"),
    "tags: [private]": Way("note", "tags: [private]\n"),
    'tags: "journal, private"': Way("note", 'tags: "journal, private"\n'),
    'tags: "journal private"': Way("note", 'tags: "journal private"\n'),
    "tags: private": Way("note", "tags: private\n"),
    "tag: private": Way("note", "tag: private\n"),
    "tags: [private/family]": Way("note", "tags: [private/family]\n"),
    "tags: - journal/private": Way("note", "tags:\n  - journal/private\n"),
    "Tags: ['#Private']": Way("note", "Tags: ['#Private']\n"),
    # ---- a whole note, by an inline tag in its body (Obsidian lists it under #private)
    "#private as the first body line": Way(
        "note", "", "#private\n\n## How I am\nQuokka days, all of them.\n"
    ),
    "#private in a Tags: line": Way(
        "note", "", "## How I am\nQuokka days, all of them.\n\nTags: #journal #private\n"
    ),
    "#private/family in a sentence": Way(
        "note", "", "## How I am\nQuokka days, #private/family things, all of them.\n"
    ),
    "#private in a link reference definition": Way(
        "note", "", '## How I am\nQuokka days.\n\n[q]: https://example.org "#private"\n'
    ),
    "%% private %% at the top": Way("note", "", "%% private %%\n## How I am\nQuokka days.\n"),
    "# title #private over all of it": Way(
        "note", "", "# Quokka journal #private\n\n## How I am\nQuokka days.\n### More\nQuokka.\n"
    ),
    "## Private heading over all of it": Way("note", "", "<!-- a comment -->\n## Private\nQuokka days.\n"),
    # ---- a part of a note
    "heading (private)": Way("part", "## Quokka and mum (private)\nQuokka text."),
    "heading #private": Way("part", "## Quokka and mum #private\nQuokka text."),
    "heading Private: …": Way("part", "## Private: Quokka and mum\nQuokka text."),
    "heading Private – …": Way("part", "## Private – Quokka and mum\nQuokka text."),
    "heading … - private": Way("part", "## Quokka and mum - private\nQuokka text."),
    "heading (private) …": Way("part", "## (private) Quokka and mum\nQuokka text."),
    "heading … [private]": Way("part", "## Quokka and mum [private]\nQuokka text."),
    "heading … (private).": Way("part", "## Quokka and mum (private).\nQuokka text."),
    "heading … （private）": Way("part", "## Quokka and mum（private）\nQuokka text."),
    "heading Private thoughts": Way("part", "### Private thoughts on Quokka\nQuokka text."),
    "setext heading … [Private]": Way("part", "Quokka and mum [Private]\n---\nQuokka text."),
    "HTML <h2> heading": Way("part", "<h2>Quokka and mum (private)</h2>\n\nQuokka text.\n\nMore quokka."),
    "HTML <h3> heading, text right under it": Way("part", "<h3 class=x>Private</h3>\nQuokka text."),
    "<details> with a Private summary": Way(
        "part", "<details><summary>Private</summary>\nQuokka text.\n</details>"
    ),
    '<details class="private"> with markdown in it': Way(
        "part", '<details class="private">\n<summary>Quokka</summary>\n\nQuokka text.\n\n</details>'
    ),
    "<details>, a blank line, <summary>Private</summary>": Way(
        "part", "<details>\n\n<summary>Private</summary>\n\nQuokka text.\n\n</details>"
    ),
    "> [!private] callout": Way("part", "> [!private] Quokka title\n> Quokka text.\n>\n> More quokka."),
    "> [!private]- folded callout": Way("part", "> [!PRIVATE]-\n> Quokka text."),
    "> [!note] Private callout": Way("part", "> [!note] Private\n> Quokka text."),
    "paragraph ending in #private": Way("part", "Quokka text,\nall of this paragraph. #private"),
    "list item ending in #private": Way(
        "part", "- Quokka item #private\n  - Quokka under it\n- A shared item."
    ),
    "task ending in #private ^id": Way("part", "- [ ] Quokka task #private ^ab12"),
    "%% private %% in a section": Way("part", "### Notes\nQuokka text. %% private %%"),
    # ---- a line that links to or embeds a private note
    "[[Name]] of a private note": Way("link", "- Quokka talk — [[Mum]]"),
    "[[Alias]] of a private note": Way("link", "- Quokka talk — [[Mother]]"),
    "[[Alias|shown]] of a private note": Way("link", "Talk to [[Mama|Quokka]] soon."),
    "![[Alias]] of a private note": Way("link", "![[Mother]] quokka"),
    "[[alias: Granny]] (a string)": Way("link", "- Quokka talk — [[granny#Heading]]"),
    # ---- an action
    "action tagged #private": Way("action", '  - "Quokka errand #private"\n'),
    "action tagged #private, then a domain": Way("action", '  - "[ ] Quokka walk #private #body"\n'),
    "action mapping tagged #private": Way("action", '  - text: "Quokka call #private"\n    kind: internal\n'),
    "action linking a private note": Way("action", '  - "Quokka visit [[Mother]]"\n'),
}


def _outputs(vault: Path, run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = {}
    for name, args in (("stdout", ["--stdout"]), ("preview", ["--preview"])):
        result = run("brief", *args)
        assert result.exit_code == 0, result.output
        found[name], found[f"{name} messages"] = result.stdout, result.stderr
    made = run("brief")
    assert made.exit_code == 0, made.output
    found["note"] = (vault / made.stdout.splitlines()[-1]).read_text(encoding="utf-8")
    html = run("brief", "--html", "Briefs/page.html")
    assert html.exit_code == 0, html.output
    found["html"] = (vault / "Briefs/page.html").read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize("name", list(WAYS))
def test_a_private_way_leaves_nothing_private_in_any_output(vault: Path, run, name: str) -> None:
    way = WAYS[name]
    if way.kind == "action" and "Mother" in way.mark:
        build_tree(vault, {"People/Mum.md": "---\nprivate: true\naliases: [Mother]\n---\nQuokka letter.\n"})
    build_tree(vault, _files(way))
    outputs = _outputs(vault, run)
    for output_name, text in outputs.items():
        assert SECRET not in text.lower(), f"{name}: private text in {output_name}:\n{text}"
        assert PRIVATE_MOOD not in text, f"{name}: the private note's mood in {output_name}:\n{text}"
    shown = ALWAYS + (AROUND if way.kind != "note" else [])
    for output_name in ("stdout", "note", "html"):
        for words in shown:
            assert words in outputs[output_name], f"{name}: {words!r} missing from {output_name}"
    if way.kind == "note":
        assert "[[c]] (" in outputs["preview"]  # named as left out, with the reason
        assert "left out as private: 1 note" in outputs["stdout messages"]


@pytest.mark.parametrize(
    "text",
    [
        "Shared words, `#private` in code.",
        "Shared words.\n\n```\n#private\n## Private\n```",
        "Shared words, said privately.",
        "Shared words about [[Note#private]] and https://example.org/#private.",
        "## Privately said\nShared words.",
        "Shared words with [[Nana]], whose note is not private.",
    ],
)
def test_what_does_not_mark_anything_private_is_still_shared(vault: Path, run, text: str) -> None:
    build_tree(
        vault,
        {
            **_files(Way("action", "")),
            "Integration/c.md": _check_in("", f"## How I am\n{text}\n", "3"),
            "People/Nan.md": "---\naliases: [Nana]\ntags: [family]\n---\nStories.\n",
        },
    )
    page = run("brief", "--stdout")
    assert page.exit_code == 0, page.output
    assert "Shared words" in page.stdout and "left out as private: 0 notes, 0 parts" in page.stderr


def test_the_preview_says_what_was_left_out_and_why_never_the_text(vault: Path, run) -> None:
    body = (
        "## How I am\nShared words.\n\n## Private: Quokka\nQuokka text.\n\n## Later\nAlso shared.\n\n"
        "> [!private]\n> Quokka text.\n\n- Quokka item #private\n- Quokka talk — [[Mother]]\n"
    )
    files = _files(Way("part", ""))
    files["Integration/c.md"] = _check_in("", body, "3")
    files["Integration/r.md"] = REFLECTION.format(actions=PUBLIC_ACTIONS + '  - "Quokka errand #private"\n')
    files["Integration/p.md"] = _check_in('tags: "journal, private"\n', "Quokka days.\n", PRIVATE_MOOD)
    build_tree(vault, files)
    preview = run("brief", "--preview")
    assert preview.exit_code == 0, preview.output
    left = preview.stdout[preview.stdout.index("== Left out as private") :]
    assert left.splitlines()[:6] == [
        "== Left out as private: 1 note, 3 parts, 1 action, 1 line linking to a private note",
        "   [[p]] (tagged private)",
        "   1 × a heading that says private",
        "   1 × a callout marked private",
        "   1 × a paragraph or list item ending in #private",
        "   1 × an action tagged #private",
    ]
    assert SECRET not in preview.stdout.lower() and "Shared words." in preview.stdout
    stderr = run("brief", "--stdout").stderr
    assert "left out as private: 1 note, 3 parts, 1 action, 1 line linking to a private note" in stderr


# ---------------------------------------------------------------- nothing copied becomes active HTML

ACTIVE = "<img src=x onerror=alert(1)>"


def test_no_text_copied_into_the_markdown_brief_is_active_html(vault: Path, run) -> None:
    """Obsidian renders inline HTML in a note: an <img> would be fetched, an
    onerror or a <script> could run, when the brief note is opened."""
    actions = (
        f'  - "Call my sister {ACTIVE}"\n'
        '  - "[x] Done <script>alert(2)</script> ✅ 2026-11-28"\n'
        '  - text: "Inner <iframe src=//example.org> work"\n    kind: internal\n'
        '  - "Look at ![a photo](https://example.org/p.png) and ![[Mum]]"\n'
    )
    build_tree(
        vault,
        {
            "Integration/i.md": f"---\ntype: intention\ndate: {START}\nsession: 1\n---\n"
            f"## Wish {ACTIVE}\nTo rest <b>by</b> the sea.\n",
            "Integration/r.md": REFLECTION.format(actions=actions),
        },
    )
    page = run("brief", "--stdout").stdout
    made = run("brief")
    note = (vault / made.stdout.splitlines()[-1]).read_text(encoding="utf-8")
    for text in (page, note):
        assert "<" not in text.split("\n---\n", 1)[-1].replace("&lt;", "")  # no tag can start
        assert "- Call my sister &lt;img src=x onerror=" in text  # and it still reads as written
        assert "Done &lt;script>alert(2)&lt;/script>" in text and "Inner &lt;iframe" in text
        assert "**Wish &lt;img src=x" in text and "To rest &lt;b>by&lt;/b> the sea." in text
        assert "![" not in text and "[image: a photo]" in text and "*Mum*" in text
    assert run("brief", "--html", "Briefs/page.html").exit_code == 0
    html = (vault / "Briefs/page.html").read_text(encoding="utf-8")
    assert "<img" not in html and "<script" not in html and "<iframe" not in html
    assert "Call my sister &lt;img src=x onerror=" in html  # shown as text, not as "&amp;lt;"
