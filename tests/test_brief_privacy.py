"""Property: no text from a private note or a private section ever reaches any
output of `vaultkit brief` (the note, --stdout, --preview, --html).

Everything private is written in Greek letters and everything else in Latin
ones, so a single Greek letter in an output is a leak. Private sections are
made hard to find on purpose: headings with the marker spelled in several
ways, nested sections, fake headings inside code fences and comments, the
`%% private %%` comment (on its own line, inline, in a heading, at the top of
a note), private headings inside block quotes and lists, comments left open,
links to remote places; private notes marked in several spellings, and public
notes whose lines link to or embed a private note (the check-in's carried-over
list). No output may hold an embed (`![[`), which Obsidian would fill with the
embedded note's text. A private note's mood is 9.25, a value no other note has.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import build_tree
from vaultkit.brief.html import render_html
from vaultkit.brief.make import make_brief, note_text
from vaultkit.brief.page import render_preview
from vaultkit.cli import cli
from vaultkit.config import local_today
from vaultkit.fs import init_vault, load_vault
from vaultkit.refresh import opened, scan

GREEK = "αβγδεζηθλμξπρστφχψω"
LATIN = "abcdefghijklmnopqrstuvwxyz"
PRIVATE_MOOD = "9.25"

secret = st.text(GREEK, min_size=3, max_size=8)
public = st.text(LATIN, min_size=3, max_size=8)
secret_words = st.lists(secret, min_size=1, max_size=4).map(" ".join)
public_words = st.lists(public, min_size=1, max_size=4).map(" ".join)
FLAGS = ["", "private: true\n", 'private: "yes"\n', "Private: true\n", "private: 1\n", "tags: [private]\n"]
MARKERS = ["(private)", "(Private)", "( private )", "*(private)*", "(private) ##", "(PRIVATE)", "_(private)_"]


@st.composite
def secret_line(draw: st.DrawFn, level: int) -> str:
    words, fake = draw(secret_words), draw(public_words)
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    return draw(
        st.sampled_from(
            [
                words,
                f"{fence}\n{'#' * level} {fake}\n{words}\n{fence}",  # a heading in a fence is not one
                f"<!--\n{'#' * level} {fake}\n-->\n{words}",  # nor in an HTML comment
                f"    {'#' * level} {fake} {words}",  # nor in an indented code block
                f"> {'#' * level} {fake} {words}",  # nor in a block quote
                f"%% {words} %%",
                f"{words} <!-- {words}",  # a comment left open
                f"[{words}](https://example.org/{fake}) ![{words}](http://example.org/{fake}.png)",
                f"- {words}\n- [ ] {words}",
                f"{'#' * min(level + 1, 6)} {words}",  # nested under the private heading
            ]
        )
    )


@st.composite
def section(draw: st.DrawFn, secret_note: bool) -> str:
    level = draw(st.integers(1, 3))
    kinds = ["public", "heading", "marker", "inline", "nested"]
    kind = "secret" if secret_note else draw(st.sampled_from(kinds))
    if kind in ("public", "nested"):
        lines = draw(st.lists(public_words, min_size=1, max_size=3))
        heading = draw(st.sampled_from(["What came up", "Support", "To bring to my next session"]))
        links = draw(
            st.sampled_from(
                [
                    "",
                    "![x](https://example.org/a.png) <img src=http://example.org/b>",
                    f"![[{draw(public_words)}]] ![[{draw(public_words)}#{draw(public_words)}]]",
                ]
            )
        )
        if kind == "nested":  # a private heading inside a quote or a list, then its text
            mark = draw(st.sampled_from(MARKERS + ["#private", "%% private %%"]))
            inside = draw(st.sampled_from(["> ", "- ", "> > "]))
            lines += [
                f"{inside}{'#' * level} {draw(secret_words)} {mark}",
                *draw(st.lists(secret_line(level))),
            ]
        return "\n".join([f"{'#' * level} {heading} {draw(public_words)}", links, *lines])
    if kind == "inline":  # %% private %% written in the heading, or at the end of a line
        words = draw(secret_words)
        if draw(st.booleans()):
            return "\n".join([f"{'#' * level} {words} %% private %%", *draw(st.lists(secret_line(level)))])
        return "\n".join(
            [f"{'#' * level} {draw(public_words)}", f"{words} %% private %%", draw(secret_words)]
        )
    lines = draw(st.lists(secret_line(level), min_size=1, max_size=4))
    if kind == "heading":
        marker = draw(st.sampled_from(MARKERS))
        heading = f"{'#' * level} {draw(secret_words)} {marker}"
    else:  # a section that holds %% private %% (the whole note, for a private note, is Greek anyway)
        heading = f"{'#' * level} {draw(secret_words)}"
        if kind == "marker":
            # In this section itself, above any section nested in it.
            nested = [i for i, line in enumerate(lines) if line.startswith("#")]
            at = draw(st.integers(0, nested[0] if nested else len(lines)))
            lines.insert(at, draw(st.sampled_from(["%% private %%", "%%private%%", "  %% Private %%"])))
    return "\n".join([heading, *lines])


@st.composite
def notes(draw: st.DrawFn) -> list[tuple[str, bool, int | None, str, list[str]]]:
    """(type, private, mood, body, actions) per note, in date order."""
    found = []
    for n in range(draw(st.integers(1, 4))):
        private = n > 0 and draw(st.booleans())  # the first note keeps the session public
        kind = "intention" if n == 0 else draw(st.sampled_from(["reflection", "check-in"]))
        body = "\n\n".join(draw(st.lists(section(private), min_size=1, max_size=4)))
        words = secret_words if private else public_words
        actions = draw(st.lists(words, max_size=2))
        mood = None if private else draw(st.one_of(st.none(), st.integers(0, 8)))
        found.append((kind, private, mood, body, actions))
    return found


def _write(root: Path, drawn: list[tuple[str, bool, int | None, str, list[str]]]) -> None:
    today = local_today(load_vault(root).config)
    files = {}
    names = [
        f"Integration/{today - timedelta(days=len(drawn) - n)} {d[0]} {n}.md" for n, d in enumerate(drawn)
    ]
    secret_names = [name for name, d in zip(names, drawn, strict=True) if d[1]]
    for n, (kind, private, mood, body, actions) in enumerate(drawn):
        day = today - timedelta(days=len(drawn) - n)
        flag = FLAGS[n % len(FLAGS)] if private else ""
        if private and n % len(FLAGS) == 0:
            body = "%% private %%\n" + body  # the whole note, said at its top
        elif not private:  # lines that link to or embed each private note, as a check-in lists them
            body += "".join(
                f"\n- {GREEK[:4]} — [[{Path(name).stem}]]\n\n![[{Path(name).stem}]] {GREEK[4:8]}"
                for name in secret_names
            )
        mood_line = f"mood: {PRIVATE_MOOD if private else mood}\n" if private or mood is not None else ""
        items = "".join(f'  - "{a}"\n' for a in actions)
        files[names[n]] = (
            f"---\ntype: {kind}\ndate: {day}\nsession: 1\n{flag}{mood_line}actions:\n{items}---\n{body}\n"
        )
    build_tree(root, files)


def _leaks(output: str) -> list[str]:
    found = [ch for ch in output if ch in GREEK]
    return found + [bad for bad in (PRIVATE_MOOD, "![[") if bad in output]


@settings(max_examples=80, deadline=None)
@given(notes())
def test_no_private_text_in_the_engine_outputs(drawn) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "vault"
        init_vault(root)
        _write(root, drawn)
        vault = load_vault(root)
        today = local_today(vault.config)
        with opened(vault, lambda _: None) as store:
            scan(vault, store, today)
            made = make_brief(vault, store, today)
        for output in (note_text(made, today), render_preview(made.brief), render_html(made.brief)):
            assert not _leaks(output), output


@settings(max_examples=12, deadline=None)
@given(notes())
def test_no_private_text_in_any_output_of_the_command(drawn) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "vault"
        init_vault(root)
        _write(root, drawn)
        runner = CliRunner()

        def brief(*args: str) -> tuple[str, str]:
            result = runner.invoke(cli, ["--vault", str(root), "brief", *args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            return result.stdout, result.stderr

        outputs = [*brief("--stdout"), *brief("--preview")]
        stdout, stderr = brief()
        outputs += [stdout, stderr, (root / stdout.splitlines()[-1]).read_text(encoding="utf-8")]
        outputs += brief("--html", str(root / "page.html"))
        outputs.append((root / "page.html").read_text(encoding="utf-8"))
        for output in outputs:
            assert not _leaks(output), output
