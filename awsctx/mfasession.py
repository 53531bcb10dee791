"""MFA sessions: one code a workday for every role a set of long-term keys may assume.

A role profile whose chain starts at long-term keys and names an MFA device (`mfa_serial` on the
role, or on the keys' profile) is assumed with an MFA-authenticated session of those keys: STS
GetSessionToken with the code, asked once; its length is AWSCTX_MFA_SESSION_DURATION (12 h by
default). Every role reachable from the same keys and device is then assumed with that session,
without another code, while it lasts; trust policies that check `aws:MultiFactorAuthPresent`
accept it. A role whose policy wants the code on AssumeRole itself refuses the session (access
denied): that is said once, remembered, and such a role is asked a code per assumption, as before.

The session is a secret: one JSON file per keys profile and device in awsctx's own cache folder,
0600 in a 0700 folder, replaced atomically under a lock, so that ten shells switching at once ask
one code. It never goes into the AWS CLI's cache (the CLI would read a file there as a role's
credentials) nor into any environment. `awsctx logout` deletes it, with the role credentials made
from it. Nothing here imports botocore: the calls go through `awsclient`, the assumption itself
through `credentials`.
"""

from __future__ import annotations

import json
import os
import time

from awsctx import cachefile, paths
from awsctx.errors import UserError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from awsctx import config

DURATION_VARIABLE = "AWSCTX_MFA_SESSION_DURATION"
DEFAULT_DURATION = 12 * 3600
# What STS GetSessionToken grants an IAM user (the root user: at most 1 h, which STS says itself).
MIN_DURATION, MAX_DURATION = 900, 129600
# A session with less than this left is renewed (a code asked) rather than used for one more call.
USABLE_FOR = 120
_FOLDER = "mfa-sessions"
_FORMAT = 1
# Settings that make a profile's credentials something other than long-term keys of its own.
_NOT_LONG_TERM = ("role_arn", "sso_session", "sso_start_url", "web_identity_token_file", "credential_source")


class Plan:
    """How a profile's credentials meet an MFA session: `role_profile` is the role assumed straight
    from the long-term keys of `source_profile` (the profile itself, or a link of its chain), with
    the session of those keys and the device `serial`."""

    __slots__ = ("role_arn", "role_profile", "serial", "source_profile")

    def __init__(self, role_profile: str, role_arn: str, source_profile: str, serial: str) -> None:
        self.role_profile = role_profile
        self.role_arn = role_arn
        self.source_profile = source_profile
        self.serial = serial

    @property
    def key(self) -> str:
        import hashlib

        return hashlib.sha1(f"{self.source_profile}\n{self.serial}".encode()).hexdigest()

    @property
    def path(self) -> str:
        return os.path.join(folder(), self.key + ".json")

    @property
    def lock(self) -> str:
        return os.path.join(paths.lock_dir(), "mfa-" + self.key + ".lock")


def folder() -> str:
    """Where the sessions are kept."""
    return os.path.join(paths.cache_dir(), _FOLDER)


def plan_for(cfg: config.AwsConfig, profile: str) -> Plan | None:
    """The MFA session `profile`'s credentials can come through; None when they cannot (no MFA
    device named, or the chain does not start at long-term keys). Reads the config only."""
    current = profile
    seen: set[str] = set()
    while current not in seen:
        seen.add(current)
        settings = cfg.profiles.get(current)
        role_arn = settings.get("role_arn") if settings else None
        source = settings.get("source_profile") if settings else None
        if not isinstance(role_arn, str) or not role_arn or not isinstance(source, str) or not source:
            return None
        assert settings is not None
        source_settings = cfg.profiles.get(source)
        if source_settings is None:
            return None
        if source != current and "role_arn" in source_settings:
            current = source  # a role assumed from another role: the MFA is where the chain starts
            continue
        if not _holds_long_term_keys(source_settings, itself=source == current):
            return None
        serial = settings.get("mfa_serial") or source_settings.get("mfa_serial")
        if not isinstance(serial, str) or not serial:
            return None
        return Plan(current, role_arn, source, serial)
    return None


