"""The templates: the vault's own in `.vaultkit/templates/`, else the shipped
ones, and the questions each declares in its body as HTML comments, which
Obsidian hides in reading view:

    <!-- prompt: What came up for you? -->         the answer replaces the line
    <!-- prompt(mood): Mood today, 0 to 10 -->      the answer goes to `mood:`
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from vaultkit import wellbeing
from vaultkit.atomic import create_new
from vaultkit.errors import TemplateError
from vaultkit.frontmatter import NoteError, parse_frontmatter
from vaultkit.fs import TEMPLATE_NAME, Vault, shipped_templates_dir, template_files

PROMPT = re.compile(r"^[ \t]*<!--\s*prompt(?:\(([A-Za-z_][\w-]*)\))?\s*:\s*(.*?)\s*-->[ \t]*$(\n?)", re.M)


@dataclass(frozen=True)
class Prompt:
    """A question a template asks; `field` is a frontmatter key, else body text."""

    question: str
    field: str | None = None


@dataclass(frozen=True)
class Template:
    """A template's name, text and where it came from (`vault` or `default`)."""

    name: str
    text: str
    origin: str
    location: str

    @property
    def prompts(self) -> list[Prompt]:
        return [Prompt(m[2], m[1]) for m in PROMPT.finditer(self.text)]

    @property
    def asks_actions(self) -> bool:
        """A template asks for actions when its frontmatter has an `actions` key."""
        try:
            return "actions" in (parse_frontmatter(self.text.encode("utf-8")).meta or {})
        except NoteError:
            return False


def note_template(vault: Vault, name: str, who5: bool) -> Template:
    """The template a note is written from: a check-in gets the WHO-5 items
    (`who5`: the setting is on), after its mood question, with a frontmatter key
    each so that a skipped one can be answered later, as mood can."""
    template = find_template(vault, name)
    if not who5 or name != "check-in" or f"prompt({wellbeing.FIELDS[0]})" in template.text:
        return template
    text = template.text
    asked = text.find("prompt(mood)")
    heading = text.find("\n## ", asked) if asked >= 0 else -1
    section = wellbeing.section()
    text = (
        text[: heading + 1] + "\n" + section + text[heading + 1 :]
        if heading >= 0
        else f"{text.rstrip()}\n\n{section}"
    )
    if text.startswith("---\n") and (end := text.find("\n---\n", 3)) >= 0:
        text = text[: end + 1] + "".join(f"{key}:\n" for key in wellbeing.FIELDS) + text[end + 1 :]
    return dataclasses.replace(template, text=text)


def _read(name: str, path: Path, origin: str) -> Template:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from None
    return Template(name, text.replace("\r\n", "\n"), origin, str(path))


def find_template(vault: Vault, name: str) -> Template:
    if not TEMPLATE_NAME.match(name):
        raise TemplateError(f"{name!r} is not a template name (letters, digits, - and _ only)")
    for folder, origin in ((vault.state_dir / "templates", "vault"), (shipped_templates_dir(), "default")):
        if (folder / f"{name}.md").is_file():
            return _read(name, folder / f"{name}.md", origin)
    names = [t.name for t in list_templates(vault)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise TemplateError(f"no template named {name!r}; {hint}available: {', '.join(names)}")


def list_templates(vault: Vault) -> list[Template]:
    """Every template, the vault's own shadowing the shipped ones, sorted by name."""
    found = {name: _read(name, path, origin) for name, path, origin in template_files(vault)}
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
