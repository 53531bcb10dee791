"""Credentials for a profile: botocore's own resolver, fed the AWS CLI's cache and awsctx's prompts.

The expensive path (import botocore, maybe call STS or the SSO portal, maybe ask for an MFA code or
an SSO login) runs once per profile per credential lifetime. What it learns that is not secret
(account, ARN, expiry, which AWS CLI cache file holds the credentials) goes into awsctx's identity
index, so that the next switch to the profile reads one small file and imports no botocore.
"""

from __future__ import annotations

import os
import time

from awsctx import __version__, cachefile, config, envvars, output, paths
from awsctx.errors import UserError, WaitExpired

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: a switch with cached credentials imports this module
if TYPE_CHECKING:
    from typing import Any

    from awsctx import mfasession
    from awsctx.sso import sessions

# Temporary credentials with less than this left are refreshed rather than trusted (botocore
# itself refreshes assumed roles 15 minutes ahead and insists 10 minutes ahead).
REFRESH_MARGIN_SECONDS = 10 * 60
_INDEX_FILE = "identities.marshal"
_INDEX_PURPOSE = b"identities"


class Identity:
    """What is known about a profile's credentials without holding them."""

    __slots__ = ("account_id", "arn", "cache_file", "expiration", "kind", "sso_refreshable", "unchecked")

    def __init__(
        self,
        account_id: str,
        arn: str,
        expiration: int | None,
        kind: str,
        sso_refreshable: bool = False,
        cache_file: str | None = None,
    ) -> None:
        self.account_id = account_id
        self.arn = arn
        self.expiration = expiration  # epoch seconds; None for long-term keys
        self.kind = kind
        self.sso_refreshable = sso_refreshable
        self.cache_file = cache_file  # the AWS CLI cache file holding temporary credentials, if any
        self.unchecked = ""  # why STS could not confirm who these credentials are, when it could not


class Resolved:
    """Working credentials for a profile, and who they are."""

    __slots__ = ("access_key_id", "identity", "secret_access_key", "session_token")

    def __init__(self, identity: Identity, access_key_id: str, secret_access_key: str, session_token: str | None):
        self.identity = identity
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token


