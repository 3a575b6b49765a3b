"""The entry point runs a plain `vaultkit index` without click: it must read
every invocation it takes as click would, and print what click's path prints."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import build_tree
from vaultkit import cli as cli_module
from vaultkit import launch, vault
from vaultkit.errors import VaultkitError

TOKENS = [
    "index",
    "--vault",
    "v",
    "--vault=v",
    "--vault=",
    "--vault=-x",
    "--debug",
    "--strict",
    "--adopt-summary",
    "-h",
    "--",
    "-x",
    "new",
]


class Called(Exception):
    """Raised by the stand-in for run_index, with what the command was asked to do."""


class HandedToClick(Exception):
    pass


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[object, ...]]]:
    """Both paths end in run_index(open_vault(--vault), --strict, --adopt-summary)
    and hand what it raises to report(exc, --debug): record those four."""
    seen: list[tuple[object, ...]] = []

    def run_index(vault_option, strict, adopt_summary, echo, progress=None):
        raise Called(vault_option, strict, adopt_summary)

    def report(exc, debug, echo):
        assert isinstance(exc, Called)
        vault_option, strict, adopt_summary = exc.args
        seen.append((vault_option, debug, strict, adopt_summary))
        return 0

    def click_main():
        raise HandedToClick

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vault, "open_vault", lambda option: option)
        patch.setattr(launch, "run_index", run_index)
        patch.setattr(launch, "report", report)
        patch.setattr(cli_module, "main", click_main)
        yield seen


def reads(args: list[str]) -> tuple[tuple[object, ...] | None, tuple[object, ...] | None]:
    """What the entry point runs itself for `args` (None: it hands them to
    click), and what click's path runs for them (None: no index)."""
    with recording() as seen:
        argv, sys.argv = sys.argv, ["vaultkit", *args]
        try:
            launch.main()
        except HandedToClick:
            seen.append(None)  # type: ignore[arg-type]
        except SystemExit as exc:
            assert exc.code == 0
        finally:
            sys.argv = argv
        CliRunner().invoke(cli_module.cli, args)
        seen.append(None)  # type: ignore[arg-type]
        return seen[0], seen[1]


def test_the_plain_forms_are_taken_and_everything_else_goes_to_click():
    assert launch.plain_index(["index"]) == (None, False, False, False)
    assert launch.plain_index(["--vault", "v", "index", "--strict"]) == ("v", False, True, False)
    assert launch.plain_index(["--debug", "--vault=v", "index", "--adopt-summary", "--strict"]) == (
        "v",
        True,
        True,
        True,
    )
    for args in (
        [],
        ["--help"],
        ["index", "--help"],
        ["--version"],
        ["new", "reflection"],
        ["--vault", "index"],  # the vault is called index; no command
        ["--vault", "--debug", "index"],  # click takes --debug as the vault
        ["--vault=", "index"],
        ["--vault", "a", "--vault", "b", "index"],
        ["index", "--strict", "--strict"],
        ["index", "--stric"],
    ):
        assert launch.plain_index(args) is None, args


def test_every_short_invocation_the_entry_point_takes_reads_as_click_reads_it():
    taken = 0
    for length in range(4):
        for args in itertools.product(TOKENS, repeat=length):
            quick, by_click = reads(list(args))
            if quick is not None:
                taken += 1
                assert by_click == quick, args
    # Counted by hand from TOKENS: `index`; 4 of two tokens; 11 of three, among
    # them `--vault index index` and `--vault new index`.
    assert taken == 16


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=4, max_size=7))
def test_longer_invocations_read_as_click_reads_them(args):
    quick, by_click = reads(args)
    if quick is not None:
        assert by_click == quick


@pytest.mark.parametrize(
    "exc, code, message",
    [
        (VaultkitError("no such folder"), 1, "Error: no such folder"),
        (KeyboardInterrupt(), 130, "Interrupted."),
        (
            KeyError("a line of a note"),
            1,
            "Error: vaultkit failed unexpectedly (KeyError); run again with --debug for the details and report it",
        ),
    ],
)
def test_report_says_what_failed_without_quoting_notes(exc, code, message):
    said: list[tuple[str, bool]] = []
    assert launch.report(exc, False, lambda text, err=False: said.append((text, err))) == code
    assert said == [(message, True)]


# ---------------------------------------------------------------- whole processes

_CLICK_MAIN = "import sys; from vaultkit.cli import main; sys.exit(main())"


def _run(entry: list[str], args: list[str], cwd: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VAULTKIT_VAULT"}
    done = subprocess.run([sys.executable, *entry, *args], capture_output=True, cwd=cwd, env=env)
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")


@pytest.mark.slow
def test_the_entry_point_prints_and_exits_as_the_click_command(tmp_path):
    original = tmp_path / "original"
    build_tree(
        original,
        {
            ".vaultkit/config.yaml": "# settings\n",
            "a.md": "---\nactions: ['[ ] Walk', '[x] Call my sister']\n---\n",
            "broken.md": "---\nactions: [unclosed\n---\n",
            "a.sync-conflict-20261129-101010-ABCDEFG.md": "---\nactions: ['[ ] Walk']\n---\n",
            "Sub/b.md": b"\xff\xfe\x00binary",
        },
    )
    (original / "caf\xe9".encode("latin-1").decode(errors="surrogateescape")).with_suffix(".md").write_bytes(
        b"---\nactions: ['[ ] Tea']\n---\n"
    )
    outputs = {}
    for name, entry in (("launch", ["-m", "vaultkit"]), ("click", ["-c", _CLICK_MAIN])):
        copy = tmp_path / name / "vault"
        shutil.copytree(original, copy, symlinks=True)
        outputs[name] = [
            _run(entry, ["--vault", str(copy), "index"], tmp_path),
            _run(entry, ["--vault", str(copy), "index", "--strict"], tmp_path),
            _run(entry, ["index"], copy / "Sub"),  # the vault found from a folder inside it
            _run(entry, ["--vault", str(tmp_path / "none"), "index"], tmp_path),
            _run(entry, ["index"], tmp_path),  # not in a vault
        ]
        summary = (copy / "Integration Actions.md").read_text()
        assert "Walk" in summary and "`caf\ufffd.md`" in summary  # listed as unreadable
    assert outputs["launch"] == outputs["click"]
    first, strict, inside, missing, outside = outputs["launch"]
    assert first[0] == 0 and "updated" in first[1] and "warning: broken.md" in first[2]
    assert "warning: caf\ufffd.md: the file name is not UTF-8" in first[2]
    assert strict[0] == 1 and strict[2].endswith("could not be read (see above)\n")
    assert inside[0] == 0 and "unchanged" in inside[1]
    assert missing[0] == 1 and "no such folder" in missing[2]
    assert outside[0] == 1 and "is not inside a vault" in outside[2]
