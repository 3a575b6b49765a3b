"""One run of the indexer as `vaultkit index` and `vaultkit watch` do it:
read the vault, then write the summary note if (and only if) it changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from vaultkit.followups import due_follow_ups
from vaultkit.index import VaultIndex, build_index
from vaultkit.notes import NoteError, decode
from vaultkit.summary import SummaryError, render_block, splice
from vaultkit.vault import NoteFile, Vault, atomic_write, make_dirs, safe_target


@dataclass(frozen=True)
class SyncResult:
    index: VaultIndex
    summary_written: bool


def summary_text(vault: Vault, index: VaultIndex, today: date) -> str:
    return render_block(
        index.actions,
        index.stem_counts(),
        today,
        vault.config.recently_done_days,
        index.unreadable,
        index.conflicts,
        due_follow_ups(index.notes, vault.config.follow_ups, today),
    )


def write_summary(vault: Vault, block: str, adopt: bool = False) -> bool:
    """Put `block` between the summary's markers; True when the file changed."""
    rel = vault.config.summary_path
    path = safe_target(vault, rel)
    try:
        raw: bytes | None = path.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        raise SummaryError(f"{rel}: cannot read ({exc.strerror})") from None
    try:
        existing = decode(raw, "summary note") if raw is not None else None
    except NoteError as exc:
        raise SummaryError(f"{rel}: {exc.problem.message}") from None
    bom = raw is not None and raw.startswith(b"\xef\xbb\xbf")
    try:
        text = splice(existing, block, adopt)
    except SummaryError as exc:
        raise SummaryError(f"{rel}: {exc}") from None
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    if data == raw:
        return False
    make_dirs(path.parent, vault.config.dir_mode)
    atomic_write(path, data, None if raw is not None else vault.config.file_mode)
    return True


def sync(
    vault: Vault,
    today: date,
    adopt: bool = False,
    progress: Callable[[Iterable[NoteFile]], Iterable[NoteFile]] | None = None,
) -> SyncResult:
    index = build_index(vault, progress=progress)
    written = write_summary(vault, summary_text(vault, index, today), adopt)
    return SyncResult(index, written)
