"""A deterministic vault generator for tests and benchmarks.

    python -m benchmarks.generate PATH --notes 10000 [--seed 1] [--realistic]

Synthetic (the default): about 40% of notes carry actions (string and
mapping forms, both kinds, all statuses), some have other frontmatter, some
none, about 0.5% are broken. Realistic: what a user of this tool has, a big
vault of ordinary notes (daily notes, reading notes, no actions) in which
about 300 are integration notes (intentions, reflections, check-ins of about
100 sessions) with about 1,000 actions in all, and a few broken notes
(1 in 5,000). A manifest of every planted
action is written to PATH/.vaultkit/planted.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

WORDS = [
    "breath",
    "walk",
    "call",
    "sister",
    "letter",
    "river",
    "morning",
    "notice",
    "gentle",
    "boundary",
    "rest",
    "ask",
    "listen",
    "write",
    "music",
    "body",
    "kind",
    "slow",
    "window",
    "light",
    "quiet",
    "friend",
    "garden",
]
BODY = "Some lines of journaling. " * 6 + "\n\n## A heading\n\n" + "More text about the day. " * 10 + "\n"


def _text(rng: random.Random, serial: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize() + f" no.{serial}"


INTEGRATION_NOTES = 300  # in a realistic vault, whatever its size
SESSION_NOTES = ("intention", "reflection", "check-in")


def _integration_note(
    rng: random.Random, n: int, serial: int, planted: list[dict[str, object]], rel: str
) -> list[str]:
    """One of ~300 integration notes: session n // 3, about 3.3 actions each."""
    session = n // 3 + 1
    kind_of_note = SESSION_NOTES[n % 3]
    day = f"{2024 + session // 40}-{1 + session % 12:02d}-{1 + (session * 3 + n % 3) % 28:02d}"
    lines = [
        "---",
        f"type: {kind_of_note}",
        f"date: {day}",
        f"session: {session}",
        "tags:",
        "  - integration",
    ]
    lines += [f"mood: {rng.randint(0, 10)}", "actions:"]
    for _ in range(rng.choice([2, 3, 3, 4, 5])):
        serial += 1
        text = _text(rng, serial)
        status = rng.choice(["open", "open", "done", "dropped", "done"])
        if rng.random() < 0.6:
            box = {"open": "[ ]", "done": "[x]", "dropped": "[-]"}[status]
            tail = f" ✅ {day}" if status == "done" else f" ❌ {day}" if status == "dropped" else ""
            lines.append(f'  - "{box} {text}{tail}"')
            kind = "external"
        else:
            kind = rng.choice(["internal", "external"])
            lines += [f"  - text: {text}", f"    kind: {kind}", f"    status: {status}"]
            if status == "done":
                lines.append(f"    done: {day}")
        planted.append({"source": rel, "text": text, "kind": kind, "status": status})
    return [*lines, "---"]


def generate(root: Path, notes: int, seed: int = 1, realistic: bool = False) -> list[dict[str, object]]:
    """Write `notes` notes under `root` (made a vault); return the planted actions."""
    if realistic:
        return _realistic(root, notes, seed)
    rng = random.Random(seed)
    (root / ".vaultkit").mkdir(parents=True, exist_ok=True)
    planted: list[dict[str, object]] = []
    serial = 0
    for n in range(notes):
        year = 2020 + n * 7 // max(notes, 1)
        day = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        folder = root / ("Integration" if n % 3 else "Journal") / str(year) / f"{n % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        rel_name = f"{day} Note {n}.md"
        path = folder / rel_name
        roll = rng.random()
        lines: list[str] = []
        if roll < 0.4:
            session = n // 20 + 1
            lines = [
                "---",
                "type: reflection",
                f"date: {day}",
                f"session: {session}",
                "tags:",
                "  - integration",
                f"mood: {rng.randint(0, 10)}",
                "actions:",
            ]
            for _ in range(rng.randint(1, 4)):
                serial += 1
                text = _text(rng, serial)
                form = rng.random()
                if form < 0.5:
                    done = rng.random() < 0.2
                    lines.append(f'  - "{"[x]" if done else "[ ]"} {text}"')
                    kind, status = "external", "done" if done else "open"
                else:
                    kind = rng.choice(["internal", "external"])
                    status = rng.choice(["open", "open", "open", "done", "dropped"])
                    lines += [f"  - text: {text}", f"    kind: {kind}", f"    status: {status}"]
                    if status == "done":
                        lines.append(f"    done: {day}")
                planted.append(
                    {
                        "source": path.relative_to(root).as_posix(),
                        "text": text,
                        "kind": kind,
                        "status": status,
                    }
                )
            lines += ["---"]
        elif roll < 0.7:
            lines = [
                "---",
                f"date: {day}",
                "tags:",
                "  - daily",
                f"weather: {rng.choice(WORDS)}",
                "---",
            ]
        elif roll < 0.995:
            lines = []
        else:
            lines = ["---", "actions: [broken", "---"]
        path.write_text("\n".join(lines) + ("\n" if lines else "") + BODY, encoding="utf-8")
    (root / ".vaultkit" / "planted.json").write_text(json.dumps(planted))
    return planted


def _realistic(root: Path, notes: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    (root / ".vaultkit").mkdir(parents=True, exist_ok=True)
    planted: list[dict[str, object]] = []
    every = max(1, notes // INTEGRATION_NOTES)
    for n in range(notes):
        year = 2016 + n * 10 // max(notes, 1)
        if n % every == 0 and n // every < INTEGRATION_NOTES:
            rel = f"Integration/{year}/{n:06d} Session note.md"
            lines = _integration_note(rng, n // every, len(planted), planted, rel)
        else:
            folder = rng.choice(["Daily", "Reading", "Work", "People", "Ideas"])
            rel = f"{folder}/{year}/{n % 100:02d}/{n:06d} {rng.choice(WORDS)}.md"
            roll = rng.random()
            lines = [
                "---",
                f"date: {year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "tags:",
                f"  - {folder.lower()}",
                "---",
            ]
            # a few broken notes, as a real vault has (the synthetic one has 0.5%)
            lines = lines if roll < 0.6 else [] if roll < 0.9998 else ["---", "tags: [broken", "---"]
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + ("\n" if lines else "") + BODY, encoding="utf-8")
    (root / ".vaultkit" / "planted.json").write_text(json.dumps(planted))
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--realistic", action="store_true", help="~300 integration notes in a big ordinary vault"
    )
    args = parser.parse_args()
    if args.path.exists() and any(args.path.iterdir()):
        raise SystemExit(f"{args.path} is not empty; pick a new folder")
    os.umask(0o077)
    planted = generate(args.path, args.notes, args.seed, args.realistic)
    print(f"{args.notes} notes, {len(planted)} planted actions in {args.path}")


if __name__ == "__main__":
    main()
