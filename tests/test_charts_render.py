"""The summary's Mermaid charts render, in headless Chromium with the Mermaid Obsidian bundles."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import browser
from tests.helpers import build_tree, index_vault

pytestmark = pytest.mark.slow


def test_every_chart_in_the_example_summary_renders_as_svg(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(browser.ROOT / "examples" / "vault", vault)
    index_vault(vault, date(2026, 11, 24))
    diagrams = re.findall(r"```mermaid\n(.*?)```", (vault / "Integration Actions.md").read_text(), re.S)
    assert diagrams, "the example summary has no charts"

    rendered = browser.render_mermaid(diagrams, tmp_path)

    assert rendered.status == "ok"
    assert rendered.svgs >= len(diagrams)


def test_a_broken_chart_is_reported_not_passed(tmp_path: Path) -> None:
    # The check above could pass vacuously if errors were never seen.
    rendered = browser.render_mermaid(["xychart-beta\n  this is not a chart ]]"], tmp_path)
    assert rendered.status != "ok"


def _notes(sessions: int, check_ins: int) -> dict[str, str]:
    """A vault of `sessions` sessions a month apart, each an intention, a reflection
    and `check_ins` weekly check-ins, each with a mood."""
    files = {}
    for n in range(1, sessions + 1):
        start = date(2025, 1, 6) + timedelta(days=30 * (n - 1))
        days = [("intention", start), ("reflection", start + timedelta(days=1))]
        days += [("check-in", start + timedelta(days=7 * k)) for k in range(1, check_ins + 1)]
        for kind, day in days:
            files[f"Integration/{day} {kind}.md"] = (
                f"---\ntype: {kind}\ndate: {day}\nsession: {n}\nmood: {3 + (n + day.day) % 6}\n---\n"
            )
    return files


def _luminance(colour: str) -> float:
    import colorsys

    colour = colour.strip().lower()
    if colour.startswith("hsl"):
        h, s, light = (float(v.strip().rstrip("%")) for v in colour[4:-1].split(","))
        rgb = colorsys.hls_to_rgb(h / 360, light / 100, s / 100)
    else:
        named = {"black": "#000000", "white": "#ffffff"}
        colour = named.get(colour, colour).lstrip("#")
        colour = "".join(c * 2 for c in colour) if len(colour) == 3 else colour
        rgb = tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two CSS colours (4.5 is its minimum for text)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_sees_white_on_lavender():
    # Mermaid's default for the first column: too faint for text.
    assert contrast("#ffffff", "hsl(240, 100%, 76.2745098039%)") < 4.5
    assert contrast("black", "white") == 21


@pytest.mark.parametrize("theme", ["default", "dark"])
def test_the_timeline_stays_legible_with_many_notes(tmp_path: Path, theme: str) -> None:
    vault = build_tree(tmp_path / "vault", _notes(sessions=12, check_ins=4))
    index_vault(vault, date(2026, 1, 30))
    text = (vault / "Integration Actions.md").read_text()
    timeline = re.search(r"```mermaid\n(%%.*?\ntimeline\n.*?)```", text, re.S)[1]
    assert "Session 12 :" in timeline and "Session 7 :" in timeline and "Session 6 :" not in timeline

    rendered = browser.render_mermaid([timeline], tmp_path, theme)
    assert rendered.status == "ok"
    svg = rendered.dom[rendered.dom.index("<svg") :]
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg)[1])
    assert width <= 1700  # six columns: the pane scales it down by two at most, not by five
    used = set(re.findall(r'class="timeline-node (section-[-\d]+)"', svg))
    assert len(used) == 6
    for section in used:
        fill = re.search(rf"\.{section} rect[^{{]*\{{fill:([^;}}]+)", svg)[1]
        label = re.search(rf"\.{section} text\{{fill:([^;}}]+)", svg)[1]
        assert contrast(fill, label) >= 4.5, (section, fill, label)


# Each label of the charts' bottom axes, as drawn: [text, left, right] in the chart's units.
LABELS = """[...document.querySelectorAll('.bottom-axis .label text')].map(t => {
  const box = t.getBBox(), m = t.getCTM();
  return [t.textContent, m.e + box.x * m.a, m.e + (box.x + box.width) * m.a];
})"""


def test_the_mood_line_turns_at_each_entry_and_only_there(tmp_path: Path) -> None:
    entries = [("2026-11-01", 4), ("2026-11-02", 8), ("2026-12-01", 5)]
    vault = build_tree(
        tmp_path / "vault",
        {
            f"n{i}.md": f"---\ntype: check-in\ndate: {day}\nsession: 1\nmood: {mood}\n---\n"
            for i, (day, mood) in enumerate(entries)
        },
    )
    index_vault(vault, date(2026, 12, 2))
    text = (vault / "Integration Actions.md").read_text()
    chart = re.search(r"```mermaid\n(%%[^\n]*\nxychart-beta\n.*?)```", text, re.S)[1]
    assert "Mood (0 to 10), oldest first: 2026-11-01: 4 · 2026-11-02: 8 · 2026-12-01: 5" in text

    rendered = browser.render_mermaid([chart], tmp_path, probe=LABELS)
    assert rendered.status == "ok"
    line = re.search(r'<path d="(M[^"]+)" fill="none" stroke="#1f6feb"', rendered.dom)[1]
    corners = [tuple(float(v) for v in point.split(",")) for point in line[1:].split("L")]
    assert len(corners) == len(entries)  # a corner is an entry: none made up between them
    top, bottom = min(y for _, y in corners), max(y for _, y in corners)
    assert [round(4 + 4 * (bottom - y) / (bottom - top)) for _, y in corners] == [4, 8, 5]
    labels = rendered.probe
    assert [text for text, _, _ in labels] == ["11-01", "11-02", "12-01"]
    for (x, _), (_, left, right) in zip(corners, labels, strict=True):
        assert left < x < right  # each date sits under its entry


def test_thirty_entries_keep_every_date_readable(tmp_path: Path) -> None:
    days = [date(2026, 1, 5) + timedelta(days=9 * i) for i in range(30)]
    vault = build_tree(
        tmp_path / "vault",
        {
            f"n{i}.md": f"---\ntype: check-in\ndate: {day}\nsession: 1\nmood: {3 + i % 5}\n---\n"
            for i, day in enumerate(days)
        },
    )
    index_vault(vault, days[-1])
    text = (vault / "Integration Actions.md").read_text()
    chart = re.search(r"```mermaid\n(%%[^\n]*\nxychart-beta\n.*?)```", text, re.S)[1]

    rendered = browser.render_mermaid([chart], tmp_path, probe=LABELS)
    assert rendered.status == "ok"
    labels = rendered.probe
    assert [text for text, _, _ in labels] == [day.isoformat()[5:] for day in days]
    gaps = [b_left - a_right for (_, _, a_right), (_, b_left, _) in zip(labels, labels[1:], strict=False)]
    assert min(gaps) > 2  # no two dates run into each other
