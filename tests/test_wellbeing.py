"""WHO-5 in check-ins (`wellbeing: who5`): asked in a real terminal with its
published wording, each item skippable, a 0-100 score only when all five are
answered, Number properties, and the score over time in the summary and the brief."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest
import yaml

from vaultkit.wellbeing import ITEMS, SOURCE

from .helpers import TODAY, build_tree, index_vault
from .test_journal import ANSWER_READY, CTRL_D, finish, spawn

SESSION = {
    "Integration/2026-11-10 Intention.md": "---\ntype: intention\ndate: 2026-11-10\nsession: 1\n---\n",
    "Integration/2026-11-11 Reflection.md": "---\ntype: reflection\ndate: 2026-11-11\nsession: 1\n---\n",
}


def configure(vault: Path, *lines: str) -> None:
    (vault / ".vaultkit" / "config.yaml").write_text("\n".join(["timezone: UTC", *lines]) + "\n")


def check_in(vault: Path) -> dict:
    (path,) = [p for p in (vault / "Integration").rglob("*Check-in*.md")]
    text = path.read_text()
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


SCALE = (
    "5 All of the time, 4 Most of the time, 3 More than half of the time, "
    "2 Less than half of the time, 1 Some of the time, 0 At no time; or skip"
)


def shown(text: str) -> str:
    """A pattern for `text` as the terminal shows it: wrapped at its width, between words."""
    return r"\s+".join(map(re.escape, text.split()))


def answer_who5(child: pexpect.spawn, answers: list[str]) -> None:
    """Each item asked with its published wording and the whole answer scale; the
    first also says what the questions are and when there is a score."""
    child.expect(
        shown(f"{SOURCE}: five questions, each optional; a score (0 to 100) when all five are answered.")
    )
    for item, answer in zip(ITEMS, answers, strict=True):
        child.expect(shown(f"Over the last two weeks: {item}. ({SCALE})"))
        child.expect(ANSWER_READY)
        child.send(f"{answer}\r")


@pytest.mark.slow
def test_all_five_answered_give_numbers_and_a_score(vault):
    build_tree(vault, SESSION)
    configure(vault, "wellbeing: who5")
    child = spawn(vault, "check-in")
    child.expect("Mood today")
    child.send("6\r")
    child.expect("How are you, today")
    child.expect(ANSWER_READY)
    child.send("\r")  # skipped
    answer_who5(child, ["4", "3", "5", "2", "4"])
    child.expect("Mind")  # the wheel comes after
    child.send(CTRL_D)
    assert finish(child) == 0
    meta = check_in(vault)
    assert [meta[f"who5_{n}"] for n in range(1, 6)] == [4, 3, 5, 2, 4]  # numbers, not text
    index_vault(vault, TODAY)
    summary = (vault / "Integration Actions.md").read_text()
    assert "Wellbeing (WHO-5, 0 to 100), oldest first: 2026-12-01: 72" in summary  # (4+3+5+2+4) x 4
    assert f"*{SOURCE}.*" in summary


@pytest.mark.slow
def test_an_answer_off_the_scale_is_asked_again_and_a_skip_gives_no_score(vault):
    build_tree(vault, SESSION)
    configure(vault, "wellbeing: who5")
    child = spawn(vault, "check-in")
    child.expect("Mood today")
    child.send("\r")
    child.expect("How are you, today")
    child.expect(ANSWER_READY)
    child.send("\r")
    child.expect(shown(f"Over the last two weeks: {ITEMS[0]}. (5 All of the time"))
    child.expect(ANSWER_READY)
    child.send("7\r")
    child.expect(shown("whole number from 0 (at no time) to 5 (all of the time)"))
    child.send("5\r")
    for item, answer in zip(ITEMS[1:], ["", "2", "3", "1"], strict=True):
        child.expect(shown(f"Over the last two weeks: {item}. (5 All of the time"))
        child.expect(ANSWER_READY)
        child.send(f"{answer}\r")
    child.expect("Mind")
    child.send(CTRL_D)
    assert finish(child) == 0
    meta = check_in(vault)
    assert meta["who5_1"] == 5 and meta["who5_5"] == 1
    assert "who5_2" in meta and meta["who5_2"] is None  # skipped: left empty, to answer later
    index_vault(vault, TODAY)
    assert "WHO-5" not in (vault / "Integration Actions.md").read_text()  # four of five: no score


def test_off_by_default(vault, run):
    build_tree(vault, SESSION)
    result = run("new", "check-in", "--no-input")
    assert result.exit_code == 0, result.stderr
    text = (vault / result.stdout.splitlines()[-1]).read_text()
    assert "WHO-5" not in text and "who5" not in text


def test_the_score_over_time_in_the_summary_and_the_brief(vault, run):
    scores = {"2026-11-17": [3, 3, 2, 4, 3], "2026-11-24": [4, 4, 3, 4, 5]}  # 60, 80
    build_tree(
        vault,
        {
            **SESSION,
            **{
                f"Integration/{day} Check-in.md": "---\ntype: check-in\ndate: "
                + day
                + "\nsession: 1\n"
                + "".join(f"who5_{n}: {v}\n" for n, v in enumerate(values, 1))
                + "---\n"
                for day, values in scores.items()
            },
        },
    )
    configure(vault, "wellbeing: who5")
    index_vault(vault, TODAY)
    summary = (vault / "Integration Actions.md").read_text()
    assert "Wellbeing (WHO-5, 0 to 100), oldest first: 2026-11-17: 60 · 2026-11-24: 80" in summary
    assert 'y-axis "WHO-5" 0 --> 100' in summary and "    line [60, 80]" in summary
    brief = run("brief", "--preview", "--since", "2026-11-01")
    assert brief.exit_code == 0, brief.stderr
    assert "Wellbeing (WHO-5)" in brief.stdout  # a section of its own
    page = run("brief", "--since", "2026-11-01", "--stdout")
    assert page.exit_code == 0, page.stderr
    assert (
        f"## Wellbeing (WHO-5)\n\nScore, 0 to 100: 60 on 2026-11-17, 80 on 2026-11-24.\n\n*{SOURCE}.*\n"
    ) in page.stdout
    assert 'title "Wellbeing at each check-in (WHO-5, 0 to 100)"' in page.stdout  # its chart, in the note
    printable = run("brief", "--since", "2026-11-01", "--html", "brief.html")
    assert printable.exit_code == 0, printable.stderr
    page_html = (vault / "brief.html").read_text()
    assert 'aria-label="Wellbeing (WHO-5), 0 to 100: 60 on 2026-11-17, 80 on 2026-11-24"' in page_html
    assert SOURCE in page_html


def test_check_names_an_answer_off_the_scale(vault, run):
    build_tree(vault, {"c.md": "---\ntype: check-in\ndate: 2026-11-17\nwho5_2: 9\nwho5_3: lots\n---\n"})
    result = run("check")
    assert result.exit_code == 1
    assert "c.md:4: who5_2 must be a whole number from 0 to 5" in result.stdout
    assert "c.md:5: who5_3 must be a whole number from 0 to 5" in result.stdout


def test_the_brief_never_quotes_the_who5_sections_own_lines(vault, run):
    """The section's instruction and source are the template's words, not the person's."""
    build_tree(vault, SESSION)
    configure(vault, "wellbeing: who5")
    made = run("new", "check-in", "--no-input")
    assert made.exit_code == 0, made.stderr
    note = vault / made.stdout.splitlines()[-1]
    assert "## Wellbeing (WHO-5)" in note.read_text()
    assert "who5_3:" in note.read_text()  # a key each, to answer later as mood can be
    page = run("brief", "--stdout")
    assert page.exit_code == 0, page.stderr
    assert "Each item is optional" not in page.stdout and "Over the last two weeks" not in page.stdout
    assert SOURCE not in page.stdout  # no score in the span: no WHO-5 section either


def test_scores_stay_in_the_notes_but_are_not_shown_once_it_is_off(vault, run):
    build_tree(
        vault,
        {
            **SESSION,
            "Integration/2026-11-17 Check-in.md": "---\ntype: check-in\ndate: 2026-11-17\nsession: 1\n"
            + "".join(f"who5_{n}: 4\n" for n in range(1, 6))
            + "---\n",
        },
    )
    configure(vault)  # wellbeing: off, the default
    index_vault(vault, TODAY)
    assert "WHO-5" not in (vault / "Integration Actions.md").read_text()
    page = run("brief", "--since", "2026-11-01", "--stdout")
    assert "WHO-5" not in page.stdout
    configure(vault, "wellbeing: who5")
    index_vault(vault, TODAY)
    assert "2026-11-17: 80" in (vault / "Integration Actions.md").read_text()
