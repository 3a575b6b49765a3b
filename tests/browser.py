"""Headless Chromium for the tests: render a page, screenshot it, print it to PDF.

Chromium comes from Debian (`apt-get install chromium`) and Mermaid from npm
(`npm install mermaid@11.13.0`, the version Obsidian bundles since 2026-07-30);
`.ci/run` installs both, so in CI these tests run. On a machine without them the
tests that need them are skipped with the command that installs them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
MERMAID_VERSION = "11.13.0"

# Chromium as the probe runs it on this closed network: no background
# connections (they are refused, many at a time), a fresh profile each run.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
]


def chromium() -> str:
    """Chromium's path, or skip the test saying how to install it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("needs Chromium: apt-get install chromium (.ci/run installs it)")


def mermaid_js() -> Path:
    """mermaid.min.js, or skip the test saying how to install it."""
    where = Path(os.environ.get("VAULTKIT_MERMAID_DIR", ROOT / "node_modules"))
    path = where / "mermaid" / "dist" / "mermaid.min.js"
    if not path.exists():
        pytest.skip(f"needs Mermaid: npm install mermaid@{MERMAID_VERSION} (.ci/run installs it)")
    return path


def _real_clock() -> dict[str, str]:
    """This environment without libfaketime (.ci/run's second run): Chromium under
    `faketime --exclude-monotonic` never finishes a page, and what it renders does
    not depend on the date."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
    preload = [lib for lib in env.pop("LD_PRELOAD", "").replace(":", " ").split() if "faketime" not in lib]
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    return env


def _run(page: Path, *extra: str, size: str = "900,1100") -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                f"--window-size={size}",
                *extra,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=_real_clock(),
        )
    return done.stdout


def dump_dom(page: Path) -> str:
    """The page's DOM after its scripts ran (what a person's browser would show)."""
    return _run(page, "--dump-dom")


def screenshot(page: Path, out: Path, size: str = "900,1100") -> Path:
    _run(page, f"--screenshot={out.resolve()}", size=size)
    return out


def print_pdf(page: Path, out: Path) -> Path:
    """Print the page as a browser's Print → Save as PDF does (A4 unless the page's
    CSS says otherwise)."""
    _run(page, "--no-pdf-header-footer", f"--print-to-pdf={out.resolve()}")
    return out


def pdf_pages(pdf: Path) -> int:
    """How many pages a PDF has (Chromium writes one `/Type /Page` object per page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@dataclass
class Rendered:
    status: str  # "ok", or "ERRORS: ..." as Mermaid reported them
    svgs: int  # diagrams that came out as SVG
    dom: str
    probe: Any = None  # what the `probe` expression gave, once the diagrams were drawn


def render_mermaid(
    diagrams: list[str], folder: Path, theme: str = "default", probe: str = "null"
) -> Rendered:
    """Render Mermaid blocks with Obsidian's Mermaid version, as Obsidian would
    (`theme="dark"`: as in Obsidian's dark mode). `probe` is a JavaScript
    expression run on the drawn page (to measure what the DOM alone does not
    say, such as a text's width); its value comes back as JSON."""
    import html
    import json

    blocks = "\n".join(f'<pre class="mermaid">{html.escape(d)}</pre>' for d in diagrams)
    page = folder / "charts.html"
    page.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8">
<style>body {{ font-family: sans-serif; background: {"#1e1e1e" if theme == "dark" else "white"}; width: 900px; }}</style>
<script src="{mermaid_js().as_uri()}"></script></head><body>
{blocks}
<div id="status">rendering</div>
<div id="probe"></div>
<script>
mermaid.initialize({{ startOnLoad: false, theme: "{theme}" }});
mermaid.run().then(() => {{
  const errors = document.querySelectorAll('.error-text, .error-icon').length;
  document.getElementById("probe").textContent = JSON.stringify({probe});
  document.getElementById("status").textContent = errors ? "ERRORS: " + errors : "ok";
}}).catch(e => {{ document.getElementById("status").textContent = "ERRORS: " + e; }});
</script></body></html>""",
        encoding="utf-8",
    )
    dom = dump_dom(page)
    status = re.search(r'<div id="status">(.*?)</div>', dom)
    probed = re.search(r'<div id="probe">(.*?)</div>', dom, re.S)
    value = json.loads(html.unescape(probed[1])) if probed and probed[1] else None
    return Rendered(status[1] if status else "?", dom.count("<svg"), dom, value)
