"""The home of bench.py's keyring case: a profile whose keys `awsctx keys add` put in a real Secret
Service (gnome-keyring on a private D-Bus bus), and a role profile assumed from it whose credentials
are fetched once from a local moto STS.

Both daemons and moto are stopped before timing: `awsctx process ROLE` can then succeed only from
the role cache, without asking the keyring (a keyring read would fail with the bus gone).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

PROFILE = "vault"
ROLE_PROFILE = "vault-admin"
_KEY_ID = "AKIAEXAMPLEVAULT0001"
_SECRET = "bench-secret-0000000000000000000000000001"


def build_home(root: Path, environment: dict[str, str], awsctx: str) -> dict[str, str]:
    """Add the keyring-backed profile and its role to the home at `root`; the facts for the case.
    RuntimeError says why it cannot (a missing program, a step that failed)."""
    for program in ("dbus-daemon", "gnome-keyring-daemon"):
        if not shutil.which(program):
            raise RuntimeError(f"{program} is not installed (scripts/test installs it)")
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise RuntimeError("moto is not installed (it comes with the test extras: pip install '.[test]')") from None
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    runtime = root / ".bench-run"
    runtime.mkdir(mode=0o700)
    address = f"unix:path={runtime / 'bus'}"
    env = {**environment, "XDG_RUNTIME_DIR": str(runtime), "DBUS_SESSION_BUS_ADDRESS": address}
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", f"--address={address}", "--print-pid=1"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"benchpass")
    daemon.stdin.close()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env.update(AWS_ENDPOINT_URL_STS=f"http://{host}:{port}", AWS_ENDPOINT_URL_IAM=f"http://{host}:{port}")
    try:
        added = None
        for _ in range(50):  # until the Secret Service is on the bus
            added = subprocess.run(
                [awsctx, "keys", "add", PROFILE],
                env=env,
                input=f"{_KEY_ID}\n{_SECRET}\n",
                capture_output=True,
                text=True,
                timeout=120,
            )
            if added.returncode == 0:
                break
            time.sleep(0.2)
        if added is None or added.returncode:
            raise RuntimeError(f"awsctx keys add failed: {added.stderr.strip() if added else ''}")
        config = root / ".aws" / "config"
        with config.open("a", encoding="utf-8") as file:
            file.write(
                f"\n[profile {ROLE_PROFILE}]\nrole_arn = arn:aws:iam::123456789012:role/bench\n"
                f"source_profile = {PROFILE}\nregion = us-east-1\n"
            )
        warmed = subprocess.run([awsctx, "process", ROLE_PROFILE], env=env, capture_output=True, text=True, timeout=120)
        if warmed.returncode:
            raise RuntimeError(f"fetching the role's credentials failed: {warmed.stderr.strip()}")
        key = json.loads(warmed.stdout)["AccessKeyId"]
    finally:
        server.stop()
        daemon.terminate()
        daemon.wait(timeout=30)
        os.kill(int(bus.stdout.split()[0]), 15)
    past = time.time() - 86_400
    for path in (config, root / ".aws" / "credentials"):
        os.utime(path, (past, past))
    return {"BENCH_KEYRING_ROLE_PROFILE": ROLE_PROFILE, "BENCH_KEYRING_ROLE_KEY": key}
