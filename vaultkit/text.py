"""English for counts, and text cut to fit. Pure."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 note`, `2 notes`; `many` where adding an s is wrong."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def a_or_an(word: str) -> str:
    """`a reflection`, `an intention`: by the first letter (note types are
    plain words; `an hour`-like exceptions are not worth a dictionary)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def shorten(text: str, room: int = 40) -> str:
    """`text` cut to `room` characters, with an ellipsis when cut."""
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"
