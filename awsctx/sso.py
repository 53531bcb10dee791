"""IAM Identity Center (SSO) login, sharing the AWS CLI v2's token cache.

Tokens live in ~/.aws/sso/cache/<sha1>.json in the exact format the AWS CLI v2 and botocore read and
write, so one login serves awsctx, `aws` and every boto3 script. A login that several processes need
at once happens once: they queue on a lock and the later ones find the token the first one wrote.

botocore is imported only when the network is needed: a valid cached token costs a file read.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from awsctx import __version__, cachefile, config, locks, output, paths
from awsctx.errors import UsageError, UserError

ACCOUNT_ACCESS_SCOPE = "sso:account:access"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_TOKEN_GRANT = "refresh_token"
# The format botocore and the AWS CLI v2 write times in, in the token and registration files.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# botocore refreshes a token with less than 15 minutes left and the CLI calls it expired: with the
# same margin, a token awsctx calls good is one they use as it is.
EXPIRY_MARGIN = 15 * 60

_SLOW_DOWN_SECONDS = 5  # RFC 8628 section 3.5; botocore does not retry slow_down by itself
_DEFAULT_INTERVAL = 5  # RFC 8628 section 3.2, when the server names none
_DEFAULT_DEVICE_CODE_SECONDS = 600
_REGISTRATION_FALLBACK_SECONDS = 90 * 86400  # what IAM Identity Center grants, when an answer names no end
_LOGIN_LOCK_TIMEOUT = 15 * 60  # longer than a device code lives, so a waiter outlasts one whole login
_CONNECT_TIMEOUT = 5
_READ_TIMEOUT = 15
_MAX_ATTEMPTS = 3  # with botocore's standard backoff: a dead network fails within seconds

_PENDING = frozenset({"AuthorizationPendingException", "authorization_pending"})
_SLOW_DOWN = frozenset({"SlowDownException", "slow_down"})
_EXPIRED = frozenset({"ExpiredTokenException", "expired_token"})
_DENIED = frozenset({"AccessDeniedException", "access_denied"})
_INVALID_CLIENT = frozenset({"InvalidClientException", "invalid_client"})


@dataclass(frozen=True)
class Target:
    """What a login is for: one IAM Identity Center start URL in one region."""

    start_url: str
    region: str
    session_name: str | None  # None: a legacy profile with sso_start_url and sso_region of its own
    scopes: tuple[str, ...]  # asked for when registering awsctx as an OIDC client
    profile: str | None = None  # the profile it came from, for messages

    @property
    def cache_key(self) -> str:
        """The token file's stem, as botocore and the AWS CLI name it."""
        return hashlib.sha1((self.session_name or self.start_url).encode("utf-8")).hexdigest()

    @property
    def token_path(self) -> str:
        return os.path.join(paths.sso_cache_dir(), self.cache_key + ".json")

    @property
    def registration_path(self) -> str:
        """Where the AWS CLI v2 caches its OIDC client registration for the same start URL,
        region, scopes and session: `aws sso login` and awsctx share one registration."""
        args = {
            "tool": "botocore",
            "startUrl": self.start_url,
            "region": self.region,
            "scopes": list(self.scopes),
            "session_name": self.session_name,
        }
        key = hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()
        return os.path.join(paths.sso_cache_dir(), key + ".json")

    def describe(self) -> str:
        if self.session_name is not None:
            return f"sso-session {self.session_name!r}"
        return f"{self.start_url} (profile {self.profile!r})"

    def login_command(self) -> str:
        import shlex

        if self.profile is not None:
            return f"awsctx login {shlex.quote(self.profile)}"
        return f"awsctx login --sso-session {shlex.quote(self.session_name or '')}"


class LoginRequiredError(UserError):
    """No usable token, and no way to ask the user to log in here."""

    def __init__(self, target: Target) -> None:
        super().__init__(
            f"the IAM Identity Center login for {target.describe()} has expired or never happened; "
            f"run `{target.login_command()}`"
        )
        self.target = target


# ---------------------------------------------------------------------------- what to log in to


