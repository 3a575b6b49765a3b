"""Realistic sequences of sessions and notes, walked day by day, checking every view of
the follow-ups together: `status` (text and --json), the summary's "Follow-ups due",
`vaultkit nudges`, and the brief's title and "Follow-ups missed".

Written from the product's rules, not from the code: default follow-ups are a
reflection 2 days after the session's day and check-ins 7 and 30 days after (the
1-week window runs from the session's day to day 18, the 1-month one from day 19);
a follow-up is done, dismissed, overtaken (the next session's day is on or before
its due day), upcoming, due (from its due day until its window closes or the next
session's day comes) or missed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

import pytest
import yaml

from .helpers import build_tree

INT, REF, CHK = "intention", "reflection", "check-in"
UNCHECKED = ...  # an expectation left open (the rules do not settle it)


def note(type_: str, day: str, session: int, **props: object) -> tuple[str, str]:
    """A note written by hand: (path, text), with `session_date`, `next_session`, `dismissed`..."""
    lines = ["---", f"type: {type_}", f"date: {day}", f"session: {session}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in props.items()]
    return f"Integration/{day} {type_} {session}.md", "\n".join(lines) + "\n---\nSome words.\n"


@dataclass
class Step:
    now: str  # VAULTKIT_NOW: "2026-11-05" (noon) or "2026-11-11T01:30"
    notes: tuple[tuple[str, str], ...] = ()  # written by hand first
    new: tuple[str, ...] = ()  # then `vaultkit new ... --no-input`
    made: str | None = None  # the path `vaultkit new` must print
    due: tuple[tuple[int, str, str], ...] = ()  # (session, label, since)
    missed: tuple[tuple[int, str, str], ...] = ()  # the brief's (session, label, due day)
    title: object = UNCHECKED  # the brief's first line
    next: object = None  # "2026-11-06 (tomorrow)", or None: not known
    brief_session: int | None = None  # `brief --session N` instead of the default brief


def kind(label: str) -> str:
    return label.split(" ", 1)[1]


def section(text: str, heading: str) -> list[str] | None:
    """The non-blank lines under a `## heading`, or None without one."""
    if f"\n{heading}\n" not in f"\n{text}":
        return None
    body = f"\n{text}".split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in body.splitlines() if line.strip() and not line.startswith("<!--")]


def observe(run, vault: Path, brief_session: int | None) -> dict[str, object]:
    """What every view says about follow-ups right now."""
    seen: dict[str, object] = {}
    brief = run("brief", "--stdout", *(["--session", str(brief_session)] if brief_session else []))
    assert brief.exit_code == 0, brief.output
    seen["brief title"] = brief.stdout.splitlines()[0]
    seen["brief missed"] = section(brief.stdout, "## Follow-ups missed") or []
    status = run("status")
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()
    status_due = [] if "Due: nothing right now." in lines else lines[lines.index("Due:") + 1 :]
    status_due = list(takewhile(lambda line: line.startswith("  "), status_due))
    next_lines = [line for line in lines if line.startswith("Next session: ")]
    data = json.loads(run("status", "--json").stdout)
    assert run("index").exit_code == 0
    summary = section((vault / "Integration Actions.md").read_text(), "## Follow-ups due")
    nudges = run("nudges")
    assert nudges.exit_code == 0, nudges.output
    nudged = [
        found
        for line in nudges.stdout.splitlines()
        if line.startswith("Due:")
        for found in re.findall(r"session (\d+)'s ([^,;]+), since (\d{4}-\d\d-\d\d)", line)
    ]
    return seen | {
        "status": sorted(status_due),
        "json": sorted((d["session"], d["label"], d["since"], d["command"]) for d in data["due"]),
        "summary": sorted(summary) if summary is not None else None,
        "nudges": sorted((int(s), label, since) for s, label, since in nudged),
        "next (json)": data["next_session"],
        "next (text)": [line.split(";")[0] for line in next_lines],
    }


def expected(step: Step, got: dict[str, object]) -> dict[str, object]:
    due = sorted(step.due)
    want = {
        "status": sorted(
            f"  Session {s}: {label} since {since}  ->  vaultkit new {kind(label)} --session {s}"
            for s, label, since in due
        ),
        "json": [(s, label, since, f"vaultkit new {kind(label)} --session {s}") for s, label, since in due],
        "summary": sorted(
            f"- Session {s} — {label} due since {since}: `vaultkit new {kind(label)} --session {s}`"
            for s, label, since in due
        )
        or None,
        "nudges": due,
        "brief missed": [f"- Session {s}: {label}, due {day}" for s, label, day in sorted(step.missed)],
        "brief title": got.get("brief title") if step.title is UNCHECKED else step.title,
    }
    if step.next is UNCHECKED:
        want["next (json)"], want["next (text)"] = got.get("next (json)"), got.get("next (text)")
    elif step.next is None:
        want["next (json)"], want["next (text)"] = None, []
    else:
        want["next (json)"] = str(step.next).split(" ")[0]
        want["next (text)"] = [f"Next session: {step.next}"]
    return {key: value for key, value in want.items() if key in got}


def fake_notify(folder: Path) -> tuple[Path, Path]:
    """A notify_command that appends its arguments, one JSON line a call."""
    calls, script = folder / "calls.jsonl", folder / "fake-notify"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"with open({str(calls)!r}, 'a') as f:\n    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    script.chmod(0o755)
    return script, calls


def configure(vault: Path, folder: Path, *lines: str) -> Path:
    script, calls = fake_notify(folder)
    config = ["timezone: UTC", "notify: command", f'notify_command: "{script}"', 'notify_quiet: ""', *lines]
    (vault / ".vaultkit" / "config.yaml").write_text("\n".join(config) + "\n")
    return calls


def walk(run, vault: Path, monkeypatch: pytest.MonkeyPatch, steps: list[Step]) -> None:
    for number, step in enumerate(steps, 1):
        monkeypatch.setenv("VAULTKIT_NOW", step.now if "T" in step.now else f"{step.now}T12:00")
        build_tree(vault, dict(step.notes))
        if step.new:
            made = run("new", *step.new, "--no-input")
            assert made.exit_code == 0, made.output
            assert made.stdout.splitlines()[-1] == step.made, f"step {number}"
        got = observe(run, vault, step.brief_session)
        assert got == expected(step, got), f"step {number}, at {step.now}"


# ---------------------------------------------------------------- the sequences

WEEK, MONTH, REFL = "1-week check-in", "1-month check-in", "2-day reflection"
K = dict(enumerate(["2026-11-02", "2026-11-05", "2026-11-09", "2026-11-12", "2026-11-16", "2026-11-19"], 1))

SEQUENCES = {
    "one session, reflection the same evening, 1-week check-in never written": [
        Step(
            "2026-11-01T21:30",
            (note(INT, "2026-11-01", 1),),
            new=(REF,),
            made="Integration/2026/2026-11-01 Reflection.md",
            next=UNCHECKED,
        ),
        Step("2026-11-03", title="# For session 2"),
        Step("2026-11-08", due=((1, WEEK, "2026-11-08"),), title="# For session 2"),
        Step("2026-11-19", due=((1, WEEK, "2026-11-08"),)),  # day 18: the window's last day
        Step("2026-11-20", missed=((1, WEEK, "2026-11-08"),), title="# For session 2"),
        Step("2026-12-01", due=((1, MONTH, "2026-12-01"),), missed=((1, WEEK, "2026-11-08"),)),
    ],
    "ketamine series: six sessions in three weeks": [
        Step("2026-11-04", (note(INT, K[1], 1),), due=((1, REFL, "2026-11-04"),), title="# For session 2"),
        Step("2026-11-04T21:00", (note(REF, "2026-11-04", 1),)),
        # session 1's check-ins (due 11-09 and 12-02) are overtaken by session 2 (11-05)
        Step("2026-11-07", (note(INT, K[2], 2), note(REF, "2026-11-06", 2)), title="# For session 3"),
        Step("2026-11-11", (note(INT, K[3], 3),), due=((3, REFL, "2026-11-11"),), title="# For session 4"),
        Step(
            "2026-11-14",
            (note(REF, "2026-11-11", 3), note(INT, K[4], 4)),
            due=((4, REFL, "2026-11-14"),),
            title="# For session 5",
        ),
        # session 5's intention, written the evening before: session 4's reflection is still due
        Step(
            "2026-11-15",
            (note(INT, "2026-11-15", 5, session_date=K[5]),),
            due=((4, REFL, "2026-11-14"),),
            title=f"# For session 5 · {K[5]}",
            next=f"{K[5]} (tomorrow)",
        ),
        Step("2026-11-18", (note(REF, "2026-11-17", 5),), title="# For session 6"),  # 4's: missed
        Step(
            "2026-11-18",
            brief_session=4,
            missed=((4, REFL, "2026-11-14"),),
            title=f"# For session 5 · {K[5]}",
        ),
        Step("2026-11-21", (note(INT, K[6], 6),), due=((6, REFL, "2026-11-21"),), title="# For session 7"),
        Step(
            "2026-11-26",
            (note(REF, "2026-11-22", 6),),
            due=((6, WEEK, "2026-11-26"),),
            title="# For session 7",
        ),
        Step(
            "2026-11-26", brief_session=3, due=((6, WEEK, "2026-11-26"),), title=f"# For session 4 · {K[4]}"
        ),  # overtaken: not missed
    ],
    "reflection at 01:30 with day_starts_at 04:00 belongs to the session's evening": [
        Step(
            "2026-11-11T01:30",
            (note(INT, "2026-11-10", 1),),
            new=(REF,),
            made="Integration/2026/2026-11-10 Reflection.md",
            next=UNCHECKED,
        ),
        Step("2026-11-12", title="# For session 2"),
        Step("2026-11-17T03:59"),  # still 11-16: the 1-week check-in is not due yet
        Step("2026-11-17T04:00", due=((1, WEEK, "2026-11-17"),)),
    ],
    "reflection days late: due until written, never missed before the next session": [
        Step(
            "2026-11-03",
            (note(INT, "2026-11-01", 1),),
            due=((1, REFL, "2026-11-03"),),
            title="# For session 2",
        ),
        Step("2026-11-09", due=((1, REFL, "2026-11-03"), (1, WEEK, "2026-11-08"))),
        Step(
            "2026-11-10",
            (note(REF, "2026-11-10", 1),),
            due=((1, WEEK, "2026-11-08"),),
            title="# For session 2",
        ),
    ],
    "reflection late past the next session: missed, then done when written": [
        Step(
            "2026-11-05",
            (note(INT, "2026-11-01", 1, next_session="2026-11-08"),),
            due=((1, REFL, "2026-11-03"),),
            title="# For session 2 · 2026-11-08",
            next="2026-11-08 (in 3 days)",
        ),
        Step(
            "2026-11-07",
            (note(INT, "2026-11-07", 2),),
            due=((1, REFL, "2026-11-03"),),
            title="# For session 2 · 2026-11-08",
            next="2026-11-08 (tomorrow)",
        ),
        Step("2026-11-09", brief_session=1, missed=((1, REFL, "2026-11-03"),)),
        Step("2026-11-09T20:00", (note(REF, "2026-11-09", 1),), brief_session=1),
    ],
    "check-in early, on day 2": [
        Step(
            "2026-11-03", (note(INT, "2026-11-01", 1), note(REF, "2026-11-01", 1), note(CHK, "2026-11-03", 1))
        ),
        Step("2026-11-08"),
        Step("2026-11-20", title="# For session 2"),
        Step("2026-12-01", due=((1, MONTH, "2026-12-01"),)),
    ],
    "check-in late, on day 15, is still the 1-week one": [
        Step(
            "2026-11-10",
            (note(INT, "2026-11-01", 1), note(REF, "2026-11-02", 1)),
            due=((1, WEEK, "2026-11-08"),),
        ),
        Step("2026-11-17", new=(CHK, "--date", "2026-11-16"), made="Integration/2026/2026-11-16 Check-in.md"),
        Step("2026-11-25", title="# For session 2"),
        Step("2026-12-01", due=((1, MONTH, "2026-12-01"),)),
    ],
    "session_date before the intention's date": [
        Step(
            "2026-11-05",
            (note(INT, "2026-11-05", 1, session_date="2026-11-03"),),
            due=((1, REFL, "2026-11-05"),),
            title="# For session 2",
        ),
        Step("2026-11-05T20:00", (note(REF, "2026-11-05", 1),)),
        Step("2026-11-10", due=((1, WEEK, "2026-11-10"),)),
        Step("2026-11-22", missed=((1, WEEK, "2026-11-10"),), title="# For session 2"),
    ],
    "session_date after the intention's date": [
        Step(
            "2026-11-01",
            (note(INT, "2026-11-01", 1, session_date="2026-11-06"),),
            title="# For session 1 · 2026-11-06",
            next="2026-11-06 (in 5 days)",
        ),
        Step("2026-11-03", next="2026-11-06 (in 3 days)"),
        Step("2026-11-05", next="2026-11-06 (tomorrow)", title="# For session 1 · 2026-11-06"),
        Step("2026-11-06", next="2026-11-06 (today)"),
        Step("2026-11-08", due=((1, REFL, "2026-11-08"),), title="# For session 2"),
    ],
    "next_session recorded in a reflection, intention written without session_date": [
        Step(
            "2026-11-10",
            (note(INT, "2026-11-01", 1), note(REF, "2026-11-02", 1, next_session="2026-11-20")),
            due=((1, WEEK, "2026-11-08"),),
            title="# For session 2 · 2026-11-20",
            next="2026-11-20 (in 10 days)",
        ),
        Step(
            "2026-11-15",
            (note(INT, "2026-11-15", 2),),
            due=((1, WEEK, "2026-11-08"),),
            title="# For session 2 · 2026-11-20",
            next="2026-11-20 (in 5 days)",
        ),
        Step("2026-11-17", due=((1, WEEK, "2026-11-08"),), next="2026-11-20 (in 3 days)"),
        Step("2026-11-22", due=((2, REFL, "2026-11-22"),), title="# For session 3"),
        # the 1-week check-in is missed; the 1-month one (due 12-01) is overtaken by 11-20
        Step(
            "2026-11-22",
            brief_session=1,
            due=((2, REFL, "2026-11-22"),),
            missed=((1, WEEK, "2026-11-08"),),
            title="# For session 2 · 2026-11-20",
        ),
    ],
    "sessions without an intention, opened by a reflection on the recorded next_session": [
        Step(
            "2026-11-05",
            (note(REF, "2026-11-03", 1, next_session="2026-11-10"),),
            next="2026-11-10 (in 5 days)",
        ),
        # session 2's day is 11-10 (recorded), not its reflection's 11-11: session 1's
        # 1-week check-in (11-10) is overtaken, session 2's falls due on 11-17
        Step("2026-11-16", (note(REF, "2026-11-11", 2),), title="# For session 3"),
        Step("2026-11-17", due=((2, WEEK, "2026-11-17"),)),
    ],
    "dismissed by label on the intention": [
        Step("2026-11-10", (note(INT, "2026-11-01", 1, dismissed=[WEEK]), note(REF, "2026-11-02", 1))),
        Step("2026-11-25", title="# For session 2"),
        Step("2026-12-01", due=((1, MONTH, "2026-12-01"),)),
    ],
    "dismissed by span on the reflection": [
        Step("2026-11-10", (note(INT, "2026-11-01", 1), note(REF, "2026-11-02", 1, dismissed=["1-week"]))),
        Step("2026-11-25"),
        Step("2026-12-01", due=((1, MONTH, "2026-12-01"),)),
    ],
    "dismissed by type: no check-ins at all": [
        Step("2026-11-10", (note(INT, "2026-11-01", 1), note(REF, "2026-11-02", 1, dismissed=["check-in"]))),
        Step("2026-12-01"),
        Step("2026-12-20", title="# For session 2"),
    ],
    "dismissed: all, nothing ever due": [
        Step("2026-11-03", (note(INT, "2026-11-01", 1, dismissed=["all"]),)),
        Step("2026-11-10"),
        Step("2026-12-20", title="# For session 2"),
    ],
}


CONFIG = {
    "reflection at 01:30 with day_starts_at 04:00 belongs to the session's evening": [
        'day_starts_at: "04:00"'
    ]
}


@pytest.mark.parametrize(("name", "steps"), list(SEQUENCES.items()), ids=list(SEQUENCES))
def test_sequence(vault, run, monkeypatch, tmp_path, name, steps):
    configure(vault, tmp_path, *CONFIG.get(name, ()))
    walk(run, vault, monkeypatch, steps)


# ---------------------------------------------------------------- `vaultkit skip`

INTENTION = (
    "---\ntype: intention\ndate: 2026-11-01\nsession: 1\nmood: 4\ntags: [ketamine]\n---\n"
    "# Intention\n\nMeet the fear gently.\n"
)


def without_dismissed(text: str) -> tuple[str, list[str]]:
    """The text with its `dismissed:` property taken out, and that property's items."""
    head = text.split("---\n")[1]
    items = yaml.safe_load(head).get("dismissed")
    kept, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("dismissed:"):
            inside = True
            continue
        if inside and re.match(r"^\s*- ", line):
            continue
        inside = False
        kept.append(line)
    return "".join(kept), items


