"""Text for people: counts in English, text cut to fit, and a value from a note made
safe for one line. Pure."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


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


def one_line(text: str) -> str:
    """A value from a note, safe to put in the summary's block: on one line
    (nothing a note holds can add a line), and no marker (nothing can end the block)."""
    return _CONTROL.sub(" ", text).replace("<!--", "&lt;!--")
