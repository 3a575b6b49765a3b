from datetime import date, datetime, timezone

import pytest

from vaultkit.errors import TemplateError, UnsafePathError
from vaultkit.frontmatter import parse_frontmatter
from vaultkit.journal.note import (
    NewAction,
    NoteValues,
    clean_title,
    fill_placeholders,
    format_moment,
    render_note,
)
from vaultkit.journal.templates import Template

MOMENT = datetime(2026, 1, 3, 14, 5, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("YYYY-MM-DD", "2026-01-03"),
        ("dddd, MMMM Do YYYY", "Saturday, January 3rd 2026"),
        ("ddd D MMM YY", "Sat 3 Jan 26"),
        ("HH:mm:ss", "14:05:09"),
        ("h:mm A", "2:05 PM"),
        ("[Week] W, [day] DDDD", "Week 1, day 003"),
        ("Qo [quarter]", "1st quarter"),
        ("[YYYY] YYYY", "YYYY 2026"),
    ],
)
def test_moment_tokens(fmt, expected):
    assert format_moment(MOMENT, fmt) == expected


def test_ordinals_across_teens():
    assert [format_moment(datetime(2026, 5, d), "Do") for d in (1, 2, 11, 12, 13, 21, 22, 23)] == [
        "1st",
        "2nd",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
    ]


def values(**kw):
    base = dict(
        type="reflection",
        title="Reflection",
        note_date=date(2026, 11, 24),
        now=datetime(2026, 11, 25, 1, 30),
        session=3,
    )
    base.update(kw)
    return NoteValues(**base)


def test_placeholders_use_note_date_and_leave_unknown_ones():
    text = "{{title}} {{date}} {{time}} {{date:dddd}} {{session}} {{unknown}} {{ date : YYYY }}"
    assert fill_placeholders(text, values()) == ("Reflection 2026-11-24 01:30 Tuesday 3 {{unknown}} 2026")


def test_links_and_open_actions_placeholders():
    text = "{{intention}}|{{reflection}}\n{{open_actions}}"
    v = values(links={"intention": "[[2026-11-20 Intention]]"}, open_actions=[("Call", "[[R]]")])
    assert fill_placeholders(text, v) == (
        "[[2026-11-20 Intention]]|(no reflection note for this session yet)\n- Call — [[R]]"
    )


TEMPLATE = Template(
    "reflection",
    '---\ntype: reflection\ndate: "{{date}}"\ntags:\n  - integration\nmood:\nactions: []\n---\n'
    "# {{title}}\n\n## Q1\n<!-- prompt: First? -->\n\n## Q2\n<!-- prompt: Second? -->\n"
    "<!-- prompt(mood): Mood? -->\n",
    "default",
    "reflection.md",
)


def test_prompts_are_declared_in_the_template():
    assert [(p.question, p.field) for p in TEMPLATE.prompts] == [
        ("First?", None),
        ("Second?", None),
        ("Mood?", "mood"),
    ]
    assert TEMPLATE.asks_actions


def test_render_note_fills_answers_fields_actions_and_links():
    text = render_note(
        TEMPLATE,
        values(
            answers=["It was bright", "", "7"],
            actions=[NewAction("Call my sister"), NewAction("Breathe", "internal")],
            links={"intention": "[[2026-11-20 Intention]]"},
        ),
    )
    assert text == (
        "---\ntype: reflection\ndate: 2026-11-24\nsession: 3\n"
        'intention: "[[2026-11-20 Intention]]"\ntags:\n  - integration\nmood: 7\n'
        'actions:\n  - "[ ] Call my sister"\n  - "[ ] inner: Breathe"\n---\n'
        "# Reflection\n\n## Q1\nIt was bright\n\n## Q2\n<!-- prompt: Second? -->\n"
    )
    meta = parse_frontmatter(text.encode()).meta
    assert meta["actions"][0] == "[ ] Call my sister"
    assert meta["intention"] == "[[2026-11-20 Intention]]"


def test_render_note_rejects_a_template_with_broken_frontmatter():
    broken = Template("x", "---\na: [\n---\nbody\n", "vault", ".vaultkit/templates/x.md")
    with pytest.raises(TemplateError, match=r"\.vaultkit/templates/x\.md has broken frontmatter"):
        render_note(broken, values())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("What: now?", "What now"),
        ("...hidden", "hidden"),
        ("  a   b  ", "a b"),
        ("[[x]] #y ^z", "x y z"),
    ],
)
def test_clean_title(title, expected):
    assert clean_title(title) == expected


@pytest.mark.parametrize("title", ["../../etc/passwd", "a/b", "a\\b"])
def test_clean_title_refuses_separators(title):
    with pytest.raises(UnsafePathError):
        clean_title(title)


def test_clean_title_refuses_empty_result():
    with pytest.raises(TemplateError):
        clean_title("???")


def test_answers_arrive_as_typed(vault, run):
    """A value is a number only where the template asks for one: `007` keeps its
    zeros, and what YAML 1.2 (Obsidian) would read as a number is quoted."""
    import yaml

    template = (
        "---\ntype: typed\nmood:\n---\n<!-- prompt(mood): Mood -->\n<!-- prompt(code): Code -->\n"
        "<!-- prompt(octal): Octal -->\n<!-- prompt(big): Big -->\n<!-- prompt(half): Half -->\n"
        "<!-- prompt(word): Word -->\n<!-- prompt(day_note): A day -->\n<!-- prompt(when_date): When -->\n"
    )
    (vault / ".vaultkit/templates").mkdir(exist_ok=True)
    (vault / ".vaultkit/templates/typed.md").write_text(template)
    answers = "7\n007\n0o17\n1e3\n+.5\nyes\n2026-11-03\n2026-11-04\n"
    made = run("new", "typed", "--date", "2026-11-24", input=answers)
    assert made.exit_code == 0, made.output
    text = (vault / made.stdout.splitlines()[-1]).read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["mood"] == 7 and "\nmood: 7\n" in text
    assert {k: meta[k] for k in ("code", "octal", "big", "half", "word", "day_note")} == {
        "code": "007", "octal": "0o17", "big": "1e3", "half": "+.5", "word": "yes", "day_note": "2026-11-03",
    }  # fmt: skip
    for typed in ("0o17", "1e3", "+.5"):  # YAML 1.2 reads these unquoted as numbers
        assert f'"{typed}"' in text, typed
    assert str(meta["when_date"]) == "2026-11-04" and "\nwhen_date: 2026-11-04\n" in text
