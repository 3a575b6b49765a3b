"""The `vaultkit` command's interface: the only package that imports click.

Each command parses its options, makes one call into the engine and echoes
the result; `base` turns errors into messages and exit codes in one place.
Library modules are imported inside commands, so that start-up stays fast.
"""

from __future__ import annotations

from vaultkit.cli import actions, brief, calendar, merge, notes, nudges, service  # noqa: F401 - each module adds its commands
from vaultkit.cli.base import cli


def main() -> None:
    cli(prog_name="vaultkit")


__all__ = ["cli", "main"]
