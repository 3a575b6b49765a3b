from __future__ import annotations

import configparser
import plistlib
import sys

import pytest

from vaultkit.service import describe


def test_cli_install_status_uninstall(run, vault, tmp_path, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("the CLI test checks the Linux unit")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    svc = describe(vault, "linux", tmp_path / "home")
    assert run("service", "status").stdout == (
        f"Not installed (no {svc.path}). Install it with: vaultkit service install\n"
    )
    result = run("service", "install")
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote {svc.path}\nStart it now and at every login with:\n"
        f"  systemctl --user daemon-reload\n  systemctl --user enable --now {svc.name}\n"
        f"Stop it with:\n  systemctl --user disable --now {svc.name}\n"
    )
    assert svc.path.stat().st_mode & 0o777 == 0o600
    assert run("service", "install").stdout.startswith(f"Already up to date: {svc.path}\n")
    assert run("service", "status").stdout.startswith(f"Installed: {svc.path}\n")
    assert run("service", "uninstall").stdout.startswith(f"Removed {svc.path}\n")
    assert not svc.path.exists()


def test_systemd_unit_quotes_paths_with_spaces(tmp_path):
    root = tmp_path / "My Notes 100%"
    svc = describe(root, "linux", tmp_path, python="/opt/py thon/bin/python")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(svc.text)
    assert parser["Service"]["ExecStart"] == (
        f'"/opt/py thon/bin/python" -m vaultkit --vault "{tmp_path}/My Notes 100%%" watch'
    )
    assert parser["Install"]["WantedBy"] == "default.target"


def test_launchd_agent_is_a_valid_plist(tmp_path):
    root = tmp_path / "Notes & <stuff>"
    svc = describe(root, "macos", tmp_path, python="/usr/bin/python3")
    data = plistlib.loads(svc.text.encode())
    assert data["ProgramArguments"] == [
        "/usr/bin/python3",
        "-m",
        "vaultkit",
        "--vault",
        str(root),
        "watch",
    ]
    assert data["RunAtLoad"] is True
    assert data["KeepAlive"] == {"SuccessfulExit": False}  # restarted after a crash only
    assert data["Umask"] == 0o077
    assert data["StandardErrorPath"] == str(
        tmp_path / "Library/Logs" / f"vaultkit-watch-{data['Label'][-8:]}.log"
    )
    assert svc.path == tmp_path / "Library/LaunchAgents" / f"{data['Label']}.plist"
    assert svc.start == [f'launchctl load -w "{svc.path}"']