def target_for_profile(name: str, aws_config: config.AwsConfig | None = None) -> Target:
    """The SSO set-up profile NAME uses: its `sso_session`, or its own legacy sso_start_url and
    sso_region. A profile that cannot work is an error naming the profile, the key and the file."""
    aws_config = aws_config if aws_config is not None else config.load()
    settings = aws_config.profile(name)
    where = _profile_where(aws_config, name)
    session_name = _text(settings, "sso_session")
    if session_name is not None:
        target = _session_target(aws_config, session_name, profile=name, used_by=where)
        # botocore refuses a profile whose own values contradict its sso-session: so does awsctx.
        for key, value in (("sso_start_url", target.start_url), ("sso_region", target.region)):
            own = _text(settings, key)
            if own is not None and own != value:
                raise UserError(
                    f"{where} sets {key} = {own} but its sso-session {session_name!r} says {value}; "
                    f"remove {key} from the profile"
                )
        return target
    start_url = _text(settings, "sso_start_url")
    if start_url is None:
        raise UserError(f"{where} does not use IAM Identity Center: it has neither sso_session nor sso_start_url")
    region = _text(settings, "sso_region")
    if region is None:
        raise UserError(
            f"{where} has sso_start_url but no sso_region, which the AWS SDKs require; "
            "add `sso_region = REGION` (the region of your IAM Identity Center) to it"
        )
    # Asking for sso:account:access (which `aws sso login` does only for sso-sessions) brings a
    # refresh token, so awsctx renews even a legacy profile's login without a browser.
    return Target(start_url, region, None, (ACCOUNT_ACCESS_SCOPE,), profile=name)


def target_for_session(name: str, aws_config: config.AwsConfig | None = None) -> Target:
    """The `[sso-session NAME]` section of the config file."""
    aws_config = aws_config if aws_config is not None else config.load()
    return _session_target(aws_config, name, profile=None, used_by=None)


def _session_target(aws_config: config.AwsConfig, name: str, *, profile: str | None, used_by: str | None) -> Target:
    config_file = paths.display(aws_config.config_path)
    settings = aws_config.sso_sessions.get(name)
    if settings is None:
        known = ", ".join(repr(known) for known in sorted(aws_config.sso_sessions)) or "none"
        subject = f"{used_by} uses sso_session {name!r}, but {config_file}" if used_by else config_file
        raise UserError(f"{subject} has no [sso-session {name}] section (sso-sessions defined: {known})")
    values = {}
    for key in ("sso_start_url", "sso_region"):
        value = _text(settings, key)
        if value is None:
            raise UserError(f"[sso-session {name}] in {config_file} has no {key}; add `{key} = ...` to it")
        values[key] = value
    scopes = parse_scopes(settings.get("sso_registration_scopes"))
    if ACCOUNT_ACCESS_SCOPE not in scopes:
        # Needed for role credentials at all, and for refresh tokens.
        scopes += (ACCOUNT_ACCESS_SCOPE,)
    return Target(values["sso_start_url"], values["sso_region"], name, scopes, profile=profile)


def parse_scopes(raw: object) -> tuple[str, ...]:
    """`sso_registration_scopes` as the AWS CLI splits it: at commas, stripped, empties dropped."""
    if not isinstance(raw, str):
        return ()
    return tuple(scope.strip() for scope in raw.split(",") if scope.strip())


def _text(settings: dict, key: str) -> str | None:
    value = settings.get(key)
    return (value.strip() or None) if isinstance(value, str) else None


def _profile_where(aws_config: config.AwsConfig, name: str) -> str:
    origin = aws_config.origin(name)
    if origin is None:
        return f"profile {name!r} in {paths.display(aws_config.config_path)}"
    return f"profile {name!r} ({origin})"


# ---------------------------------------------------------------------------- the token cache


def read_token(target: Target) -> dict[str, Any] | None:
    """The cached token for `target`, fresh or not; None when there is none that could serve it.

    A file that is missing, unreadable, truncated or not a token is a miss: the next login replaces it.
    """
    token = _read_json(target.token_path)
    if token is None:
        return None
    access_token = token.get("accessToken")
    if not isinstance(access_token, str) or not access_token or expires_at(token) is None:
        return None
    # The same session name pointed at another start URL or region: that token is someone else's.
    if token.get("startUrl", target.start_url) != target.start_url:
        return None
    if token.get("region", target.region) != target.region:
        return None
    return token


