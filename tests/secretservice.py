"""A real Secret Service for the keyring tests: gnome-keyring-daemon on a private D-Bus session bus.

The bus and the daemon keep their files in a folder of the test run (HOME, XDG_RUNTIME_DIR and
XDG_DATA_HOME point there), the login keyring is created and unlocked with a test password, and
awsctx subprocesses reach it through DBUS_SESSION_BUS_ADDRESS. A missing program fails the run:
scripts/test installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PASSWORD = b"testpass"


def _require(program: str) -> str:
    path = shutil.which(program)
    assert path, f"{program} is not installed: scripts/test installs it"
    return path


class SecretService:
    def __init__(self, root: Path) -> None:
        self.root = root
        runtime = root / "run"
        runtime.mkdir(mode=0o700)
        home = root / "home"
        home.mkdir()
        self.env = {
            "HOME": str(home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
        }
        address = f"unix:path={runtime / 'bus'}"
        bus = subprocess.run(
            [_require("dbus-daemon"), "--session", "--fork", f"--address={address}", "--print-pid=1"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        self.bus_pid = int(bus.stdout.split()[0])
        self.address = address
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.daemon = subprocess.Popen(
            [_require("gnome-keyring-daemon"), "--foreground", "--unlock", "--components=secrets"],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert self.daemon.stdin is not None
        self.daemon.stdin.write(PASSWORD)
        self.daemon.stdin.close()
        # Ready once a keyring client sees the Secret Service and can store and read an item.
        for _ in range(100):
            probe = self.python(
                "import keyring; keyring.set_password('probe', 'p', 'v'); print(keyring.get_password('probe', 'p'))"
            )
            if probe.returncode == 0 and probe.stdout.strip() == "v":
                break
        else:
            raise AssertionError(f"gnome-keyring-daemon did not come up: {probe.stderr[-500:]}")

    def python(self, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run `code` in the venv's Python against this Secret Service."""
        merged = dict(env or self.env, DBUS_SESSION_BUS_ADDRESS=self.address)
        return subprocess.run([sys.executable, "-c", code], env=merged, capture_output=True, text=True, timeout=60)

    def entry(self, profile: str) -> dict | None:
        """awsctx's keyring entry for `profile`, read through the keyring library itself."""
        found = self.python(f"import keyring; print(keyring.get_password('awsctx', {profile!r}))")
        assert found.returncode == 0, found.stderr
        text = found.stdout.strip()
        return None if text == "None" else json.loads(text)

    def put(self, profile: str, entry: dict) -> None:
        text = json.dumps(entry)
        found = self.python(f"import keyring; keyring.set_password('awsctx', {profile!r}, {text!r})")
        assert found.returncode == 0, found.stderr

    def forget(self, profile: str) -> None:
        self.python(f"import keyring\ntry: keyring.delete_password('awsctx', {profile!r})\nexcept Exception: pass")

    def stop(self) -> None:
        self.daemon.terminate()
        self.daemon.wait(timeout=30)
        os.kill(self.bus_pid, 15)
