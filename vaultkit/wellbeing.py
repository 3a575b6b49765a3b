"""The WHO-5 Well-Being Index, an opt-in part of check-ins (`wellbeing: who5`):
its five items and answer scale as published, the properties that hold the
answers, and the published scoring (raw total x 4, 0 to 100) when all five
are answered. No labels, cut-offs or advice. Pure."""

from __future__ import annotations

from typing import Any

# Free to use, citing its source: the Psychiatric Research Unit, Mental Health Centre North Zealand.
SOURCE = "WHO-5 Well-Being Index, Psychiatric Research Unit, Mental Health Centre North Zealand"
INTRO = "Over the last two weeks"
ITEMS = (
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
)
SCALE = (
    (5, "All of the time"),
    (4, "Most of the time"),
    (3, "More than half of the time"),
    (2, "Less than half of the time"),
    (1, "Some of the time"),
    (0, "At no time"),
)
FIELDS = tuple(f"who5_{n}" for n in range(1, len(ITEMS) + 1))


def section() -> str:
    """The check-in's WHO-5 section, as template text with one optional prompt an
    item; the first says what it is and when there is a score, as the note does."""
    scale = ", ".join(f"{n} {words}" for n, words in SCALE)
    about = f"{SOURCE}: five questions, each optional; a score (0 to 100) when all five are answered."
    prompts = "".join(
        f"<!-- prompt({field}): {about + ' ' if n == 0 else ''}{INTRO}: {item}. ({scale}; or skip) -->\n"
        for n, (field, item) in enumerate(zip(FIELDS, ITEMS, strict=True))
    )
    return (
        "## Wellbeing (WHO-5)\n"
        f"*{INTRO}. Each item is optional; a score (0 to 100) is given when all five are answered.*\n"
        f"{prompts}"
        f"*{SOURCE}.*\n\n"
    )


def answer_problem(text: str) -> str | None:
    if text in {str(n) for n, _ in SCALE}:
        return None
    return "Please give a whole number from 0 (at no time) to 5 (all of the time), or press Enter to skip."


def read(meta: dict[str, Any]) -> tuple[int | None, list[tuple[str, str]]]:
    """The 0-100 score a note's answers give (None unless all five are whole
    numbers from 0 to 5), and (key, message) for each answer that is not."""
    answers, problems = [], []
    for key in FIELDS:
        value = meta.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            problems.append((key, f"{key} must be a whole number from 0 to 5"))
            continue
        answers.append(value)
    return (sum(answers) * 4 if len(answers) == len(FIELDS) else None), problems
