"""The few exceptions vaultkit raises on purpose.

Every message is written for the user: it says what is wrong and what to do.
Messages carry paths and counts, never the text of a note.
"""

from __future__ import annotations


class NothingWritten(Exception):
    """The person left before giving any answer: not an error. The CLI says
    so and exits 130, as after Ctrl-C (no note, so no path on stdout)."""


class VaultkitError(Exception):
    """A user-facing error: the CLI prints `Error: <message>` and exits 1."""


class NotAVaultError(VaultkitError):
    """No vault could be found, or the folder given is not one."""


class ConfigError(VaultkitError):
    """`.vaultkit/config.yaml` is unreadable or holds a bad value."""


class NoteExistsError(VaultkitError):
    """A note is already at the path a new note would take."""


class UnsafePathError(VaultkitError):
    """A path would lead outside the vault."""


class TemplateError(VaultkitError):
    """A template is missing or cannot be used."""
