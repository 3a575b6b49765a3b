"""Two devices, one vault: the conflict copies sync clients make of vaultkit's
notes are merged, and nothing done on either device is undone (issue 31).

Two vault folders stand for two devices, each with its own device id, and
`sync` plays a two-way sync client between them: the side that changed a file
since the last sync wins; when both changed it, one side's file is kept on
both and the other's is set beside it under the name that client gives.
Everything runs through the CLI, on real files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import age, build_tree

NOTE = "Integration/2026-11-10 Reflection.md"
SUMMARY = "Integration Actions.md"
TEXTS = ["Call my sister", "Walk on Sundays", "Write a letter to myself"]
SESSION = "---\ntype: intention\ndate: 2026-11-{day}\nsession: {n}\nactions:\n  - Breathe {n}\n---\n"
# Named as iCloud names a copy, but another note: never merged, never trashed.
SESSIONS = {
    "Integration/Session.md": SESSION.format(day=3, n=1),
    "Integration/Session 2.md": SESSION.format(day=17, n=2),
}
BODY = "".join(f"Paragraph {n} of what came up.\n\n" for n in range(1, 7))


def reflection(texts: list[str] = TEXTS, body: str = BODY) -> str:
    items = "".join(f'  - "[ ] {t}"\n' for t in texts)
    return f"---\ntype: reflection\ndate: 2026-11-10\nsession: 1\nactions:\n{items}---\n{body}"


def conflict_name(rel: str, client: str, n: int = 0) -> str:
    """The name a client gives the `n`th copy it sets aside (n < 8)."""
    stem = rel[:-3]
    return {
        "syncthing": f"{stem}.sync-conflict-20261201-1010{n:02d}-BBBBBBB.md",
        "dropbox": f"{stem} (Bob's conflicted copy 2026-12-0{n + 1}).md",
        "nextcloud": f"{stem} (conflicted copy 2026-12-01 1010{n:02d}).md",
        "icloud": f"{stem} {n + 2}.md",
        "resilio": f"{stem}.Conflict{n or ''}.md",
        "onedrive": f"{stem}-BOBSLAPTOP{f'-{n + 1}' if n else ''}.md",
    }[client]


def files(root: Path) -> dict[str, bytes]:
    """What a sync client syncs: every file, `.vaultkit/` included, but the devices'
    stores (each device's is its own, and SQLite's files are not copied mid-write)."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            rel = (Path(folder) / name).relative_to(root).as_posix()
            if ".sqlite3" not in name:
                found[rel] = (Path(folder) / name).read_bytes()
    return found


class Sync:
    """A two-way sync client between two folders."""

    def __init__(self, a: Path, b: Path, client: str = "syncthing") -> None:
        self.a, self.b, self.client = a, b, client
        self.last = files(a)
        self.copies: dict[str, int] = {}  # how many copies of each file were set aside

    def __call__(self, keep: str = "a") -> None:
        mine, theirs = files(self.a), files(self.b)
        aside: list[tuple[str, bytes]] = []
        for rel in sorted(mine.keys() | theirs.keys()):
            x, y, was = mine.get(rel), theirs.get(rel), self.last.get(rel)
            if x == y:
                continue
            if y == was:  # only a changed it
                self._put(self.b, rel, x)
            elif x == was:
                self._put(self.a, rel, y)
            else:  # both changed it: one is kept, the other set beside it
                kept, other = (x, y) if keep == "a" else (y, x)
                for root in (self.a, self.b):
                    self._put(root, rel, kept)
                if other is not None:
                    n = self.copies[rel] = self.copies.get(rel, -1) + 1
                    aside.append((conflict_name(rel, self.client, n), other))
        for name, data in aside:
            for root in (self.a, self.b):
                self._put(root, name, data)
        self.last = files(self.a)
        assert self.last == files(self.b)

    @staticmethod
    def _put(root: Path, rel: str, data: bytes | None) -> None:
        path = root / rel
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


