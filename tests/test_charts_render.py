"""The summary's Mermaid charts render, in headless Chromium with the Mermaid Obsidian bundles."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests import browser
from tests.helpers import index_vault

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
