"""The README as people and the package index render it (markdown-it-py, the
CommonMark parser vaultkit already uses): every fence closed where its author
closed it, every section a section, and its commands the ones that work."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fences_as_written(lines: list[str]) -> tuple[list[tuple[int, int]], list[int]]:
    """Each fence as its author meant it, (first line, line after the last), and
    the first lines of those never closed: a ``` line with a language opens a
    fence (one still open was left unclosed), a bare ``` line closes the open
    one or else opens one."""
    spans: list[tuple[int, int]] = []
    unclosed: list[int] = []
    start = None
    for number, line in enumerate(lines):
        mark = line.strip()
        if not mark.startswith("```"):
            continue
        if start is None:
            start = number
        elif mark.strip("`").strip():
            unclosed.append(start)
            start = number
        else:
            spans.append((start, number + 1))
            start = None
    return spans, unclosed + ([start] if start is not None else [])


def check(text: str) -> list[str]:
    """What is wrong with a README's fences and headings, as messages."""
    lines = text.splitlines()
    tokens = MarkdownIt("commonmark").parse(text)
    written, unclosed = fences_as_written(lines)
    problems = [f"line {start + 1}: a code fence that is never closed" for start in unclosed]
    rendered = [(t.map[0], t.map[1]) for t in tokens if t.type == "fence" and t.map]
    for start, end in sorted(set(written) ^ set(rendered)):
        # CommonMark closes a fence only with a bare ``` line: a "```sh" inside one is text.
        problems.append(f"lines {start + 1}-{end}: a fence that renders otherwise than it is written")
    headings = {t.map[0] for t in tokens if t.type == "heading_open" and t.map}
    inside = {n for start, end in written for n in range(start, end)}
    for number, line in enumerate(lines):
        if re.match(r"#{1,6} ", line) and number not in inside and number not in headings:
            problems.append(f"line {number + 1}: {line!r} does not render as a heading")
    return problems


def test_every_fence_is_closed_and_every_section_renders_as_one():
    assert check(README) == []
    tokens = MarkdownIt("commonmark").parse(README)
    titles = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    for needed in (
        "Install",
        "Nudges: a reminder when a follow-up is due",
        "A page for your next session: `vaultkit brief`",
        "Other commands",
    ):
        assert needed in titles


def test_the_check_sees_a_fence_left_open_before_a_section():
    # The README once opened a fence before `vaultkit nudges` and never closed
    # it: the brief's section below it rendered as code.
    broken = "# T\n\n```sh\nvaultkit nudges\n\n## A page\n\nText.\n\n```sh\nvaultkit brief\n```\n\n## Other\n"
    assert check(broken) == [
        "line 3: a code fence that is never closed",
        "lines 3-12: a fence that renders otherwise than it is written",
        "lines 10-12: a fence that renders otherwise than it is written",
        "line 6: '## A page' does not render as a heading",
    ]
    assert check(broken.replace("vaultkit nudges\n", "vaultkit nudges\n```\n")) == []
    assert check("# T\n\n```sh\nls\n\n## B\n") == [
        "line 3: a code fence that is never closed",
        "lines 3-6: a fence that renders otherwise than it is written",
        "line 6: '## B' does not render as a heading",
    ]


def test_the_readme_starts_with_what_it_is_then_the_two_commands():
    first_section = README.split("\n## ", 1)[0]
    fences = re.findall(r"```sh\n(.*?)```", first_section, re.S)
    assert fences == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/vaultkit --vault examples/vault index\n",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest\n",
    ]
    before = first_section[: first_section.index("```")]
    between = first_section.split("```sh")[1].split("```", 1)[1]
    assert "therapy" in before and "For development" in between
    # CI runs the second one verbatim.
    assert fences[1].strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "not a substitute for a clinician" in first_section and "988" in first_section


def test_the_install_line_names_this_distribution_not_the_unrelated_one():
    name = re.search(r'^name = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)[1]
    assert name != "vaultkit"  # on the package index that is another product
    assert f"pipx install {name} " in README and f"pipx upgrade {name}" in README
    assert not re.search(r"^(pipx|pip) install vaultkit\b(?!-)", README, re.M)
    assert "python -m vaultkit" not in README.split("## Install", 1)[1].split("\n## ", 1)[0].replace(
        ".venv/bin/python -m vaultkit", ""
    )  # pipx puts no `python` on PATH that could run it