@pytest.fixture
def two(vault: Path, tmp_path: Path, run, monkeypatch):
    """Device A's vault (with the reflection, indexed) copied whole to device B, indexed there too."""
    build_tree(vault, {NOTE: reflection(), **SESSIONS})
    age(vault)
    states = {"a": tmp_path / "state-a", "b": tmp_path / "state-b"}
    roots = {"a": vault, "b": tmp_path / "b"}

    def on(device: str, *args: str, code: int = 0):
        monkeypatch.setenv("XDG_STATE_HOME", str(states[device]))
        result = run(*args, vault_path=roots[device])
        assert result.exit_code == code, result.output
        return result

    on("a", "index")
    shutil.copytree(vault, roots["b"])
    on("b", "index")
    return roots["a"], roots["b"], on


def statuses(on, device: str) -> dict[str, str]:
    listed = json.loads(on(device, "actions", "--status", "all", "--json").stdout)
    return {a["text"]: a["status"] for a in listed}


def ids(on, device: str) -> dict[str, str]:
    return {a["text"]: a["id"] for a in json.loads(on(device, "actions", "--status", "all", "--json").stdout)}


def tick(root: Path, action_id: str) -> None:
    path = root / SUMMARY
    text = path.read_text()
    line = next(line for line in text.splitlines() if line.endswith(f"^{action_id}"))
    path.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)))


@pytest.mark.parametrize("client", ["syncthing", "dropbox", "nextcloud", "icloud", "resilio", "onedrive"])
def test_ticks_and_done_on_two_devices_all_survive_the_conflict_copy(two, client):
    a, b, on = two
    sync = Sync(a, b, client)
    x, y, z = (ids(on, "a")[t] for t in TEXTS)
    tick(a, x)
    tick(b, y)
    on("b", "done", z)
    on("a", "index")
    on("b", "index")
    sync(keep="a")
    assert (a / conflict_name(NOTE, client)).exists()
    for device in "ab":
        on(device, "index")
    sync()
    for device in "ab":
        on(device, "index")
        assert {t: statuses(on, device)[t] for t in TEXTS} == dict.fromkeys(TEXTS, "done"), device
        assert not (a / conflict_name(NOTE, client)).exists()
        assert {"Breathe 1", "Breathe 2"} <= statuses(on, device).keys()
    for rel, text in SESSIONS.items():
        assert (a / rel).read_text() == (b / rel).read_text() == text
    assert list((a / ".vaultkit/trash").rglob("*.md")), "the merged copy was not kept in the trash"


def test_the_body_merges_where_the_two_sides_changed_different_lines(two):
    a, b, on = two
    sync = Sync(a, b)
    note_a, note_b = a / NOTE, b / NOTE
    note_a.write_text(note_a.read_text().replace("Paragraph 1 of", "Paragraph 1, on A, of"))
    note_b.write_text(note_b.read_text().replace("Paragraph 6 of", "Paragraph 6, on B, of"))
    on("b", "done", ids(on, "b")[TEXTS[0]])
    sync(keep="a")
    out = on("a", "index")
    assert "merged its sync-conflict copy" in out.stderr
    text = note_a.read_text()
    assert "Paragraph 1, on A, of" in text and "Paragraph 6, on B, of" in text
    assert statuses(on, "a")[TEXTS[0]] == "done"
    assert not (a / conflict_name(NOTE, "syncthing")).exists()


