"""The Overview's integration domains and integration wheel: read from notes,
shown in the summary and `vaultkit status`, rendered by Obsidian's Mermaid."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests import browser

from .helpers import actions_of, build_tree, index_vault

TODAY = date(2026, 11, 24)
ACTIONS = """---
type: reflection
date: 2026-11-12
session: 1
actions:
  - "[ ] Walk after lunch #body"
  - "[x] Call my sister #relationships"
  - "[-] A retreat #spirit"
  - "[ ] inner: Notice the pull to hurry #Mind"
  - text: Sit under the oak
    domain: nature
    status: done
  - "[ ] Book the dentist"
---
"""
INTENTION = "---\ntype: intention\ndate: 2026-11-10\nsession: 1\n---\n"


def summary(vault: Path) -> str:
    return (vault / "Integration Actions.md").read_text()


def mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, re.S)


# ---------------------------------------------------------------- domains


def test_the_overview_shows_how_open_and_done_actions_spread_over_the_domains(vault):
    build_tree(vault, {"Integration/i.md": INTENTION, "Integration/r.md": ACTIONS})
    index_vault(vault, TODAY)
    text = summary(vault)
    # dropped actions and actions without a domain are not counted; every domain is listed
    assert (
        "- Actions per domain (open / done): Mind 1 / 0 · Body 1 / 0 · Spirit 0 / 0 · "
        "Relationships 0 / 1 · Lifestyle 0 / 0 · Nature 0 / 1\n"
    ) in text
    (chart,) = [block for block in mermaid_blocks(text) if "horizontal" in block]
    assert '    x-axis ["Mind", "Body", "Spirit", "Relationships", "Lifestyle", "Nature"]\n' in chart
    assert "    bar [1, 1, 0, 1, 0, 1]\n    bar [0, 0, 0, 1, 0, 1]\n" in chart  # all, then done over it
    assert '    y-axis "Actions" 0 --> 1\n' in chart


def test_no_domain_no_domain_chart(vault):
    build_tree(
        vault, {"Integration/i.md": INTENTION, "n.md": '---\nactions: ["[ ] Walk", "[x] Rest"]\n---\n'}
    )
    index_vault(vault, TODAY)
    text = summary(vault)
    assert "per domain" not in text
    assert not [block for block in mermaid_blocks(text) if "horizontal" in block]


def test_status_tells_the_domains_too(vault, run):
    build_tree(vault, {"Integration/i.md": INTENTION, "Integration/r.md": ACTIONS})
    result = run("status")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith("Actions per domain (open / done): Mind 1 / 0 · ")
    data = json.loads(run("status", "--json").stdout)
    assert data["domains"][3] == {"domain": "relationships", "open": 0, "done": 1}


def test_ticking_a_domain_action_moves_it_to_done_in_the_chart(vault, run):
    build_tree(vault, {"Integration/i.md": INTENTION, "Integration/r.md": ACTIONS})
    run("index")
    walk = [a for a in json.loads(run("actions", "--json").stdout) if a["domain"] == "body"]
    assert run("done", walk[0]["id"]).exit_code == 0
    assert "Body 0 / 1" in summary(vault)


# ---------------------------------------------------------------- the integration wheel

WHEEL_ANSWERS = ["6", "", "4", "7", "5", "8"]  # body skipped


def new_check_in(run, day: str, wheel: list[str], review: int = 0) -> Path:
    # the review of `review` open actions (Enter: keep), then mood, "How are
    # you", the six of the wheel, three more questions, then actions
    answers = [""] * review + ["", "", *wheel, "", "", "", ""]
    result = run("new", "check-in", "--date", day, "--no-edit", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def frontmatter(path: Path) -> dict:
    return yaml.safe_load(path.read_text().split("---\n")[1])


def test_a_check_in_records_the_wheel_as_number_properties(vault, run):
    build_tree(vault, {"Integration/i.md": INTENTION})
    rel = new_check_in(run, "2026-11-17", WHEEL_ANSWERS)
    meta = frontmatter(vault / rel)
    assert {k: v for k, v in meta.items() if k.startswith("wheel_")} == {
        "wheel_mind": 6,
        "wheel_body": None,  # skipped: left empty, to fill in later in Properties
        "wheel_spirit": 4,
        "wheel_relationships": 7,
        "wheel_lifestyle": 5,
        "wheel_nature": 8,
    }
    text = (vault / rel).read_text()
    assert "prompt(wheel_" not in text  # answered and skipped prompts both leave the body
    assert "## Integration wheel" in text


def test_the_overview_tables_the_latest_wheels_and_draws_the_complete_ones(vault, run):
    build_tree(vault, {"Integration/i.md": INTENTION})
    new_check_in(run, "2026-11-17", WHEEL_ANSWERS)
    new_check_in(run, "2026-11-20", ["5", "6", "4", "7", "6", "9"])
    new_check_in(run, "2026-11-21", [""] * 6)  # no wheel at all: not a row
    index_vault(vault, TODAY)
    text = summary(vault)
    assert (
        "| Date | Mind | Body | Spirit | Relationships | Lifestyle | Nature |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 2026-11-17 | 6 | – | 4 | 7 | 5 | 8 |\n"
        "| 2026-11-20 | 5 | 6 | 4 | 7 | 6 | 9 |\n"
    ) in text
    (radar,) = [block for block in mermaid_blocks(text) if block.__contains__("radar-beta")]
    assert radar.count("curve ") == 1  # the partial wheel is in the table only
    assert '    curve c1["2026-11-20"]{5, 6, 4, 7, 6, 9}\n' in radar


def test_a_wheel_value_out_of_range_is_reported_at_its_line(vault, run):
    build_tree(
        vault,
        {
            "c.md": "---\ntype: check-in\ndate: 2026-11-17\nwheel_mind: 6\nwheel_body: 12\nwheel_nature: lots\n---\n"
        },
    )
    result = run("check")
    assert result.exit_code == 1
    assert "c.md:5: wheel_body must be a number from 0 to 10" in result.output
    assert "c.md:6: wheel_nature must be a number from 0 to 10" in result.output
    index_vault(vault, TODAY)
    assert "| 2026-11-17 | 6 | – | – | – | – | – |" in summary(vault)  # the good value still counts


# ---------------------------------------------------------------- rendered as Obsidian would


@pytest.mark.slow
def test_the_domain_and_wheel_charts_render_in_obsidians_mermaid(vault, run, tmp_path):
    build_tree(vault, {"Integration/i.md": INTENTION, "Integration/r.md": ACTIONS})
    new_check_in(run, "2026-11-17", ["3", "4", "5", "6", "7", "8"], review=3)
    new_check_in(run, "2026-11-20", ["5", "6", "4", "7", "6", "9"], review=3)
    index_vault(vault, TODAY)
    diagrams = [b for b in mermaid_blocks(summary(vault)) if "horizontal" in b or "radar-beta" in b]
    assert len(diagrams) == 2

    rendered = browser.render_mermaid(diagrams, tmp_path)

    assert rendered.status == "ok"
    assert rendered.svgs >= 2
    for label in ("Relationships", "Nature", "2026-11-17", "2026-11-20", "darker part done"):
        assert label in rendered.dom, label


def test_check_names_a_domain_tag_that_yaml_took_for_a_comment(vault, run):
    """`- Walk #body` unquoted: YAML keeps "Walk" and drops "#body" as a comment.
    `check` says so, with the line and the fix; quoted tags and real comments pass."""
    build_tree(
        vault,
        {
            "r.md": (
                "---\ntype: reflection\ndate: 2026-11-20\nactions:\n"
                "  - Walk #body\n"
                '  - "Run #body"\n'
                "  - Swim  # a note to myself, not a tag\n"
                "  - text: Call Mum #relationships\n"
                "---\n"
            )
        },
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "r.md:5: YAML reads '#body' after 'Walk' as a comment and leaves it out; "
        'quote the whole action: "Walk #body"',
        "r.md:8: YAML reads '#relationships' after 'Call Mum' as a comment and leaves it out; "
        'quote the whole action: "Call Mum #relationships"',
    ]
    assert "2 problems in 1 note" in result.stderr
    walk = next(a for a in actions_of(vault) if a.text == "Walk")
    assert walk.domain is None  # read as YAML reads it; only the message is new
