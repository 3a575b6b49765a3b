"""The summary is shared: nothing anyone writes is lost, undone or hijacked.

Black-box tests of SPEC "Data safety" and "The summary note": every command runs
as a real `python -m vaultkit` process; only note bytes and summary lines are
judged. Editors, phones and sync clients are played by threads and file copies.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .helpers import TODAY, build_tree

ROOT = Path(__file__).parent.parent


def current_env() -> dict[str, str]:
    """The environment for a vaultkit process, read when it starts (this test's device included)."""
    env = {k: v for k, v in os.environ.items() if k not in {"VAULTKIT_VAULT", "VISUAL", "EDITOR"}}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return env


SUMMARY = "Integration Actions.md"
BEGIN, END = "<!-- vaultkit:begin -->", "<!-- vaultkit:end -->"
CONFLICT = "Integration Actions.sync-conflict-20261201-101010-ABCDEFG.md"
NOTE = "Notes/2026-11-20 Reflection.md"
X, Y = "Call my sister", "Book a follow-up"


def cmd(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "vaultkit", "--vault", str(root), *args]


def vk(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run vaultkit; fail the test unless it exits 0."""
    proc = subprocess.run(
        cmd(root, *args), capture_output=True, text=True, env=env or current_env(), timeout=60
    )
    assert proc.returncode == 0, f"vaultkit {' '.join(args)} exited {proc.returncode}: {proc.stderr}"
    return proc


def note(
    actions: list[str],
    *,
    date: str = "2026-11-20",
    session: int = 1,
    type_: str = "reflection",
    extra: str = "",
    more: str = "",
    body: str = "body text\n",
) -> str:
    items = "".join(f'  - "{a}"\n' for a in actions) + more
    return f"---\ntype: {type_}\ndate: {date}\nsession: {session}\n{extra}actions:\n{items}---\n{body}"


def actions(root: Path) -> list[dict]:
    return json.loads(vk(root, "actions", "--status", "all", "--json").stdout)


def ids(root: Path) -> dict[str, str]:
    """Action text -> id."""
    return {a["text"]: a["id"] for a in actions(root)}


def status(root: Path) -> dict[str, str]:
    """Action text -> status."""
    return {a["text"]: a["status"] for a in actions(root)}


def summary_lines(root: Path) -> list[str]:
    return (root / SUMMARY).read_text(encoding="utf-8").splitlines()


def tick(data: bytes, action_id: str) -> bytes:
    """Tick the box of the one open task line ending with ` ^action_id`."""
    lines = data.split(b"\n")
    hits = [i for i, ln in enumerate(lines) if ln.rstrip(b"\r").endswith(f" ^{action_id}".encode())]
    assert len(hits) == 1 and lines[hits[0]].startswith(b"- [ ] "), f"no single open line for {action_id}"
    lines[hits[0]] = b"- [x] " + lines[hits[0]][6:]
    return b"\n".join(lines)


def is_done(text: str, action: str) -> bool:
    return f'"[x] {action} ✅ ' in text


def write_in_place(path: Path, data: bytes) -> None:
    """Save the way many editors do: same file, new content."""
    with open(path, "r+b") as f:
        f.write(data)
        f.truncate()


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


# ------------------------------------------------------- 1. stale copies never reopen


@pytest.mark.parametrize("how", ["done", "done+index", "by-hand+index"])
def test_stale_editor_buffer_never_reopens_a_done_action(vault, how):
    build_tree(vault, {NOTE: note([f"[ ] {X}", f"[ ] {Y}"])})
    vk(vault, "index")
    known = ids(vault)
    stale = (vault / SUMMARY).read_bytes()  # an editor's buffer, opened now
    if how.startswith("done"):
        vk(vault, "done", known[Y])
    else:
        path = vault / NOTE
        path.write_text(path.read_text().replace(f'"[ ] {Y}"', f'"[x] {Y} ✅ 2026-11-28"'))
    if how.endswith("index"):
        vk(vault, "index")
    y_line = next(ln for ln in (vault / NOTE).read_text().splitlines() if is_done(ln, Y))

    write_in_place(vault / SUMMARY, tick(stale, known[X]))  # the editor saves its old copy
    vk(vault, "index")

    text = (vault / NOTE).read_text()
    assert is_done(text, X), "the tick in the saved copy was not applied"
    assert y_line in text.splitlines(), "the stale copy reopened the done action"
    assert status(vault) == {X: "done", Y: "done"}


@pytest.mark.parametrize("side", ["phone", "desktop"])
def test_older_summary_from_another_device_never_reopens(vault, tmp_path, side):
    build_tree(vault, {NOTE: note([f"[ ] {X}", f"[ ] {Y}"])})
    vk(vault, "index")
    phone = tmp_path / "phone"
    shutil.copytree(vault, phone, symlinks=True)  # a synced device, .vaultkit/ included
    known = ids(vault)
    vk(vault, "done", known[Y])
    vk(vault, "index")
    y_line = next(ln for ln in (vault / NOTE).read_text().splitlines() if is_done(ln, Y))
    write_in_place(phone / SUMMARY, tick((phone / SUMMARY).read_bytes(), known[X]))  # ticked on the phone

    # The sync round: the desktop's note arrives on the phone, and the phone's older summary wins.
    if side == "phone":
        shutil.copy2(vault / NOTE, phone / NOTE)
        here = phone
    else:
        shutil.copy2(phone / SUMMARY, vault / SUMMARY)
        here = vault
    vk(here, "index")

    text = (here / NOTE).read_text()
    assert is_done(text, X)
    assert y_line in text.splitlines(), "the phone's older summary reopened the done action"
    assert status(here) == {X: "done", Y: "done"}


# ------------------------------------------------------- 2. ticks racing a rewrite


def _many_notes(vault: Path) -> dict[str, str]:
    """~200 indexed notes, each with a mood and two actions; returns text -> id."""
    files = {
        f"Notes/{i:03d}.md": note(
            [f"[ ] Task {i:03d} a", f"[ ] Task {i:03d} b"],
            date=f"2026-{i // 28 + 3:02d}-{i % 28 + 1:02d}",
            session=i // 4 + 1,
            extra=f"mood: {i % 10}\n",
        )
        for i in range(200)
    }
    build_tree(vault, files)
    vk(vault, "index")
    return ids(vault)


def _race_ticks_against(vault: Path, known: dict[str, str], keep_indexing) -> None:
    """An editor changes notes 170-199 every 30 ms; a person ticks 20 boxes of notes 50-149 in
    the summary, saving in place and adding a line of their own each time;
    `keep_indexing(stop)` keeps vaultkit rewriting the summary meanwhile."""
    rng, pick = random.Random(7), random.Random(8)
    targets = [f"Task {i:03d} {rng.choice('ab')}" for i in rng.sample(range(50, 150), 20)]
    stop, errors, own_lines = threading.Event(), [], []

    def editor() -> None:  # the 30 newest moods are charted: each save changes the summary
        k = 0
        while not stop.wait(0.03):
            path = vault / f"Notes/{pick.randrange(170, 200):03d}.md"
            text = re.sub(r"mood: (\d+)", lambda m: f"mood: {(int(m[1]) + 1) % 11}", path.read_text())
            path.write_text(f"{text}edit {k}\n")
            k += 1

    def ticker() -> None:
        for k, action in enumerate(targets):
            try:
                data = tick((vault / SUMMARY).read_bytes(), known[action])
            except AssertionError as exc:
                errors.append(str(exc))
                continue
            line = f"My own line {k}"
            own_lines.append(line)
            write_in_place(vault / SUMMARY, data.rstrip(b"\n") + f"\n{line}\n".encode())
            time.sleep(0.12)

    workers = [threading.Thread(target=editor), threading.Thread(target=keep_indexing, args=(stop,))]
    for w in workers:
        w.start()
    try:
        ticker()
        settled = wait_until(
            lambda: all(is_done((vault / f"Notes/{a[5:8]}.md").read_text(), a) for a in targets), 10
        )
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=30)
    assert not errors, errors
    lost = [a for a in targets if not is_done((vault / f"Notes/{a[5:8]}.md").read_text(), a)]
    below = (vault / SUMMARY).read_text().split(END, 1)[-1].splitlines()
    missing = [line for line in own_lines if line not in below]
    assert settled and not lost and not missing, (
        f"{len(lost)} of {len(targets)} ticks lost: {lost}; {len(missing)} own lines lost: {missing}"
    )
    assert all(s == "done" for t, s in status(vault).items() if t in targets)


@pytest.mark.slow
def test_ticks_and_own_text_survive_a_running_watch(vault, tmp_path):
    known = _many_notes(vault)
    log = open(tmp_path / "watch.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        cmd(vault, "watch", "--debounce", "0.05"), stdout=log, stderr=log, env=current_env()
    )
    try:
        build_tree(vault, {"Notes/probe.md": note(["[ ] Probe the watcher"], date="2026-01-01")})
        assert wait_until(
            lambda: (vault / SUMMARY).exists() and "Probe the watcher" in (vault / SUMMARY).read_text(), 20
        ), "watch did not start"

        _race_ticks_against(vault, known, lambda stop: stop.wait())  # the watcher does the rewriting
        assert proc.poll() is None, "watch died during the race"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
    assert proc.returncode == 0, (tmp_path / "watch.log").read_text()


@pytest.mark.slow
def test_ticks_and_own_text_survive_index_in_a_loop(vault):
    known = _many_notes(vault)
    codes: list[int] = []

    def keep_indexing(stop: threading.Event) -> None:
        while True:
            last = stop.is_set()  # one more run after every save
            codes.append(
                subprocess.run(
                    cmd(vault, "index"), capture_output=True, env=current_env(), timeout=60
                ).returncode
            )
            if last:
                return

    _race_ticks_against(vault, known, keep_indexing)
    assert set(codes) == {0}


# ------------------------------------------------------- 3. sync-conflict copies of the summary


@pytest.mark.parametrize("own_text", [False, True], ids=["same-text", "own-text"])
def test_tick_in_a_sync_conflict_copy_is_applied(vault, own_text):
    build_tree(vault, {NOTE: note([f"[ ] {X}", f"[ ] {Y}"])})
    vk(vault, "index")
    known = ids(vault)
    copy = tick((vault / SUMMARY).read_bytes(), known[X])
    if own_text:
        copy += b"Written on the phone: ask about the dream\n"
    (vault / CONFLICT).write_bytes(copy)

    vk(vault, "index")

    text = (vault / NOTE).read_text()
    assert is_done(text, X), "the tick in the conflict copy was not applied"
    assert not is_done(text, Y)
    if own_text:
        assert (vault / CONFLICT).read_bytes() == copy, "a copy holding the person's own text was removed"
        assert CONFLICT[:-3] in (vault / SUMMARY).read_text(), "the copy is not listed in the summary"
    else:
        assert not (vault / CONFLICT).exists(), "a fully applied copy was left behind"
    vk(vault, "index")
    assert status(vault) == {X: "done", Y: "open"}


# ------------------------------------------------------- 4. concurrent `done`

EIGHT = [f"Step {n} of the plan" for n in range(1, 9)]


@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_done_on_one_note_loses_nothing(vault, n):
    original = note([f"[ ] {t}" for t in EIGHT])
    build_tree(vault, {NOTE: original})
    known = ids(vault)
    rng = random.Random(n)
    for trial in range(10):
        (vault / NOTE).write_text(original)
        chosen = rng.sample(EIGHT, n)
        procs = [
            subprocess.Popen(
                cmd(vault, "done", known[t]),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=current_env(),
            )
            for t in chosen
        ]
        results = [(p.communicate(timeout=60)[1], p.returncode) for p in procs]
        assert all(code == 0 for _, code in results), f"trial {trial}: {results}"
        text = (vault / NOTE).read_text()
        lost = [t for t in chosen if not is_done(text, t)]
        assert not lost, f"trial {trial}: {len(lost)} of {n} done marks lost: {lost}"
        assert not any(is_done(text, t) for t in EIGHT if t not in chosen)


@pytest.mark.slow
def test_done_while_an_editor_appends_keeps_every_line(vault):
    original = note([f"[ ] {t}" for t in EIGHT])
    build_tree(vault, {NOTE: original})
    known = ids(vault)
    path = vault / NOTE
    for trial in range(10):
        path.write_text(original)
        stop, appended = threading.Event(), []

        def editor(trial: int = trial, stop: threading.Event = stop, appended: list[str] = appended) -> None:
            k = 0
            while True:
                line = f"Editor line {trial}.{k}"
                with open(path, "ab") as f:
                    f.write(f"{line}\n".encode())
                appended.append(line)
                k += 1
                if stop.wait(0.05):
                    return

        thread = threading.Thread(target=editor)
        thread.start()
        try:
            time.sleep(0.005 * trial)  # each trial meets the editor at another moment
            done = subprocess.run(
                cmd(vault, "done", known[EIGHT[trial % 8]]),
                capture_output=True,
                env=current_env(),
                timeout=60,
            )
            time.sleep(0.1)
        finally:
            stop.set()
            thread.join(timeout=10)
        assert done.returncode == 0, done.stderr
        lines = path.read_text().splitlines()
        lost = [line for line in appended if line not in lines]
        assert not lost, f"trial {trial}: the editor's lines were lost: {lost}"
        assert is_done("\n".join(lines), EIGHT[trial % 8])


# ------------------------------------------------------- 5. a note cannot write into the summary


@pytest.mark.parametrize("field", ["type", "action"])
def test_a_note_cannot_add_lines_to_the_summary(vault, field):
    build_tree(vault, {"Notes/Plants.md": note(["[ ] Water the plants"], date="2026-11-10")})
    vk(vault, "index")
    victim = ids(vault)["Water the plants"]
    payload = f"\\n- [x] x — [[x]] ^{victim}"  # a YAML escape: a real line break in the value
    if field == "type":
        evil = note(["[ ] Own step"], type_=f'"reflection{payload}"')
    else:
        evil = note(["[ ] Own step", f"[ ] Sneaky{payload}"])
    build_tree(vault, {NOTE: evil})
    before = (vault / "Notes/Plants.md").read_bytes()
    vk(vault, "index")

    lines = summary_lines(vault)
    assert sum(ln.endswith(f" ^{victim}") for ln in lines) == 1, "a note added a line for another note's id"
    assert not any(ln.startswith("- [x] x") for ln in lines), "a note added a task line"
    known = ids(vault)
    write_in_place(vault / SUMMARY, tick((vault / SUMMARY).read_bytes(), known["Own step"]))
    vk(vault, "index")
    assert status(vault)["Own step"] == "done"
    assert status(vault)["Water the plants"] == "open", "a note changed another note"
    assert (vault / "Notes/Plants.md").read_bytes() == before


@pytest.mark.parametrize("marker", [END, BEGIN], ids=["end", "begin"])
def test_a_marker_in_an_action_does_not_split_the_block(vault, marker):
    build_tree(vault, {NOTE: note([f"[ ] Read {marker} later", f"[ ] {X}"])})
    vk(vault, "index")
    with open(vault / SUMMARY, "ab") as f:
        f.write(b"My own words\n")
    for _ in range(2):
        vk(vault, "index")
        text = (vault / SUMMARY).read_text()
        assert (text.count(BEGIN), text.count(END)) == (1, 1)
        assert text.count("My own words") == 1


# ------------------------------------------------------- 6. devices either side of midnight


def set_timezone(root: Path, name: str) -> None:
    config = root / ".vaultkit/config.yaml"
    text = config.read_text()
    text, found = re.subn(r"(?m)^timezone:.*$", f"timezone: {name}", text)
    config.write_text(text if found else f"{text.rstrip()}\ntimezone: {name}\n")


def test_devices_either_side_of_midnight_agree_on_the_summary(vault):
    set_timezone(vault, "Europe/London")
    now = datetime.combine(TODAY, datetime.min.time().replace(hour=12), ZoneInfo("Europe/London"))
    london = now.astimezone(ZoneInfo("Europe/London")).date()
    behind = now.astimezone(ZoneInfo("Pacific/Pago_Pago")).date()  # always a date before Kiritimati's
    build_tree(
        vault,
        {
            NOTE: note(
                [f"[ ] {X}"],
                date=str(london - timedelta(days=3)),
                more=f"  - text: Post the letter\n    due: {london + timedelta(days=1)}\n"
                f"  - text: Pay the invoice\n    due: {behind}\n",
            )
        },
    )
    vk(vault, "index", env={**current_env(), "TZ": "Pacific/Kiritimati"})
    first = (vault / SUMMARY).read_bytes(), (vault / SUMMARY).stat().st_mtime_ns
    time.sleep(0.05)
    for device in ("Pacific/Pago_Pago", "Pacific/Kiritimati"):
        vk(vault, "index", env={**current_env(), "TZ": device})
        assert ((vault / SUMMARY).read_bytes(), (vault / SUMMARY).stat().st_mtime_ns) == first, device


def test_init_writes_the_devices_timezone(tmp_path):
    env = {**current_env(), "TZ": "Asia/Tokyo"}
    init = [sys.executable, "-m", "vaultkit", "init", str(tmp_path / "new")]
    proc = subprocess.run(init, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    config = (tmp_path / "new/.vaultkit/config.yaml").read_text()
    found = re.findall(r"(?m)^timezone:\s*[\"']?([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)[\"']?\s*$", config)
    assert len(found) == 1, "no uncommented timezone: line with an IANA name"
    zone = ZoneInfo(found[0])
    assert datetime.now(zone).utcoffset() == timedelta(hours=9), found[0]


# ------------------------------------------------------- 7. ordinary notes are not conflict copies


def test_ordinary_notes_beside_each_other_are_all_read(vault):
    pairs = [("Session", "Session 2"), ("Week", "Week 3"), ("Reflection", "Reflection-draft")]
    pairs.append(("Therapy", "Therapy-Ideas"))
    files, expected = {}, []
    for n, names in enumerate(pairs):
        for m, name in enumerate(names):
            texts = [f"{name} first thing", f"{name} second thing"]
            expected += texts
            day = f"2026-11-{n * 2 + m + 1:02d}"
            files[f"Notes/{name}.md"] = note(
                [f"[ ] {t}" for t in texts], date=day, session=n + 1, body=f"{name}.\n"
            )
    build_tree(vault, files)
    vk(vault, "index")
    listed = [a["text"] for a in actions(vault)]
    assert sorted(listed) == sorted(expected), f"missing: {set(expected) - set(listed)}"
    summary = (vault / SUMMARY).read_text()
    assert all(any(t in ln and ln.startswith("- [ ] ") for ln in summary.splitlines()) for t in expected)


def test_real_conflict_copies_are_still_flagged(vault):
    original = note(["[ ] Call the clinic", "[ ] Send the form"])
    sync_original = note(["[ ] Plan the week"], date="2026-11-21")
    build_tree(
        vault,
        {
            "Notes/Call.md": original,
            "Notes/Call 2.md": original.replace('"[ ] Call the clinic"', '"[x] Call the clinic"'),
            "Notes/Plan.md": sync_original,
            "Notes/Plan.sync-conflict-20261201-101010-ABCDEFG.md": note(
                ["[ ] Other plan"], date="2026-11-22"
            ),
        },
    )
    vk(vault, "index")
    listed = [a["text"] for a in actions(vault)]
    assert sorted(listed) == ["Call the clinic", "Plan the week", "Send the form"]
    summary = (vault / SUMMARY).read_text()
    assert "Plan.sync-conflict-20261201-101010-ABCDEFG" in summary  # no base to merge its text against
    # `Call 2.md` is `Call.md` but for a tick: merged into it, and kept in vaultkit's trash
    assert {a["text"]: a["status"] for a in actions(vault)}["Call the clinic"] == "done"
    assert not (vault / "Notes/Call 2.md").exists() and (vault / ".vaultkit/trash/Notes/Call 2.md").exists()
