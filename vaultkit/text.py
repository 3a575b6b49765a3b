"""Text for people: counts in English, and a value from a note made safe for one line. Pure."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 note`, `2 notes`; `many` where adding an s is wrong."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def one_line(text: str) -> str:
    """A value from a note, safe to put in the summary's block: on one line
    (nothing a note holds can add a line), and no marker (nothing can end the block)."""
    return _CONTROL.sub(" ", text).replace("<!--", "&lt;!--")
