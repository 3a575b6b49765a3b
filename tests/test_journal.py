"""Writing a note in a real terminal: multi-line and pasted answers, the editor
for one answer, Ctrl-C and --resume, checked answers, the check-in review.

Each test drives `vaultkit new` in a pseudo-terminal (pexpect) the way a person
types; the note on disk is what is checked."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import stat
import sys
from pathlib import Path

import pexpect
import pytest

from tests.helpers import build_tree, default_sigint

pytestmark = pytest.mark.slow

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"  # what a terminal sends around a paste
CTRL_C, CTRL_D, CTRL_O = "\x03", "\x04", "\x0f"
ANSWER_READY = re.escape("\x1b[?2004h")  # the prompt is up: it has turned bracketed paste on


def spawn(vault: Path, *args: str, **env: str) -> pexpect.spawn:
    environ = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "VAULTKIT_VAULT")}
    # pexpect is not a terminal emulator: it can't answer a cursor-position query.
    environ.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", **env)
    return pexpect.spawn(
        sys.executable,
        ["-m", "vaultkit", "--vault", str(vault), "new", *args],
        env=environ,
        encoding="utf-8",
        dimensions=(40, 100),
        timeout=20,
        preexec_fn=default_sigint,  # Ctrl-C outside a prompt is a signal: never one it ignores
    )


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def note(vault: Path) -> str:
    (path,) = (vault / "Integration").rglob("*.md")
    return path.read_text()


def section(text: str, heading: str) -> str:
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0].strip()


def test_a_pasted_block_stays_in_the_answer_it_was_pasted_into(vault: Path) -> None:
    child = spawn(vault, "reflection")
    child.expect("What happened")
    child.expect(ANSWER_READY)
    child.send(f"{PASTE_START}Pasted one\nPasted two\nPasted three{PASTE_END}")
    child.send("\r\r")  # a new line, then Enter on the empty line: done
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)  # write the note now
    assert finish(child) == 0

    text = note(vault)
    assert section(text, "What happened") == "Pasted one\nPasted two\nPasted three"
    assert section(text, "What came up").startswith("<!-- prompt: What came up")


def test_an_answer_runs_to_paragraphs(vault: Path) -> None:
    child = spawn(vault, "reflection")
    child.expect(ANSWER_READY)
    child.send("First paragraph,\rstill the first.\r\x1b\rSecond paragraph.\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send("\r")  # Enter straight away: skipped
    child.expect("Where might that come from")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0

    text = note(vault)
    assert section(text, "What happened") == "First paragraph,\nstill the first.\n\nSecond paragraph."
    assert section(text, "What came up").startswith("<!-- prompt:")


def test_one_key_writes_the_answer_in_the_editor_inside_the_vault(vault: Path, tmp_path: Path) -> None:
    log = tmp_path / "editor.log"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import os, stat, sys\n"
        f"open({str(log)!r}, 'a').write(sys.argv[1] + ' ' + oct(stat.S_IMODE(os.stat(sys.argv[1]).st_mode)) + '\\n')\n"
        "with open(sys.argv[1], 'a') as f:\n"
        "    f.write('\\nand more, from the editor\\n')\n"
    )
    child = spawn(vault, "reflection", VISUAL=f"{sys.executable} {editor}")
    child.expect(ANSWER_READY)
    child.send("Typed first")
    child.send(CTRL_O)
    child.expect("What came up")  # closing the editor finished the answer
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0

    assert section(note(vault), "What happened") == "Typed first\nand more, from the editor"
    ((edited, mode),) = [line.rsplit(" ", 1) for line in log.read_text().splitlines()]
    assert Path(edited).parent == vault / ".vaultkit" / "drafts"  # never /tmp: it is note text
    assert mode == "0o600"  # owner-only while the editor has it
    assert not Path(edited).exists()


def test_an_editor_that_fails_leaves_the_typed_answer_as_it_was(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "failing-editor.py"
    editor.write_text(
        "import sys\nwith open(sys.argv[1], 'a') as f:\n    f.write('never kept')\nsys.exit(3)\n"
    )
    child = spawn(vault, "reflection", VISUAL=f"{sys.executable} {editor}")
    child.expect(ANSWER_READY)
    child.send("Typed first")
    child.send(CTRL_O)
    child.expect("your answer is as it was")
    child.expect(ANSWER_READY)  # back at the same answer
    child.send("\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0

    assert section(note(vault), "What happened") == "Typed first"
    assert not list((vault / ".vaultkit" / "drafts").glob("answer-*"))


def test_ctrl_c_keeps_the_answers_and_resume_picks_up_at_the_next_question(vault: Path, run) -> None:
    child = spawn(vault, "reflection")
    child.expect(ANSWER_READY)
    child.send("The first answer\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send("half a thought")
    child.send(CTRL_C)
    child.expect("vaultkit new reflection --resume")
    assert finish(child) == 130
    assert not (vault / "Integration").exists()
    draft = vault / ".vaultkit" / "drafts" / "reflection.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    kept = json.loads(draft.read_text())
    assert kept["answers"][:2] == ["The first answer", None]
    assert kept["unfinished"] == "half a thought"  # the answer being typed is kept too

    # Starting over would bury the draft: refused, with both ways out.
    again = run("new", "reflection", input="\n")
    assert again.exit_code == 1
    assert "--resume" in again.stderr and "--discard-draft" in again.stderr
    assert json.loads(draft.read_text())["answers"][0] == "The first answer"

    child = spawn(vault, "reflection", "--resume")
    child.expect("What came up")
    assert "What happened" not in child.before
    child.expect("what you were writing when you stopped")
    child.expect(ANSWER_READY)
    child.send(", and the rest of it\r\r")  # the cursor is after the kept words
    child.expect("Where might that come from")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0

    text = note(vault)
    assert section(text, "What happened") == "The first answer"
    assert section(text, "What came up") == "half a thought, and the rest of it"
    assert not draft.exists()


def test_mood_is_asked_again_until_it_is_a_number_from_0_to_10(vault: Path) -> None:
    build_tree(
        vault,
        {".vaultkit/templates/feel.md": "---\ntype: feel\nmood:\n---\n<!-- prompt(mood): Mood today -->\n"},
    )
    child = spawn(vault, "feel")
    child.expect("Mood today")
    child.send("seven\r")
    child.expect("number from 0 to 10")
    child.send("11\r")
    child.expect("number from 0 to 10")
    child.send("7\r")
    assert finish(child) == 0
    assert "\nmood: 7\n" in note_any(vault)


def note_any(vault: Path) -> str:
    (path,) = [p for p in vault.rglob("*.md") if ".vaultkit" not in p.parts]
    return path.read_text()


def test_actions_at_the_prompt_understand_boxes_prefixes_and_a_one_key_domain(vault: Path) -> None:
    build_tree(vault, {".vaultkit/templates/todo.md": "---\ntype: todo\nactions: []\n---\n"})
    child = spawn(vault, "todo")
    child.expect("Anything you want to do")
    child.send("[ ] Book the follow-up\r")
    child.expect(r"Domain\? 1 mind 2 body")
    child.send("5")
    child.expect("#lifestyle")
    child.send("internal: Notice when I hold my breath\r")
    child.expect(r"Domain\?")
    child.send("\r")  # no domain
    child.send("\r")  # an empty line ends the list
    child.expect("change inside")
    child.send("[x] Let the day be slow #body\r")  # a tag typed: asked too, Enter keeps it
    child.expect(r"Domain\? .*, Enter: body \(its tag\)")
    child.send("\r")
    child.expect(r"  #body\r\n")
    child.send("\r")  # only an empty line at the action prompt ends the list
    assert finish(child) == 0
    assert (
        "actions:\n"
        '  - "[ ] Book the follow-up #lifestyle"\n'
        '  - "[ ] inner: Notice when I hold my breath"\n'
        f'  - "[x] inner: Let the day be slow #body ✅ {today_in(vault)}"\n'
    ) in re.sub(r' \^[0-9a-f]{10}"', '"', note_any(vault))


def today_in(vault: Path) -> str:
    from vaultkit.config import logical_today, now
    from vaultkit.fs import load_vault

    config = load_vault(vault).config
    return logical_today(now(config), config.day_starts_at).isoformat()


def test_the_check_in_review_comes_first_newest_first_with_help(vault: Path) -> None:
    build_tree(
        vault,
        {
            "old.md": "---\ntype: reflection\ndate: 2026-10-01\nsession: 1\nactions:\n  - Older thing\n---\n",
            "new.md": "---\ntype: reflection\ndate: 2026-11-01\nsession: 2\nactions:\n  - Newer thing\n---\n",
        },
    )
    child = spawn(vault, "check-in", "--date", "2026-11-09")
    child.expect("2 actions still open, newest first")
    child.expect(r"Newer thing  \(new\)  \[d/k/x/\?\]")
    child.send("?")
    child.expect("let it go")
    child.expect(r"Newer thing  \(new\)")
    child.send("d")
    child.expect(r"Older thing  \(old\)")
    child.send("\r")  # keep
    child.expect("Mood today")  # the questions come after the review
    child.send(CTRL_D)
    assert finish(child) == 0
    assert '"[x] Newer thing ✅ 2026-11-09"' in (vault / "new.md").read_text()
    assert "Older thing\n" in (vault / "old.md").read_text()


def test_a_future_date_is_confirmed_on_a_terminal(vault: Path) -> None:
    child = spawn(vault, "reflection", "--date", "2030-01-01")
    child.expect(r"2030-01-01 is in the future \(today is .*\)\. Write it anyway\? \[y/N\]")
    child.send("n")
    child.expect("nothing written")
    assert finish(child) == 1
    assert not (vault / "Integration").exists()

    child = spawn(vault, "reflection", "--date", "2030-01-01")
    child.expect(r"\[y/N\]")
    child.send("y")
    child.expect(ANSWER_READY)
    child.send("\r")  # one question skipped: Ctrl-D before any answer would leave without a note
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    assert "\ndate: 2030-01-01\n" in note(vault)


def test_a_one_line_answer_after_a_multi_line_one_takes_one_enter(vault: Path) -> None:
    build_tree(
        vault,
        {
            ".vaultkit/templates/two.md": "---\ntype: two\nmood:\n---\n"
            "<!-- prompt: What stayed with you? -->\n<!-- prompt(mood): Mood now -->\n"
        },
    )
    child = spawn(vault, "two")
    child.expect(ANSWER_READY)
    child.send("A long answer\r\r")
    child.expect("Mood now")
    child.expect(ANSWER_READY)
    child.send("7\r")  # once: the mood prompt must not keep the multi-line keys
    assert finish(child) == 0
    text = note_any(vault)
    assert "\nmood: 7\n" in text and "A long answer" in text


def test_ctrl_c_before_any_answer_leaves_no_draft_behind(vault: Path, run) -> None:
    child = spawn(vault, "reflection")
    child.expect(ANSWER_READY)
    child.send(CTRL_C)
    assert finish(child) == 130
    assert "draft" not in child.before
    assert not (vault / ".vaultkit" / "drafts" / "reflection.json").exists()
    assert run("new", "reflection", input="").exit_code == 0  # nothing stands in the way


@pytest.mark.parametrize("stop", ["ctrl-c", "hang-up"])
def test_ctrl_c_or_a_hang_up_at_the_domain_question_keeps_the_action(vault: Path, stop: str) -> None:
    build_tree(vault, {".vaultkit/templates/todo.md": "---\ntype: todo\nactions: []\n---\n"})
    child = spawn(vault, "todo")
    child.expect("Anything you want to do")
    child.expect(ANSWER_READY)
    child.send("Phone my therapist\r")
    child.expect(r"Domain\?")
    if stop == "ctrl-c":
        child.send(CTRL_C)
    else:
        child.kill(signal.SIGHUP)
    assert finish(child) == 130
    draft = json.loads((vault / ".vaultkit" / "drafts" / "todo.json").read_text())
    assert [a["text"] for a in draft["actions"]] == ["Phone my therapist"]


def test_words_typed_or_pasted_at_the_domain_question_start_the_next_actions(vault: Path) -> None:
    build_tree(vault, {".vaultkit/templates/todo.md": "---\ntype: todo\nactions: []\n---\n"})
    child = spawn(vault, "todo")
    child.expect("Anything you want to do")
    child.expect(ANSWER_READY)
    child.send("Walk in the forest\r")
    child.expect(r"Domain\?")
    child.send("Read a book\r")  # typed as if it were the next prompt: nothing taken for a domain
    child.expect(r"Domain\?")
    child.send(f"{PASTE_START}Call mom\nSleep early{PASTE_END}")  # a block pasted there
    child.expect(r"Call mom · Domain\?")  # each of its lines is asked about, by name
    child.send("\r")
    child.expect(r"Sleep early · Domain\?")
    child.send("\r")
    child.send("\r")  # an empty line ends the list
    child.expect("change inside")
    child.send("\r")
    assert finish(child) == 0
    listed = re.findall(r'  - "\[ \] (.*?) \^[0-9a-f]{10}"', note_any(vault))
    assert listed == ["Walk in the forest", "Read a book", "Call mom", "Sleep early"]


def test_ctrl_d_before_any_answer_leaves_without_a_note(vault: Path, run) -> None:
    child = spawn(vault, "reflection")
    child.expect("What happened")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    child.expect(r"Nothing was written \(Ctrl-D before any answer\)\.")
    assert finish(child) == 130  # as Ctrl-C: nothing made, no path printed
    assert not (vault / "Integration").exists()
    assert not (vault / ".vaultkit" / "drafts" / "reflection.json").exists()

    # At the first action, and at the check-in's first review question, too.
    build_tree(
        vault,
        {
            ".vaultkit/templates/todo.md": "---\ntype: todo\nactions: []\n---\n",
            "old.md": "---\ntype: reflection\ndate: 2026-11-20\nsession: 1\nactions:\n  - Older thing\n---\n",
        },
    )
    child = spawn(vault, "todo")
    child.expect("Anything you want to do")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    child.expect("Nothing was written")
    assert finish(child) == 130
    child = spawn(vault, "check-in")
    child.expect(r"Older thing  \(old\)  \[d/k/x/\?\]")
    child.send(CTRL_D)
    child.expect("Nothing was written")
    assert finish(child) == 130
    assert [p.name for p in vault.rglob("*.md") if ".vaultkit" not in p.parts] == ["old.md"]
    assert "Older thing\n" in (vault / "old.md").read_text()


def test_ctrl_d_after_an_answer_or_a_skip_writes_the_note_now(vault: Path) -> None:
    child = spawn(vault, "reflection")
    child.expect(ANSWER_READY)
    child.send("\r")  # skipped: an answer too, so the note is wanted
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    assert section(note(vault), "What happened").startswith("<!-- prompt:")

    child = spawn(vault, "reflection", "--title", "Second")
    child.expect(ANSWER_READY)
    child.send("Typed, then Ctrl-D")
    child.send(CTRL_D)  # the words typed are the answer
    assert finish(child) == 0
    written = (vault / "Integration" / "2026" / "2026-12-01 Second.md").read_text()
    assert section(written, "What happened") == "Typed, then Ctrl-D"


def test_the_domain_question_comes_after_every_action_and_enter_there_never_ends_the_list(
    vault: Path,
) -> None:
    """The trap: a tagged action was not asked, so an Enter meant as "no domain"
    ended the list and the next action landed among the inner ones."""
    build_tree(vault, {".vaultkit/templates/todo.md": "---\ntype: todo\nactions: []\n---\n"})
    child = spawn(vault, "todo")
    child.expect("Anything you want to do")
    child.expect(ANSWER_READY)
    child.send("Walk by the river #nature\r")
    child.expect(r"Domain\? .*, Enter: nature \(its tag\)")
    child.send("\r")  # meant as "no domain": keeps the tag, and the list goes on
    child.expect(r"  #nature\r\n")
    child.expect(ANSWER_READY)
    child.send("Stretch in the morning #mind\r")
    child.expect(r"Enter: mind \(its tag\)")
    child.send("2")  # a key replaces the tag
    child.expect(r"  #body\r\n")
    child.expect(ANSWER_READY)
    child.send(f"{PASTE_START}Call mom\nSleep early{PASTE_END}\r")
    child.expect(r"Call mom · Domain\?")
    child.send("4")
    child.expect(r"Sleep early · Domain\?")
    assert "> Sleep early" not in child.before  # a pasted line is shown once, not echoed again
    child.send("\r")  # none
    child.expect(ANSWER_READY)
    child.send("\r")  # the empty line at the action prompt: the end of this list
    child.expect("change inside")
    child.expect(ANSWER_READY)
    child.send("Be gentle with myself\r")
    child.expect(r"Domain\?")
    child.send(CTRL_D)  # writes the note now, with this action
    assert finish(child) == 0
    listed = re.findall(r'  - "\[ \] (.*?) \^[0-9a-f]{10}"', note_any(vault))
    assert listed == [
        "Walk by the river #nature",
        "Stretch in the morning #body",
        "Call mom #relationships",
        "Sleep early",
        "inner: Be gentle with myself",
    ]


def test_nothing_typed_after_the_last_question_reaches_the_shell(vault: Path, tmp_path: Path) -> None:
    """Words typed while the note is being finished (here: while --edit's editor
    runs, which reads nothing) are thrown away, not run by the shell after."""
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, time\nprint('EDITOR RUNNING', flush=True)\ntime.sleep(2)\n")
    new = shlex.join([sys.executable, "-m", "vaultkit", "--vault", str(vault), "new", "reflection", "--edit"])
    shell = f'{new}; read -r -t 3 line; echo "shell read:[$line]"'
    child = spawn_shell(shell, VISUAL=f"{sys.executable} {editor}")
    child.expect(ANSWER_READY)
    child.send("An answer\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    child.expect("EDITOR RUNNING")
    child.send("more words for the journal\r")  # typed ahead: a shell would try to run them
    child.expect(r"Integration/2026/2026-12-01 Reflection\.md")
    child.expect(r"shell read:\[(.*)\]")
    assert child.match.group(1) == ""
    assert finish(child) == 0


def spawn_shell(command: str, **env: str) -> pexpect.spawn:
    """`command` run by bash in a pseudo-terminal: what a person's shell would get."""
    environ = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR", "VAULTKIT_VAULT")}
    environ.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", **env)
    return pexpect.spawn(
        "bash", ["--norc", "-c", command], env=environ, encoding="utf-8", dimensions=(40, 100), timeout=20
    )


