"""vaultkit reads, judges and reports only its own notes: those whose frontmatter
has an `actions` key or a `type` naming one of its templates (shipped or the
vault's). Everything else in a vault is left alone, whatever it holds."""

from __future__ import annotations

from .helpers import build_tree

OBSIDIAN_VAULT = {
    ".obsidian/templates.json": '{"folder": "Templates"}',
    # Obsidian's core Templates plugin: placeholders that are not YAML until used
    "Templates/Daily.md": "---\ndate: {{date}}\ntags: [daily]\nmood: {{mood}}\n---\n# {{title}}\n",
    "Templates/Meeting.md": "---\ntype: {{type}}\nattendees: [[\n---\n",
    # the person's own notes with properties of their own
    "Daily/2026-11-20.md": "---\ndate: 2026-11-20\nmood: tired\nsession: soon\n---\nSlept badly.\n",
    "Daily/2026-11-21.md": "---\ntype: daily\nmood: 11\n---\n",
    "Books/Dune.md": "---\ntype: book\nrating: five\nactions_taken: none\n---\n",
    # vaultkit's own, one of them broken
    "Integration/i.md": '---\ntype: intention\ndate: 2026-11-19\nsession: 1\nactions:\n  - "[ ] Walk"\n---\n',
    "Integration/broken.md": "---\ntype: reflection\ndate: 2026-11-20\nmood: [\n---\n",
}


def test_notes_that_are_not_vaultkits_are_never_read_listed_or_reported(vault, run):
    build_tree(vault, OBSIDIAN_VAULT)
    indexed = run("index")
    assert indexed.exit_code == 0, indexed.output
    summary = (vault / "Integration Actions.md").read_text()
    assert "- [ ] Walk — [[i]]" in summary
    for name in ("Daily", "Meeting", "2026-11-20", "2026-11-21", "Dune"):
        assert f"[[{name}]]" not in summary and f"{name}.md" not in indexed.stderr, name
    assert "[[broken]]" in summary  # its raw frontmatter names a template: it is vaultkit's, and broken
    checked = run("check")
    assert checked.exit_code == 1
    assert [line.split(":")[0] for line in checked.stdout.splitlines()] == ["Integration/broken.md"]
    assert "Sessions: 1;" in run("status").stdout  # `session: soon` in a daily note opens nothing


def test_a_note_of_a_vault_template_is_vaultkits(vault, run):
    build_tree(
        vault,
        {
            "Daily/2026-11-20.md": "---\ntype: gratitude\nmood: tired\n---\n",
            "Daily/2026-11-21.md": "---\ntype: gratitude\nmood: 4\n---\n",
        },
    )
    assert run("check").exit_code == 0  # not vaultkit's yet
    build_tree(vault, {".vaultkit/templates/gratitude.md": "---\ntype: gratitude\n---\n"})
    checked = run("check")  # a template of that name makes them vaultkit's: read again, judged
    assert checked.exit_code == 1
    assert checked.stdout.startswith("Daily/2026-11-20.md:3: mood must be a number from 0 to 10")
