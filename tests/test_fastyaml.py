"""The fast frontmatter path must agree exactly with the YAML loader, or decline."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit.fastyaml import fast_load
from vaultkit.frontmatter import MAX_NESTING, NoteError, load_yaml, loader


def same(a, b) -> bool:
    """Equal values of equal types, all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN


def check(text: str) -> None:
    fast = fast_load(text)
    if fast is None:
        return
    try:
        slow = yaml.load(text, Loader=loader())  # noqa: S506 - the safe loader
        if slow is None:
            slow = {}  # blank or comments only: parse_frontmatter reads that as {} too
    except yaml.YAMLError:
        raise AssertionError(f"fast path accepted what YAML rejects: {text!r} -> {fast!r}") from None
    assert same(fast, slow), (text, fast, slow)


# Scalars inside the fast path's subset (it should accept most texts made of these) ...
SAFE = [
    "x",
    "Call my sister",
    "'[ ] Call'",
    '"[x] Done ✅ 2026-11-24"',
    "no",
    "true",
    "False",
    "null",
    "~",
    "",
    "0",
    "12",
    "012345",
    "-3",
    "1.5",
    "2026-11-24",
    "2026-02-30",
    "1:30",
    "a #c",
    "a#b",
    "'it''s'",
    "[a, b]",
    "[]",
    '["[ ] Call my sister", "[x] Walk ✅ 2026-11-24"]',
    "['it''s', b, ]",
    "[ \"a, b\" , '[[Note]]' ]  # c",
    "[no, 1.5, 2026-11-24, ~]",
    "Ä é ß 🌿",
    '"[[Note]]"',
    '"a" #c',
    "-x",
]
# ... and ones it must decline or get exactly right.
TRICKY = [
    "[ ] Call",
    "yes",
    "on",
    "+4",
    "1_000",
    ".5",
    "1e3",
    "2026-11-24 09:30",
    "2026-11-24T09:30:00",
    "a: b",
    "#c",
    '"q\\"e"',
    "[a, [b]]",
    '["a" b]',
    '["a": b]',
    "[a,,b]",
    "[,]",
    "[@x]",
    '[a, "b]',
    '["a\\"b"]',
    '["a"]x',
    "[ ] Call",
    "['a' 'b']",
    "{a: 1}",
    "&a x",
    "*a",
    "!t x",
    "|",
    ">",
    "- x",
    "-",
    "?",
    "@x",
    "`x`",
    "x:",
    ".inf",
    "-.inf",
    ".nan",
    "%x",
    "[[Note]]",
    "'a' b",
    "a  ",
    "  a",
]
SCALARS = st.sampled_from(SAFE + TRICKY)
SAFE_SCALARS = st.sampled_from(SAFE)
FLOW_ITEMS = st.sampled_from(
    ['"[ ] Call, then write"', "'it''s'", '"#tag"', "'[[Note]]'", '""', "''", "x", "no", "12", "2026-11-24"]
    + ['"a" b', '"a": b', "a: b", "", " ", "@x", "-x", "a#b", "'", '"', '"\\"', "[b]", "{c}", "?", "a:"]
)
KEYS = st.sampled_from(
    ["type", "date", "mood", "tags", "actions", "a key", "x-y", "_k", "1", "no", "true", "", "k k "]
)