def iso_utc(epoch: float) -> str:
    """A time as the AWS CLI and credential_process write it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def process_document(resolved: Resolved) -> dict:
    """The credentials as credential_process JSON (Version 1), which every SDK reads."""
    document: dict = {
        "Version": 1,
        "AccessKeyId": resolved.access_key_id,
        "SecretAccessKey": resolved.secret_access_key,
    }
    if resolved.session_token:
        document["SessionToken"] = resolved.session_token
    if resolved.identity.expiration:
        document["Expiration"] = iso_utc(resolved.identity.expiration)
    return document


def _public_settings(settings: dict) -> dict:
    return {key: value for key, value in settings.items() if key not in config.SECRET_KEYS}


def _index_path() -> str:
    return os.path.join(paths.cache_dir(), _INDEX_FILE)


def _read_index() -> dict:
    found = cachefile.unseal(_index_path(), _INDEX_PURPOSE)
    if not isinstance(found, tuple) or len(found) != 2 or found[0] != __version__ or not isinstance(found[1], dict):
        return {}  # missing, untrusted or corrupt: a miss, rewritten after the next resolution
    return found[1]


# Each field of an index entry and its type: an entry of any other shape is a miss.
_ENTRY_FIELDS = {
    "settings": dict,
    "account_id": str,
    "arn": str,
    "expiration": int,
    "kind": str,
    "sso_refreshable": bool,
    "cache_file": str,
    "cache_mtime": int,
}


def _valid_entry(entry: object) -> bool:
    return isinstance(entry, dict) and all(isinstance(entry.get(name), kind) for name, kind in _ENTRY_FIELDS.items())


def cached_identity(profile: str, settings: dict, now: float | None = None) -> Identity | None:
    """The profile's identity when its cached credentials are still good; no botocore, no network.

    Good means: the profile's settings have not changed since, temporary credentials have more than
    the refresh margin left, and the AWS CLI cache file that holds them is still the same file.
    """
    entry = _read_index().get(profile) or {}
    if not _valid_entry(entry) or entry["settings"] != _public_settings(settings):
        return None
    expiration = entry["expiration"]
    if expiration and expiration - (now or time.time()) < REFRESH_MARGIN_SECONDS:
        return None
    if entry["cache_file"]:
        try:
            if os.stat(entry["cache_file"]).st_mtime_ns != entry["cache_mtime"]:
                return None
        except OSError:
            return None
    return Identity(
        entry["account_id"],
        entry["arn"],
        expiration or None,
        entry["kind"],
        entry["sso_refreshable"],
        entry["cache_file"] or None,
    )


def _remember(profile: str, settings: dict, identity: Identity, cache_file: str | None) -> None:
    from awsctx import locks

    mtime = 0
    if cache_file:
        try:
            mtime = os.stat(cache_file).st_mtime_ns
        except OSError:
            cache_file = None
    entry = {
        "settings": _public_settings(settings),
        "account_id": identity.account_id,
        "arn": identity.arn,
        "expiration": identity.expiration or 0,
        "kind": identity.kind,
        "sso_refreshable": identity.sso_refreshable,
        "cache_file": cache_file or "",
        "cache_mtime": mtime,
    }
    try:
        with locks.locked(_index_path() + ".lock"):
            index = _read_index()
            index[profile] = entry
            cachefile.seal(_index_path(), _INDEX_PURPOSE, (__version__, index))
    except (OSError, ValueError, UserError):
        pass  # an index that cannot be written (nor locked) costs speed, never correctness


# The profiles being resolved by the awsctx processes above this one, newline-separated: a
# credential_process that comes back to `awsctx process` for one of them fails at once.
PROCESS_CHAIN_VARIABLE = "AWSCTX_PROCESS_CHAIN"


def process_target(settings: dict) -> str | None:
    """NAME, for a profile whose credential_process is `awsctx process NAME`."""
    from awsctx import ini

    line = settings.get("credential_process")
    words = ini.split_words(line) if isinstance(line, str) else None
    if not words or len(words) != 3 or os.path.basename(words[0]) != "awsctx" or words[1] != "process":
        return None
    return words[2]


def check_profile(cfg: config.AwsConfig, name: str) -> None:
    """Errors botocore would report vaguely (or late), said precisely: profile, key and file."""
    seen: list[str] = []
    current = name
    through_process = False
    while True:
        settings = cfg.profile(current)
        where = cfg.origin(current)
        place = f" ({where})" if where else ""
        if current in seen:
            chain = " -> ".join([*seen, current])
            if through_process:
                raise UserError(
                    f"profile {name!r}: its credentials loop back through `awsctx process` ({chain}){place}; "
                    "point credential_process at a profile that holds the credentials"
                )
            raise UserError(f"profile {name!r}: source_profile loops ({chain}){place}; break the cycle")
        seen.append(current)
        if "role_arn" in settings:
            source, credential_source = settings.get("source_profile"), settings.get("credential_source")
            if source and credential_source:
                raise UserError(f"profile {current!r}{place} sets both source_profile and credential_source; keep one")
            if credential_source:
                if credential_source not in ("Environment", "Ec2InstanceMetadata", "EcsContainer"):
                    raise UserError(
                        f"profile {current!r}{place}: credential_source {credential_source!r} is not one of "
                        "Environment, Ec2InstanceMetadata, EcsContainer"
                    )
                return
            if "web_identity_token_file" in settings:
                return
            if not source:
                raise UserError(
                    f"profile {current!r}{place} has role_arn but no source_profile or credential_source; "
                    "add source_profile = PROFILE"
                )
            if source not in cfg.profiles:
                raise UserError(
                    f"profile {current!r}{place}: source_profile {source!r} does not exist; "
                    "fix the name or add that profile"
                )
            if source == current and "aws_access_key_id" in settings:
                return  # botocore allows a profile to be its own source when it also holds keys
            current = source
            continue
        if config.uses_sso(settings):
            from awsctx.sso import sessions

            sessions.target_for_profile(current, cfg)  # raises a precise error for missing keys
            return
        served_by = process_target(settings)
        if served_by is not None and served_by in cfg.profiles:
            through_process = True
            current = served_by
            continue
        has_key, has_secret = "aws_access_key_id" in settings, "aws_secret_access_key" in settings
        if has_key != has_secret:
            missing = "aws_secret_access_key" if has_key else "aws_access_key_id"
            raise UserError(f"profile {current!r}{place} has no {missing}; add it to the credentials file")
        if not has_key and "credential_process" not in settings and "web_identity_token_file" not in settings:
            raise UserError(
                f"profile {current!r}{place} holds no credentials (no keys, role, SSO or credential_process); "
                "add some or switch with --no-credentials"
            )
        return


class Prompter:
    """botocore's MFA prompter: the code from --mfa-code, or typed on the terminal (never stdout)."""

    def __init__(self, profile: str, mfa_code: str | None, interactive: bool) -> None:
        self.profile = profile
        self.mfa_code = mfa_code
        self.interactive = interactive

    def __call__(self, prompt: str) -> str:
        if self.mfa_code:
            return self.mfa_code
        if not self.interactive:
            raise UserError(f"profile {self.profile!r} needs an MFA code: pass --mfa-code CODE or switch in a terminal")
        import getpass

        try:
            # getpass reads /dev/tty and writes the prompt there: stdout stays the shell's.
            return getpass.getpass(prompt)
        except EOFError:
            raise UserError("no MFA code entered") from None


