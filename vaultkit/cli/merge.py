"""`vaultkit merge NOTE`: a note's sync-conflict copies written into it, for the person to choose."""

from __future__ import annotations

from pathlib import Path

import click

from vaultkit.cli.base import App, cli, common, engine, pass_app, vault_today
from vaultkit.text import plural


@cli.command()
@click.argument("note")
@common
@pass_app
def merge(app: App, note: str) -> None:
    """Write a note's sync-conflict copies into it, then put them in .vaultkit/trash/.

    For a copy whose text could not be merged by itself (the summary lists it
    under "Sync conflict copies to merge"): what merges cleanly is merged, and
    each passage changed on both sides is written twice, this device's version
    first, each under a "vaultkit merge" label; keep what you want and delete
    the rest. NOTE is the note's path in the vault.

    Example: vaultkit merge "Integration/2026/2026-11-10 Reflection.md"
    """
    from vaultkit.copies import TRASH, merge_by_hand
    from vaultkit.refresh import Request, refresh, scan

    with engine(app) as (vault, store):
        today = vault_today(vault)
        scan(vault, store, today)
        rel, given, root = note.replace("\\", "/"), Path(note).resolve(), vault.root.resolve()
        if not (vault.root / rel).is_file() and given.is_relative_to(root):  # a path from here
            rel = given.relative_to(root).as_posix()
        merged = merge_by_hand(vault, store, rel)
        summary = (vault.root / vault.config.summary_path).exists()
        refresh(vault, store, today, Request(write_summary=summary))
    for copy, passages in merged:
        said = f"{plural(passages, 'passage')} written twice, labelled" if passages else "merged whole"
        click.echo(f"Merged `{copy}` into {rel} ({said}); the copy is in {TRASH}/")
