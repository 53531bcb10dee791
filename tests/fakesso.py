"""A local stand-in for AWS IAM Identity Center, for tests.

moto does not implement the SSO-OIDC and SSO portal APIs, so this module serves them from a
`ThreadingHTTPServer` on 127.0.0.1. Real botocore clients reach it through endpoint overrides
(`endpoint_url=`, or `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_SSO`), and the wire format
follows botocore's restJson models for `sso-oidc` and `sso` (2019-06-10), so botocore's own SSO
token and credential providers work against it unchanged.

Both services share one server: their request paths do not collide (OIDC uses /client/register,
/device_authorization and /token; the portal uses /federation/credentials, /assignment/accounts,
/assignment/roles and /logout). `test_fakesso.py` checks that against the models.

Everything a test needs to steer is on `FakeSSO`: accounts and roles, approving or denying device
codes, token lifetimes, a clock that can be moved forward, injected errors and throttling,
per-request latency, and counters of calls per operation.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import http.server
import json
import secrets
import socket
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SSO_ACCOUNT_ACCESS_SCOPE = "sso:account:access"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_TOKEN_GRANT = "refresh_token"
DEFAULT_START_URL = "https://fake-sso.awsapps.com/start"

# (method, path) -> operation, as in botocore's service models (`http.method` / `http.requestUri`).
OIDC_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
}
PORTAL_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("POST", "/logout"): "Logout",
}
ROUTES: dict[tuple[str, str], str] = {**OIDC_ROUTES, **PORTAL_ROUTES}
OIDC_OPERATIONS = frozenset(OIDC_ROUTES.values())
PORTAL_OPERATIONS = frozenset(PORTAL_ROUTES.values())

# HTTP status per error code, from the models' `error.httpStatusCode`. ForbiddenException is not in
# the model, but it is what the real portal answers ("No access") for a role the user lacks.
ERROR_STATUS: dict[str, int] = {
    "AccessDeniedException": 400,
    "AuthorizationPendingException": 400,
    "ExpiredTokenException": 400,
    "InternalServerException": 500,
    "InvalidClientException": 401,
    "InvalidClientMetadataException": 400,
    "InvalidGrantException": 400,
    "InvalidRequestException": 400,
    "InvalidScopeException": 400,
    "SlowDownException": 400,
    "UnauthorizedClientException": 400,
    "UnsupportedGrantTypeException": 400,
    "UnauthorizedException": 401,
    "ForbiddenException": 403,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
    "UnknownOperationException": 404,
}

# OAuth error slugs (RFC 6749 / 8628) that the real OIDC service puts in the `error` member.
OAUTH_ERRORS: dict[str, str] = {
    "AccessDeniedException": "access_denied",
    "AuthorizationPendingException": "authorization_pending",
    "ExpiredTokenException": "expired_token",
    "InternalServerException": "server_error",
    "InvalidClientException": "invalid_client",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidGrantException": "invalid_grant",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "SlowDownException": "slow_down",
    "UnauthorizedClientException": "unauthorized_client",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
}

MAX_RESULTS_LIMIT = 100  # the models' MaxResultType max; botocore does not check it client-side


class FakeSSOError(Exception):
    """An error answered to the client in the restJson error shape."""

    def __init__(self, code: str, message: str = "", status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message or code
        self.status = status if status is not None else ERROR_STATUS.get(code, 400)


@dataclass
class Account:
    account_id: str
    name: str
    email: str
    roles: list[str] = field(default_factory=list)


@dataclass
class Client:
    client_id: str
    client_secret: str
    client_name: str
    client_type: str
    scopes: list[str]
    issued_at: int
    expires_at: int


@dataclass
class DeviceAuthorization:
    device_code: str
    user_code: str
    client_id: str
    start_url: str
    created_at: float
    expires_at: float
    interval: int
    # pending -> approved -> consumed, or pending -> denied; `expire_device_code` forces expired.
    status: str = "pending"
    polls: int = 0
    last_poll: float | None = None


@dataclass
class AccessToken:
    token: str
    client_id: str
    session_id: str
    start_url: str
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    session_id: str
    start_url: str
    scopes: list[str]
    revoked: bool = False


@dataclass
class RecordedRequest:
    operation: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


@dataclass
class _Injection:
    operations: frozenset[str] | None  # None: any operation
    code: str
    message: str
    remaining: int


def access_key_id_for(account_id: str, role_name: str) -> str:
    """Deterministic 20-character key id: ASIA + the account id + 4 characters naming the role."""
    role_tag = base64.b32encode(hashlib.sha256(role_name.encode()).digest()).decode()[:4]
    return f"ASIA{account_id}{role_tag}"


def secret_access_key_for(account_id: str, role_name: str) -> str:
    digest = hashlib.sha256(f"secret/{account_id}/{role_name}".encode()).digest()
    return base64.b64encode(digest).decode()[:40]


def token_cache_key(session_name_or_start_url: str) -> str:
    """File stem botocore and the AWS CLI use under ~/.aws/sso/cache/: sha1 of the sso-session name
    (or of the start URL for legacy profiles without sso_session)."""
    return hashlib.sha1(session_name_or_start_url.encode()).hexdigest()


def iso_utc(epoch: float) -> str:
    """Timestamp in the form botocore and the AWS CLI write in the token cache (`...Z`)."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_token_cache(cache_dir: Path | str, session_name: str, token: Mapping[str, Any]) -> Path:
    """Write `token` where botocore looks for the sso-session `session_name`; returns the path.
    The file is 0600, like the files botocore writes through mkstemp."""
    directory = Path(cache_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{token_cache_key(session_name)}.json"
    path.write_text(json.dumps(dict(token)))
    path.chmod(0o600)
    return path


def sso_cache_dir(home: Path | str) -> Path:
    """Where botocore and the AWS CLI keep SSO tokens for this HOME."""
    return Path(home) / ".aws" / "sso" / "cache"


def sso_session_config(
    *,
    profile: str,
    session_name: str,
    start_url: str,
    account_id: str,
    role_name: str,
    sso_region: str = "us-east-1",
    region: str = "eu-west-1",
) -> str:
    """Config-file text for a profile using an [sso-session] section, as `aws configure sso` writes it."""
    return (
        f"[profile {profile}]\n"
        f"sso_session = {session_name}\n"
        f"sso_account_id = {account_id}\n"
        f"sso_role_name = {role_name}\n"
        f"region = {region}\n"
        f"\n"
        f"[sso-session {session_name}]\n"
        f"sso_start_url = {start_url}\n"
        f"sso_region = {sso_region}\n"
        f"sso_registration_scopes = {SSO_ACCOUNT_ACCESS_SCOPE}\n"
    )


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a keep-alive connection left open by a client must not block exit
    fake: FakeSSO


class _Handler(http.server.BaseHTTPRequestHandler):
    # botocore (urllib3) keeps connections alive; HTTP/1.1 with Content-Length on every answer.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY each keep-alive answer
    # waits ~40 ms on the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean; `FakeSSO.requests` records what happened


class FakeSSO:
    """IAM Identity Center double: SSO-OIDC and the SSO portal on one loopback HTTP server."""

    def __init__(
        self,
        *,
        accounts: Iterable[Account] | None = None,
        start_url: str = DEFAULT_START_URL,
        region: str = "us-east-1",
        access_token_ttl: int = 8 * 3600,
        device_code_ttl: int = 600,
        client_registration_ttl: int = 90 * 86400,
        role_credentials_ttl: int = 3600,
        poll_interval: int = 1,
        enforce_poll_interval: bool = False,
        auto_approve_after_polls: int | None = None,
        approve_on_visit: bool = False,
        rotate_refresh_tokens: bool = True,
        reuse_refresh_tokens: bool = True,
        default_page_size: int = 20,
        latency: float = 0.0,
        verification_uri: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.start_url = start_url
        self.region = region
        self.access_token_ttl = access_token_ttl
        self.device_code_ttl = device_code_ttl
        self.client_registration_ttl = client_registration_ttl
        self.role_credentials_ttl = role_credentials_ttl
        self.poll_interval = poll_interval
        # When set, a poll sooner than `interval` after the previous one is answered slow_down,
        # as RFC 8628 allows; off by default so tests may poll as fast as they like.
        self.enforce_poll_interval = enforce_poll_interval
        # None: only approve()/approve_on_visit approve. N: the (N+1)th poll of a code gets a token.
        self.auto_approve_after_polls = auto_approve_after_polls
        self.approve_on_visit = approve_on_visit
        self.rotate_refresh_tokens = rotate_refresh_tokens  # refresh answers carry a new refresh token
        self.reuse_refresh_tokens = reuse_refresh_tokens  # False: a used refresh token is revoked
        self.default_page_size = default_page_size
        self.latency = latency  # seconds added to every request, for benchmarks

        self.accounts: dict[str, Account] = {}
        self.clients: dict[str, Client] = {}
        self.device_authorizations: list[DeviceAuthorization] = []
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.calls: Counter[str] = Counter()
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of bugs in this server, answered as HTTP 500
        self.issued_credentials: list[dict[str, Any]] = []

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._clock_offset = 0.0
        self._injections: list[_Injection] = []
        self._slow_down_remaining = 0
        self._serial = 0
        self._connections: set[socket.socket] = set()
        self._stopped = False

        for account in accounts or ():
            self.accounts[account.account_id] = account

        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self.verification_uri = verification_uri or f"{self.url}/device"
        # A short poll interval so stop() returns at once rather than after up to 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fakesso", daemon=True
        )
        self._thread.start()

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> FakeSSO:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections, so later calls fail to connect."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join()

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # ----------------------------------------------------------------- clock

    def now(self) -> float:
        """The server's clock: wall time plus whatever `advance` added."""
        return time.time() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Move the server's clock forward (expires device codes, tokens, registrations)."""
        with self._lock:
            self._clock_offset += seconds

    # ----------------------------------------------------------------- accounts

    def add_account(
        self, account_id: str, name: str | None = None, email: str | None = None, roles: Iterable[str] = ()
    ) -> Account:
        with self._lock:
            account = Account(
                account_id=account_id,
                name=name if name is not None else f"account-{account_id}",
                email=email if email is not None else f"aws+{account_id}@example.com",
                roles=list(roles),
            )
            self.accounts[account_id] = account
            return account

    def add_role(self, account_id: str, role_name: str) -> None:
        with self._lock:
            roles = self.accounts[account_id].roles
            if role_name not in roles:
                roles.append(role_name)

    def add_accounts(self, count: int, roles: Iterable[str] = ("ReadOnly",), first_id: int = 100000000000) -> list[str]:
        """Add `count` generated accounts (ids first_id, first_id+1, ...), each with `roles`."""
        role_list = list(roles)
        return [
            self.add_account(str(first_id + i), name=f"acct-{i:04d}", roles=role_list).account_id for i in range(count)
        ]

    def remove_account(self, account_id: str) -> None:
        with self._lock:
            del self.accounts[account_id]

    # ----------------------------------------------------------------- device codes

    def _find_authorization(self, code: str) -> DeviceAuthorization:
        for auth in self.device_authorizations:
            if code in (auth.device_code, auth.user_code):
                return auth
        raise KeyError(code)

    def _pending(self, code: str | None) -> list[DeviceAuthorization]:
        if code is not None:
            return [self._find_authorization(code)]
        return [a for a in self.device_authorizations if a.status == "pending"]

    def approve(self, code: str | None = None) -> int:
        """Approve a device code (by user code or device code), or every pending one when None.
        Returns how many were approved; an unknown code raises KeyError."""
        with self._lock:
            targets = self._pending(code)
            for auth in targets:
                auth.status = "approved"
            self._changed.notify_all()
            return len(targets)

    def deny(self, code: str | None = None) -> int:
        """Deny a device code, or every pending one when None; its next poll is AccessDenied."""
        with self._lock:
            targets = self._pending(code)
            for auth in targets:
                auth.status = "denied"
            self._changed.notify_all()
            return len(targets)

    def expire_device_code(self, code: str | None = None) -> int:
        """Make a device code (or all pending ones) answer ExpiredTokenException from now on."""
        with self._lock:
            targets = self._pending(code)
            for auth in targets:
                auth.status = "expired"
            return len(targets)

    def wait_for_device_authorization(self, timeout: float = 10.0) -> DeviceAuthorization:
        """Block until some device authorization is pending and return the oldest one. For tests
        that run a login in another thread or process and approve it once it has started."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                pending = [a for a in self.device_authorizations if a.status == "pending"]
                if pending:
                    return pending[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no StartDeviceAuthorization reached the fake SSO server")
                self._changed.wait(left)

    @property
    def last_device_authorization(self) -> DeviceAuthorization | None:
        with self._lock:
            return self.device_authorizations[-1] if self.device_authorizations else None

    # ----------------------------------------------------------------- tokens

    def expire_access_tokens(self) -> None:
        """Make every issued access token expired (the portal answers UnauthorizedException)."""
        with self._lock:
            for token in self.access_tokens.values():
                token.expires_at = min(token.expires_at, self.now() - 1)

    def revoke_access_token(self, token: str) -> None:
        with self._lock:
            self.access_tokens[token].revoked = True

    def revoke_refresh_tokens(self) -> None:
        """Make every refresh token answer InvalidGrantException."""
        with self._lock:
            for token in self.refresh_tokens.values():
                token.revoked = True

    def revoke_sessions(self, access_token: str | None = None) -> int:
        """End sign-in sessions server-side, as an administrator's revocation or a sign-out in the
        browser does: the session `access_token` belongs to (every session when None) loses its
        access tokens (the portal answers UnauthorizedException, though they are in date for the
        client) and its refresh tokens (CreateToken answers invalid_grant). Returns how many
        sessions ended; an unknown token raises KeyError."""
        with self._lock:
            if access_token is None:
                ended = {token.session_id for token in self.access_tokens.values()}
            else:
                ended = {self.access_tokens[access_token].session_id}
            for token in self.access_tokens.values():
                if token.session_id in ended:
                    token.revoked = True
            for refresh in self.refresh_tokens.values():
                if refresh.session_id in ended:
                    refresh.revoked = True
            return len(ended)

    def valid_access_tokens(self) -> list[str]:
        with self._lock:
            now = self.now()
            return [t.token for t in self.access_tokens.values() if not t.revoked and t.expires_at > now]

    def issue_token(
        self,
        *,
        start_url: str | None = None,
        scopes: Iterable[str] = (SSO_ACCOUNT_ACCESS_SCOPE,),
        expires_in: int | None = None,
        client_name: str = "botocore-client-test",
    ) -> dict[str, Any]:
        """Log in without HTTP (no counters move): register a client, approve a session, and
        return the token in the AWS CLI cache format, ready for `write_token_cache`."""
        scope_list = list(scopes)
        with self._lock:
            client = self._new_client(client_name, "public", scope_list)
            url = start_url or self.start_url
            response = self._new_session_tokens(client, url, scope_list)
            if expires_in is not None:
                self.access_tokens[response["accessToken"]].expires_at = self.now() + expires_in
            expires_at = self.access_tokens[response["accessToken"]].expires_at
            cached: dict[str, Any] = {
                "startUrl": url,
                "region": self.region,
                "accessToken": response["accessToken"],
                "expiresAt": iso_utc(expires_at),
                "clientId": client.client_id,
                "clientSecret": client.client_secret,
                "registrationExpiresAt": iso_utc(client.expires_at),
            }
            if "refreshToken" in response:
                cached["refreshToken"] = response["refreshToken"]
            return cached

    # ----------------------------------------------------------------- fault injection

    def fail_next(
        self, operation: str | Iterable[str] | None, code: str, count: int = 1, message: str | None = None
    ) -> None:
        """Answer the next `count` calls of `operation` (a name, several, or None for any) with the
        error `code`; the status comes from ERROR_STATUS. Checked before any other processing."""
        if isinstance(operation, str):
            operations: frozenset[str] | None = frozenset([operation])
        elif operation is None:
            operations = None
        else:
            operations = frozenset(operation)
        with self._lock:
            self._injections.append(_Injection(operations, code, message or f"injected {code}", count))

    def throttle_next(self, count: int, operations: str | Iterable[str] | None = None) -> None:
        """The next `count` portal calls (or calls of `operations`) get HTTP 429 TooManyRequests."""
        self.fail_next(operations if operations is not None else PORTAL_OPERATIONS, "TooManyRequestsException", count)

    def slow_down_next(self, count: int) -> None:
        """The next `count` device-code polls answer SlowDownException (they still count as polls)."""
        with self._lock:
            self._slow_down_remaining += count

    def clear_faults(self) -> None:
        """Drop pending injected errors, throttles and slow-downs."""
        with self._lock:
            self._injections.clear()
            self._slow_down_remaining = 0

    def reset_counters(self) -> None:
        with self._lock:
            self.calls.clear()
            self.requests.clear()

    # ----------------------------------------------------------------- credentials

    def credentials_for(self, account_id: str, role_name: str) -> tuple[str, str]:
        """(access key id, secret key) GetRoleCredentials returns for this account and role."""
        return access_key_id_for(account_id, role_name), secret_access_key_for(account_id, role_name)

    def role_for_access_key(self, access_key_id: str) -> tuple[str, str]:
        """(account id, role name) that an issued access key id belongs to."""
        with self._lock:
            for account in self.accounts.values():
                for role in account.roles:
                    if access_key_id_for(account.account_id, role) == access_key_id:
                        return account.account_id, role
        raise KeyError(access_key_id)

    # ----------------------------------------------------------------- HTTP plumbing

    def _handle(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        method = handler.command
        operation = ROUTES.get((method, parts.path))
        if parts.path == "/token" and "aws_iam" in query:
            operation = "CreateTokenWithIAM"  # same path as CreateToken in the model; not served
        if self.latency:
            time.sleep(self.latency)

        if method == "GET" and parts.path == "/device":
            self._verification_page(handler, query)
            return

        try:
            body: dict[str, Any] = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ValueError("body is not a JSON object")
        except ValueError:
            body = {}
            self._record(operation or f"{method} {parts.path}", method, parts.path, query, handler, body)
            self._send_error(handler, FakeSSOError("InvalidRequestException", "malformed JSON body"), operation)
            return

        self._record(operation or f"{method} {parts.path}", method, parts.path, query, handler, body)
        try:
            if operation is None:
                raise FakeSSOError("UnknownOperationException", f"no operation for {method} {parts.path}")
            if operation == "CreateTokenWithIAM":
                raise FakeSSOError("UnsupportedGrantTypeException", "CreateTokenWithIAM is not implemented")
            self._check_injection(operation)
            headers = {k.lower(): v for k, v in handler.headers.items()}
            result = getattr(self, f"_op_{operation}")(body, query, headers)
        except FakeSSOError as err:
            self._send_error(handler, err, operation)
            return
        except Exception:
            with self._lock:
                self.errors.append(traceback.format_exc())
            self._send_error(handler, FakeSSOError("InternalServerException", "fake SSO server bug"), operation)
            return
        self._send_json(handler, 200, result if result is not None else {})

    def _record(
        self, operation: str, method: str, path: str, query: dict[str, str], handler: _Handler, body: dict[str, Any]
    ) -> None:
        with self._lock:
            self.calls[operation] += 1
            self.requests.append(
                RecordedRequest(operation, method, path, query, dict(handler.headers.items()), body, self.now())
            )

    def _check_injection(self, operation: str) -> None:
        with self._lock:
            for injection in self._injections:
                if injection.remaining > 0 and (injection.operations is None or operation in injection.operations):
                    injection.remaining -= 1
                    raise FakeSSOError(injection.code, injection.message)
            self._injections = [i for i in self._injections if i.remaining > 0]

    def _send_json(
        self, handler: _Handler, status: int, payload: dict[str, Any], error_type: str | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error_type:
            # botocore's restJson parser takes the error code from this header first.
            handler.send_header("x-amzn-ErrorType", error_type)
        handler.end_headers()
        handler.wfile.write(data)

    def _send_error(self, handler: _Handler, err: FakeSSOError, operation: str | None) -> None:
        if operation in OIDC_OPERATIONS or operation == "CreateTokenWithIAM":
            # OIDC errors carry OAuth members `error` / `error_description` (modelled in sso-oidc).
            payload: dict[str, Any] = {
                "error": OAUTH_ERRORS.get(err.code, err.code),
                "error_description": err.message,
            }
        else:
            payload = {"message": err.message}
        self._send_json(handler, err.status, payload, error_type=err.code)

    def _verification_page(self, handler: _Handler, query: dict[str, str]) -> None:
        """The verification URI. Nothing opens it in tests, but a fake browser may GET it: with
        `approve_on_visit`, visiting the complete URI (with ?user_code=) approves that code."""
        user_code = query.get("user_code", "")
        with self._lock:
            self.calls["VerificationPage"] += 1
            approved = False
            if user_code and self.approve_on_visit:
                try:
                    auth = self._find_authorization(user_code)
                except KeyError:
                    auth = None
                if auth is not None and auth.status == "pending":
                    auth.status = "approved"
                    approved = True
                    self._changed.notify_all()
        text = f"<html><body><p>Fake IAM Identity Center. Code: {html.escape(user_code)}"
        text += " (approved)" if approved else ""
        text += "</p></body></html>"
        data = text.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # ----------------------------------------------------------------- SSO-OIDC operations

    def _new_client(self, name: str, client_type: str, scopes: list[str]) -> Client:
        issued = int(self.now())
        client = Client(
            client_id=f"fakeclient-{secrets.token_urlsafe(16)}",
            client_secret=f"fakesecret-{secrets.token_urlsafe(32)}",
            client_name=name,
            client_type=client_type,
            scopes=scopes,
            issued_at=issued,
            expires_at=issued + self.client_registration_ttl,
        )
        self.clients[client.client_id] = client
        return client

    def _authenticate_client(self, body: dict[str, Any]) -> Client:
        client = self.clients.get(str(body.get("clientId", "")))
        if client is None or not secrets.compare_digest(client.client_secret, str(body.get("clientSecret", ""))):
            raise FakeSSOError("InvalidClientException", "Invalid client credentials")
        if client.expires_at <= self.now():
            raise FakeSSOError("InvalidClientException", "Client registration has expired")
        return client

    def _op_RegisterClient(
        self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any]:
        name, client_type = body.get("clientName"), body.get("clientType")
        if not name or not client_type:
            raise FakeSSOError("InvalidRequestException", "clientName and clientType are required")
        if client_type != "public":
            raise FakeSSOError("InvalidClientMetadataException", "clientType must be public")
        scopes = body.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise FakeSSOError("InvalidScopeException", "scopes must be a list of strings")
        with self._lock:
            client = self._new_client(str(name), str(client_type), list(scopes))
        return {
            "clientId": client.client_id,
            "clientSecret": client.client_secret,
            "clientIdIssuedAt": client.issued_at,
            "clientSecretExpiresAt": client.expires_at,
        }

    def _op_StartDeviceAuthorization(
        self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            client = self._authenticate_client(body)
            start_url = body.get("startUrl")
            if not start_url:
                raise FakeSSOError("InvalidRequestException", "startUrl is required")
            now = self.now()
            user_code = self._new_user_code()
            auth = DeviceAuthorization(
                device_code=f"fakedevice-{secrets.token_urlsafe(32)}",
                user_code=user_code,
                client_id=client.client_id,
                start_url=str(start_url),
                created_at=now,
                expires_at=now + self.device_code_ttl,
                interval=self.poll_interval,
            )
            self.device_authorizations.append(auth)
            self._changed.notify_all()
        return {
            "deviceCode": auth.device_code,
            "userCode": auth.user_code,
            "verificationUri": self.verification_uri,
            "verificationUriComplete": f"{self.verification_uri}?user_code={auth.user_code}",
            "expiresIn": self.device_code_ttl,
            "interval": auth.interval,
        }

    def _new_user_code(self) -> str:
        # Real codes look like ABCD-EFGH; skip letters that read like digits.
        alphabet = "BCDFGHJKLMNPQRSTVWXZ"
        existing = {a.user_code for a in self.device_authorizations}
        while True:
            raw = "".join(secrets.choice(alphabet) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in existing:
                return code

    def _op_CreateToken(self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            client = self._authenticate_client(body)
            grant = body.get("grantType")
            if grant == DEVICE_CODE_GRANT:
                return self._device_code_grant(client, body)
            if grant == REFRESH_TOKEN_GRANT:
                return self._refresh_token_grant(client, body)
            raise FakeSSOError("UnsupportedGrantTypeException", f"unsupported grant type {grant!r}")

    def _device_code_grant(self, client: Client, body: dict[str, Any]) -> dict[str, Any]:
        try:
            auth = self._find_authorization(str(body.get("deviceCode", "")))
        except KeyError:
            raise FakeSSOError("InvalidGrantException", "Invalid device code provided") from None
        if auth.client_id != client.client_id or auth.device_code != body.get("deviceCode"):
            raise FakeSSOError("InvalidGrantException", "Invalid device code provided")
        now = self.now()
        previous_poll, auth.last_poll = auth.last_poll, now
        auth.polls += 1
        if auth.status == "consumed":
            raise FakeSSOError("InvalidGrantException", "Device code has already been used")
        if auth.status == "expired" or auth.expires_at <= now:
            auth.status = "expired"
            raise FakeSSOError("ExpiredTokenException", "Device code has expired")
        if self._slow_down_remaining > 0:
            self._slow_down_remaining -= 1
            raise FakeSSOError("SlowDownException", "Client is polling too quickly")
        if self.enforce_poll_interval and previous_poll is not None and now - previous_poll < auth.interval:
            raise FakeSSOError("SlowDownException", "Client is polling too quickly")
        if auth.status == "denied":
            raise FakeSSOError("AccessDeniedException", "User denied the authorization request")
        if (
            auth.status == "pending"
            and self.auto_approve_after_polls is not None
            and auth.polls > self.auto_approve_after_polls
        ):
            auth.status = "approved"
        if auth.status != "approved":
            raise FakeSSOError("AuthorizationPendingException", "Authorization is still pending")
        auth.status = "consumed"
        scopes = self._requested_scopes(client, body)
        return self._new_session_tokens(client, auth.start_url, scopes)

    def _requested_scopes(self, client: Client, body: dict[str, Any]) -> list[str]:
        requested = body.get("scope")
        if requested is None:
            return list(client.scopes)
        if not isinstance(requested, list):
            raise FakeSSOError("InvalidScopeException", "scope must be a list")
        return [str(s) for s in requested]

    def _new_session_tokens(self, client: Client, start_url: str, scopes: list[str]) -> dict[str, Any]:
        session_id = uuid.uuid4().hex
        return self._issue_tokens(client, session_id, start_url, scopes, with_refresh=True)

    def _issue_tokens(
        self, client: Client, session_id: str, start_url: str, scopes: list[str], *, with_refresh: bool
    ) -> dict[str, Any]:
        access = AccessToken(
            token=f"aoa-fake-{secrets.token_urlsafe(32)}",
            client_id=client.client_id,
            session_id=session_id,
            start_url=start_url,
            scopes=scopes,
            expires_at=self.now() + self.access_token_ttl,
        )
        self.access_tokens[access.token] = access
        response: dict[str, Any] = {
            "accessToken": access.token,
            "tokenType": "Bearer",
            "expiresIn": self.access_token_ttl,
        }
        # Refresh tokens only come with the sso:account:access scope (the "sso-session" style
        # registration); legacy registrations without scopes get none, as with the real service.
        if with_refresh and SSO_ACCOUNT_ACCESS_SCOPE in scopes:
            refresh = RefreshToken(
                token=f"aor-fake-{secrets.token_urlsafe(32)}",
                client_id=client.client_id,
                session_id=session_id,
                start_url=start_url,
                scopes=scopes,
            )
            self.refresh_tokens[refresh.token] = refresh
            response["refreshToken"] = refresh.token
        return response

    def _refresh_token_grant(self, client: Client, body: dict[str, Any]) -> dict[str, Any]:
        refresh = self.refresh_tokens.get(str(body.get("refreshToken", "")))
        if refresh is None or refresh.revoked or refresh.client_id != client.client_id:
            raise FakeSSOError("InvalidGrantException", "Invalid refresh token provided")
        if not self.reuse_refresh_tokens:
            refresh.revoked = True
        return self._issue_tokens(
            client, refresh.session_id, refresh.start_url, refresh.scopes, with_refresh=self.rotate_refresh_tokens
        )

    # ----------------------------------------------------------------- SSO portal operations

    def _bearer(self, headers: dict[str, str]) -> AccessToken:
        value = headers.get("x-amz-sso_bearer_token", "")
        token = self.access_tokens.get(value)
        if token is None or token.revoked:
            raise FakeSSOError("UnauthorizedException", "Session token not found or invalid")
        if token.expires_at <= self.now():
            raise FakeSSOError("UnauthorizedException", "Session token not found or invalid")
        return token

    def _page_args(self, query: dict[str, str], scope: str) -> tuple[int, int]:
        raw_max = query.get("max_result")
        try:
            size = int(raw_max) if raw_max is not None else self.default_page_size
        except ValueError:
            raise FakeSSOError("InvalidRequestException", "max_result must be an integer") from None
        if not 1 <= size <= MAX_RESULTS_LIMIT:
            raise FakeSSOError("InvalidRequestException", f"max_result must be between 1 and {MAX_RESULTS_LIMIT}")
        start = 0
        if "next_token" in query:
            # Opaque to clients; bound to the listing it came from so misuse is caught.
            try:
                decoded = base64.urlsafe_b64decode(query["next_token"].encode()).decode()
                token_scope, offset = decoded.rsplit("|", 1)
                start = int(offset)
            except ValueError:
                raise FakeSSOError("InvalidRequestException", "Invalid next token") from None
            if token_scope != scope or start < 0:
                raise FakeSSOError("InvalidRequestException", "Invalid next token")
        return start, size

    @staticmethod
    def _next_token(scope: str, offset: int) -> str:
        return base64.urlsafe_b64encode(f"{scope}|{offset}".encode()).decode()

    def _op_ListAccounts(self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self._bearer(headers)
            start, size = self._page_args(query, "accounts")
            accounts = list(self.accounts.values())
            page = accounts[start : start + size]
            result: dict[str, Any] = {
                "accountList": [
                    {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email} for a in page
                ]
            }
            if start + size < len(accounts):
                result["nextToken"] = self._next_token("accounts", start + size)
            return result

    def _op_ListAccountRoles(
        self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            self._bearer(headers)
            account_id = query.get("account_id", "")
            if not account_id:
                raise FakeSSOError("InvalidRequestException", "account_id is required")
            scope = f"roles/{account_id}"
            start, size = self._page_args(query, scope)
            account = self.accounts.get(account_id)
            roles = list(account.roles) if account else []
            page = roles[start : start + size]
            result: dict[str, Any] = {"roleList": [{"roleName": r, "accountId": account_id} for r in page]}
            if start + size < len(roles):
                result["nextToken"] = self._next_token(scope, start + size)
            return result

    def _op_GetRoleCredentials(
        self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any]:
        with self._lock:
            token = self._bearer(headers)
            account_id, role_name = query.get("account_id", ""), query.get("role_name", "")
            if not account_id or not role_name:
                raise FakeSSOError("InvalidRequestException", "account_id and role_name are required")
            account = self.accounts.get(account_id)
            if account is None or role_name not in account.roles:
                raise FakeSSOError("ForbiddenException", "No access")
            self._serial += 1
            expiration_ms = int((self.now() + self.role_credentials_ttl) * 1000)
            access_key_id, secret = self.credentials_for(account_id, role_name)
            credentials = {
                "accessKeyId": access_key_id,
                "secretAccessKey": secret,
                # Varies per issue so a test can tell a fresh fetch from a cached one.
                "sessionToken": f"FakeSSOSession/{account_id}/{role_name}/{self._serial}",
                "expiration": expiration_ms,
            }
            self.issued_credentials.append(
                {"accountId": account_id, "roleName": role_name, "accessToken": token.token, **credentials}
            )
            return {"roleCredentials": credentials}

    def _op_Logout(self, body: dict[str, Any], query: dict[str, str], headers: dict[str, str]) -> None:
        with self._lock:
            token = self._bearer(headers)
            # Logout ends the whole sign-in session: its access tokens and refresh tokens.
            for other in self.access_tokens.values():
                if other.session_id == token.session_id:
                    other.revoked = True
            for refresh in self.refresh_tokens.values():
                if refresh.session_id == token.session_id:
                    refresh.revoked = True
        return None
