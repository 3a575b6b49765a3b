"""`vaultkit init` and Obsidian's .obsidian/types.json; one Properties type per
property name in everything vaultkit writes and in the example vault."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from vaultkit.frontmatter import parse_frontmatter
from vaultkit.journal.templates import Template
from vaultkit.obsidian import PROPERTY_TYPES

from .helpers import build_tree, read_until, snapshot

REPO = Path(__file__).resolve().parent.parent
# types.json as Obsidian writes it: JSON.stringify(…, null, 2), no newline at the end.
OBSIDIANS = (
    '{\n  "types": {\n    "aliases": "aliases",\n    "cssclasses": "multitext",\n    "tags": "tags"\n  }\n}'
)


@pytest.fixture
def obsidian_vault(tmp_path: Path) -> Path:
    root = tmp_path / "Notes"
    build_tree(root, {".obsidian/app.json": "{}", ".obsidian/types.json": OBSIDIANS, "a.md": "# a\n"})
    return root


def init(run, root: Path, *args: str):
    return run("init", str(root), *args, vault_path=root)


def test_without_the_flag_nothing_in_obsidian_changes(run, obsidian_vault):
    before = snapshot(obsidian_vault / ".obsidian")
    result = init(run, obsidian_vault)
    assert result.exit_code == 0, result.output
    assert "vaultkit init --obsidian-types" in result.stdout
    assert snapshot(obsidian_vault / ".obsidian") == before
    assert (obsidian_vault / ".vaultkit/config.yaml").is_file()
    result = init(run, obsidian_vault, "--no-obsidian-types")
    assert snapshot(obsidian_vault / ".obsidian") == before
    assert "its files are left as they are" in result.stdout


def test_the_flag_merges_in_obsidians_own_style(run, obsidian_vault):
    path = obsidian_vault / ".obsidian/types.json"
    path.chmod(0o644)
    result = init(run, obsidian_vault, "--obsidian-types")
    assert result.exit_code == 0, result.output
    assert f"Recorded {len(PROPERTY_TYPES) - 1} property types" in result.stdout  # tags was there
    text = path.read_text()
    # What was there stays first and as it was; vaultkit's names follow, in the same style.
    assert text.startswith(OBSIDIANS[: OBSIDIANS.index('"tags"')] + '"tags": "tags",\n    "type": "text",\n')
    assert text.endswith('    "who5_5": "number"\n  }\n}')
    assert json.loads(text)["types"] == {
        "aliases": "aliases",
        "cssclasses": "multitext",
        **PROPERTY_TYPES,
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # its mode kept
    assert sorted(p.name for p in (obsidian_vault / ".obsidian").iterdir()) == ["app.json", "types.json"]
    again = init(run, obsidian_vault, "--obsidian-types")
    assert "already has a type for each" in again.stdout
    assert path.read_text() == text


def test_other_keys_tabs_and_a_final_newline_are_kept(run, obsidian_vault):
    path = obsidian_vault / ".obsidian/types.json"
    path.write_text('{\n\t"types": {\n\t\t"mood": "text"\n\t},\n\t"later": [1, 2]\n}\n')
    result = init(run, obsidian_vault, "--obsidian-types")
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith('{\n\t"types": {\n\t\t"mood": "text",\n\t\t"type": "text",')
    assert text.endswith('\n\t},\n\t"later": [\n\t\t1,\n\t\t2\n\t]\n}\n')
    # The person's own choice for `mood` stays, and they are told how to change it.
    assert json.loads(text)["types"]["mood"] == "text"
    assert "gives `mood` the type Text, not vaultkit's Number" in result.stderr


def test_a_new_types_file_is_owner_only(run, tmp_path):
    root = build_tree(tmp_path / "v", {".obsidian/app.json": "{}"})
    result = init(run, root, "--obsidian-types")
    assert result.exit_code == 0, result.output
    path = root / ".obsidian/types.json"
    assert json.loads(path.read_text()) == {"types": PROPERTY_TYPES}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_obsidian_writing_types_meanwhile_wins_and_vaultkit_merges_into_it(run, tmp_path, monkeypatch):
    from vaultkit import obsidian

    root = tmp_path / "Notes"
    build_tree(root, {".obsidian/app.json": "{}"})  # no types.json yet
    real = obsidian.merged_types
    calls = []

    def obsidian_saves_once(text):
        calls.append(text)
        if len(calls) == 1:  # Obsidian makes the file after vaultkit found none
            (root / ".obsidian/types.json").write_text(OBSIDIANS)
        return real(text)

    monkeypatch.setattr(obsidian, "merged_types", obsidian_saves_once)
    result = init(run, root, "--obsidian-types")
    assert result.exit_code == 0, result.output
    assert calls == [None, OBSIDIANS]  # made again on Obsidian's text
    types = json.loads((root / ".obsidian/types.json").read_text())["types"]
    assert list(types)[:3] == ["aliases", "cssclasses", "tags"]  # Obsidian's, first and as they were
    assert {name: types[name] for name in PROPERTY_TYPES} == PROPERTY_TYPES


def test_broken_types_file_or_no_obsidian_folder_is_an_error_that_says_what_to_do(
    run, obsidian_vault, tmp_path
):
    path = obsidian_vault / ".obsidian/types.json"
    path.write_text('{"types": {"mood": "number",}}')
    result = init(run, obsidian_vault, "--obsidian-types")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: .obsidian/types.json is not valid JSON")
    assert "fix it or delete it" in result.stderr
    assert path.read_text() == '{"types": {"mood": "number",}}'
    plain = tmp_path / "plain"
    result = init(run, plain, "--obsidian-types")
    assert result.exit_code == 1
    assert "has no .obsidian/ folder" in result.stderr
    assert not plain.exists()  # nothing made: the error comes first


def test_on_a_terminal_init_asks_and_yes_records(tmp_path):
    """A real process on a pseudo-terminal: the offer, answered y."""
    import pty

    root = build_tree(tmp_path / "v", {".obsidian/app.json": "{}"})
    leader, follower = pty.openpty()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultkit", "init", str(root)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    try:
        seen = read_until(leader, b"[y/N]")
        os.write(leader, b"y\n")
        seen += read_until(leader, None)  # to the pty's end, when the process has gone
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert b"Record the types of vaultkit's properties in .obsidian/types.json" in seen
    assert json.loads((root / ".obsidian/types.json").read_text()) == {"types": PROPERTY_TYPES}


# ---------------------------------------------------------------- one type per name


def fits(value: Any, kind: str) -> bool:
    """Whether Obsidian shows `value` as a property of type `kind` (empty fits any)."""
    if value is None:
        return True
    if kind == "text":
        return isinstance(value, str)
    if kind in ("multitext", "tags"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "checkbox":
        return isinstance(value, bool)
    if kind == "date":
        return (isinstance(value, date) and not isinstance(value, datetime)) or (
            isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
        )
    raise AssertionError(kind)


def obsidian_type(value: Any) -> str:
    for kind in ("checkbox", "number", "date", "multitext", "text"):
        if fits(value, kind):
            return kind
    return f"unsupported {type(value).__name__}"


def meta(path: Path) -> dict[str, Any]:
    return parse_frontmatter(path.read_bytes()).meta or {}


def test_every_property_new_writes_has_its_recorded_type(run, vault):
    """Every shipped template, every prompt answered, actions of both kinds, links to the session's notes."""
    written: list[Path] = []
    for kind, day in (("intention", "2026-11-01"), ("reflection", "2026-11-02"), ("check-in", "2026-11-09")):
        template = Template(kind, (REPO / "templates" / f"{kind}.md").read_text(), "default", "")
        answers = [
            "2026-11-02" if p.field == "session_date" else "6" if p.field else "Words"
            for p in template.prompts
        ]
        result = run(
            "new", kind, "--date", day, "--action", "Call Sam", "--action", "internal: Rest",
            input="\n".join(answers) + "\n\n",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        written.append(vault / result.stdout.splitlines()[-1])
    assert run("done", json.loads(run("actions", "--json").stdout)[0]["id"]).exit_code == 0
    seen: set[str] = set()
    for path in written:
        for name, value in meta(path).items():
            assert name in PROPERTY_TYPES, f"{path.name}: {name} has no recorded Obsidian type"
            assert fits(value, PROPERTY_TYPES[name]), f"{path.name}: {name}: {value!r}"
            seen.add(name)
    assert {
        "type",
        "date",
        "session",
        "session_date",
        "intention",
        "reflection",
        "tags",
        "mood",
        "actions",
    } <= seen


def test_the_example_vault_has_one_type_per_property_name():
    types: dict[str, set[str]] = {}
    notes = sorted((REPO / "examples/vault").rglob("*.md"))
    assert len(notes) >= 8
    for path in notes:
        if any(part.startswith(".") for part in path.relative_to(REPO / "examples/vault").parts):
            continue
        for name, value in meta(path).items():
            if name in PROPERTY_TYPES:
                assert fits(value, PROPERTY_TYPES[name]), f"{path.name}: {name}: {value!r}"
            elif value is not None:
                types.setdefault(name, set()).add(obsidian_type(value))
    assert {name: kinds for name, kinds in types.items() if len(kinds) != 1} == {}
    assert all(not kind.startswith("unsupported") for kinds in types.values() for kind in kinds), types


def test_types_are_never_written_through_a_link_out_of_the_vault(tmp_path):
    from click.testing import CliRunner

    from vaultkit.cli import cli

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / ".obsidian").symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(cli, ["--vault", str(folder), "init", "--obsidian-types"])
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr
    assert list(outside.iterdir()) == []


