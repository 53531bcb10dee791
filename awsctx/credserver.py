"""`awsctx exec NAME --server -- CMD`: CMD reads NAME's credentials from a local endpoint, refreshed
for as long as it runs, instead of finding keys that expire in its environment.

The endpoint speaks what every AWS SDK and the AWS CLI read in a container:
AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN sent as the
Authorization header, answered with JSON (AccessKeyId, SecretAccessKey, Token, Expiration). An SDK
asks again as its credentials near expiry; a thread here has fresh ones ready before then, from
awsctx's caches, the MFA session and the SSO login, never asking anything (a session that ended is
said once: a code given in another terminal, `awsctx whoami NAME`, serves the next attempt).

Who can read it: it listens on 127.0.0.1 only, on a port the kernel picks; it answers only a request
carrying the token (256 random bits, compared in constant time): 401 without one, 403 with another.
No credential is in CMD's argv or environment. It stops when CMD ends; CMD is started without the
listening socket, signals sent to awsctx reach CMD, and CMD's exit status (or the signal that ended
it) is awsctx's.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from awsctx import config, credentials, ini, output
from awsctx.errors import UserError, WaitExpired

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

PATH = "/awsctx/credentials"
# Fresh credentials are obtained this long before expiry (the AWS CLI cache, which they come from,
# is refreshed by botocore 15 minutes ahead; SDKs ask again 5 to 15 minutes ahead), or a third of
# the way before expiry for credentials that live less than half an hour.
MARGIN = 10 * 60
# Long-term keys are never served: they are traded for session credentials of this length.
KEYS_SESSION_SECONDS = 3600
# The variables an SDK would prefer to the endpoint, or that point it elsewhere.
SHADOWING = (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
)
# Settings that give the default profile credentials of its own: an SDK would take them before the
# endpoint, since CMD has no AWS_PROFILE.
_CREDENTIAL_SETTINGS = frozenset(
    (
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "role_arn",
        "credential_source",
        "credential_process",
        "web_identity_token_file",
        "sso_session",
        "sso_start_url",
        "sso_account_id",
        "sso_role_name",
    )
)
# Signals a terminal sends to its whole foreground process group, CMD included: passed on only when
# awsctx is not in that group (sent to awsctx alone), or CMD would get them twice.
_FROM_TERMINAL = (signal.SIGINT, signal.SIGQUIT, signal.SIGWINCH)
_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, *_FROM_TERMINAL)
# Deaths awsctx repeats on itself, so that its parent sees CMD's; after others (core dumps) it exits
# 128 + the signal, as a shell reports them.
_REPEATED = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGPIPE,
    signal.SIGKILL,
    signal.SIGUSR1,
    signal.SIGUSR2,
)


class Served:
    """The credentials being served, and a thread that replaces them ahead of their expiry."""

    def __init__(self, profile: str, obtain: Callable[[], credentials.Resolved], first: credentials.Resolved) -> None:
        self.profile = profile
        self.obtain = obtain
        self.lock = threading.Lock()
        self.current = first
        self.obtained_at = time.time()
        self.stopping = threading.Event()
        self.complained = ""
        self.thread = threading.Thread(target=self._refresh_forever, name="awsctx-refresh", daemon=True)

    def document(self) -> dict | None:
        """The credentials as the SDKs read them from a container endpoint; None once expired."""
        with self.lock:
            resolved = self.current
        expiration = resolved.identity.expiration
        if expiration is None or expiration <= time.time() or not resolved.session_token:
            return None
        found = {
            "AccessKeyId": resolved.access_key_id,
            "SecretAccessKey": resolved.secret_access_key,
            "Token": resolved.session_token,
            "Expiration": credentials.iso_utc(expiration),
        }
        account = resolved.identity.account_id
        if account.isdigit() and len(account) == 12:
            found["AccountId"] = account
        return found

    def next_refresh(self, now: float) -> float:
        """When to obtain fresh credentials: MARGIN ahead of expiry, or a third of their life ahead
        for short ones; and not in a loop when what comes back is no fresher."""
        with self.lock:
            expiration = self.current.identity.expiration or now
            lifetime = max(expiration - self.obtained_at, 0.0)
        due = expiration - min(MARGIN, lifetime / 3)
        return max(due, now + 1.0)

    def _refresh_forever(self) -> None:
        while not self.stopping.wait(max(self.next_refresh(time.time()) - time.time(), 0.0)):
            with self.lock:
                before = self.current.identity.expiration or 0
            try:
                fresh = self.obtain()
            except (UserError, WaitExpired) as error:
                self._complain(str(error))
                self.stopping.wait(min(30.0, max(1.0, (before - time.time()) / 4)))
                continue
            except Exception as error:  # a bug must not end the serving of what is still good
                self._complain(f"{type(error).__name__}: {error}")
                self.stopping.wait(30.0)
                continue
            with self.lock:
                self.current, self.obtained_at = fresh, time.time()
            self.complained = ""
            if (fresh.identity.expiration or 0) <= before:
                # Nothing fresher yet (a cache answering): look again in a while, not at once.
                self.stopping.wait(min(30.0, max(1.0, (before - time.time()) / 4)))

    def _complain(self, reason: str) -> None:
        """Say once per failure (not at every attempt) why the credentials are not refreshed."""
        if reason == self.complained:
            return
        self.complained = reason
        with self.lock:
            expiration = self.current.identity.expiration
        until = time.strftime("%H:%M", time.localtime(expiration)) if expiration else "now"
        output.note(
            f"awsctx exec: cannot refresh the credentials of profile {self.profile!r} ({reason}); "
            f"the ones served expire at {until}; trying again"
        )


class Endpoint:
    """The loopback HTTP endpoint the SDKs in CMD ask."""

    def __init__(self, served: Served) -> None:
        self.token = secrets.token_urlsafe(32)
        expected = self.token.encode("ascii")

        class Handler(BaseHTTPRequestHandler):
            server_version = "awsctx"
            sys_version = ""

            def log_message(self, *_: object) -> None:
                pass  # CMD's terminal is not a request log

            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != PATH:
                    self._answer(404, {"code": "NotFound", "message": "no such path"})
                    return
                supplied = self.headers.get("Authorization")
                if supplied is None:
                    self._answer(401, {"code": "Unauthorized", "message": "an authorization token is required"})
                    return
                if not hmac.compare_digest(supplied.encode("utf-8", "replace"), expected):
                    self._answer(403, {"code": "Forbidden", "message": "wrong authorization token"})
                    return
                document = served.document()
                if document is None:
                    message = f"the credentials of profile {served.profile!r} expired and could not be refreshed"
                    self._answer(503, {"code": "CredentialsExpired", "message": message})
                    return
                self._answer(200, document)

            def _answer(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(payload)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}{PATH}"
        self.thread = threading.Thread(target=self.http.serve_forever, name="awsctx-endpoint", daemon=True)

    def environment(self) -> dict[str, str]:
        return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token}


def shadowing_files(cfg: config.AwsConfig) -> dict[str, str]:
    """Point CMD's SDKs away from a file whose default profile holds credentials: without
    AWS_PROFILE they would take those before asking the endpoint."""
    overrides = {}
    for variable, path in (("AWS_CONFIG_FILE", cfg.config_path), ("AWS_SHARED_CREDENTIALS_FILE", cfg.credentials_path)):
        sections = ini.read_ini(path)
        default = (sections or {}).get("default")
        if default is not None and _CREDENTIAL_SETTINGS.intersection(default[0]):
            overrides[variable] = os.devnull
    return overrides


def obtainer(profile: str, cfg: config.AwsConfig) -> Callable[[], credentials.Resolved]:
    """What the refresh thread calls: the profile's credentials from awsctx's caches, its MFA session
    or SSO login, never asking; long-term keys traded for a session of theirs."""

    def obtain() -> credentials.Resolved:
        resolved = credentials.resolve(profile, cfg, interactive=False, open_browser=False)
        return temporary(profile, cfg, resolved, None, interactive=False)

    return obtain


def temporary(
    profile: str, cfg: config.AwsConfig, resolved: credentials.Resolved, mfa_code: str | None, interactive: bool
) -> credentials.Resolved:
    """`resolved` when it is temporary; long-term keys traded for session credentials (GetSessionToken;
    the MFA session when the profile names a device), which are what a container endpoint serves."""
    if resolved.session_token and resolved.identity.expiration:
        return resolved
    from awsctx import awsclient, mfasession

    settings = cfg.profile(profile)
    region = config.region_of(settings) or "us-east-1"
    keys = (resolved.access_key_id, resolved.secret_access_key, None)

    def get_session_token(keys: tuple[str, str, str | None], **arguments: Any) -> dict:
        sts = awsclient.client("sts", region, keys=keys)
        return sts.get_session_token(**arguments)

    serial = settings.get("mfa_serial")
    with awsclient.Explained(f"profile {profile!r}"):
        if isinstance(serial, str) and serial:
            plan = mfasession.Plan(profile, "", profile, serial)
            prompter = credentials.Prompter(profile, mfa_code, interactive)
            mfasession.obtain(plan, lambda: keys, prompter, get_session_token)
            stored = mfasession.read(plan)
            assert stored is not None
            access, secret, token = mfasession.keys_of(stored)
            expiration = int(stored["Expiration"])
        else:
            found = get_session_token(keys, DurationSeconds=KEYS_SESSION_SECONDS)["Credentials"]
            access, secret, token = found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"]
            expiration = int(found["Expiration"].timestamp())
    old = resolved.identity
    identity = credentials.Identity(old.account_id, old.arn, expiration, "sts-session")
    return credentials.Resolved(identity, access, secret, token)


def run(command: list[str], environment: dict[str, str], served: Served, endpoint: Endpoint) -> int:
    """Serve while `command` runs; its exit status."""
    endpoint.thread.start()
    served.thread.start()
    forwarded: dict[int, Any] = {}
    try:
        try:
            child = subprocess.Popen(command, env={**environment, **endpoint.environment()})
        except FileNotFoundError:
            missing = UserError(f"command not found: {command[0]}")
            missing.exit_code = 127  # what a shell answers for a missing command
            raise missing from None
        except PermissionError:
            denied = UserError(f"cannot run {command[0]}: permission denied")
            denied.exit_code = 126
            raise denied from None

        def forward(number: int, _frame: object) -> None:
            if number in _FROM_TERMINAL and _in_foreground():
                return  # the terminal sent it to CMD too
            try:
                child.send_signal(number)
            except OSError:
                pass

        for wanted in _FORWARDED:
            forwarded[wanted] = signal.signal(wanted, forward)
        status = child.wait()
    finally:
        for caught, previous in forwarded.items():
            signal.signal(caught, previous)
        served.stopping.set()
        endpoint.http.shutdown()
        endpoint.http.server_close()
    if status >= 0:
        return status
    ended_by = -status
    if ended_by in _REPEATED:
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(ended_by, signal.SIG_DFL)
        os.kill(os.getpid(), ended_by)
    return 128 + ended_by


def _in_foreground() -> bool:
    """Whether awsctx is in its terminal's foreground process group (as CMD, started in it, is)."""
    for stream in (sys.stdin, sys.stderr, sys.stdout):
        try:
            return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
        except (OSError, ValueError, AttributeError):
            continue
    return False