def expires_at(token: dict[str, Any]) -> float | None:
    """When a cached token expires, as a Unix time; None when it does not say."""
    return parse_time(token.get("expiresAt"))


def is_fresh(token: dict[str, Any], margin: float = EXPIRY_MARGIN, now: float | None = None) -> bool:
    expiry = expires_at(token)
    return expiry is not None and expiry - (time.time() if now is None else now) > margin


def parse_time(value: object) -> float | None:
    """A timestamp from a cache file (`...Z`, `...UTC` from old CLIs, `+00:00`, fractions of any
    length) as a Unix time; None when it cannot be read."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif text.endswith("UTC"):
        text = text[:-3] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # fromisoformat before Python 3.11 takes 3 or 6 digits of fraction only
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + (rest[:digits] + "000000")[:6] + rest[digits:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(TIME_FORMAT)


def _read_json(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as file:
            data = json.loads(file.read())
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: str, data: dict[str, Any]) -> None:
    folder = os.path.dirname(path)
    try:
        cachefile.ensure_private_dir(folder)
        cachefile.write_atomic(path, json.dumps(data).encode("utf-8"))
    except OSError as error:
        raise UserError(
            f"cannot write {paths.display(path)} ({error.strerror or error}); check that {paths.display(folder)} "
            "is a folder you can write to"
        ) from None


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
    return _ensure(target, interactive=interactive, open_browser=open_browser, sleep=sleep, force=force)[0]


def _ensure(
    target: Target, *, interactive: bool, open_browser: bool, sleep: Callable[[float], None], force: bool
) -> tuple[dict[str, Any], str]:
    """ensure_token, and how the token came: "cached", "refreshed" or "login"."""
    before = read_token(target)
    if not force and before is not None and is_fresh(before):
        return before, "cached"
    lock_path = os.path.join(paths.lock_dir(), f"sso-{target.cache_key}.lock")

    def say_waiting() -> None:
        output.note(f"waiting for another awsctx process logging in to {target.describe()}")

    with locks.locked(lock_path, timeout=_LOGIN_LOCK_TIMEOUT, on_wait=say_waiting):
        # Whoever held the lock may have logged in meanwhile: that login serves this caller too.
        cached = read_token(target)
        if cached is not None and is_fresh(cached):
            newer = before is None or cached.get("accessToken") != before.get("accessToken")
            if not force or newer:
                return cached, "cached"
        if cached is not None and not force:
            refreshed = _refresh(target, cached)
            if refreshed is not None:
                _write_json(target.token_path, refreshed)
                return refreshed, "refreshed"
        if not interactive:
            raise LoginRequiredError(target)
        token = _device_login(target, cached, open_browser=open_browser, sleep=sleep)
        _write_json(target.token_path, token)
        return token, "login"


def _refresh(target: Target, cached: dict[str, Any]) -> dict[str, Any] | None:
    """A new token from the cached one's refresh token; None when it has none or it is refused."""
    registration = _registration_in_token(cached)
    refresh_token = cached.get("refreshToken")
    if registration is None or not isinstance(refresh_token, str) or not refresh_token:
        return None
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
    except _RefusedError:
        return None  # revoked, or the session ended: a new login follows
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
    stored = _read_json(target.registration_path)
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
    except _RefusedError as error:
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
    except _RefusedError as error:
        if error.code not in _INVALID_CLIENT:
            raise _start_refused(target, error) from None
        # The registration was revoked or ended early: register afresh, once.
        registration, new = _register(target, client), True
        try:
            authorization = _start(target, client, registration)
        except _RefusedError as again:
            raise _start_refused(target, again) from None
    _show_code(target, authorization, open_browser)
    token = _poll(target, client, registration, authorization, sleep)
    if new:
        # Only once it has served a login: a denied or abandoned one leaves the cache as it was.
        _write_json(target.registration_path, registration)
    return token


def _start(target: Target, client: Any, registration: dict[str, Any]) -> dict[str, Any]:
    return _call(
        target,
        client.start_device_authorization,
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        startUrl=target.start_url,
    )


def _start_refused(target: Target, error: _RefusedError) -> UserError:
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
            except _RefusedError as error:
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
    if open_browser and _open_browser(complete):
        sys.stderr.write("  a browser opened that page: check that it shows the same code\n")
    sys.stderr.flush()


