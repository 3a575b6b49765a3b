"""A generated vault: every planted action is found, and a warm index reads nothing."""

from __future__ import annotations

import json

import pytest

from benchmarks.generate import generate

from .helpers import age


@pytest.mark.slow
def test_generated_vault_finds_exactly_the_planted_actions(tmp_path, run):
    root = tmp_path / "gen"
    planted = generate(root, 2000, seed=7)
    age(root)
    first = run("index", vault_path=root)
    assert first.exit_code == 0
    assert first.stdout.startswith("2000 notes (2000 read, 0 unchanged), ")
    found = json.loads(run("actions", "--status", "all", "--json", vault_path=root).stdout)

    def key(row):
        return (row["source"], row["text"], row["kind"], row["status"])

    assert sorted(map(key, found)) == sorted(map(key, planted))
    assert len({row["id"] for row in found}) == len(found)
    second = run("index", vault_path=root)
    assert second.stdout.startswith("2000 notes (0 read, 2000 unchanged), ")
    assert second.stdout.endswith("Integration Actions.md unchanged\n")