def test_a_draft_resumed_days_later_asks_which_day_to_write_it_for(vault: Path) -> None:
    child = spawn(vault, "reflection", VAULTKIT_NOW="2026-11-24T10:00")
    child.expect(ANSWER_READY)
    child.send("Written a week ago\r\r")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_C)
    assert finish(child) == 130
    draft = vault / ".vaultkit" / "drafts" / "reflection.json"
    kept = draft.read_text()

    child = spawn(vault, "reflection", "--resume")  # a week later: the suite's day, 2026-12-01
    child.expect(re.escape("This draft of a reflection was started 2026-11-24 10:00."))
    child.expect(re.escape("Write it for 2026-11-24 or today (2026-12-01)? [d/t]"))
    child.send(CTRL_D)  # leaves: no day chosen, nothing written
    child.expect(re.escape("Nothing was written; the draft waits: `vaultkit new reflection --resume`."))
    assert finish(child) == 130
    assert draft.read_text() == kept
    assert not (vault / "Integration").exists()

    child = spawn(vault, "reflection", "--resume")
    child.expect(r"\[d/t\]")
    child.send("\r")  # Enter chooses no day
    child.send("t")
    child.expect("Reflection for session 1, 2026-12-01")
    child.expect("What came up")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    text = (vault / "Integration" / "2026" / "2026-12-01 Reflection.md").read_text()
    assert "\ndate: 2026-12-01\n" in text
    assert section(text, "What happened") == "Written a week ago"

    # "d" keeps the draft's day.
    child = spawn(vault, "reflection", "--title", "Older", VAULTKIT_NOW="2026-11-24T10:00")
    child.expect(ANSWER_READY)
    child.send("Still about that day\r\r")
    child.expect("What came up")
    child.send(CTRL_C)
    assert finish(child) == 130
    child = spawn(vault, "reflection", "--resume")
    child.expect(r"\[d/t\]")
    child.send("d")
    child.expect("Reflection for session 1, 2026-11-24")
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    text = (vault / "Integration" / "2026" / "2026-11-24 Older.md").read_text()
    assert section(text, "What happened") == "Still about that day"

    # A day chosen today (--date) is not asked about again the same day.
    child = spawn(vault, "reflection", "--date", "2026-11-30", "--title", "Yesterday's")
    child.expect(ANSWER_READY)
    child.send("Last night\r\r")
    child.expect("What came up")
    child.send(CTRL_C)
    assert finish(child) == 130
    child = spawn(vault, "reflection", "--resume")
    child.expect("What came up")
    assert "[d/t]" not in child.before
    child.expect(ANSWER_READY)
    child.send(CTRL_D)
    assert finish(child) == 0
    assert (vault / "Integration" / "2026" / "2026-11-30 Yesterday's.md").exists()