def _cli_cache():
    """The AWS CLI's credential cache (~/.aws/cli/cache), read as every cache is (bounded, and only
    entries of the shape botocore uses: any other is a miss), written atomically when it can be
    (when not, the credentials serve from memory), remembering its last key."""
    import json

    from botocore.utils import JSONFileCache, parse_timestamp

    class CliCache(JSONFileCache):
        last_key: str | None = None
        unwritable: str | None = None  # why the last write failed

        def __getitem__(self, cache_key: str) -> dict:
            self.last_key = cache_key
            found = cachefile.load_json(self._convert_cache_key(cache_key))
            if found is None or not _cli_entry_usable(found, parse_timestamp):
                raise KeyError(cache_key)
            return found

        def __contains__(self, cache_key: object) -> bool:
            # botocore asks `in` and then reads: "in" must mean "readable", or a corrupt file raises.
            try:
                self[str(cache_key)]
            except KeyError:
                return False
            return True

        def __setitem__(self, cache_key: str, value: object) -> None:
            self.last_key = cache_key
            data = self._dumps(value) if hasattr(self, "_dumps") else json.dumps(value, default=str)
            path = self._convert_cache_key(cache_key)
            try:
                cachefile.write_atomic(path, data.encode("utf-8"))
            except OSError as error:
                # Credentials already obtained are not thrown away for a cache: used from memory.
                self.unwritable = f"{paths.display(path)} ({cachefile.why_not_written(error)})"

        def path_of_last(self) -> str | None:
            return self._convert_cache_key(self.last_key) if self.last_key else None

    return CliCache(working_dir=paths.cli_cache_dir())


def _cli_entry_usable(entry: dict, parse_timestamp) -> bool:
    """An AWS CLI cache entry botocore can use without failing: string keys and a readable expiry."""
    found = entry.get("Credentials")
    if not isinstance(found, dict):
        return False
    if not all(isinstance(found.get(key), str) for key in ("AccessKeyId", "SecretAccessKey", "SessionToken")):
        return False
    expiration = found.get("Expiration")
    if not isinstance(expiration, str):
        return False
    try:
        parse_timestamp(expiration)
    except Exception:  # dateutil raises several kinds; any of them makes the entry unusable
        return False
    return True


