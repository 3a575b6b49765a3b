"""Records written out as slots classes, where a dataclass would cost start-up
time (see config.Config) and a NamedTuple does not fit."""

from __future__ import annotations

import operator
from typing import Any, ClassVar


class ValueRecord:
    """A slots record as a plain (not frozen) dataclass has it: equal by value
    over its fields but those in `_NOT_COMPARED`, unhashable, and shown field
    by field. Subclasses list their fields in `__slots__`."""

    __slots__ = ()
    _NOT_COMPARED: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[operator.attrgetter[Any]]
    _fields: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(cls.__slots__)  # a subclass lists them as a tuple
        cls._compared = operator.attrgetter(*(n for n in cls._fields if n not in cls._NOT_COMPARED))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._compared(self) == self._compared(other))

    __hash__ = None  # type: ignore[assignment]  # equal by value, and not frozen

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({values})"
