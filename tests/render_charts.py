"""Render the summary's Mermaid charts the way a person sees them, as a PNG.

    python -m tests.render_charts OUT.png [--date YYYY-MM-DD]

Builds the summary of examples/vault (for a fixed date), takes its ```mermaid
blocks and renders them with the Mermaid Obsidian bundles in headless Chromium
(see tests/browser.py for what to install), then saves a screenshot to look at.
tests/test_charts_render.py checks the same rendering in the suite.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from tests import browser
from tests.helpers import index_vault


def charts(today: date) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        vault_dir = Path(tmp) / "vault"
        shutil.copytree(browser.ROOT / "examples" / "vault", vault_dir)
        index_vault(vault_dir, today)
        block = (vault_dir / "Integration Actions.md").read_text()
    return re.findall(r"```mermaid\n(.*?)```", block, re.S)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--date", default="2026-11-24")
    args = parser.parse_args()
    diagrams = charts(date.fromisoformat(args.date))
    if not diagrams:
        print("error: the summary has no Mermaid charts", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rendered = browser.render_mermaid(diagrams, Path(tmp))
        browser.screenshot(Path(tmp) / "charts.html", args.out)
    print(
        f"{len(diagrams)} diagram(s), {rendered.svgs} rendered as SVG, status: {rendered.status}; "
        f"screenshot: {args.out}"
    )
    return 0 if rendered.status == "ok" and rendered.svgs >= len(diagrams) else 1


if __name__ == "__main__":
    sys.exit(main())