def resolve(
    profile: str,
    cfg: config.AwsConfig,
    *,
    mfa_code: str | None = None,
    interactive: bool = True,
    open_browser: bool = True,
    region: str | None = None,
) -> Resolved:
    """Working credentials for `profile`: from the caches, by assuming roles (asking for an MFA code
    once), or by logging in to SSO; one caller at a time per profile across processes. `region`:
    the one the profile will be used in (a switch's -r), else the profile's own, never the shell's
    previous one."""
    from awsctx import locks

    check_profile(cfg, profile)
    settings = cfg.profile(profile)
    lock = os.path.join(paths.lock_dir(), "profile-" + _file_safe(profile) + ".lock")

    def say_waiting() -> None:
        pid = locks.holder(lock)
        who = f"awsctx process {pid}" if pid else "another awsctx process"
        output.note(
            f"waiting for {who}, which is getting the credentials of profile {profile!r} "
            f"(an MFA code or SSO login there?); giving up after {lock_timeout():g} s ({LOCK_TIMEOUT_VARIABLE})"
        )

    saved_chain = os.environ.get(PROCESS_CHAIN_VARIABLE)
    chain = [name for name in (saved_chain or "").split("\n") if name]
    # Programs botocore starts for these credentials (credential_process) inherit it; programs
    # awsctx runs later (exec) must not.
    os.environ[PROCESS_CHAIN_VARIABLE] = "\n".join(chain if profile in chain else [*chain, profile])
    try:
        with locks.locked(lock, timeout=lock_timeout(), on_wait=say_waiting, notice_after=locks.NOTICE_AFTER) as waited:
            if waited:
                # The holder just resolved this profile: its index entry and cache file serve this
                # caller too, without a call of its own.
                found = cached_resolved(profile, settings)
                if found is not None:
                    return found
            return _resolve_locked(profile, cfg, settings, mfa_code, interactive, open_browser, region)
    finally:
        if saved_chain is None:
            os.environ.pop(PROCESS_CHAIN_VARIABLE, None)
        else:
            os.environ[PROCESS_CHAIN_VARIABLE] = saved_chain


