"""`vaultkit init`, `new` and `templates` through the CLI, with exact output."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultkit.actions import derive_id
from vaultkit.cli import cli
from vaultkit.config import logical_today
from vaultkit.frontmatter import parse_frontmatter
from vaultkit.fs import load_vault, notes_folder
from vaultkit.practice import parse_date_option

from .helpers import build_tree, snapshot


def meta_of(path: Path) -> dict:
    return parse_frontmatter(path.read_bytes()).meta


# ---------------------------------------------------------------- init / finding the vault


def test_init_creates_owner_only_config_and_is_idempotent(tmp_path):
    runner = CliRunner()
    target = tmp_path / "notes"
    first = runner.invoke(cli, ["init", str(target)])
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0] == (
        f"Made {target} a vault: created .vaultkit/, .vaultkit/config.yaml."
    )
    config = target / ".vaultkit" / "config.yaml"
    assert stat.S_IMODE((target / ".vaultkit").stat().st_mode) == 0o700
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    # Every setting is present, and commented: the file loads as no settings at all.
    text = config.read_text()
    for key in (
        "note_path",
        "summary_path",
        "day_starts_at",
        "ignore",
        "follow_ups",
        "recently_done_days",
        "max_note_mb",
        "file_mode",
        "dir_mode",
    ):
        assert f"# {key}:" in text
    before = snapshot(target, skip_state=False)
    again = runner.invoke(cli, ["init", str(target)])
    assert again.exit_code == 0
    assert again.stdout == (
        f"{target} is already a vault (.vaultkit/config.yaml exists); its files are left as they are.\n"
    )
    assert snapshot(target, skip_state=False) == before


def test_commands_outside_a_vault_fail_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAULTKIT_VAULT", raising=False)
    build_tree(tmp_path, {"stray.md": "---\nactions: [x]\n---\n"})
    result = CliRunner().invoke(cli, ["index"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path} is not inside a vault; run `vaultkit init` in your notes folder, "
        "or pass --vault PATH\n"
    )
    assert not (tmp_path / "Integration Actions.md").exists()
    assert "Traceback" not in result.output


def test_vault_option_must_point_at_a_vault(tmp_path):
    result = CliRunner().invoke(cli, ["--vault", str(tmp_path), "new", "reflection", "--no-input"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --vault {tmp_path} is not a vault (no .vaultkit/ or .obsidian/ folder); "
        f"run `vaultkit init {tmp_path}` to make it one\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_vault_found_from_env_and_from_an_obsidian_ancestor(tmp_path, monkeypatch):
    (tmp_path / "obs" / ".obsidian").mkdir(parents=True)
    (tmp_path / "obs" / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "obs" / "deep" / "er")
    monkeypatch.delenv("VAULTKIT_VAULT", raising=False)
    result = CliRunner().invoke(cli, ["new", "intention", "--no-input", "--date", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Integration/2026/2026-11-20 Intention.md"
    assert (tmp_path / "obs" / "Integration/2026/2026-11-20 Intention.md").is_file()

    other = tmp_path / "other"
    CliRunner().invoke(cli, ["init", str(other)])
    monkeypatch.setenv("VAULTKIT_VAULT", str(other))
    result = CliRunner().invoke(cli, ["new", "intention", "--no-input", "--date", "2026-11-20"])
    assert result.exit_code == 0
    assert (other / "Integration/2026/2026-11-20 Intention.md").is_file()


# ---------------------------------------------------------------- new


def test_new_reflection_no_input_prints_path_last_and_is_owner_only(run, vault):
    result = run("new", "reflection", "--no-input", "--date", "2026-11-24")
    assert result.exit_code == 0
    assert result.stdout == "Integration/2026/2026-11-24 Reflection.md\n"
    note = vault / "Integration/2026/2026-11-24 Reflection.md"
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    meta = meta_of(note)
    assert meta["type"] == "reflection"
    assert str(meta["date"]) == "2026-11-24"
    assert meta["session"] == 1
    assert meta["actions"] == []
    assert "<!-- prompt: What happened" in note.read_text()


def test_new_never_overwrites(run, vault):
    assert run("new", "check-in", "--no-input", "--date", "2026-11-24").exit_code == 0
    note = vault / "Integration/2026/2026-11-24 Check-in.md"
    note.write_text("my own words\n")
    result = run("new", "check-in", "--no-input", "--date", "2026-11-24")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Integration/2026/2026-11-24 Check-in.md already exists; vaultkit never "
        "overwrites a note. Open it, or pick another name with --title\n"
    )
    assert note.read_text() == "my own words\n"


@pytest.mark.parametrize("title", ["../../escape", "/etc/passwd", "..\\..\\escape"])
def test_new_title_cannot_escape_the_vault(run, vault, title):
    before = set(vault.parent.rglob("*"))
    result = run("new", "reflection", "--no-input", "--title", title)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --title cannot hold / or \\")
    assert set(vault.parent.rglob("*")) == before


def test_note_path_pattern_cannot_escape_the_vault(run, vault):
    (vault / ".vaultkit/config.yaml").write_text('note_path: "../{{title}}.md"\n')
    result = run("new", "reflection", "--no-input")
    assert result.exit_code == 1
    assert result.stderr == "Error: '../Reflection.md' leads outside the vault; remove the ..\n"
    assert not (vault.parent / "Reflection.md").exists()


@pytest.mark.parametrize(
    ("pattern", "folder"),
    [
        ("Integration/{{date:YYYY}}/{{date:YYYY-MM-DD}} {{title}}.md", "Integration"),
        ("Journal/Integration/{{title}}", "Journal/Integration"),
        ("{{date:YYYY}}/{{title}}.md", ""),
        ("{{title}}.md", ""),
        ("../out/{{title}}.md", ""),
        ("/elsewhere/{{title}}.md", ""),
    ],
)
def test_new_looks_again_in_the_folder_it_writes_in_and_never_outside_the_vault(vault, pattern, folder):
    """`new` re-reads its own notes and this folder ("" is the whole vault), not every note."""
    plain = load_vault(vault)
    assert notes_folder(plain._replace(config=plain.config._replace(note_path=pattern))) == folder


def test_symlinked_folder_pointing_out_is_refused(run, vault, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (vault / "Integration").symlink_to(outside)
    result = run("new", "reflection", "--no-input", "--date", "2026-11-24")
    assert result.exit_code == 1
    assert "leads outside the vault (through a symlink)" in result.stderr
    assert list(outside.rglob("*")) == []


def test_title_and_note_path_pattern(run, vault):
    (vault / ".vaultkit/config.yaml").write_text(
        'note_path: "Journal/{{date:YYYY-MM}}/{{type}} {{session}} - {{title}}"\n'
    )
    result = run("new", "intention", "--no-input", "--date", "2026-02-03", "--title", "First: hello?")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Journal/2026-02/intention 1 - First hello.md"


def test_prompts_are_asked_and_every_one_can_be_skipped(run, vault):
    answers = (
        "\n".join(
            [
                "Bright light, then quiet",  # what happened
                "",  # what came up (skipped)
                "",  # where from
                "Lighter",  # who am I without it
                "",  # relation to intention
                "6",  # mood
                "",  # anything to bring (skipped)
                "",  # next session's date (skipped)
                "Call my sister",  # external actions
                "Book the follow-up",
                "",
                "Notice when I hold my breath",  # internal actions
                "",
            ]
        )
        + "\n"
    )
    result = run("new", "reflection", "--date", "2026-11-24", input=answers)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Integration/2026/2026-11-24 Reflection.md\n"
    assert "What happened, as plainly as you can put it?" in result.stderr
    note = vault / "Integration/2026/2026-11-24 Reflection.md"
    meta = meta_of(note)
    assert meta["mood"] == 6
    assert meta["actions"] == with_ids(
        "Integration/2026/2026-11-24 Reflection.md",
        "[ ] Call my sister",
        "[ ] Book the follow-up",
        "[ ] inner: Notice when I hold my breath",
    )
    body = note.read_text()
    assert "## What happened\nBright light, then quiet\n" in body
    assert "## Who I am without it\nLighter\n" in body
    assert "<!-- prompt: What came up for you" in body  # skipped: the cue stays


def test_end_of_input_skips_the_remaining_prompts(run, vault):
    result = run("new", "check-in", "--date", "2026-11-24", input="")
    assert result.exit_code == 0
    assert meta_of(vault / "Integration/2026/2026-11-24 Check-in.md")["actions"] == []


def test_action_options_set_kind_by_prefix(run, vault):
    result = run(
        "new",
        "reflection",
        "--no-input",
        "--date",
        "2026-11-24",
        "--action",
        "Call my sister",
        "--action",
        "internal: Be gentle",
        "--action",
        "External:Walk",
    )
    assert result.exit_code == 0
    rel = "Integration/2026/2026-11-24 Reflection.md"
    assert meta_of(vault / rel)["actions"] == with_ids(
        rel, "[ ] Call my sister", "[ ] inner: Be gentle", "[ ] Walk"
    )
    listed = json.loads(run("actions", "--json").stdout)
    assert [a["id"] for a in listed] == [item.rsplit("^", 1)[1] for item in meta_of(vault / rel)["actions"]]


def with_ids(rel: str, *items: str) -> list[str]:
    """Actions as `new` writes them: each with the id vaultkit gives it, as a block id."""
    return [f"{item} ^{derive_id(rel, item)}" for item in items]


def test_sessions_and_links(run, vault):
    assert run("new", "intention", "--no-input", "--date", "2026-11-01").exit_code == 0
    assert (
        run("new", "reflection", "--no-input", "--date", "2026-11-02", "--action", "Call my sister").exit_code
        == 0
    )
    assert run("new", "intention", "--no-input", "--date", "2026-11-20").exit_code == 0
    result = run("new", "reflection", "--no-input", "--date", "2026-11-21")
    folder = vault / "Integration/2026"
    assert meta_of(folder / "2026-11-20 Intention.md")["session"] == 2
    second = meta_of(folder / "2026-11-21 Reflection.md")
    assert second["session"] == 2
    assert second["intention"] == "[[2026-11-20 Intention]]"
    assert 'intention: "[[2026-11-20 Intention]]"' in (folder / "2026-11-21 Reflection.md").read_text()
    assert result.exit_code == 0

    check = run("new", "check-in", "--no-input", "--date", "2026-11-28", "--session", "1")
    assert check.exit_code == 0
    checkin = folder / "2026-11-28 Check-in.md"
    meta = meta_of(checkin)
    assert meta["session"] == 1
    assert meta["intention"] == "[[2026-11-01 Intention]]"
    assert meta["reflection"] == "[[2026-11-02 Reflection]]"
    assert "- Call my sister — [[2026-11-02 Reflection]]" in checkin.read_text()


def test_link_is_path_qualified_when_names_clash(run, vault):
    build_tree(vault, {"Old/2026-11-01 Intention.md": "old note with the same name\n"})
    assert run("new", "intention", "--no-input", "--date", "2026-11-01").exit_code == 0
    assert run("new", "reflection", "--no-input", "--date", "2026-11-02").exit_code == 0
    meta = meta_of(vault / "Integration/2026/2026-11-02 Reflection.md")
    assert meta["intention"] == "[[Integration/2026/2026-11-01 Intention]]"


def test_bad_date_option(run):
    result = run("new", "reflection", "--no-input", "--date", "2026-02-30")
    assert result.exit_code == 1
    assert result.stderr == ("Error: --date '2026-02-30' is not a date; use YYYY-MM-DD, today or yesterday\n")


def test_unknown_type_lists_the_templates(run):
    result = run("new", "diary", "--no-input")
    assert result.exit_code == 1
    assert result.stderr == ("Error: no template named 'diary'; available: check-in, intention, reflection\n")
    typo = run("new", "reflektion", "--no-input")
    assert typo.stderr == (
        "Error: no template named 'reflektion'; did you mean reflection? available: check-in, intention, reflection\n"
    )


def test_template_name_cannot_be_a_path(run, vault, tmp_path):
    (tmp_path / "evil.md").write_text("---\ntype: x\n---\n")
    result = run("new", "../../evil", "--no-input")
    assert result.exit_code == 1
    assert result.stderr == "Error: '../../evil' is not a template name (letters, digits, - and _ only)\n"


def test_usage_error_exits_2(run):
    assert run("new").exit_code == 2
    assert run("new", "reflection", "--session", "x").exit_code == 2


def test_edit_opens_the_editor(run, vault, tmp_path, monkeypatch):
    log = tmp_path / "edited"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$1" > "{log}"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    result = run("new", "reflection", "--no-input", "--edit", "--date", "2026-11-24")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Integration/2026/2026-11-24 Reflection.md"
    assert Path(log.read_text().strip()) == vault / "Integration/2026/2026-11-24 Reflection.md"


# ---------------------------------------------------------------- dates


def test_day_starts_at_moves_small_hours_to_the_day_before():
    assert logical_today(datetime(2026, 11, 25, 1, 30), time(4, 0)).isoformat() == "2026-11-24"
    assert logical_today(datetime(2026, 11, 25, 4, 0), time(4, 0)).isoformat() == "2026-11-25"
    assert logical_today(datetime(2027, 1, 1, 3, 59), time(4, 0)).isoformat() == "2026-12-31"
    assert logical_today(datetime(2026, 11, 25, 1, 30), time(0, 0)).isoformat() == "2026-11-25"


def test_date_option_words():
    today = logical_today(datetime(2026, 3, 1, 2, 0), time(4, 0))
    assert parse_date_option("today", today).isoformat() == "2026-02-28"
    assert parse_date_option("yesterday", today).isoformat() == "2026-02-27"


def test_day_starts_at_in_config_is_read(run, vault):
    (vault / ".vaultkit/config.yaml").write_text("day_starts_at: 04:00\n")  # YAML 1.1 sexagesimal
    from vaultkit.fs import load_vault

    assert load_vault(vault).config.day_starts_at == time(4, 0)


def test_bad_config_value_is_a_clear_error(run, vault):
    (vault / ".vaultkit/config.yaml").write_text('day_starts_at: "late"\n')
    result = run("new", "reflection", "--no-input")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {vault}/.vaultkit/config.yaml:1: day_starts_at must look like \"04:00\" (a time of day, 00:00 to 23:59), not 'late'\n"
    )


def test_a_config_yaml_error_names_the_file_line_and_setting(run, vault):
    (vault / ".vaultkit/config.yaml").write_text('recently_done_days: 7\nignore: ["Archive/**"\n')
    result = run("index")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {vault}/.vaultkit/config.yaml:3 (setting ignore): this file is not valid YAML"
    )
    assert "frontmatter" not in result.stderr


def test_day_starts_at_as_an_hour_is_that_hour(vault):
    from vaultkit.fs import load_vault

    (vault / ".vaultkit/config.yaml").write_text("day_starts_at: 4\n")
    assert load_vault(vault).config.day_starts_at == time(4, 0)
    (vault / ".vaultkit/config.yaml").write_text("day_starts_at: 240\n")
    with pytest.raises(
        Exception, match=r'day_starts_at must look like "04:00" \(a time of day, 00:00 to 23:59\), not 240'
    ):
        load_vault(vault)


# ---------------------------------------------------------------- templates


def test_templates_list_copy_and_custom(run, vault):
    listed = run("templates")
    assert listed.exit_code == 0
    rows = [line.split()[:2] for line in listed.stdout.splitlines()]
    assert rows == [["check-in", "default"], ["intention", "default"], ["reflection", "default"]]

    copied = run("templates", "copy", "reflection")
    assert copied.exit_code == 0
    assert copied.stdout == (
        "Copied to .vaultkit/templates/reflection.md; vaultkit new reflection now uses it.\n"
    )
    own = vault / ".vaultkit/templates/reflection.md"
    own.write_text("---\ntype: reflection\n---\nMy own reflection for {{date:dddd}}\n")
    again = run("templates", "copy", "reflection")
    assert again.exit_code == 1
    assert own.read_text().startswith("---\ntype: reflection\n---\nMy own")

    (vault / ".vaultkit/templates/gratitude.md").write_text(
        "---\ntype: gratitude\nactions: []\n---\n# {{title}}\n<!-- prompt: Three good things? -->\n"
    )
    rows = [line.split()[:3] for line in run("templates").stdout.splitlines()]
    assert ["gratitude", "vault", ".vaultkit/templates/gratitude.md"] in rows
    assert ["reflection", "vault", ".vaultkit/templates/reflection.md"] in rows

    assert run("new", "reflection", "--no-input", "--date", "2026-11-24").exit_code == 0
    body = (vault / "Integration/2026/2026-11-24 Reflection.md").read_text()
    assert body.endswith("My own reflection for Tuesday\n")

    result = run("new", "gratitude", "--date", "2026-11-24", input="Soup\nTea\n\n\n")
    assert result.exit_code == 0
    note = vault / "Integration/2026/2026-11-24 Gratitude.md"
    assert note.read_text().endswith("# Gratitude\nSoup\n")
    assert meta_of(note)["actions"] == with_ids("Integration/2026/2026-11-24 Gratitude.md", "[ ] Tea")


def test_templates_copy_never_replaces_what_is_in_the_way(run, vault, tmp_path):
    folder = vault / ".vaultkit/templates"
    folder.mkdir()
    (folder / "reflection.md").symlink_to(tmp_path / "elsewhere.md")  # a link to nothing: not a template
    refused = run("templates", "copy", "reflection")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: .vaultkit/templates/reflection.md already exists; vaultkit never overwrites a file\n"
    )
    assert not (tmp_path / "elsewhere.md").exists()


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert command.help and len(command.help) > 40, name
        assert "vaultkit" in result.output


def test_version_and_python_dash_m():
    from vaultkit import __version__

    out = subprocess.run(
        [sys.executable, "-m", "vaultkit", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        timeout=60,
    )
    assert out.stdout == f"vaultkit, version {__version__}\n"


def test_init_writes_the_time_zone_and_a_bad_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "v")]).exit_code == 0
    config = (tmp_path / "v/.vaultkit/config.yaml").read_text()
    assert '\ntimezone: "Pacific/Auckland"\n' in config
    (tmp_path / "v/.vaultkit/config.yaml").write_text('timezone: "Mars/Olympus"\n')
    result = runner.invoke(cli, ["--vault", str(tmp_path / "v"), "status"])
    assert result.exit_code == 1
    assert (
        "timezone must be an IANA time zone name like \"Europe/London\", not 'Mars/Olympus'" in result.stderr
    )


def test_shell_completion_offers_template_names_and_action_ids(run, vault):
    """What bash is given when the person presses Tab (click's completion protocol)."""
    (vault / "a.md").write_text('---\nactions:\n  - text: Walk\n    id: walk-far\n  - "[ ] Call Sam"\n---\n')
    run("index")

    def complete(words: str) -> list[str]:
        env = {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
        result = CliRunner().invoke(
            cli, [], prog_name="vaultkit", env={**env, "_VAULTKIT_COMPLETE": "bash_complete"}
        )
        return [line.split(",", 1)[1] for line in result.output.splitlines()]

    assert complete(f"vaultkit --vault {vault} new re") == ["reflection"]
    assert complete(f"vaultkit --vault {vault} done walk") == ["walk-far"]
    assert (
        "walk-far" in complete(f"vaultkit --vault {vault} done ")
        and len(complete(f"vaultkit --vault {vault} done ")) == 2
    )


def test_version_with_debug_says_what_it_runs_on():
    result = CliRunner().invoke(cli, ["--version", "--debug"])
    first, second = result.output.splitlines()
    assert first.startswith("vaultkit, version ")
    assert second.startswith("Python 3.") and "SQLite " in second and "watchdog " in second


def test_vault_and_debug_are_taken_after_the_command_too(vault, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not inside the vault: only --vault can find it
    (vault / "a.md").write_text("---\nactions: [Walk]\n---\n")
    result = CliRunner().invoke(cli, ["index", "--vault", str(vault), "--debug"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 note (1 read, 0 unchanged), 1 open action ")