def _holds_long_term_keys(settings: dict, itself: bool) -> bool:
    """Keys of its own (in the files or through credential_process, as `awsctx keys` keeps them)."""
    if "aws_access_key_id" in settings:
        return True  # a role profile may be its own source when it also holds keys
    if itself:
        return False
    return "credential_process" in settings and not any(key in settings for key in _NOT_LONG_TERM)


def duration() -> int:
    """How long a new session lasts: AWSCTX_MFA_SESSION_DURATION (seconds, or with s, m or h)."""
    text = os.environ.get(DURATION_VARIABLE, "").strip()
    if not text:
        return DEFAULT_DURATION
    units = {"s": 1, "m": 60, "h": 3600}
    scale = units.get(text[-1:].lower(), 0)
    number = text[:-1] if scale else text
    try:
        seconds = int(float(number) * (scale or 1))
    except ValueError:
        seconds = -1
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise UserError(
            f"{DURATION_VARIABLE}={text!r} is not a session length STS grants: from 900 s (15m) to "
            f"129600 s (36h); write it in seconds or with m or h, such as 12h"
        )
    return seconds


def describe(seconds: float) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours} h" + (f" {minutes} min" if minutes else "") if hours else f"{minutes} min"


def read(plan: Plan) -> dict | None:
    """The stored session of `plan`, usable or not; None when there is none awsctx can trust: missing,
    in a folder others may write to, not a regular file of a sensible size, truncated or not ours
    (a miss, replaced by the next session)."""
    stored = cachefile.load_json(plan.path) if cachefile.trusted_dir(folder()) else None
    if stored is None or stored.get("Version") != _FORMAT:
        return None
    if stored.get("SourceProfile") != plan.source_profile or stored.get("SerialNumber") != plan.serial:
        return None
    return stored


def usable(stored: dict | None, now: float | None = None) -> bool:
    """Whether a stored session can still assume a role."""
    if stored is None:
        return False
    keys = [stored.get(name) for name in ("AccessKeyId", "SecretAccessKey", "SessionToken")]
    expiration = stored.get("Expiration")
    if not all(isinstance(value, str) and value for value in keys) or not isinstance(expiration, (int, float)):
        return False
    return expiration - (time.time() if now is None else now) > USABLE_FOR


def keys_of(stored: dict) -> tuple[str, str, str]:
    return stored["AccessKeyId"], stored["SecretAccessKey"], stored["SessionToken"]


def _write(plan: Plan, stored: dict) -> None:
    """Keep the session; when it cannot be kept it serves this command from memory, said once."""
    from awsctx import output

    where = paths.display(folder())
    if not cachefile.may_use_dir(folder()):
        output.note(
            f"{where} is not a private folder of yours: the MFA session is not kept there "
            "(the next command asks a code)"
        )
        return
    try:
        cachefile.write_atomic(plan.path, json.dumps(stored).encode("utf-8"))
    except OSError as error:
        output.note(
            f"could not keep the MFA session in {where} ({cachefile.why_not_written(error)}); "
            "the next command asks a code"
        )


def _locked(plan: Plan) -> AbstractContextManager[bool]:
    from awsctx import credentials, locks, output

    def say_waiting() -> None:
        pid = locks.holder(plan.lock)
        who = f"awsctx process {pid}" if pid else "another awsctx process"
        output.note(f"waiting for {who}, which is getting an MFA session for profile {plan.source_profile!r}")

    return locks.locked(
        plan.lock, timeout=credentials.lock_timeout(), on_wait=say_waiting, notice_after=locks.NOTICE_AFTER
    )


class NotLongTerm(Exception):
    """The keys turned out to be temporary (a credential_process that hands out sessions):
    GetSessionToken refuses them, so the role is assumed the usual way."""


