"""Run every vaultkit benchmark and print a table of ratios against baselines.

    python -m benchmarks.run [--sizes 1000,10000,100000] [--realistic 10000,100000] [--runs 5]

Everything is measured as whole processes, as a user runs them, in this run:

- floor:  a Python process that reads every .md file's bytes (nothing less
          can know what the notes say);
- naive:  a python-frontmatter loop over every note (what a quick script does).

Vaults are generated deterministically under benchmarks/vaults/ (reused if
present): synthetic ones (40% of notes with actions) and realistic ones (a
big vault of ordinary notes with ~300 integration notes, ~1,000 actions).
Figures are medians of --runs runs; ratios are against the floor of the same
vault, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import generate

HERE = Path(__file__).parent
VAULTS = HERE / "vaults"
PY = sys.executable
# Measure what an installed vaultkit costs: pip writes bytecode at install, so
# the processes here may too (some shells set PYTHONDONTWRITEBYTECODE, which
# would make every run compile vaultkit's modules from source again).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

FLOOR = """
import os, sys
total = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith('.')]
    for name in files:
        if name.endswith('.md'):
            with open(os.path.join(folder, name), 'rb') as f:
                total += len(f.read())
print(total)
"""

NAIVE = """
import os, sys, frontmatter
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith('.')]
    for name in files:
        if name.endswith('.md'):
            try:
                post = frontmatter.load(os.path.join(folder, name))
            except Exception:
                continue
            actions = post.metadata.get('actions') or []
            count += len(actions) if isinstance(actions, list) else 0
print(count)
"""


def vault_for(size: int, realistic: bool = False) -> Path:
    root = VAULTS / f"{'r' if realistic else 'v'}{size}"
    marker = root / ".vaultkit" / "planted.json"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, size, seed=1, realistic=realistic)
        then = time.time_ns() - 3600 * 10**9  # notes written an hour ago, as a real vault's are
        for folder, _, files in os.walk(root):
            for name in files:
                os.utime(os.path.join(folder, name), ns=(then, then))
    return root


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


# The `vaultkit` command pip installs next to this Python, as a user runs it
# (`python -m vaultkit` pays 4 ms more for runpy); the module where there is none.
SCRIPT = Path(PY).parent / "vaultkit"
VAULTKIT = [str(SCRIPT)] if SCRIPT.exists() else [PY, "-m", "vaultkit"]


def vaultkit(root: Path, *args: str, exe: list[str] | None = None) -> list[str]:
    return [*(exe or VAULTKIT), "--vault", str(root), *args]


def reset(root: Path) -> None:
    """No store and no summary: the next run is a cold one (for an earlier
    vaultkit given with --compare too: its cache and state files go as well)."""
    shutil.rmtree(root / ".vaultkit" / "local", ignore_errors=True)
    for name in ("cache.jsonl", "summary-state.json", "summary-boxes.json"):
        (root / ".vaultkit" / name).unlink(missing_ok=True)
    (root / "Integration Actions.md").unlink(missing_ok=True)


def first_action(root: Path) -> tuple[Path, str]:
    """The first planted action's note and text."""
    planted = json.loads((root / ".vaultkit" / "planted.json").read_text())
    return root / planted[0]["source"], planted[0]["text"]


