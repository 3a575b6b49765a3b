"""Render the summary's Mermaid charts the way a person sees them, as a PNG.

    python -m tests.render_charts OUT.png [--mermaid PATH/mermaid.min.js] [--chromium PATH]

Builds the summary of examples/vault (for a fixed date), takes its ```mermaid
blocks, renders them with Mermaid (11.13.0 is what Obsidian bundles since
2026-07-30) in headless Chromium, and saves a screenshot. Needs:

    npm install mermaid@11.13.0          # gives node_modules/mermaid/dist/mermaid.min.js
    apt-get install chromium

Not part of the test suite (it needs a browser); run it after changing the
charts and look at the picture. Prints an error if any diagram failed.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from tests.helpers import index_vault

ROOT = Path(__file__).parent.parent


def charts(today: date) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        vault_dir = Path(tmp) / "vault"
        shutil.copytree(ROOT / "examples" / "vault", vault_dir)
        index_vault(vault_dir, today)
        block = (vault_dir / "Integration Actions.md").read_text()
    return re.findall(r"```mermaid\n(.*?)```", block, re.S)


def page(diagrams: list[str], mermaid_js: Path) -> str:
    blocks = "\n".join(f'<pre class="mermaid">{html.escape(d)}</pre>' for d in diagrams)
    return f"""<!doctype html><html><head><meta charset="utf-8">
<style>body {{ font-family: sans-serif; background: white; width: 900px; }}</style>
<script src="{mermaid_js.as_uri()}"></script></head><body>
<h3>vaultkit summary charts</h3>{blocks}
<div id="status">rendering</div>
<script>
mermaid.initialize({{ startOnLoad: false, theme: "default" }});
mermaid.run().then(() => {{
  const errors = document.querySelectorAll('[id^="d"] .error-text, .error-icon').length;
  document.getElementById("status").textContent = errors ? "ERRORS: " + errors : "ok";
}}).catch(e => {{ document.getElementById("status").textContent = "ERRORS: " + e; }});
</script></body></html>"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--mermaid", type=Path, default=Path("node_modules/mermaid/dist/mermaid.min.js"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--date", default="2026-11-24")
    args = parser.parse_args()
    if not args.mermaid.exists():
        print(f"error: {args.mermaid} not found; run `npm install mermaid@11.13.0`", file=sys.stderr)
        return 1
    diagrams = charts(date.fromisoformat(args.date))
    if not diagrams:
        print("error: the summary has no Mermaid charts", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "charts.html"
        page_path.write_text(page(diagrams, args.mermaid.resolve()))
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp}/profile",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            "--window-size=900,1100",
        ]
        dom = subprocess.run(
            [args.chromium, *flags, "--dump-dom", page_path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        subprocess.run(
            [args.chromium, *flags, f"--screenshot={args.out.resolve()}", page_path.as_uri()],
            capture_output=True,
            timeout=120,
            check=True,
        )
    status = re.search(r'<div id="status">(.*?)</div>', dom)
    svgs = dom.count("<svg")
    print(
        f"{len(diagrams)} diagram(s), {svgs} rendered as SVG, status: {status[1] if status else '?'}; "
        f"screenshot: {args.out}"
    )
    return 0 if status and status[1] == "ok" and svgs >= len(diagrams) else 1


if __name__ == "__main__":
    sys.exit(main())