@pytest.mark.parametrize("which", [WEEK, "1-week", "check-in", "all"])
def test_skip_records_the_dismissal_and_nothing_else(vault, run, monkeypatch, tmp_path, which):
    """Recorded as typed, or as the label a span stands for ("1-week" -> "1-week check-in")."""
    configure(vault, tmp_path)
    build_tree(vault, {"Integration/i.md": INTENTION, "Integration/r.md": note(REF, "2026-11-02", 1)[1]})
    before_reflection = (vault / "Integration/r.md").read_bytes()
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-10T12:00")
    skipped = run("skip", "1", which)
    assert skipped.exit_code == 0, skipped.output
    rest, items = without_dismissed((vault / "Integration/i.md").read_text())
    assert rest == INTENTION and items in ([which], [WEEK if which == "1-week" else which])
    assert (vault / "Integration/r.md").read_bytes() == before_reflection
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-25T12:00")
    got = observe(run, vault, None)
    assert got == expected(Step("2026-11-25"), got)


def test_skip_without_an_intention_writes_to_the_sessions_first_note(vault, run, monkeypatch, tmp_path):
    configure(vault, tmp_path)
    first, later = note(REF, "2026-11-02", 1), note(CHK, "2026-11-04", 1)
    build_tree(vault, {"Integration/r.md": first[1], "Integration/c.md": later[1]})
    monkeypatch.setenv("VAULTKIT_NOW", "2026-11-10T12:00")
    assert run("skip", "1", "1-month").exit_code == 0
    rest, items = without_dismissed((vault / "Integration/r.md").read_text())
    assert rest == first[1] and items in (["1-month"], [MONTH])
    assert (vault / "Integration/c.md").read_text() == later[1]
    monkeypatch.setenv("VAULTKIT_NOW", "2026-12-05T12:00")  # 1-month (due 12-02) would be due
    got = observe(run, vault, None)
    assert got == expected(Step("2026-12-05"), got)


def test_skip_names_the_sessions_follow_ups_when_nothing_matches(vault, run, monkeypatch, tmp_path):
    configure(vault, tmp_path)
    build_tree(vault, {"Integration/i.md": INTENTION})
    result = run("skip", "1", "2-month")
    assert result.exit_code == 1
    for name in (REFL, WEEK, MONTH):
        assert name in result.output
    assert (vault / "Integration/i.md").read_text() == INTENTION


# ---------------------------------------------------------------- a real watcher


@pytest.mark.slow
def test_watch_nudges_only_what_is_due_not_what_was_dismissed(vault, tmp_path, monkeypatch):
    # session 1 on 11-20: its reflection (due since 11-22) is dismissed, so it is never
    # nudged; its 1-week check-in (due since 11-27) is
    build_tree(vault, dict([note(INT, "2026-11-20", 1, dismissed=["reflection"])]))
    calls = configure(vault, tmp_path)
    monkeypatch.setenv("VAULTKIT_NOW", "2026-12-01T12:00")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "--vault", str(vault), "watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not calls.exists():
            time.sleep(0.1)
        time.sleep(1.5)  # long enough for a nudge about the reflection, were there one
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    sent = [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
    assert sent == [["vaultkit: a check-in is due (session 1)"]], err
