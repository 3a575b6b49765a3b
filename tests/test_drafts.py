"""Every word that reached vaultkit survives a kill, an unwritable folder, a
broken draft and another device's copy of it (issue 30, point 2).

Through the CLI: a real pseudo-terminal and real signals for the answer being
typed, piped input for the rest. What is on disk, and what the person is
told, is what is checked."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers import build_tree, read_until
from tests.test_journal import (
    ANSWER_READY,
    CTRL_D,
    CTRL_O,
    PASTE_END,
    PASTE_START,
    finish,
    note,
    section,
    spawn,
)
from tests.test_new_checks import piped_new

DRAFT = ".vaultkit/drafts/reflection.json"


def typed_two_lines(vault: Path) -> pexpect.spawn:
    """`new reflection` with the first answer given and two lines of the second
    typed, each ended with Enter: the answer is still being written."""
    child = spawn(vault, "reflection")
    child.expect(ANSWER_READY)
    child.send("The first answer\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send("A first line\rA second line\r")
    return child


def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:g} s", pytrace=False)
        time.sleep(0.05)


def unfinished(vault: Path) -> str:
    try:
        return str(json.loads((vault / DRAFT).read_text()).get("unfinished", ""))
    except (OSError, ValueError):
        return ""


def resume_and_finish(vault: Path) -> str:
    """`--resume`: the lines kept are offered again at the question they were
    typed for; one more line and the note is written. The note's text."""
    child = spawn(vault, "reflection", "--resume")
    child.expect("What came up")
    child.expect("what you were writing when you stopped")
    child.expect(ANSWER_READY)
    child.send("\rA third line\r\r")
    child.expect("Where might that come from")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    return note(vault)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_hang_up_or_kill_mid_answer_keeps_the_lines_typed(vault: Path, sig: signal.Signals) -> None:
    child = typed_two_lines(vault)
    child.send("and half a thi")  # not yet ended with Enter: kept too
    child.expect("and half a thi")  # read and shown: the signal comes after
    child.kill(sig)
    assert finish(child) == 130  # as Ctrl-C: stopped, the words kept
    assert unfinished(vault).startswith("A first line\nA second line")
    assert "and half a thi" in unfinished(vault)

    text = resume_and_finish(vault)
    assert section(text, "What happened") == "The first answer"
    assert section(text, "What came up").startswith("A first line\nA second line")
    assert section(text, "What came up").endswith("A third line")
    assert not (vault / DRAFT).exists()


@pytest.mark.slow
def test_each_enter_saves_the_answer_so_far_so_even_sigkill_loses_no_line(vault: Path) -> None:
    child = typed_two_lines(vault)
    wait_for(lambda: unfinished(vault) == "A first line\nA second line")  # saved at the Enter
    child.kill(signal.SIGKILL)
    finish(child)
    text = resume_and_finish(vault)
    assert section(text, "What came up") == "A first line\nA second line\nA third line"