def test_init_takes_the_vault_from_vault_option(tmp_path):
    from click.testing import CliRunner

    from vaultkit.cli import cli

    folder = tmp_path / "v"
    (folder / ".obsidian").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["--vault", str(folder), "init", "--obsidian-types"])
    assert result.exit_code == 0, result.output
    assert json.loads((folder / ".obsidian" / "types.json").read_text())["types"]["covers"] == "text"
    assert (folder / ".vaultkit" / "config.yaml").is_file()


def test_a_types_file_obsidian_is_rewriting_in_place_is_never_replaced_from_an_empty_read(
    run, obsidian_vault
):
    """Obsidian writes types.json in place: truncate, then write. A read in between
    is empty; merging into it and replacing the file would lose the person's types."""
    import threading
    import time

    path = obsidian_vault / ".obsidian/types.json"
    theirs = json.loads(OBSIDIANS)
    with path.open("r+") as handle:
        handle.truncate(0)  # Obsidian's truncate ...

        def finish() -> None:
            time.sleep(0.35)  # ... and its write, a moment later, to the same open file
            handle.write(OBSIDIANS)
            handle.flush()

        writer = threading.Thread(target=finish)
        writer.start()
        result = init(run, obsidian_vault, "--obsidian-types")
        writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    types = json.loads(path.read_text())["types"]
    assert {k: types[k] for k in theirs["types"]} == theirs["types"]  # theirs kept ...
    assert types["actions"] == "multitext"  # ... and vaultkit's merged in


def test_a_types_file_left_empty_is_left_alone(run, obsidian_vault, monkeypatch):
    from vaultkit import obsidian

    monkeypatch.setattr(obsidian, "EMPTY_WAIT", 0.01)
    path = obsidian_vault / ".obsidian/types.json"
    path.write_text("")
    result = init(run, obsidian_vault, "--obsidian-types")
    assert result.exit_code == 1
    assert "is empty, as if Obsidian were writing it; vaultkit left it alone" in result.stderr
    assert path.read_text() == ""


def test_a_types_path_that_is_a_folder_is_a_clear_error(run, obsidian_vault):
    path = obsidian_vault / ".obsidian/types.json"
    path.unlink()
    path.mkdir()
    result = init(run, obsidian_vault, "--obsidian-types")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: .obsidian/types.json is a folder, not a file; vaultkit changed nothing"
    )
    assert path.is_dir()
