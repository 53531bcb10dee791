#!/usr/bin/env python3
"""`awsctx sso sync` against a slow IAM Identity Center, and the home it writes for bench.py.

The fake IAM Identity Center of the tests (tests/fakesso.py, standard library only, imported by
path) serves 1,000 accounts with 3 roles each and waits 50 ms before every answer, about what the
real portal takes from a laptop. The installed awsctx syncs them all into a fresh home; the report
sets the time beside what one call at a time would take: calls made x latency, which counts the
waiting alone and so is a lower bound for a sequential client.

bench.py then times list, switch and Tab on the 3,000 profiles written, and `awsctx process NAME`
on a cache hit. For those hits, the credentials of the profiles switched to and served are fetched
once beforehand (from the fake portal, and from a small stand-in for STS's GetCallerIdentity, which
awsctx asks who the credentials belong to); afterwards both servers are gone and the home points at
a closed port, so a call that missed the cache would fail instead of being timed.

    python benchmarks/sso_bench.py [--accounts N] [--latency SECONDS]   # the sync alone
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

ROLES = ("AdministratorAccess", "PowerUser", "ReadOnly")
SESSION = "corp"
TAB_PREFIX = "acct-01"  # accounts 0100-0199: 300 candidates
_FAKESSO = Path(__file__).resolve().parents[1] / "tests" / "fakesso.py"
_FILE_AGE_SECONDS = 86_400  # as bench.py: awsctx caches only files that have settled


def closed_port_url() -> str:
    """A loopback URL where nothing listens: a port the system handed out, then closed (a fixed
    port such as 9 may be in use on some machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@dataclasses.dataclass
class SyncReport:
    accounts: int
    roles: int
    latency: float
    seconds: float  # the first sync, whole process (interpreter, botocore, listing, writing)
    again_seconds: float  # a second sync with nothing new: the listing again, nothing written
    calls: int  # ListAccounts + ListAccountRoles answered
    profiles: int
    config_bytes: int

    @property
    def sequential_seconds(self) -> float:
        return self.calls * self.latency

    def lines(self) -> list[str]:
        return [
            f"sso sync: {self.accounts:,} accounts x {len(ROLES)} roles, {self.latency * 1000:.0f} ms per answer "
            "(`awsctx sso sync`)",
            f"  first sync          {self.seconds:6.1f} s   {self.profiles:,} profiles, "
            f"{self.config_bytes / 1024:.0f} KiB config",
            f"  sync, nothing new   {self.again_seconds:6.1f} s   file left untouched",
            f"  one call at a time  {self.sequential_seconds:6.1f} s   = {self.calls:,} calls x "
            f"{self.latency * 1000:.0f} ms (waiting alone: a lower bound, not measured)",
            f"  speed-up            {self.sequential_seconds / self.seconds:6.1f} x",
        ]


def _fakesso() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fakesso", _FAKESSO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fakesso"] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