@st.composite
def frontmatter(draw, scalars=SCALARS) -> str:
    SCALARS = scalars  # noqa: N806 - the strategy this draw uses
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        key = draw(KEYS)
        form = draw(st.sampled_from(["scalar", "block", "maps", "empty", "comment", "flow"]))
        if form == "scalar":
            lines.append(f"{key}: {draw(SCALARS)}")
        elif form == "flow":
            items = draw(st.lists(FLOW_ITEMS, max_size=4))
            lines.append(f"{key}: [{draw(st.sampled_from([', ', ',', ' , '])).join(items)}]")
        elif form == "empty":
            lines.append(f"{key}:")
        elif form == "comment":
            lines.append(draw(st.sampled_from(["# note", "", "  # indented"])))
        elif form == "block":
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{indent}- {draw(SCALARS)}")
        else:
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(1, 3))):
                lines.append(f"  - text: {draw(SCALARS)}")
                for field in draw(
                    st.lists(st.sampled_from(["kind", "status", "due", "id", "text"]), max_size=3)
                ):
                    pad = draw(st.sampled_from(["    ", "     ", "   "]))
                    lines.append(f"{pad}{field}: {draw(SCALARS)}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=2000, deadline=None)
@given(frontmatter())
def test_fast_path_agrees_with_yaml_on_structured_text(text):
    check(text)


@settings(max_examples=2000, deadline=None)
@given(frontmatter(SAFE_SCALARS))
def test_fast_path_agrees_with_yaml_on_text_it_mostly_accepts(text):
    check(text)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab:- []{}'\"#&*!|>?,\n\t\\019.xX\x07\x7f\x85\u2028\u2029\ufeff\r\x00")
            + ["  ", "\n  - ", "text: "]
        ),
        max_size=40,
    ).map("".join)
)
def test_fast_path_agrees_with_yaml_on_noise(text):
    check(text)


def test_common_shapes_take_the_fast_path():
    text = (
        'type: reflection\ndate: 2026-11-10\nsession: 2\nintention: "[[2026-11-09 Intention]]"\n'
        "tags:\n  - integration\nmood: 7\nactions:\n"
        '  - "[ ] Call my sister"\n  - text: Walk\n    kind: internal  # why\n    due: 2026-12-01\n'
    )
    assert fast_load(text) == {
        "type": "reflection",
        "date": date(2026, 11, 10),
        "session": 2,
        "intention": "[[2026-11-09 Intention]]",
        "tags": ["integration"],
        "mood": 7,
        "actions": ["[ ] Call my sister", {"text": "Walk", "kind": "internal", "due": date(2026, 12, 1)}],
    }
    check(text)


def test_a_flow_list_of_quoted_actions_takes_the_fast_path():
    text = "actions: [\"[ ] Call my sister\", '[x] Walk, slowly', ]  # both forms\ntags: [a, b]\n"
    assert fast_load(text) == {"actions": ["[ ] Call my sister", "[x] Walk, slowly"], "tags": ["a", "b"]}
    check(text)


def test_declines_what_it_does_not_know():
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !!python/object x\n",
        "a: |\n  text\n",
        "a:\n  b: c\n",
        "a: b\na: c\n",
        "a:\tb\n",
        'a: "esc\\"aped"\n',
        "a: {b: c}\n",
        'a: ["x" y]\n',
        "a: [x, [y]]\n",
        "- a\n",
        "a: x\x85y\n",  # NEL, LS and PS are line breaks in YAML 1.1
        "a: x\u2028y\n",
        "a: x\u2029y\n",
        "a: \x07\n",  # control characters are refused by YAML
        "a: x\ufeffy\n",
    ]:
        assert fast_load(text) is None, text


def test_nesting_limit_is_ours_not_the_yaml_library_version():
    # libyaml >= 0.2.6 stops at 1000 levels, older libyaml did not, and the
    # pure-Python loader runs out of stack: vaultkit refuses past 100 itself.
    fits = "x: " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\ny: 1\n"
    assert load_yaml(fits)["y"] == 1
    too_deep = "x: " + "{a: " * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1) + "\n"
    with pytest.raises(NoteError) as caught:
        load_yaml(too_deep, first_line=2)
    assert "levels deep" in caught.value.problem.message
    assert caught.value.problem.line == 2
    # Many brackets side by side are not nesting.
    wide = "x: [" + ", ".join("[1]" for _ in range(500)) + "]\n"
    assert len(load_yaml(wide)["x"]) == 500
