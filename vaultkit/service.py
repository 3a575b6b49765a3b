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

    platform: str  # "linux" | "macos"
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
        path = config / "systemd" / "user" / name
        text = (
            "[Unit]\n"
            f"Description=vaultkit watch for {vault_root}\n\n"
            "[Service]\n"
            "Type=simple\n"
            f"ExecStart={' '.join(_quote_systemd(a) for a in command)}\n"
            "Restart=on-failure\n"
            "RestartSec=10\n"
            "UMask=0077\n\n"
            "[Install]\n"
            "WantedBy=default.target\n"
        )
        return Service(
            platform,
            name,
            path,
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
    text = plistlib.dumps(agent, sort_keys=False).decode("utf-8")
    return Service(
        platform,
        label,
        path,
        text,
        start=[f'launchctl load -w "{path}"'],
        stop=[f'launchctl unload -w "{path}"'],
        status=[f"launchctl list {label}", f'tail -f "{log}"'],
    )


def install(service: Service) -> bool:
    """Write the service file; False when an identical one is already there."""
    try:
        if service.path.read_text() == service.text:
            return False
    except OSError:
        pass
    make_dirs(service.path.parent, 0o700)
    atomic_write(service.path, service.text.encode("utf-8"), 0o600)
    return True


def uninstall(service: Service) -> bool:
    try:
        service.path.unlink()
    except FileNotFoundError:
        return False
    return True