def test_an_unmergeable_body_keeps_this_devices_text_and_the_copy_until_merge(two):
    a, b, on = two
    sync = Sync(a, b)
    copy = conflict_name(NOTE, "syncthing")
    (a / NOTE).write_text((a / NOTE).read_text().replace("Paragraph 3 of", "A wrote this of"))
    (b / NOTE).write_text((b / NOTE).read_text().replace("Paragraph 3 of", "B wrote that of"))
    on("b", "done", ids(on, "b")[TEXTS[1]])
    sync(keep="a")
    theirs = (a / copy).read_bytes()
    on("a", "index")
    text = (a / NOTE).read_text()
    assert "A wrote this of" in text and "B wrote that of" not in text
    assert (a / copy).read_bytes() == theirs, "the copy, the only place B's text is, changed"
    assert statuses(on, "a")[TEXTS[1]] == "done", "B's done waits for the body to be merged"
    summary = (a / SUMMARY).read_text()
    listed = summary.split("## Sync conflict copies to merge", 1)[1]
    assert f'`vaultkit merge "{NOTE}"`' in listed and copy in listed
    assert not on("a", "index").stderr.count("merged")  # nothing more to do until the person merges

    out = on("a", "merge", NOTE)
    assert "1 passage written twice" in out.stdout
    text = (a / NOTE).read_text()
    mine, other = text.index("A wrote this of"), text.index("B wrote that of")
    assert text.index("this device's version") < mine < text.index("the other version") < other
    assert not (a / copy).exists() and (a / ".vaultkit/trash" / copy).read_bytes() == theirs
    assert "## Sync conflict copies" not in (a / SUMMARY).read_text()
    assert statuses(on, "a")[TEXTS[1]] == "done"


_STEP = st.one_of(
    st.tuples(st.sampled_from("ab"), st.sampled_from(["tick", "done", "drop"]), st.integers(0, 2)),
    st.tuples(st.sampled_from("ab"), st.just("type"), st.integers(1, 6)),
    st.tuples(st.sampled_from("ab"), st.just("index"), st.just(0)),
    st.tuples(st.sampled_from("ab"), st.just("sync"), st.just(0)),
)


@pytest.mark.timeout(900)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_STEP, min_size=1, max_size=10))
def test_whatever_two_devices_do_every_change_survives_or_stays_in_a_copy(tmp_path, run, monkeypatch, steps):
    """Ticks, `done`, `drop` and typed lines on two devices, synced at random:
    every tick, done and drop ends up in the note itself, and every typed line
    in the note or in a conflict copy still beside it, listed in the summary."""
    from vaultkit.fs import init_vault

    root = Path(tempfile.mkdtemp(dir=tmp_path))
    roots = {"a": root / "a", "b": root / "b"}
    init_vault(roots["a"])
    build_tree(roots["a"], {NOTE: reflection()})
    age(roots["a"])

    def on(device: str, *args: str):
        monkeypatch.setenv("XDG_STATE_HOME", str(root / f"state-{device}"))
        result = run(*args, vault_path=roots[device])
        assert result.exit_code == 0, result.output
        return result

    on("a", "index")
    shutil.copytree(roots["a"], roots["b"])
    sync = Sync(roots["a"], roots["b"])
    uid = ids(on, "a")
    closed: set[str] = set()
    typed: set[str] = set()
    for n, (device, op, which) in enumerate(steps):
        if op in ("tick", "done", "drop"):
            text = TEXTS[which]
            closed.add(text)
            if op != "tick":
                on(device, op, uid[text])
            elif f"- [ ] {text}" in (roots[device] / SUMMARY).read_text():
                tick(roots[device], uid[text])
        elif op == "type":
            mark = f"typed-{device}-{n}"
            path = roots[device] / NOTE
            path.write_text(
                re.sub(rf"(Paragraph {which} of what came up\.[^\n]*)", rf"\1 {mark}", path.read_text())
            )
            typed.add(mark)
        elif op == "index":
            on(device, "index")
        else:
            sync(keep=device)
    for _ in range(2):
        sync()
        on("a", "index")
        on("b", "index")
    sync()
    note = (roots["a"] / NOTE).read_text()
    copies = [p.read_text() for p in (roots["a"] / "Integration").glob("*.md") if p.name != Path(NOTE).name]
    assert len(copies) <= len(steps)
    for text in closed:
        assert f'"[x] {text}' in note or f'"[-] {text}' in note, text
    for name in (p.name for p in (roots["a"] / "Integration").glob("*.md") if p.name != Path(NOTE).name):
        assert name in (roots["a"] / SUMMARY).read_text(), f"{name} is not listed"
    for mark in typed:
        assert any(mark in t for t in [note, *copies]), mark
