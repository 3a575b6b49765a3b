"""Hostile and malformed notes: (name, bytes, expected).

expected: "unreadable" (listed under notes that could not be read),
"problem" (read, but `vaultkit check` reports it), "ok" (nothing to
report), or "ignored" (not one of vaultkit's notes: no `actions` key and no
`type` of its templates in its raw frontmatter, so never named anywhere,
however broken). Hostile YAML carries an `actions` key, so that vaultkit
does parse it. Every file holds the marker SECRET somewhere, so tests can prove
that no message ever quotes a note.
"""

from __future__ import annotations

S = "SECRET"
GOOD_ACTIONS = '  - "[ ] Good action"\n'

CORPUS: list[tuple[str, bytes, str]] = [
    # --- broken YAML
    ("unclosed-flow.md", f"---\nactions: [{S}\n---\n".encode(), "unreadable"),
    ("tab-indent.md", f"---\nactions:\n\t- {S}\n---\n".encode(), "unreadable"),
    ("bad-indent.md", f"---\nactions:\n  - a\n - {S}\n---\n".encode(), "unreadable"),
    ("unquoted-checkbox.md", f"---\nactions:\n  - [ ] {S}\n---\n".encode(), "unreadable"),
    ("undefined-alias.md", f"---\nactions:\n  - *{S}*\n---\n".encode(), "unreadable"),
    ("colon-in-key.md", f"---\nactions: []\n{S}: a: b\n---\n".encode(), "unreadable"),
    ("control-char.md", f"---\nactions: []\ntitle: \x07{S}\n---\n".encode(), "unreadable"),
    (
        "conflict-markers-fm.md",
        f"---\n<<<<<<< HEAD\nactions: [{S}]\n=======\nactions: [b]\n>>>>>>> theirs\n---\n".encode(),
        "unreadable",
    ),
    # --- frontmatter shapes
    ("dashes-only.md", b"---\n", "ignored"),
    ("unclosed-block.md", f"---\nactions: [{S}]\nbody with no end\n".encode(), "unreadable"),
    ("list-frontmatter.md", f"---\n- {S}\n- b\n---\n".encode(), "ignored"),
    ("scalar-frontmatter.md", f"---\n{S}\n---\n".encode(), "ignored"),
    ("intro-swallowed.md", f"---\n\nIntro {S}\n\n---\nrest\n".encode(), "ignored"),
    ("empty-frontmatter.md", f"---\n---\n{S}\n".encode(), "ok"),
    ("comments-only.md", f"---\n# {S}\n---\nbody\n".encode(), "ok"),
    ("doc-end-marker.md", f"---\ntitle: x\n...\n---\n{S}\n".encode(), "ok"),
    ("two-documents.md", f"---\na: 1\n---\n---\nb: {S}\n---\n".encode(), "ok"),
    (
        "conflict-markers-body.md",
        f"---\nactions:\n{GOOD_ACTIONS}---\n<<<<<<< HEAD\n{S}\n=======\nx\n>>>>>>> b\n".encode(),
        "ok",
    ),
    # --- duplicate keys, unsafe and odd tags, aliases
    ("duplicate-keys.md", f"---\nactions: [{S}]\nactions: [b]\n---\n".encode(), "unreadable"),
    (
        "duplicate-in-action.md",
        f"---\nactions:\n  - text: {S}\n    text: b\n---\n".encode(),
        "unreadable",
    ),
    (
        "python-object.md",
        f"---\nactions: []\nx: !!python/object/apply:os.system ['echo {S}']\n---\n".encode(),
        "unreadable",
    ),
    ("python-name.md", f"---\nactions: []\nx: !!python/name:os.system {S}\n---\n".encode(), "unreadable"),
    ("custom-tag.md", f"---\nactions: []\nx: !{S} value\n---\n".encode(), "unreadable"),
    (
        "alias-bomb.md",
        (
            b"---\na: &a [l,l,l,l,l,l,l,l,l]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nactions: *e\nz: SECRET\n---\n"
        ),
        "unreadable",
    ),
    ("alias-recursive.md", f"---\nactions: []\na: &a [*a, {S}]\n---\n".encode(), "unreadable"),
    (
        "merge-key.md",
        f"---\nbase: &b {{text: {S}}}\nactions:\n  - <<: *b\n---\n".encode(),
        "problem",
    ),
    (
        "deep-nesting.md",
        b"---\nactions: []\nx: " + b"[" * 5000 + b"]" * 5000 + f"\ny: {S}\n---\n".encode(),
        "unreadable",
    ),
    # --- encodings and bytes
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + S.encode(), "ignored"),
    ("zero-byte.md", b"", "ok"),
    ("latin1.md", f"---\nactions: [caf\xe9 {S}]\n---\n".encode("latin-1"), "unreadable"),
    (
        "utf16-le.md",
        f"---\nactions: [{S}]\n---\n".encode("utf-16-le").join([b"\xff\xfe", b""]),
        "unreadable",
    ),
    ("utf16-be.md", b"\xfe\xff" + f"---\nactions: [{S}]\n---\n".encode("utf-16-be"), "unreadable"),
    (
        "bom-crlf.md",
        f"\ufeff---\r\nactions:\r\n{GOOD_ACTIONS.replace(chr(10), chr(13) + chr(10))}---\r\n{S}\r\n".encode(),
        "ok",
    ),
    ("cr-only.md", f"---\ractions: [{S}]\r---\r".encode(), "ok"),
    (
        "nul-late-in-body.md",
        f"---\nactions:\n{GOOD_ACTIONS}---\n".encode() + b"x" * 9000 + b"\x00" + S.encode(),
        "ok",
    ),
    ("giant-line.md", f"---\nactions:\n{GOOD_ACTIONS}---\n".encode() + S.encode() * 200_000, "ok"),
    (
        "giant-frontmatter.md",
        b"---\nactions: []\nx: '" + b"a" * 300_000 + f"'\ny: {S}\n---\n".encode(),
        "unreadable",
    ),
    (
        "huge-note.md",
        f"---\nactions: [{S}]\n---\n".encode() + b"x" * (11 * 1024 * 1024),
        "unreadable",
    ),
    # --- schema problems (read, reported by check)
    ("actions-not-list.md", f"---\nactions: call {S}\n---\n".encode(), "problem"),
    ("action-number.md", f"---\nactions:\n  - 42\n  - [{S}, b]\n---\n".encode(), "problem"),
    (
        "action-no-text.md",
        f"---\nactions:\n  - kind: internal\n    due: {S}\n---\n".encode(),
        "problem",
    ),
    (
        "bad-fields.md",
        f"---\nactions:\n  - text: x\n    kind: {S}\n    status: {S}\n    due: 2026-02-30\n"
        f"    id: 'not valid!'\n---\n".encode(),
        "problem",
    ),
    (
        "bad-mood-session.md",
        f"---\nactions: []\nmood: {S}\nsession: {S}\ndate: {S}\n---\n".encode(),
        "problem",
    ),
    ("type-not-text.md", f"---\nactions: []\ntype: [{S}]\n---\n".encode(), "problem"),
    # --- YAML 1.1 surprises: read, not corrupted
    (
        "yaml11.md",
        f"---\ntitle: no\nstart: 1:30\nzip: 012345\nflag: on\nlink: [[{S}]]\n"
        "actions:\n  - no\n  - [[Unquoted link]]\n---\n".encode(),
        "ok",
    ),
    (
        "aware-datetime.md",
        f"---\ndate: 2026-11-24T09:30:00+01:00\nactions: [{S}]\n---\n".encode(),
        "ok",
    ),
    ("long-action.md", f'---\nactions:\n  - "{S}{"x" * 100_000}"\n---\n'.encode(), "ok"),
    # --- names
    ("name with spaces.md", f"---\nactions: [{S} spaces]\n---\n".encode(), "ok"),
    ("Cafe\u0301 NFD.md", f"---\nactions: [{S} nfd]\n---\n".encode(), "ok"),
    ("emoji 🌿 name.md", f"---\nactions: [{S} emoji]\n---\n".encode(), "ok"),
]