class _CallerIdentity(BaseHTTPRequestHandler):
    """STS GetCallerIdentity for whatever key signed the call: ASIA + the account id + 4 characters
    is how the fake portal makes its keys."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        credential = self.headers.get("Authorization", "").partition("Credential=")[2]
        account = credential[4:16] if credential[4:16].isdigit() else "123456789012"
        body = (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<GetCallerIdentityResult><Arn>arn:aws:sts::{account}:assumed-role/ReadOnly/bench</Arn>"
            f"<UserId>AROAEXAMPLE:bench</UserId><Account>{account}</Account></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _age(path: Path) -> None:
    past = time.time() - _FILE_AGE_SECONDS
    os.utime(path, (past, past))


def build_home(
    root: Path, awsctx: str, accounts: int = 1000, latency: float = 0.05
) -> tuple[dict[str, str], SyncReport]:
    """Sync `accounts` x 3 roles into a new home at `root`; the facts bench.py's cases read, and
    the report. Raises RuntimeError when a step fails."""
    fakesso = _fakesso()
    aws = root / ".aws"
    aws.mkdir(parents=True)
    config = aws / "config"
    sts = ThreadingHTTPServer(("127.0.0.1", 0), _CallerIdentity)
    sts.daemon_threads = True
    threading.Thread(target=sts.serve_forever, daemon=True).start()
    try:
        with fakesso.FakeSSO(latency=latency) as fake:
            fake.add_accounts(accounts, roles=ROLES)
            config.write_text(
                "[default]\nregion = us-east-1\n\n"
                f"[sso-session {SESSION}]\nsso_start_url = {fake.start_url}\nsso_region = us-east-1\n"
                "sso_registration_scopes = sso:account:access\n"
            )
            config.chmod(0o600)
            credentials = aws / "credentials"
            credentials.write_text("[static]\naws_access_key_id = AKIAEXAMPLESTATIC001\naws_secret_access_key = s\n")
            credentials.chmod(0o600)
            _age(credentials)
            fakesso.write_token_cache(fakesso.sso_cache_dir(root), SESSION, fake.issue_token())
            environment = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(root),
                "XDG_CACHE_HOME": str(root / ".cache"),
                "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_ENDPOINT_URL_SSO": fake.url,
                "AWS_ENDPOINT_URL_SSO_OIDC": fake.url,
                "AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{sts.server_address[1]}",
                "AWS_EC2_METADATA_DISABLED": "true",
                "LANG": "C.UTF-8",
            }
            command = [awsctx, "sso", "sync"]

            def sync() -> float:
                started = time.perf_counter()
                done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
                elapsed = time.perf_counter() - started
                if done.returncode != 0:
                    raise RuntimeError(f"the sync failed: {done.stderr.strip()[-2000:]}")
                return elapsed

            seconds = sync()
            calls = fake.calls["ListAccounts"] + fake.calls["ListAccountRoles"]
            written = config.stat().st_mtime_ns
            again = sync()
            if config.stat().st_mtime_ns != written:
                raise RuntimeError("the second sync rewrote a config that had not changed")

            # One fetch each, so that `awsctx process` and the switches hit the credential cache
            # from then on, as they do for a user all day.
            profile, switch_profiles = "acct-0000.readonly", ("acct-0417.poweruser", "acct-0999.readonly")
            for name in (profile, *switch_profiles):
                fetch = [awsctx, "process", name]
                done = subprocess.run(fetch, env=environment, capture_output=True, text=True, timeout=120)
                if done.returncode != 0 or "AccessKeyId" not in done.stdout:
                    raise RuntimeError(f"`awsctx process {name}` failed: {done.stderr.strip()[-2000:]}")
    finally:
        sts.shutdown()
        sts.server_close()
    _age(config)
    text = config.read_text()
    profiles = text.count("\n[profile ")
    report = SyncReport(accounts, len(ROLES), latency, seconds, again, calls, profiles, len(text))
    closed = closed_port_url()
    facts = {
        "BENCH_PROFILES": str(profiles + 2),  # and [default], [static]
        "BENCH_ROLE_PROFILE": switch_profiles[0],
        "BENCH_ROLE_REGION": "us-east-1",
        "BENCH_SSO_PROFILE": switch_profiles[1],
        "BENCH_SSO_REGION": "us-east-1",
        "BENCH_PROCESS_PROFILE": profile,
        "BENCH_PROCESS_KEY": fakesso.access_key_id_for("100000000000", "ReadOnly"),
        "BENCH_STATIC_PROFILE": "static",
        # A call that missed the cache fails at once rather than reaching out.
        "AWS_ENDPOINT_URL_SSO": closed,
        "AWS_ENDPOINT_URL_STS": closed,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return facts, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `awsctx sso sync` against a slow fake IAM Identity Center.")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds before every answer (default 0.05)")
    parser.add_argument("--awsctx", default=str(Path(sys.executable).parent / "awsctx"))
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="awsctx-sso-bench-") as folder:
        try:
            _, report = build_home(Path(folder) / "home", arguments.awsctx, arguments.accounts, arguments.latency)
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
