"""SHA-1, as hashlib gives it, without hashlib's loading of OpenSSL first.

Importing hashlib loads libcrypto (about 2 ms), paid by every run, while
CPython's own `_sha1` module gives the same digests; the standard library's
`random` picks its SHA-512 the same way. Used for ids and fingerprints,
never for security.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha1
else:
    try:
        from _sha1 import sha1
    except ImportError:  # a Python built without its own hashes
        from hashlib import sha1

__all__ = ["sha1"]
