"""Hints that lead somewhere: a mistyped command, `new` without a type, and
shell completion of ids, through the CLI with exact output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultkit.cli import cli
from vaultkit.cli.base import meant

from .helpers import build_tree

USAGE = "Usage: cli [OPTIONS] [COMMAND] [ARGS]...\nTry 'cli --help' for help.\n\n"  # as CliRunner names it


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("checkin", "vaultkit new check-in"),
        ("check-ins", "vaultkit new check-in"),
        ("Check_In", "vaultkit new check-in"),
        ("reflect", "vaultkit new reflection"),
        ("intention", "vaultkit new intention"),
        ("dream", "vaultkit new dream"),  # the vault's own template
        ("list", "vaultkit actions"),
        ("ls", "vaultkit actions"),
        ("help", "vaultkit --help"),
    ],
)
def test_an_unknown_command_names_the_command_meant(run, vault, typed, hint):
    build_tree(vault, {".vaultkit/templates/dream.md": "---\ntype: dream\n---\n# Dream\n"})
    result = run(typed)
    assert result.exit_code == 2
    assert result.stderr == USAGE + f"Error: No such command {typed!r}. Did you mean '{hint}'?\n"


def test_click_still_guesses_by_spelling_where_no_hint_fits(run):
    assert run("chec").stderr.endswith("Error: No such command 'chec'. Did you mean 'check'?\n")
    assert run("frobnicate").stderr.endswith("Error: No such command 'frobnicate'.\n")
    assert run("frobnicate").exit_code == 2


def test_the_hints_are_what_a_person_meant_and_nothing_else():
    types = ["intention", "reflection", "check-in"]
    assert meant("CHECKIN", types) == "vaultkit new check-in"
    assert meant("refle", types) == "vaultkit new reflection"  # five letters of a type are enough
    assert meant("che", types) is None  # too short to tell check from check-in
    assert meant("--verbose", types) is None
    assert meant("", types) is None
    assert meant("tick", types) == "vaultkit done"
    assert meant("undo", types) == "vaultkit reopen"


def test_new_without_a_type_lists_the_types_as_commands(run, vault):
    build_tree(vault, {".vaultkit/templates/dream.md": "---\ntype: dream\n---\n# Dream\n"})
    result = run("new")
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: cli new [OPTIONS] TYPE\n"
        "Try 'cli new --help' for help.\n\n"
        "Error: Missing argument 'TYPE', the note to write; one of:\n"
        "  vaultkit new intention   before a session\n"
        "  vaultkit new reflection  after it\n"
        "  vaultkit new check-in    a week or a month later\n"
        "  vaultkit new dream       your own template, .vaultkit/templates/dream.md\n"
    )
    assert not list((vault).glob("Integration/**/*.md"))  # nothing written


def test_new_without_a_type_outside_a_vault_still_lists_the_shipped_types(tmp_path, monkeypatch):
    monkeypatch.delenv("VAULTKIT_VAULT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Missing argument 'TYPE', the note to write; one of:\n"
        "  vaultkit new intention   before a session\n"
        "  vaultkit new reflection  after it\n"
        "  vaultkit new check-in    a week or a month later\n"
    )


def complete(vault: Path, words: str) -> list[tuple[str, str]]:
    """(id, text) as zsh is given them when the person presses Tab (click's protocol:
    type, value and help, a line each)."""
    env = {
        "COMP_WORDS": f"vaultkit --vault {vault} {words}",
        "COMP_CWORD": str(len(words.split()) + 3 - (0 if words.endswith(" ") else 1)),
        "_VAULTKIT_COMPLETE": "zsh_complete",
    }
    lines = CliRunner().invoke(cli, [], prog_name="vaultkit", env=env).output.rstrip("\n").splitlines()
    return [(lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]


@pytest.fixture
def actions_vault(run, vault: Path) -> Path:
    build_tree(
        vault,
        {
            "a.md": "---\nactions:\n"
            '  - "[ ] Walk far ^walk-far"\n'
            '  - "[x] Walk the dog ^walk-dog"\n'
            '  - "[-] Walk at night ^walk-night"\n'
            f'  - "[ ] {"Write the long letter to my sister " * 3}^letter"\n'
            "---\n"
        },
    )
    assert run("index").exit_code == 0
    return vault


def test_completion_of_ids_shows_each_actions_text_and_only_what_the_command_can_change(actions_vault):
    letter = "Write the long letter to my sister Write the long letter to…"
    assert complete(actions_vault, "done ") == [("walk-far", "Walk far"), ("letter", letter)]
    assert complete(actions_vault, "done wa") == [("walk-far", "Walk far")]
    assert complete(actions_vault, "drop walk") == [("walk-far", "Walk far")]
    assert complete(actions_vault, "reopen ") == [
        ("walk-dog", "Walk the dog"),
        ("walk-night", "Walk at night"),
    ]
    assert complete(actions_vault, "reopen walk-n") == [("walk-night", "Walk at night")]
    assert len(letter) == 60


def test_completion_offers_nothing_outside_a_vault(tmp_path):
    assert complete(tmp_path / "nowhere", "done ") == []
