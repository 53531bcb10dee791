"""Getting an IAM Identity Center token: the cached one, a refresh, or the OIDC device-code login.

Tokens go to the AWS CLI v2's own cache (`sso.tokens`), so one login serves awsctx, `aws` and
every boto3 script. A login that several processes need at once happens once: they queue on a
lock and the later ones find the token the first one wrote.

botocore is imported only when the network is needed: a valid cached token costs a file read.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from awsctx import locks, output, paths
from awsctx.awsclient import Refused
from awsctx.errors import UserError
from awsctx.sso.sessions import LoginRequiredError, Target
from awsctx.sso.tokens import EXPIRY_MARGIN, format_time, is_fresh, parse_time, read_json, read_token, write_json

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_TOKEN_GRANT = "refresh_token"

_SLOW_DOWN_SECONDS = 5  # RFC 8628 section 3.5; botocore does not retry slow_down by itself
_DEFAULT_INTERVAL = 5  # RFC 8628 section 3.2, when the server names none
_DEFAULT_DEVICE_CODE_SECONDS = 600
_REGISTRATION_FALLBACK_SECONDS = 90 * 86400  # what IAM Identity Center grants, when an answer names no end
_LOGIN_LOCK_TIMEOUT = 15 * 60  # longer than a device code lives, so a waiter outlasts one whole login

_PENDING = frozenset({"AuthorizationPendingException", "authorization_pending"})
_SLOW_DOWN = frozenset({"SlowDownException", "slow_down"})
_EXPIRED = frozenset({"ExpiredTokenException", "expired_token"})
_DENIED = frozenset({"AccessDeniedException", "access_denied"})
_INVALID_CLIENT = frozenset({"InvalidClientException", "invalid_client"})


# ---------------------------------------------------------------------------- what to log in to


# ---------------------------------------------------------------------------- the token cache


# ---------------------------------------------------------------------------- getting a token


def ensure_token(
    target: Target,
    *,
    interactive: bool,
    open_browser: bool,
    sleep: Callable[[float], None] = time.sleep,
    force: bool = False,
) -> dict[str, Any]:
    """A token for `target` with at least EXPIRY_MARGIN left, in the AWS CLI's cache format.

    In order: the cached token; a renewal with its refresh token (no browser); the device-code login,
    which shows a URL and code on stderr and opens the browser unless `open_browser` is False. Without
    `interactive` a login that needs the user is a LoginRequiredError instead. `force` skips the
    first two. `sleep` waits between polls (tests pass one that does not wait).
    """
    return ensure(target, interactive=interactive, open_browser=open_browser, sleep=sleep, force=force)[0]


def ensure(
    target: Target, *, interactive: bool, open_browser: bool, sleep: Callable[[float], None], force: bool
) -> tuple[dict[str, Any], str]:
    """ensure_token, and how the token came: "cached", "refreshed" or "login"."""
    before = read_token(target)
    if not force and before is not None and is_fresh(before):
        return before, "cached"

    def say_waiting() -> None:
        output.note(f"waiting for another awsctx process logging in to {target.describe()}")

    with locks.locked(_lock_path(target), timeout=_LOGIN_LOCK_TIMEOUT, on_wait=say_waiting):
        # Whoever held the lock may have logged in meanwhile: that login serves this caller too.
        cached = read_token(target)
        if cached is not None and is_fresh(cached):
            newer = before is None or cached.get("accessToken") != before.get("accessToken")
            if not force or newer:
                return cached, "cached"
        renewal_refused = False
        if cached is not None and not force:
            refreshed = _refresh(target, cached)
            if isinstance(refreshed, dict):
                write_json(target.token_path, refreshed)
                return refreshed, "refreshed"
            renewal_refused = refreshed
        if not interactive:
            raise LoginRequiredError(target, renewal_refused)
        token = _device_login(target, cached, open_browser=open_browser, sleep=sleep)
        write_json(target.token_path, token)
        return token, "login"


def reject(target: Target, token: dict[str, Any]) -> None:
    """IAM Identity Center refused `token` while it was in date (UnauthorizedException: the session
    was ended there). It is marked expired in the cache, where botocore and the AWS CLI read it too:
    the next use renews it with its refresh token or logs in again, and `awsctx login` no longer
    calls it valid. A token another process wrote meanwhile is left alone."""
    with locks.locked(_lock_path(target), timeout=_LOGIN_LOCK_TIMEOUT):
        cached = read_json(target.token_path)
        if cached is None or cached.get("accessToken") != token.get("accessToken"):
            return
        cached["expiresAt"] = format_time(time.time())
        write_json(target.token_path, cached)


def _lock_path(target: Target) -> str:
    return os.path.join(paths.lock_dir(), f"sso-{target.cache_key}.lock")


def _refresh(target: Target, cached: dict[str, Any]) -> dict[str, Any] | bool:
    """A new token from the cached one's refresh token; False when it has none, True when IAM
    Identity Center refused it (revoked, or the session ended)."""
    registration = _registration_in_token(cached)
    refresh_token = cached.get("refreshToken")
    if registration is None or not isinstance(refresh_token, str) or not refresh_token:
        return False
    client = _oidc_client(target)
    try:
        response = _call(
            target,
            client.create_token,
            grantType=REFRESH_TOKEN_GRANT,
            clientId=registration["clientId"],
            clientSecret=registration["clientSecret"],
            refreshToken=refresh_token,
        )
    except Refused:
        return True  # revoked, or the session ended: a new login follows
    return _token_from(target, response, registration, refresh_token)


def _token_from(
    target: Target, response: dict[str, Any], registration: dict[str, Any], old_refresh_token: str | None = None
) -> dict[str, Any]:
    """The cache entry for a CreateToken answer, with the fields botocore and the AWS CLI write."""
    expires_in = response.get("expiresIn")
    token: dict[str, Any] = {
        "startUrl": target.start_url,
        "region": target.region,
        "accessToken": response["accessToken"],
        "expiresAt": format_time(time.time() + (expires_in if isinstance(expires_in, int) else 0)),
        # The registration is cached alongside the token: botocore refreshes with it.
        "clientId": registration["clientId"],
        "clientSecret": registration["clientSecret"],
        "registrationExpiresAt": registration["expiresAt"],
    }
    # A refresh answer without a new refresh token leaves the old one in force.
    refresh_token = response.get("refreshToken") or old_refresh_token
    if refresh_token:
        token["refreshToken"] = refresh_token
    return token


# ---------------------------------------------------------------------------- client registration


def _registration_in_token(token: dict[str, Any] | None) -> dict[str, Any] | None:
    if token is None:
        return None
    return _usable_registration(
        token.get("clientId"), token.get("clientSecret"), token.get("registrationExpiresAt"), margin=0
    )


def _usable_registration(client_id: object, secret: object, expiry: object, margin: float) -> dict[str, Any] | None:
    if not isinstance(client_id, str) or not isinstance(secret, str) or not client_id or not secret:
        return None
    expiry_time = parse_time(expiry)
    if expiry_time is None or expiry_time - time.time() <= margin:
        return None
    return {"clientId": client_id, "clientSecret": secret, "expiresAt": expiry}


def _registration(target: Target, client: Any, cached: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """The OIDC client registration to log in with, and whether it is new (not yet in the cache)."""
    stored = read_json(target.registration_path)
    if stored is not None and "accessToken" not in stored:
        found = _usable_registration(
            stored.get("clientId"), stored.get("clientSecret"), stored.get("expiresAt"), EXPIRY_MARGIN
        )
        if found is not None:
            return found, False
    # A token with a refresh token came from a registration with sso:account:access: reuse it.
    if cached is not None and cached.get("refreshToken"):
        found = _usable_registration(
            cached.get("clientId"), cached.get("clientSecret"), cached.get("registrationExpiresAt"), EXPIRY_MARGIN
        )
        if found is not None:
            return found, False
    return _register(target, client), True


def _register(target: Target, client: Any) -> dict[str, Any]:
    try:
        response = _call(
            target,
            client.register_client,
            clientName=f"awsctx-{target.session_name}" if target.session_name else "awsctx",
            clientType="public",
            scopes=list(target.scopes),
        )
    except Refused as error:
        raise UserError(f"IAM Identity Center for {target.describe()} refused to register awsctx: {error}") from None
    expires = response.get("clientSecretExpiresAt")
    if not isinstance(expires, int) or expires <= 0:
        expires = int(time.time()) + _REGISTRATION_FALLBACK_SECONDS  # 0 means "never" in RFC 7591
    # The AWS CLI's registration file format.
    return {
        "clientId": response["clientId"],
        "clientSecret": response["clientSecret"],
        "expiresAt": format_time(expires),
        "scopes": list(target.scopes),
    }


# ---------------------------------------------------------------------------- device-code login


def _device_login(
    target: Target, cached: dict[str, Any] | None, *, open_browser: bool, sleep: Callable[[float], None]
) -> dict[str, Any]:
    client = _oidc_client(target)
    registration, new = _registration(target, client, cached)
    try:
        authorization = _start(target, client, registration)
    except Refused as error:
        if error.code not in _INVALID_CLIENT:
            raise _start_refused(target, error) from None
        # The registration was revoked or ended early: register afresh, once.
        registration, new = _register(target, client), True
        try:
            authorization = _start(target, client, registration)
        except Refused as again:
            raise _start_refused(target, again) from None
    _show_code(target, authorization, open_browser)
    token = _poll(target, client, registration, authorization, sleep)
    if new:
        # Only once it has served a login: a denied or abandoned one leaves the cache as it was.
        write_json(target.registration_path, registration)
    return token


def _start(target: Target, client: Any, registration: dict[str, Any]) -> dict[str, Any]:
    return _call(
        target,
        client.start_device_authorization,
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        startUrl=target.start_url,
    )


def _start_refused(target: Target, error: Refused) -> UserError:
    return UserError(
        f"IAM Identity Center refused to start a login for {target.describe()} at {target.start_url} "
        f"in {target.region}: {error}; check sso_start_url and sso_region"
    )


def _poll(
    target: Target,
    client: Any,
    registration: dict[str, Any],
    authorization: dict[str, Any],
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    interval = authorization.get("interval")
    interval = max(1, interval) if isinstance(interval, int) else _DEFAULT_INTERVAL
    lifetime = authorization.get("expiresIn")
    lifetime = lifetime if isinstance(lifetime, int) and lifetime > 0 else _DEFAULT_DEVICE_CODE_SECONDS
    started = time.monotonic()
    waited = 0.0  # the sum of the sleeps, which stands for time when `sleep` does not really wait
    with _waiting_indicator() as show_waiting:
        while True:
            try:
                response = _call(
                    target,
                    client.create_token,
                    grantType=DEVICE_CODE_GRANT,
                    clientId=registration["clientId"],
                    clientSecret=registration["clientSecret"],
                    deviceCode=authorization["deviceCode"],
                )
            except Refused as error:
                if error.code in _SLOW_DOWN:
                    interval += _SLOW_DOWN_SECONDS
                elif error.code in _EXPIRED:
                    raise _expired(target) from None
                elif error.code in _DENIED:
                    raise UserError(
                        f"the login to {target.describe()} was denied in the browser; "
                        f"run `{target.login_command()}` to try again"
                    ) from None
                elif error.code not in _PENDING:
                    raise UserError(f"IAM Identity Center refused the login to {target.describe()}: {error}") from None
            else:
                return _token_from(target, response, registration)
            # The server says when a code expires; this only guards against one that never does.
            if max(waited, time.monotonic() - started) >= lifetime:
                raise _expired(target)
            show_waiting(waited)
            sleep(interval)
            waited += interval


def _expired(target: Target) -> UserError:
    return UserError(
        f"the login code for {target.describe()} expired before it was approved; run `{target.login_command()}` again"
    )


def _show_code(target: Target, authorization: dict[str, Any], open_browser: bool) -> None:
    uri = str(authorization.get("verificationUri") or "")
    complete = str(authorization.get("verificationUriComplete") or uri)
    code = str(authorization.get("userCode") or "")
    output.note(f"log in to IAM Identity Center for {target.describe()}:")
    # On stderr: stdout may be read by the shell function. Server text goes through printable().
    sys.stderr.write(f"    open  {output.printable(uri)}\n    code  {output.printable(code)}\n")
    if open_browser and output.open_browser(complete):
        sys.stderr.write("  a browser opened that page: check that it shows the same code\n")
    sys.stderr.flush()


@contextmanager
def _waiting_indicator() -> Iterator[Callable[[float], None]]:
    """A line on stderr counting the wait, only when stderr is a terminal; erased at the end."""
    stream = sys.stderr
    on_terminal = output.is_terminal(stream)
    shown = False

    def show(waited: float) -> None:
        nonlocal shown
        if on_terminal:
            stream.write(f"\r  waiting for approval in the browser… {int(waited)} s (Ctrl-C to cancel) ")
            stream.flush()
            shown = True

    try:
        yield show
    finally:
        if shown:
            stream.write("\r\033[K")
            stream.flush()


# ---------------------------------------------------------------------------- talking to the service


def _oidc_client(target: Target) -> Any:
    """An SSO-OIDC client for the target's region (its calls are not signed)."""
    from awsctx import awsclient

    return awsclient.unsigned_client(
        "sso-oidc", target.region, f"IAM Identity Center for {target.describe()}", profile=target.profile
    )


def _call(target: Target, operation: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    """`operation(**arguments)`; service errors as awsclient.Refused, a failed connection as UserError."""
    from awsctx import awsclient

    return awsclient.call(
        operation,
        f"cannot reach IAM Identity Center for {target.describe()} in {target.region}",
        "check the network connection and sso_region",
        **arguments,
    )


# ---------------------------------------------------------------------------- awsctx login
