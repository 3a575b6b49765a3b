"""English for counts. Pure."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 note`, `2 notes`; `many` where adding an s is wrong."""
    return f"{count} {one if count == 1 else many or one + 's'}"