def baselines(root: Path, runs: int) -> dict[str, float]:
    """The floor (read every .md) and the naive python-frontmatter loop, on this vault now."""
    timed([PY, "-c", FLOOR, str(root)])  # warm the page cache
    out = {"floor": median([timed([PY, "-c", FLOOR, str(root)]) for _ in range(runs)])}
    try:
        import frontmatter  # noqa: F401

        out["naive"] = median([timed([PY, "-c", NAIVE, str(root)]) for _ in range(max(1, runs // 2))])
    except ImportError:
        out["naive"] = float("nan")
    return out


def bench_index(root: Path, runs: int, exe: list[str] | None = None) -> dict[str, float]:
    out: dict[str, float] = {}
    cold = []
    for _ in range(runs):
        reset(root)
        cold.append(timed(vaultkit(root, "index", exe=exe)))
    out["cold"] = median(cold)
    out["warm"] = median([timed(vaultkit(root, "index", exe=exe)) for _ in range(runs)])
    note, text = first_action(root)
    original = note.read_bytes()
    st = note.stat()
    changed, reworded = [], []
    try:
        for i in range(runs):  # a line added below the frontmatter: the summary stays as it is
            note.write_bytes(original + f"\nedit {i}\n".encode())
            changed.append(timed(vaultkit(root, "index", exe=exe)))
        for i in range(runs):  # an action reworded: the summary is written again
            note.write_bytes(original.replace(text.encode(), f"{text} (edit {i})".encode(), 1))
            reworded.append(timed(vaultkit(root, "index", exe=exe)))
    finally:
        note.write_bytes(original)
        os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    out["one_changed"] = median(changed)
    out["one_action"] = median(reworded)
    return out


def bench_new(root: Path, runs: int, exe: list[str] | None = None) -> float:
    """`vaultkit new reflection --no-input` in a big vault whose store is warm.
    Dated today: no version asks to confirm it (an earlier one has no --yes)."""
    subprocess.run(vaultkit(root, "index", exe=exe), check=True, capture_output=True, env=ENV)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            vaultkit(
                root,
                "new",
                "reflection",
                "--no-input",
                "--date",
                time.strftime("%Y-%m-%d"),
                "--title",
                f"Bench {i}",
                exe=exe,
            ),
            capture_output=True,
            text=True,
            env=ENV,
        )
        times.append(time.perf_counter() - start)
        if out.returncode:
            raise RuntimeError(f"vaultkit new failed: {out.stderr.strip()}")
        made = root / out.stdout.splitlines()[-1]
        made.unlink()  # leave the vault as it was
        for folder in (made.parent, made.parent.parent):
            if folder != root and not any(folder.iterdir()):
                folder.rmdir()
    return median(times)


def bench_watch(root: Path, edits: int, debounce: float, exe: list[str] | None = None) -> dict[str, float]:
    """Save-to-summary latency over `edits` edits, and the watcher's peak RSS."""
    reset(root)
    subprocess.run(vaultkit(root, "index", exe=exe), check=True, capture_output=True, env=ENV)
    proc = subprocess.Popen(
        vaultkit(root, "watch", "--debounce", str(debounce), "--rescan", "3600", exe=exe),
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    summary = root / "Integration Actions.md"
    note = root / "Integration" / "bench-watch.md"
    latencies = []
    try:
        while "Watching" not in (proc.stderr.readline() or "Watching"):
            pass
        for i in range(edits):
            marker = f"Latency probe {i}"
            start = time.perf_counter()
            note.write_text(f'---\nactions: ["[ ] {marker}"]\n---\n')
            seen = None
            while True:
                # The clock stops when the summary's stat changes; reading it to
                # check for the marker (6 MB at 100k notes) is this script's cost,
                # not the watcher's, so it comes after.
                st = summary.stat()
                if (st.st_mtime_ns, st.st_size, st.st_ino) != seen:
                    seen = (st.st_mtime_ns, st.st_size, st.st_ino)
                    elapsed = time.perf_counter() - start
                    if marker.encode() in summary.read_bytes():
                        break
                if time.perf_counter() - start > 30:
                    raise RuntimeError("watch did not update the summary within 30 s")
                time.sleep(0.002)
            latencies.append(elapsed)
            time.sleep(debounce)
        rss = _peak_rss_kb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        note.unlink(missing_ok=True)
    latencies.sort()
    return {
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
        "rss_mb": rss / 1024,
    }


def _peak_rss_kb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return float("nan")
    match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
    return float(match[1]) if match else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="synthetic vaults")
    parser.add_argument("--realistic", default="10000,100000", help="realistic vaults ('' for none)")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        help="another vaultkit command (an earlier version) to measure beside; may be repeated",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--debounce", type=float, default=0.3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    realistic_sizes = [int(s) for s in args.realistic.split(",") if s]
    print(
        f"# vaultkit benchmarks: {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"# medians of {args.runs} runs; ratios are against the floor (read every .md) "
        "measured in the same run\n"
    )
    print(
        "| vault | notes | floor s | naive frontmatter | cold index | warm index "
        "| one note's body edited | one note's action reworded |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    cold: dict[tuple[bool, int], float] = {}
    compare = args.compare
    for realistic, size in [(False, n) for n in sizes] + [(True, n) for n in realistic_sizes]:
        root = vault_for(size, realistic)
        base = baselines(root, args.runs)
        f = base["floor"]
        for exe in [None, *compare]:
            r = bench_index(root, args.runs, [exe] if exe else None)
            if exe is None:
                cold[realistic, size] = r["cold"]
            label = ("realistic" if realistic else "synthetic") + (f" ({exe})" if exe else "")
            print(
                f"| {label} | {size:,} | {f:.3f} | {base['naive'] / f:.2f}× ({base['naive']:.2f} s) | "
                f"{r['cold'] / f:.2f}× ({r['cold']:.2f} s) | {r['warm'] / f:.2f}× ({r['warm']:.2f} s) | "
                f"{r['one_changed'] / f:.2f}× ({r['one_changed']:.2f} s) | "
                f"{r['one_action'] / f:.2f}× ({r['one_action']:.2f} s) |",
                flush=True,
            )
    if len(sizes) > 1:
        small, big = sizes[-2], sizes[-1]
        print(
            f"\nscaling: cold index at {big:,} is {cold[False, big] / cold[False, small]:.1f}× "
            f"the {small:,} time (notes ×{big // small})"
        )
    # the issue sets its target on the realistic vaults (a warm store, 100k notes)
    print()
    for realistic, size in [(False, 10_000 if 10_000 in sizes else sizes[0])] + [
        (True, n) for n in realistic_sizes
    ]:
        for exe in [None, *compare]:
            label = f"{'realistic' if realistic else 'synthetic'} {size:,} notes{f' ({exe})' if exe else ''}"
            seconds = bench_new(vault_for(size, realistic), args.runs, [exe] if exe else None)
            print(f"`vaultkit new reflection --no-input`, {label}, warm store: {seconds:.3f} s", flush=True)
    events: dict[tuple[bool, int], float] = {}
    watched = [(False, n) for n in (sizes[-2:] if len(sizes) > 1 else sizes)]
    for realistic, size in watched + [(True, n) for n in realistic_sizes]:
        for exe in [None, *compare]:
            w = bench_watch(vault_for(size, realistic), args.edits, args.debounce, [exe] if exe else None)
            if exe is None:
                events[realistic, size] = w["p50"] - args.debounce
            label = f"{'realistic' if realistic else 'synthetic'} {size:,} notes{f' ({exe})' if exe else ''}"
            beyond = w["p50"] - args.debounce
            print(
                f"watch, {label}, debounce {args.debounce} s, {args.edits} edits: save-to-summary p50 "
                f"{w['p50']:.3f} s, p95 {w['p95']:.3f} s, work beyond the debounce p50 {beyond:.3f} s; "
                f"peak RSS {w['rss_mb']:.0f} MB",
                flush=True,
            )
    if len(realistic_sizes) > 1:
        small, big = realistic_sizes[0], realistic_sizes[-1]
        print(
            f"watch, realistic: one event at {big:,} costs {events[True, big] / events[True, small]:.2f}× "
            f"one at {small:,}"
        )


if __name__ == "__main__":
    main()
