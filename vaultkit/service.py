"""Run `vaultkit watch` at login: a systemd user unit (Linux) or a launchd agent (macOS).

vaultkit writes the file and prints the exact commands to start, stop and
inspect it; it runs none of them itself.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import sys
from dataclasses import dataclass
from pathlib import Path

from vaultkit.atomic import atomic_write, make_dirs
from vaultkit.errors import VaultkitError


@dataclass(frozen=True)
class Service:
    """A login service that runs `vaultkit watch`: its file and the commands to start and stop it."""

    name: str
    path: Path
    text: str
    start: list[str]
    stop: list[str]
    status: list[str]


def _quote_systemd(arg: str) -> str:
    arg = arg.replace("%", "%%").replace("$", "$$")
    if any(c in arg for c in " \t\"'\\"):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg


def current_platform() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "darwin":
        return "macos"
    raise VaultkitError(
        f"`vaultkit service` knows Linux (systemd) and macOS (launchd), not {sys.platform}; "
        "start `vaultkit watch` from your system's startup tools instead"
    )


def describe(vault_root: Path, platform: str, home: Path, python: str = sys.executable) -> Service:
    digest = hashlib.sha1(os.fsencode(vault_root)).hexdigest()[:8]
    command = [python, "-m", "vaultkit", "--vault", str(vault_root), "watch"]
    if platform == "linux":
        name = f"vaultkit-watch-{digest}.service"
        config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        text = (
            f"[Unit]\nDescription=vaultkit watch for {vault_root}\n\n"
            f"[Service]\nType=simple\nExecStart={' '.join(map(_quote_systemd, command))}\n"
            "Restart=on-failure\nRestartSec=10\nUMask=0077\n\n"
            "[Install]\nWantedBy=default.target\n"
        )
        return Service(
            name,
            config / "systemd" / "user" / name,
            text,
            start=["systemctl --user daemon-reload", f"systemctl --user enable --now {name}"],
            stop=[f"systemctl --user disable --now {name}"],
            status=[f"systemctl --user status {name}", f"journalctl --user -u {name}"],
        )
    label = f"com.vaultkit.watch.{digest}"
    path = home / "Library" / "LaunchAgents" / f"{label}.plist"
    log = home / "Library" / "Logs" / f"vaultkit-watch-{digest}.log"
    agent = {
        "Label": label,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # restarted after a crash, not after a clean stop
        "Umask": 0o077,
        "StandardErrorPath": str(log),
    }
    return Service(
        label,
        path,
        plistlib.dumps(agent, sort_keys=False).decode("utf-8"),
        start=[f'launchctl load -w "{path}"'],
        stop=[f'launchctl unload -w "{path}"'],
        status=[f"launchctl list {label}", f'tail -f "{log}"'],
    )


def _indented(title: str, commands: list[str]) -> list[str]:
    return [title, *(f"  {c}" for c in commands)]


def install(service: Service) -> list[str]:
    """Write the service file, unless an identical one is there; say how to start and stop it."""
    try:
        same = service.path.read_text() == service.text
    except OSError:
        same = False
    if not same:
        make_dirs(service.path.parent, 0o700)
        atomic_write(service.path, service.text.encode("utf-8"), 0o600)
    return [
        f"{'Already up to date:' if same else 'Wrote'} {service.path}",
        *_indented("Start it now and at every login with:", service.start),
        *_indented("Stop it with:", service.stop),
    ]


def uninstall(service: Service) -> list[str]:
    try:
        service.path.unlink()
    except FileNotFoundError:
        return [f"No service installed for this vault ({service.path} does not exist)."]
    return [f"Removed {service.path}", *_indented("If it is running, stop it with:", service.stop)]


def status(service: Service) -> list[str]:
    if not service.path.exists():
        return [f"Not installed (no {service.path}). Install it with: vaultkit service install"]
    return _indented(f"Installed: {service.path}", service.status)
