"""The template files (the vault's own in `.vaultkit/templates/`, else the
shipped ones) and where a new note goes."""

from __future__ import annotations

import difflib
from pathlib import Path

from vaultkit.atomic import create_new
from vaultkit.errors import TemplateError
from vaultkit.fs import TEMPLATE_NAME, Vault, shipped_templates_dir, template_files
from vaultkit.templates import NoteValues, Template, fill_placeholders


def note_path(pattern: str, values: NoteValues) -> str:
    """The new note's vault-relative path from the configured pattern."""
    rel = fill_placeholders(pattern, values).strip()
    if not rel.lower().endswith(".md"):
        rel += ".md"
    return rel


def _read_template(name: str, path: Path, origin: str) -> Template:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from None
    return Template(name, text.replace("\r\n", "\n"), origin, str(path))


def find_template(vault: Vault, name: str) -> Template:
    if not TEMPLATE_NAME.match(name):
        raise TemplateError(f"{name!r} is not a template name (letters, digits, - and _ only)")
    own = vault.state_dir / "templates" / f"{name}.md"
    if own.is_file():
        return _read_template(name, own, "vault")
    shipped = shipped_templates_dir() / f"{name}.md"
    if shipped.is_file():
        return _read_template(name, shipped, "default")
    names = [t.name for t in list_templates(vault)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise TemplateError(f"no template named {name!r}; {hint}available: {', '.join(names)}")


def list_templates(vault: Vault) -> list[Template]:
    """Every template, the vault's own shadowing the shipped ones, sorted by name."""
    found: dict[str, Template] = {}
    for name, path, origin in template_files(vault):
        found[name] = _read_template(name, path, origin)
    return [found[name] for name in sorted(found)]


def copy_template(vault: Vault, name: str) -> Path:
    """Copy a shipped template into `.vaultkit/templates/` for editing."""
    template = find_template(vault, name)
    target = vault.state_dir / "templates" / f"{name}.md"
    if template.origin == "vault":
        raise TemplateError(f"{vault.rel(target)} already exists; edit it there")
    config = vault.config
    create_new(target, template.text.encode("utf-8"), config.file_mode, config.dir_mode, vault.rel(target))
    return target