def obtain(
    plan: Plan,
    load_keys: Callable[[], tuple[str, str, str | None]],
    ask_code: Callable[[str], str],
    get_session_token: Callable[..., dict],
) -> tuple[str, str, str]:
    """The session's keys: the stored session while it is usable, else a new one for which one
    code is asked; one process at a time per keys profile and device."""
    with _locked(plan):
        stored = read(plan)
        if usable(stored):
            assert stored is not None
            return keys_of(stored)
        keys = load_keys()
        if keys[2]:
            raise NotLongTerm()
        seconds = duration()
        code = ask_code(
            f"Enter MFA code for {plan.serial} (a {describe(seconds)} session for every role "
            f"of profile {plan.source_profile!r}): "
        )
        answer = get_session_token(keys, SerialNumber=plan.serial, TokenCode=code.strip(), DurationSeconds=seconds)
        found = answer["Credentials"]
        expiration = found["Expiration"]
        fresh = {
            "Version": _FORMAT,
            "SourceProfile": plan.source_profile,
            "SerialNumber": plan.serial,
            "SourceKeyId": keys[0],
            "AccessKeyId": found["AccessKeyId"],
            "SecretAccessKey": found["SecretAccessKey"],
            "SessionToken": found["SessionToken"],
            "Expiration": int(expiration.timestamp() if hasattr(expiration, "timestamp") else expiration),
            # Carried from the session before: what is known of the roles and files made from it.
            "RefusedRoles": list((stored or {}).get("RefusedRoles") or []),
            "RoleCacheFiles": list((stored or {}).get("RoleCacheFiles") or []),
        }
        _write(plan, fresh)
        return keys_of(fresh)


def refuses(plan: Plan) -> bool:
    """Whether the plan's role refused this session (or an earlier one) before."""
    stored = read(plan)
    return stored is not None and plan.role_arn in (stored.get("RefusedRoles") or [])


def _update(plan: Plan, key: str, value: str) -> bool:
    """Add `value` to the stored session's list `key`; whether it was new."""
    with _locked(plan):
        stored = read(plan)
        if stored is None:
            return True
        values = list(stored.get(key) or [])
        if value in values:
            return False
        stored[key] = [*values, value]
        _write(plan, stored)
        return True


def refused(plan: Plan) -> bool:
    """Remember that the plan's role refuses sessions; whether this is news (to be said once)."""
    return _update(plan, "RefusedRoles", plan.role_arn)


def made(plan: Plan, cache_file: str) -> None:
    """Remember an AWS CLI cache file written from this session, for `awsctx logout` to delete."""
    _update(plan, "RoleCacheFiles", cache_file)


def forget(plan: Plan) -> None:
    """Drop a session AWS no longer takes (expired early, keys deleted), keeping what is known."""
    with _locked(plan):
        stored = read(plan)
        if stored is not None:
            for name in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
                stored.pop(name, None)
            _write(plan, stored)


def drop(plans: list[Plan] | None = None) -> int:
    """Delete the sessions of `plans` (None: every session) and the role credentials the AWS CLI
    cache holds from them; how many sessions were deleted."""
    if plans is None:
        try:
            names = sorted(name for name in os.listdir(folder()) if name.endswith(".json"))
        except OSError:
            names = []
        files = [os.path.join(folder(), name) for name in names]
    else:
        files = [plan.path for plan in plans]
    dropped = 0
    cli_cache = os.path.realpath(paths.cli_cache_dir())
    for path in files:
        stored = cachefile.load_json(path) or {}
        made_from = stored.get("RoleCacheFiles")
        for entry in made_from if isinstance(made_from, list) else ():
            # Only files of the AWS CLI cache: the list is read from a file a user could edit.
            if isinstance(entry, str) and os.path.dirname(os.path.realpath(entry)) == cli_cache:
                _remove(entry)
        if _remove(path):
            dropped += 1
    return dropped


def _remove(path: str) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise UserError(f"cannot delete {paths.display(path)} ({error.strerror or error})") from None
    return True