@pytest.mark.slow
def test_a_pasted_block_is_saved_as_it_lands(vault: Path) -> None:
    child = spawn(vault, "reflection")
    child.expect(ANSWER_READY)
    child.send(f"{PASTE_START}Pasted one\nPasted two{PASTE_END}")
    wait_for(lambda: unfinished(vault) == "Pasted one\nPasted two")
    child.kill(signal.SIGKILL)
    finish(child)
    child = spawn(vault, "reflection", "--resume")
    child.expect("what you were writing when you stopped")
    child.expect(ANSWER_READY)
    child.send("\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    assert section(note(vault), "What happened") == "Pasted one\nPasted two"


@pytest.mark.slow
def test_a_closed_terminal_keeps_the_lines_typed(vault: Path) -> None:
    child = typed_two_lines(vault)
    child.send("still typing")
    child.expect("still typing")
    child.ptyproc.fileobj.close()  # the terminal window is closed: the kernel hangs up
    wait_for(lambda: not child.isalive())
    assert "still typing" in unfinished(vault)
    assert unfinished(vault).startswith("A first line\nA second line")
    assert not (vault / "Integration").exists()  # a hang-up is not Ctrl-D: no note half-written


def test_an_unwritable_drafts_folder_falls_back_to_another_owner_only_place(vault: Path, run) -> None:
    """`.vaultkit/drafts` is a file (a sync client's doing): no one, root
    included, can write a draft there."""
    (vault / ".vaultkit/drafts").write_text("not a folder")
    child, seen = piped_new(vault, b"The first answer\n", b"What came up")
    assert child.stderr is not None
    child.send_signal(signal.SIGINT)
    seen += read_until(child.stderr, None)
    assert child.wait(timeout=20) == 130
    said = seen.decode()
    assert "failed unexpectedly" not in said
    assert said.count(".vaultkit-drafts") >= 1
    assert (
        "Note: drafts can't be saved in .vaultkit/drafts (not a directory); "
        "they are kept in .vaultkit-drafts/ instead (owner-only)"
    ) in said
    kept = vault / ".vaultkit-drafts/reflection.json"
    assert json.loads(kept.read_text())["answers"][0] == "The first answer"
    assert kept.stat().st_mode & 0o077 == 0 and kept.parent.stat().st_mode & 0o077 == 0

    status = run("status").stdout
    assert "Draft waiting: a reflection started" in status and "--resume" in status
    result = run("new", "reflection", "--resume", input="Then more\n")
    assert result.exit_code == 0, result.output
    text = (vault / result.stdout.splitlines()[-1]).read_text()
    assert section(text, "What happened") == "The first answer"
    assert section(text, "What came up") == "Then more"
    assert not kept.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder without write permission")
def test_a_read_only_drafts_folder_falls_back_too(vault: Path, run) -> None:
    drafts = vault / ".vaultkit/drafts"
    drafts.mkdir(mode=0o500)
    try:
        result = run("new", "reflection", "--title", "One", input="An answer\n")
        assert result.exit_code == 0, result.output
        assert "they are kept in .vaultkit-drafts/ instead" in result.stderr
    finally:
        drafts.chmod(0o700)


HOSTILE = {
    "not JSON": ("{ half written", "cannot read the draft .vaultkit/drafts/reflection.json"),
    "nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "wrong shape": ('{"type": "reflection", "date": "soon"}', "is not a draft this vaultkit understands"),
    "huge": ('{"answers": ["' + "x" * (17 << 20) + '"]}', "over 16 MB"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_draft_is_named_and_discard_draft_sets_it_aside(vault: Path, run, kind: str) -> None:
    text, said = HOSTILE[kind]
    build_tree(vault, {DRAFT: text})
    result = run("new", "reflection", input="\n")
    assert result.exit_code == 1
    assert said in result.stderr and ".vaultkit/drafts/reflection.json" in result.stderr
    assert "vaultkit new reflection --discard-draft" in result.stderr  # what to do
    assert "failed unexpectedly" not in result.stderr
    assert "Draft waiting: .vaultkit/drafts/reflection.json cannot be read" in run("status").stdout

    discarded = run("new", "reflection", "--discard-draft", input="An answer\n")
    assert discarded.exit_code == 0, discarded.output
    aside = vault / ".vaultkit/drafts/reflection.json.discarded"
    assert (
        "Set the draft .vaultkit/drafts/reflection.json aside, unread, as "
        ".vaultkit/drafts/reflection.json.discarded; copy what you need from it, then delete it."
    ) in discarded.stderr
    assert aside.read_text() == text  # nothing in it is lost
    assert not (vault / DRAFT).exists()
    assert "An answer" in (vault / discarded.stdout.splitlines()[-1]).read_text()


def test_a_draft_that_is_a_folder_is_named_and_set_aside(vault: Path, run) -> None:
    (vault / DRAFT).mkdir(parents=True)
    result = run("new", "reflection", input="\n")
    assert result.exit_code == 1
    assert "cannot read the draft .vaultkit/drafts/reflection.json (it is a folder)" in result.stderr
    discarded = run("new", "reflection", "--discard-draft", "--no-input")
    assert discarded.exit_code == 0, discarded.output
    assert (vault / ".vaultkit/drafts/reflection.json.discarded").is_dir()


def a_draft(answers: list[str | None], started: str = "2026-12-01T10:00") -> str:
    return json.dumps(
        {
            "type": "reflection",
            "date": "2026-12-01",
            "session": 1,
            "title": "Reflection",
            "started": started,
            "answers": answers,
        }
    )


SYNCTHING = "reflection.sync-conflict-20261201-101010-ABCDEFG.json"
DROPBOX = "reflection (conflicted copy 2026-12-01).json"


def test_another_devices_copy_of_a_draft_is_offered_and_never_merged(vault: Path, run) -> None:
    mine = a_draft(["Mine", None, None])
    build_tree(
        vault,
        {
            DRAFT: mine,
            f".vaultkit/drafts/{SYNCTHING}": a_draft(["From the phone", None, None], "2026-12-01T09:00"),
            f".vaultkit/drafts/{DROPBOX}": "{ half",
        },
    )
    refused = run("new", "reflection", input="\n")
    assert refused.exit_code == 1
    assert (
        f"Another device's draft of a reflection waits in .vaultkit/drafts/{SYNCTHING} "
        "(started 2026-12-01 09:00, 1 answer); it is kept apart from yours, never merged: "
        f"continue it with `vaultkit new reflection --resume --draft {SYNCTHING}`, or throw it away "
        f"with `vaultkit new reflection --discard-draft --draft {SYNCTHING}`"
    ) in refused.stderr
    assert f".vaultkit/drafts/{DROPBOX} (it cannot be read:" in refused.stderr
    assert f"--discard-draft --draft '{DROPBOX}'" in refused.stderr
    status = run("status").stdout
    assert f"Draft from another device: .vaultkit/drafts/{SYNCTHING}" in status

    # Continuing the phone's draft leaves this device's alone, and the other way round.
    result = run("new", "reflection", "--resume", "--draft", SYNCTHING, "--title", "Phone", input="More\n")
    assert result.exit_code == 0, result.output
    text = (vault / result.stdout.splitlines()[-1]).read_text()
    assert section(text, "What happened") == "From the phone" and "Mine" not in text
    assert section(text, "What came up") == "More"
    assert not (vault / ".vaultkit/drafts" / SYNCTHING).exists()
    assert (vault / DRAFT).read_text() == mine

    thrown = run("new", "reflection", "--discard-draft", "--draft", DROPBOX, "--no-input", "--title", "T")
    assert thrown.exit_code == 0, thrown.output
    assert not (vault / ".vaultkit/drafts" / DROPBOX).exists()
    assert (vault / ".vaultkit/drafts" / f"{DROPBOX}.discarded").read_text() == "{ half"
    assert (vault / DRAFT).read_text() == mine
    resumed = run("new", "reflection", "--resume", input="\n")
    assert "Another device" not in resumed.stderr
    assert section((vault / resumed.stdout.splitlines()[-1]).read_text(), "What happened") == "Mine"


@pytest.mark.slow
def test_a_kill_while_the_editor_is_open_keeps_what_the_editor_saved(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, time\n"
        "open(sys.argv[1], 'a').write('\\nWritten in the editor')\n"
        "print('SAVED', flush=True)\n"
        "time.sleep(2)\n"
    )
    child = spawn(vault, "reflection", VISUAL=f"{sys.executable} {editor}")
    child.expect(ANSWER_READY)
    child.send("Typed first")
    child.send(CTRL_O)
    child.expect("SAVED")
    child.kill(signal.SIGTERM)
    assert finish(child) == 130
    (left,) = (vault / ".vaultkit/drafts").glob("answer-*.md")
    assert left.read_text() == "Typed first\nWritten in the editor"

    child = spawn(vault, "reflection", "--resume")
    child.expect(f"an answer being written in an editor was left in .vaultkit/drafts/{left.name}")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0


@pytest.mark.slow
def test_actions_typed_are_saved_before_their_domain_question_so_sigkill_loses_none(vault: Path) -> None:
    build_tree(vault, {".vaultkit/templates/todo.md": "---\ntype: todo\nactions: []\n---\n"})
    draft = vault / ".vaultkit/drafts/todo.json"

    def saved() -> list[str]:
        try:
            return [a["text"] for a in json.loads(draft.read_text())["actions"]]
        except (OSError, ValueError):
            return []

    child = spawn(vault, "todo")
    child.expect("Anything you want to do")
    child.expect(ANSWER_READY)
    child.send(f"{PASTE_START}Call mom\nSleep early{PASTE_END}\r")
    child.expect(r"Call mom · Domain\?")
    wait_for(lambda: saved() == ["Call mom", "Sleep early"])
    child.kill(signal.SIGKILL)
    finish(child)

    child = spawn(vault, "todo", "--resume")
    child.expect("Anything you want to do")
    child.expect(ANSWER_READY)
    child.send("\r")  # the list is over
    child.expect("change inside")
    child.expect(ANSWER_READY)
    child.send("\r")
    assert finish(child) == 0
    (path,) = [p for p in vault.rglob("*.md") if ".vaultkit" not in p.parts]
    text = path.read_text()
    assert "Call mom" in text and "Sleep early" in text
