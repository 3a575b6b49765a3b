"""Frontmatter as Obsidian's Properties panel writes it (golden files, before and
after a property edit): the same actions and the same ids; ids that survive a
rewording made in the panel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from vaultkit.actions import derive_id
from vaultkit.frontmatter import parse_frontmatter

GOLDEN = Path(__file__).parent / "golden" / "obsidian"
REL = "Integration/2026/2026-11-10 Reflection.md"


def put(vault: Path, name: str) -> None:
    path = vault / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((GOLDEN / name).read_bytes())


def listed(run) -> list[dict]:
    result = run("actions", "--status", "all", "--json")
    assert result.exit_code == 0, result.output
    return [
        {k: a[k] for k in ("id", "text", "kind", "status", "due", "done", "domain")}
        for a in json.loads(result.stdout)
    ]


def task_lines(vault: Path) -> list[str]:
    return [
        line for line in (vault / "Integration Actions.md").read_text().splitlines() if line.startswith("- [")
    ]


def front(name: str) -> str:
    text = (GOLDEN / name).read_text()
    return text[: text.index("\n---\n", 4)]


@pytest.mark.parametrize("case", ["strings", "mappings", "flow"])
def test_the_golden_pair_is_a_panel_rewrite(case):
    """What processFrontMatter does on a property edit: the same values (but the edited
    one), no comments, no flow lists, no trailing spaces, lists in block style."""
    before = yaml.safe_load(front(f"{case}.before.md")[4:])
    after = yaml.safe_load(front(f"{case}.after.md")[4:])
    assert before.pop("mood") + 1 == after.pop("mood")
    assert before == after
    written = front(f"{case}.after.md")
    assert "#" not in re.sub(r'"[^"\n]*"|#(body|nature)\b', "", written)  # no comments
    assert "[" not in re.sub(r'"[^"\n]*"', "", written)  # no flow lists
    assert not re.search(r"[ \t]$", written, re.M)


@pytest.mark.parametrize("case", ["strings", "mappings", "flow"])
def test_a_panel_rewrite_changes_no_action_and_no_id(run, vault, case):
    put(vault, f"{case}.before.md")
    assert run("index").exit_code == 0
    before, lines = listed(run), task_lines(vault)
    assert len(before) >= 3
    put(vault, f"{case}.after.md")
    assert run("check").exit_code == 0
    assert run("index").exit_code == 0
    assert listed(run) == before
    assert task_lines(vault) == lines


def test_the_forms_read_as_intended(run, vault):
    put(vault, "strings.after.md")
    got = {a["text"]: a for a in listed(run)}
    assert got["Call my sister"]["id"] == derive_id(REL, "[ ] Call my sister")  # as `new` wrote it
    assert got['Let "good enough" be good enough'] | {"text": ""} == {
        "id": "enough", "text": "", "kind": "internal", "status": "open", "due": None, "done": None, "domain": None,
    }  # fmt: skip
    assert (got["Book a follow-up"]["due"], got["Book a follow-up"]["domain"]) == ("2026-11-20", "body")
    assert (got["Write down the image"]["status"], got["Write down the image"]["done"]) == (
        "done",
        "2026-11-12",
    )
    assert got["Walk by the river"]["id"] == derive_id(REL, "Walk by the river")


def test_a_rewording_in_the_panel_keeps_the_id_it_carries(run, vault):
    put(vault, "strings.after.md")
    before = {a["text"]: a["id"] for a in listed(run)}
    put(vault, "strings.reworded.md")
    after = {a["text"]: a["id"] for a in listed(run)}
    # Carried as `^id`: the same action, reworded.
    assert after["Ring my sister on Sunday"] == before["Call my sister"]
    assert after['Let "good enough" be enough'] == before['Let "good enough" be good enough'] == "enough"
    assert after["Book a follow-up"] == before["Book a follow-up"]
    # Without one, a reworded text cannot be told from a new action: it gets the new text's id.
    assert after["Walk by the river at dawn"] == derive_id(REL, "Walk by the river at dawn")
    assert after["Walk by the river at dawn"] not in before.values()
    assert after["Plant the bulbs"] not in before.values()
    assert len(set(after.values())) == len(after)


def test_a_tick_on_the_old_wording_lands_on_the_reworded_action(run, vault):
    """Ticked in the summary while the note was reworded in the panel (another device,
    or before the next index): the tick is not lost."""
    put(vault, "strings.after.md")
    assert run("index").exit_code == 0
    uid = derive_id(REL, "[ ] Call my sister")
    summary = vault / "Integration Actions.md"
    text = summary.read_text()
    assert f"- [ ] Call my sister — [[2026-11-10 Reflection]] ^{uid}" in text
    summary.write_text(
        text.replace(
            f"- [ ] Call my sister — [[2026-11-10 Reflection]] ^{uid}",
            f"- [x] Call my sister — [[2026-11-10 Reflection]] ✅ 2026-11-24 ^{uid}",
        )
    )
    put(vault, "strings.reworded.md")
    result = run("index")
    assert result.exit_code == 0, result.output
    items = parse_frontmatter((vault / REL).read_bytes()).meta["actions"]
    assert (
        items[0] == f"[x] Ring my sister on Sunday ✅ 2026-11-24 ^{uid}"
    )  # ✅ before the id, as Tasks orders it
    assert items[1:] == yaml.safe_load(front("strings.reworded.md")[4:])["actions"][1:]


def test_done_and_reopen_on_the_panels_form_touch_one_line_and_give_the_bytes_back(run, vault):
    put(vault, "strings.after.md")
    before = (vault / REL).read_bytes()
    uid = derive_id(REL, "[ ] Call my sister")
    assert run("done", uid[:6]).exit_code == 0
    after = (vault / REL).read_bytes().decode()
    changed = [
        (a, b) for a, b in zip(before.decode().splitlines(), after.splitlines(), strict=True) if a != b
    ]
    today = json.loads(run("actions", "--status", "done", "--json").stdout)
    done_on = next(a["done"] for a in today if a["id"] == uid)
    assert changed == [(f'  - "[ ] Call my sister ^{uid}"', f'  - "[x] Call my sister ✅ {done_on} ^{uid}"')]
    assert run("reopen", uid[:6]).exit_code == 0
    assert (vault / REL).read_bytes() == before
