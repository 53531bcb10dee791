"""Which IAM Identity Center session a profile logs in to: the `Target` (start URL, region, scopes)
from a legacy `sso_start_url` profile or an `[sso-session]` section, with precise errors for what
is missing. Reads the config only; no network, no botocore."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from awsctx import config, paths
from awsctx.errors import UserError

ACCOUNT_ACCESS_SCOPE = "sso:account:access"


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

    def __init__(self, target: Target, renewal_refused: bool = False) -> None:
        what = (
            "has ended (IAM Identity Center refused to renew it)"
            if renewal_refused
            else "has expired or never happened"
        )
        super().__init__(
            f"the IAM Identity Center login for {target.describe()} {what}; run `{target.login_command()}`"
        )
        self.target = target


class LoginRejectedError(UserError):
    """IAM Identity Center refused a token that was still in date: the session was ended there
    (signed out, revoked by an administrator). awsctx has marked the token expired, so the login
    command named here logs in again instead of calling the login valid."""

    def __init__(self, target: Target, then: str = "") -> None:
        super().__init__(
            f"IAM Identity Center no longer accepts the login for {target.describe()} (the session was ended "
            f"there: signed out or revoked); run `{target.login_command()}` to log in again{then}"
        )
        self.target = target


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