def cached_resolved(profile: str, settings: dict) -> Resolved | None:
    """Temporary credentials from the AWS CLI cache file awsctx's index names, while good."""
    import json

    identity = cached_identity(profile, settings)
    if identity is None or not identity.expiration or not identity.cache_file:
        return None
    try:
        with open(identity.cache_file, "rb") as file:
            found = json.loads(file.read())["Credentials"]
        keys = (found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # gone, truncated or another shape: resolve afresh
    if not all(isinstance(value, str) and value for value in keys):
        return None
    return Resolved(identity, *keys)


LOCK_TIMEOUT_VARIABLE = "AWSCTX_LOCK_TIMEOUT"
# Long enough for the holder to finish a device-code login (10 minutes) or an MFA prompt.
DEFAULT_LOCK_TIMEOUT = 15 * 60.0


def lock_timeout() -> float:
    """How long a switch waits for another process getting the same profile's credentials."""
    text = os.environ.get(LOCK_TIMEOUT_VARIABLE, "")
    try:
        seconds = float(text) if text else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 1e7:
        raise UserError(f"{LOCK_TIMEOUT_VARIABLE}={text!r} is not a number of seconds")
    return seconds


def _file_safe(name: str) -> str:
    import hashlib

    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def sso_target(cfg: config.AwsConfig, profile: str) -> sessions.Target | None:
    """The SSO session the profile's chain ends in, if any."""
    from awsctx.sso import sessions

    current: str | None = profile
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        settings = cfg.profiles.get(current, {})
        if config.uses_sso(settings):
            return sessions.target_for_profile(current, cfg)
        source = settings.get("source_profile")
        if not isinstance(source, str) or not source or "role_arn" not in settings:
            return None
        current = source
    return None


def _resolve_locked(
    profile: str,
    cfg: config.AwsConfig,
    settings: dict,
    mfa_code: str | None,
    interactive: bool,
    open_browser: bool,
    region: str | None,
) -> Resolved:
    from awsctx.sso import oidc, sessions

    target = sso_target(cfg, profile)
    retried = False
    while True:
        token: dict | None = None
        if target is not None:
            token = oidc.ensure_token(target, interactive=interactive, open_browser=open_browser)
        try:
            return _resolve_with_botocore(profile, cfg, settings, mfa_code, interactive, region, token)
        except _LoginRejected:
            if target is None or token is None:
                raise UserError(
                    f"profile {profile!r}: IAM Identity Center refused its login; run `awsctx doctor`"
                ) from None
            # Marked expired: the next attempt, or `awsctx login`, renews it or logs in again.
            oidc.reject(target, token)
            if retried or not interactive:
                raise sessions.LoginRejectedError(target) from None
        retried = True
        output.note(f"IAM Identity Center no longer accepts the login for {target.describe()}; logging in again")


class _LoginRejected(Exception):
    """The portal refused the SSO token botocore used (UnauthorizedException)."""


def _resolve_with_botocore(
    profile: str,
    cfg: config.AwsConfig,
    settings: dict,
    mfa_code: str | None,
    interactive: bool,
    region: str | None,
    token: dict | None,
) -> Resolved:
    import botocore.credentials
    from botocore.exceptions import UnauthorizedSSOTokenError

    from awsctx import awsclient, mfasession, refreshtime

    sso_refreshable = bool(token and token.get("refreshToken"))
    session = awsclient.session(profile)
    # The region the profile will be used in; botocore alone would let the shell's AWS_DEFAULT_REGION
    # (the previous profile's) win over the profile's own.
    region = region or config.region_of(settings)
    if region:
        session.set_config_variable("region", region)
    elif not session.get_config_variable("region"):
        # Role chains call STS, which needs a region to sign; us-east-1 is where its global endpoint lives.
        session.set_config_variable("region", "us-east-1")
    cache = _cli_cache()
    prompter = Prompter(profile, mfa_code, interactive)
    plan = mfasession.plan_for(cfg, profile)
    with awsclient.Explained(f"profile {profile!r}"):
        through_session = None
        expiration: int | None = None
        if plan is not None:
            through_session = _through_mfa_session(plan, profile, cfg, session, cache, prompter)
        if through_session is not None:
            keys, expiration, role_expiration = through_session
            kind = "assume-role"
        else:
            resolver = botocore.credentials.create_credential_resolver(session, cache=cache)
            assume_role = resolver.get_provider("assume-role")
            assume_role._prompter = prompter  # botocore's hook for the MFA prompt is this attribute
            try:
                credentials = resolver.load_credentials()
                if credentials is None:
                    raise UserError(f"botocore found no credentials for profile {profile!r}; run `awsctx doctor`")
                # SSO role credentials (of the profile or of a role's source) are fetched here, lazily.
                frozen = credentials.get_frozen_credentials()
            except UnauthorizedSSOTokenError:
                raise _LoginRejected from None
            # With these very credentials: a client left to find its own would run a second resolver
            # (with an in-memory cache) and assume the role again.
            keys = (frozen.access_key, frozen.secret_key, frozen.token)
            expiry = getattr(credentials, "_expiry_time", None)
            expiration = int(expiry.timestamp()) if expiry is not None else None
            kind = getattr(credentials, "method", "") or "unknown"
        if plan is not None:
            # What the prompt hook of a shell switched to this profile needs: when to refresh (0:
            # never, without a person).
            due = refreshtime.due(role_expiration, time.time()) if through_session is not None else 0
            refreshtime.write(profile, due, expiration)
        sts = awsclient.client("sts", region or _sts_region(settings), keys=keys, from_session=session)
        try:
            caller = sts.get_caller_identity()
        except (Exception, WaitExpired) as error:
            # Credentials that STS or the SSO portal just handed out are good whether or not STS
            # answers now; the account is in the profile. Keys from a file are checked or refused.
            account = _account_of(settings) if kind in _OBTAINED_KINDS else None
            if account is None or not awsclient.is_unreachable(error):
                raise
            reason = str(error).split("; ")[0] if isinstance(error, (UserError, WaitExpired)) else str(error)
            identity = Identity(account, _arn_of(settings), expiration, kind, sso_refreshable)
            identity.unchecked = f"not checked with STS ({output.printable(reason)})"
            return Resolved(identity, *keys)
    identity = Identity(caller["Account"], caller["Arn"], expiration, kind, sso_refreshable)
    cache_file = cache.path_of_last() if expiration else None
    if cache.unwritable:
        output.note(f"could not write the AWS CLI cache file {cache.unwritable}; the credentials are used from memory")
        cache_file = None
    if cache_file and not os.path.exists(cache_file):
        cache_file = None
    _remember(profile, settings, identity, cache_file)
    return Resolved(identity, *keys)


def _through_mfa_session(
    plan: mfasession.Plan,
    profile: str,
    cfg: config.AwsConfig,
    session: Any,
    cache: Any,
    prompter: Prompter,
) -> tuple[tuple[str, str, str | None], int, float] | None:
    """`profile`'s credentials through the MFA session: the role `plan` assumes from long-term keys,
    assumed with the session of those keys (a code is asked only when there is none), into the AWS
    CLI cache under the very key the AWS CLI and botocore give that role, so that they take it as
    their own; then the roles of the chain above it, if any, each from the one below, as botocore
    would (its cache, its window).

    The role's entry is assumed again once it has less than `refreshtime.window` left, ahead of the
    AWS CLI's own 15 minutes. Returns (keys, when they expire, when the role's entry expires); None
    when the role takes no session (said once; it is then asked a code per assumption, as before) or
    the keys turn out not to be long-term: botocore's resolver takes over.
    """
    import botocore.credentials

    from awsctx import awsclient, mfasession, refreshtime
    from awsctx.sso import tokens

    if mfasession.refuses(plan):
        return None
    role_settings = cfg.profile(plan.role_profile)
    arguments = _assume_role_arguments(role_settings)
    region = session.get_config_variable("region")

    def sts(keys: tuple[str, str, str | None]) -> Any:
        return awsclient.client("sts", region, keys=keys, from_session=session)

    def get_session_token(keys: tuple[str, str, str | None], **call: Any) -> dict:
        return sts(keys).get_session_token(**call)

    def load_keys() -> tuple[str, str, str | None]:
        resolver = botocore.credentials.create_credential_resolver(awsclient.session(plan.source_profile), cache={})
        found = resolver.load_credentials()
        if found is None:
            raise UserError(f"botocore found no credentials for profile {plan.source_profile!r}; run `awsctx doctor`")
        frozen = found.get_frozen_credentials()
        return frozen.access_key, frozen.secret_key, frozen.token

    class SessionKeys:
        """The session, looked for only when the role's cached credentials are no longer good."""

        def get_frozen_credentials(self) -> Any:
            keys = mfasession.obtain(plan, load_keys, prompter, get_session_token)
            return botocore.credentials.ReadOnlyCredentials(*keys)

    def client_creator(service: str, **keys: Any) -> Any:
        client = sts((keys["aws_access_key_id"], keys["aws_secret_access_key"], keys.get("aws_session_token")))
        client.meta.events.register("before-parameter-build.sts.AssumeRole", _without_mfa_code)
        return client

    fetcher = botocore.credentials.AssumeRoleCredentialFetcher(
        client_creator=client_creator,
        source_credentials=SessionKeys(),
        role_arn=plan.role_arn,
        extra_args=arguments,
        mfa_prompter=lambda _prompt: "",  # the session carries the MFA; nothing is asked here
        cache=cache,
        expiry_window_seconds=refreshtime.window(arguments.get("DurationSeconds") or 3600),
    )
    for attempt in (1, 2):
        try:
            found = fetcher.fetch_credentials()
            break
        except mfasession.NotLongTerm:
            return None
        except Exception as error:
            refused = awsclient.refusal(error)
            if refused is None or refused.operation != "AssumeRole":
                raise
            if refused.code in ("AccessDenied", "AccessDeniedException"):
                if mfasession.refused(plan):
                    output.note(
                        f"profile {profile!r}: role {plan.role_arn} refused the MFA session "
                        f"({refused.code} on AssumeRole: {output.printable(refused.message)[:200]}); "
                        "it is asked a code of its own each time, as before"
                    )
                return None
            if refused.code in ("ExpiredToken", "InvalidClientTokenId") and attempt == 1:
                mfasession.forget(plan)  # revoked or its keys deleted: a new session, once
                continue
            raise
    written = cache.path_of_last()
    if written:
        mfasession.made(plan, written)
    role_expiration = tokens.parse_time(found["expiry_time"]) or 0.0
    for link in _links_above(cfg, profile, plan.role_profile):
        settings = cfg.profile(link)
        above = botocore.credentials.AssumeRoleCredentialFetcher(
            client_creator=lambda service, **keys: sts(
                (keys["aws_access_key_id"], keys["aws_secret_access_key"], keys.get("aws_session_token"))
            ),
            source_credentials=botocore.credentials.Credentials(
                found["access_key"], found["secret_key"], found["token"]
            ),
            role_arn=settings["role_arn"],
            extra_args=_assume_role_arguments(settings),
            mfa_prompter=prompter,
            cache=cache,
        )
        found = above.fetch_credentials()
    keys = (found["access_key"], found["secret_key"], found["token"])
    return keys, int(tokens.parse_time(found["expiry_time"]) or 0), role_expiration


def _links_above(cfg: config.AwsConfig, profile: str, role_profile: str) -> list[str]:
    """The role profiles of `profile`'s chain above `role_profile`, the lowest first."""
    links = []
    current = profile
    while current != role_profile:
        links.append(current)
        current = cfg.profile(current)["source_profile"]
    return links[::-1]


def _assume_role_arguments(settings: dict) -> dict:
    """AssumeRole's arguments for a role profile, as botocore builds them (and so its cache key)."""
    arguments: dict[str, Any] = {}
    for key, name in (
        ("role_session_name", "RoleSessionName"),
        ("external_id", "ExternalId"),
        ("mfa_serial", "SerialNumber"),
    ):
        if settings.get(key) is not None:
            arguments[name] = settings[key]
    if settings.get("duration_seconds") is not None:
        try:
            arguments["DurationSeconds"] = int(settings["duration_seconds"])
        except ValueError:
            pass
    return arguments


def _without_mfa_code(params: dict, **_: Any) -> None:
    """An AssumeRole with the MFA session: the session carries the MFA, the code is not sent again."""
    params.pop("SerialNumber", None)
    params.pop("TokenCode", None)


# botocore's names for credentials a service handed out just now (so they work).
_OBTAINED_KINDS = ("assume-role", "sso", "assume-role-with-web-identity")


def _account_of(settings: dict) -> str | None:
    """The account a profile's credentials belong to, from the profile alone."""
    account = settings.get("sso_account_id")
    role_arn = settings.get("role_arn")
    if isinstance(role_arn, str) and role_arn.count(":") >= 5:
        account = role_arn.split(":")[4]
    return account if isinstance(account, str) and account else None


def _arn_of(settings: dict) -> str:
    role_arn = settings.get("role_arn")
    if isinstance(role_arn, str) and role_arn:
        return role_arn
    role = settings.get("sso_role_name")
    return f"role {role} (IAM Identity Center)" if isinstance(role, str) else ""


def _sts_region(settings: dict) -> str:
    return config.region_of(settings) or os.environ.get("AWS_REGION") or "us-east-1"


def profile_or_current(name: str | None, command: str) -> str:
    """NAME, or the shell's active profile; an error naming `command` when there is neither."""
    name = name or os.environ.get(envvars.PROFILE, "")
    if not name:
        raise UserError(f"no profile given and none active in this shell; name one: awsctx {command} NAME")
    return name


def resolve_named(name: str | None, command: str, mfa_code: str | None = None) -> tuple[str, dict, Resolved]:
    """(profile, its settings, working credentials) for NAME or the active profile, for a command
    that runs where a person may answer an MFA prompt or an SSO login."""
    profile = profile_or_current(name, command)
    cfg = config.load()
    resolved = resolve(profile, cfg, mfa_code=mfa_code, interactive=output.can_ask())
    return profile, cfg.profile(profile), resolved


def credential_variables(settings: dict, resolved: Resolved) -> dict[str, str]:
    """The environment a tool that cannot read profiles needs for these credentials."""
    key_id, secret, token = envvars.KEYS
    variables = {key_id: resolved.access_key_id, secret: resolved.secret_access_key}
    if resolved.session_token:
        variables[token] = resolved.session_token
    if resolved.identity.expiration:
        for name in envvars.KEY_EXPIRATIONS:
            variables[name] = iso_utc(resolved.identity.expiration)
    region = config.region_of(settings)
    if region:
        variables[envvars.REGION] = variables[envvars.DEFAULT_REGION] = region
    return variables
