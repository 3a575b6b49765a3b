"""A note whose frontmatter breaks keeps its open lines in the summary, marked,
until it is fixed; a tick on one of them waits for the note."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from vaultkit.fs import load_vault
from vaultkit.refresh import Request, opened, refresh

from .helpers import age, build_tree

SUMMARY = "Integration Actions.md"
GOOD = '---\ntype: reflection\nactions:\n  - "Call my sister #relationships"\n  - text: Walk\n    kind: internal\n---\n'
BROKEN = GOOD.replace("type: reflection", "type: [reflection")  # the flow sequence never closes
OTHER = '---\nactions: ["Water the plants"]\n---\n'


def summary(vault: Path) -> str:
    return (vault / SUMMARY).read_text()


def section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n#", 1)[0]


def setup(vault: Path, run) -> None:  # type: ignore[no-untyped-def]
    build_tree(vault, {"Plans.md": GOOD, "Other.md": OTHER})
    age(vault)
    assert run("index").exit_code == 0


def test_a_broken_note_keeps_its_lines_marked_until_it_is_fixed(vault, run):
    setup(vault, run)
    good = summary(vault)
    (vault / "Plans.md").write_text(BROKEN)
    age(vault)
    result = run("index")
    assert result.exit_code == 0
    assert (
        "warning: Plans.md:3: frontmatter is not valid YAML" in result.stderr
        and "1 unreadable" in result.stdout
    )
    text = summary(vault)
    unreadable = section(text, "## Notes that could not be read")
    assert unreadable.startswith("\n\n- [[Plans]] (line 3): frontmatter is not valid YAML")
    assert unreadable.rstrip().endswith("; its 2 actions are listed as last read")
    assert "- [ ] Call my sister — [[Plans]] #relationships ^" in section(text, "### Things to do (external)")
    assert "- [ ] Walk — [[Plans]] ^" in section(text, "### Inner work (internal)")
    assert "Water the plants" in text
    assert run("index").stdout.endswith("unchanged\n")  # stable: no rewrite each run

    (vault / "Plans.md").write_text(GOOD)
    age(vault)
    run("index")
    assert summary(vault) == good


def test_a_tick_on_a_kept_line_waits_for_the_note_then_lands(vault, run):
    setup(vault, run)
    (vault / "Plans.md").write_text(BROKEN)
    age(vault)
    run("index")
    text = summary(vault)
    (vault / SUMMARY).write_text(text.replace("- [ ] Walk —", "- [x] Walk —"))
    result = run("index")
    assert "Plans.md: cannot be read, so the tick on ^" in result.stderr
    text = summary(vault)
    waiting = section(text, "## Ticks not applied yet")
    assert "- [x] Walk — [[Plans]] ^" in waiting and "waiting for `Plans.md` to be readable" in waiting
    assert "Walk" not in section(text, "## Open actions")
    assert (
        section(text, "## Notes that could not be read")
        .rstrip()
        .endswith("its 1 action is listed as last read")
    )
    assert (vault / "Plans.md").read_text() == BROKEN  # nothing written into the broken note

    (vault / "Plans.md").write_text(GOOD)
    age(vault)
    result = run("index")
    assert "Plans.md: ^" in result.stderr and "done (changed in the summary)" in result.stderr
    assert (
        "  - text: Walk\n    kind: internal\n    status: done\n    done: 20"
        in (vault / "Plans.md").read_text()
    )
    assert "## Ticks not applied yet" not in summary(vault)


def test_the_kept_lines_come_from_the_summary_so_a_fresh_store_writes_the_same(vault, run):
    setup(vault, run)
    (vault / "Plans.md").write_text(BROKEN)
    age(vault)
    run("index")
    before = summary(vault)
    shutil.rmtree(vault / ".vaultkit/local")
    assert run("index").stdout.endswith("unchanged\n")
    assert summary(vault) == before


def test_a_note_never_read_whole_lists_nothing_and_says_so(vault, run):
    build_tree(vault, {"Plans.md": BROKEN, "Other.md": OTHER})
    age(vault)
    run("index")
    text = summary(vault)
    assert "Call my sister" not in text and "Walk" not in text
    unreadable = section(text, "## Notes that could not be read")
    assert unreadable.rstrip().endswith("; none of its actions are listed until it can be read")


def test_a_watcher_batch_keeps_the_lines_of_a_note_broken_in_it(vault, run):
    setup(vault, run)
    (vault / "Plans.md").write_text(BROKEN)
    age(vault)
    loaded = load_vault(vault)
    with opened(loaded, print) as store:
        report = refresh(loaded, store, date(2026, 11, 24), Request(paths={"Plans.md"}))
    assert report.summary_written and [p for p, _ in report.unreadable] == ["Plans.md"]
    text = summary(vault)
    assert "- [ ] Call my sister — [[Plans]]" in text and "its 2 actions are listed as last read" in text