def _open_browser(url: str) -> bool:
    # Anything else could be a local file or read as a browser option.
    if not url.startswith(("https://", "http://")):
        return False
    import webbrowser

    with _stdout_to_stderr():
        try:
            return bool(webbrowser.open(url, new=2))
        except (webbrowser.Error, OSError):
            return False


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Point file descriptor 1 at stderr for the block: browsers started from here chatter on
    stdout, which the shell function may be capturing."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@contextmanager
def _waiting_indicator() -> Iterator[Callable[[float], None]]:
    """A line on stderr counting the wait, only when stderr is a terminal; erased at the end."""
    stream = sys.stderr
    try:
        on_terminal = stream.isatty()
    except (OSError, ValueError):
        on_terminal = False
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


class _RefusedError(Exception):
    """The service answered with an error (as opposed to not answering)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if message and message != code else code)
        self.code = code


def _oidc_client(target: Target) -> Any:
    """An SSO-OIDC client for the target's region. AWS_ENDPOINT_URL_SSO_OIDC, proxies and CA
    bundles from the environment apply as botocore reads them."""
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    client_config = Config(
        region_name=target.region,
        signature_version=UNSIGNED,  # the OIDC calls are not signed: no credentials to look for
        connect_timeout=_CONNECT_TIMEOUT,
        read_timeout=_READ_TIMEOUT,
        retries={"mode": "standard", "max_attempts": _MAX_ATTEMPTS},
        user_agent_extra=f"awsctx/{__version__}",
    )
    try:
        session = botocore.session.Session(profile=target.profile)
        if target.profile is None:
            # Settings of whatever AWS_PROFILE names have nothing to do with this session, and a
            # stale AWS_PROFILE would make botocore refuse to create the client at all.
            session.get_component("config_store").set_config_variable("profile", None)
        return session.create_client("sso-oidc", config=client_config)
    except BotoCoreError as error:
        raise UserError(f"cannot set up IAM Identity Center for {target.describe()}: {error}") from None


def _call(target: Target, operation: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    """`operation(**arguments)`; service errors as _RefusedError, a failed connection as UserError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return operation(**arguments)
    except ClientError as error:
        details = error.response.get("Error", {})
        code = details.get("Code") or str(error.response.get("error") or "") or "UnknownError"
        message = details.get("Message") or str(error.response.get("error_description") or "")
        raise _RefusedError(code, message) from None
    except BotoCoreError as error:
        raise UserError(
            f"cannot reach IAM Identity Center for {target.describe()} in {target.region}: {error}; "
            "check the network connection and sso_region"
        ) from None


# ---------------------------------------------------------------------------- awsctx login


def run_login(profile: str | None, sso_session: str | None, open_browser: bool, *, force: bool = False) -> int:
    """`awsctx login [NAME | --sso-session S] [--no-browser] [--force]`: the exit code; messages on stderr.

    NAME defaults to AWS_PROFILE, then to the default profile. A login still valid is kept unless
    `force`; one that can be renewed is renewed without a browser.
    """
    target = _login_target(profile, sso_session)
    try:
        token, how = _ensure(target, interactive=True, open_browser=open_browser, sleep=time.sleep, force=force)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        output.note("login cancelled")
        return 130
    expiry = expires_at(token)
    until = time.strftime("%Y-%m-%d %H:%M", time.localtime(expiry)) if expiry is not None else "unknown"
    if how == "cached":
        output.success(f"already logged in to {target.describe()}, until {until}")
    elif how == "refreshed":
        output.success(f"renewed the login to {target.describe()}, until {until}")
    else:
        output.success(f"logged in to {target.describe()}, until {until}")
    return 0


def _login_target(profile: str | None, sso_session: str | None) -> Target:
    if profile and sso_session:
        raise UsageError("name a profile or --sso-session, not both")
    aws_config = config.load()
    if sso_session:
        return target_for_session(sso_session, aws_config)
    name = profile or os.environ.get("AWS_PROFILE") or None
    if name is None:
        if "default" not in aws_config.profiles:
            raise UsageError(
                "which login? name a profile (`awsctx login NAME`) or a session (`awsctx login --sso-session NAME`); "
                "AWS_PROFILE is not set"
            )
        name = "default"
    return target_for_profile(name, aws_config)
