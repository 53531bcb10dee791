"""`awsctx process NAME`: the credential_process helper.

A profile with `credential_process = awsctx process NAME` lets any SDK or tool that runs
credential_process (every AWS SDK, the AWS CLI, Terraform...) use NAME's credentials from awsctx's
cache, refreshed through awsctx with its single SSO login or MFA prompt when they run out.

stdout carries the credential_process JSON document and nothing else, ever: the SDK parses all of
it. A cache hit reads awsctx's identity index and the AWS CLI cache file it names, and imports no
botocore.
"""

from __future__ import annotations

import json
import os
import sys

from awsctx import cachefile, config, credentials, ini, keystore, output
from awsctx.errors import UserError

TYPE_CHECKING = False  # SDKs run this for every client: no `typing`, no argparse on a cache hit
if TYPE_CHECKING:
    import argparse

# Profiles being served by the `awsctx process` calls above this one: a profile whose credentials
# come back to `awsctx process` for itself fails at once instead of looping.
_CHAIN_VARIABLE = credentials.PROCESS_CHAIN_VARIABLE
_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key")
# Any of these makes botocore take the credentials from somewhere other than the profile's keys.
_NOT_STATIC = (
    "role_arn",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
    "credential_process",
)


def parser() -> argparse.ArgumentParser:
    from awsctx import cli

    found = cli.Parser(
        prog="awsctx process",
        description="credential_process helper: print a profile's credentials as JSON from awsctx's cache.",
    )
    cli.add_profile(found, optional=False)
    found.add_argument(
        "--keyring", action="store_true", help="the profile's long-term keys from the OS keyring (awsctx keys add)"
    )
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    if namespace.keyring:
        return serve_keyring(namespace.profile)
    return serve(namespace.profile)


def serve_keyring(profile: str) -> int:
    """Print the long-term keys `awsctx keys add` put in the OS keyring for `profile`."""
    from awsctx import keystore

    entry = keystore.read(profile)
    if entry is None:
        raise UserError(f"the OS keyring holds no keys for profile {profile!r}; add them: awsctx keys add {profile}")
    document = {"Version": 1, "AccessKeyId": entry.access_key_id, "SecretAccessKey": entry.secret_access_key}
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()
    return 0


def serve(profile: str) -> int:
    """Print the credential_process document for `profile` on stdout; errors as UserError."""
    cfg = config.load()
    profile = _follow(profile, cfg)
    chain = [name for name in os.environ.get(_CHAIN_VARIABLE, "").split("\n") if name]
    if profile in chain:
        raise UserError(
            f"profile {profile!r} gets its credentials from `awsctx process {profile}` itself "
            f"({' -> '.join([*chain, profile])}); point credential_process at the profile that holds them"
        )
    settings = cfg.profile(profile)
    if keystore.is_keyring_process(settings) == profile:
        return serve_keyring(profile)
    document = _static(cfg, profile, settings) or _cached(profile, settings)
    if document is None:
        document = _refresh(profile, cfg, chain)
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()
    return 0


def _follow(profile: str, cfg: config.AwsConfig) -> str:
    """The profile that holds the credentials: `awsctx process A` for a profile A whose own
    credential_process is `awsctx process B` serves B directly, without a second process."""
    seen = [profile]
    while True:
        line = cfg.profile(profile).get("credential_process")
        words = ini.split_words(line) if isinstance(line, str) else None
        if not words or len(words) != 3 or os.path.basename(words[0]) != "awsctx" or words[1] != "process":
            return profile
        profile = words[2]
        if profile in seen:
            raise UserError(
                f"credential_process of profile {seen[-1]!r} loops back through `awsctx process` "
                f"({' -> '.join([*seen, profile])}); point it at the profile that holds the credentials"
            )
        seen.append(profile)


def _static(cfg: config.AwsConfig, profile: str, settings: dict) -> dict | None:
    """Long-term keys kept in the profile itself, as botocore would take them; the secrets are read
    from the files, since awsctx's config cache does not hold them."""
    if not all(isinstance(settings.get(key), str) and settings[key] for key in _STATIC_KEYS):
        return None
    if any(key in settings for key in _NOT_STATIC):
        return None
    found = config.secrets(cfg, profile)
    secret_key = found.get("aws_secret_access_key")
    if not isinstance(secret_key, str) or not secret_key:
        return None
    document = {
        "Version": 1,
        "AccessKeyId": settings["aws_access_key_id"],
        "SecretAccessKey": secret_key,
    }
    token = found.get("aws_session_token") or found.get("aws_security_token")
    if isinstance(token, str) and token:
        document["SessionToken"] = token
    return document


def _cached(profile: str, settings: dict) -> dict | None:
    """Temporary credentials from the AWS CLI cache file awsctx's index names, while good."""
    identity = credentials.cached_identity(profile, settings)
    if identity is None or not identity.expiration or not identity.cache_file:
        return None
    try:
        found = (cachefile.load_json(identity.cache_file) or {})["Credentials"]
        document = {
            "Version": 1,
            "AccessKeyId": found["AccessKeyId"],
            "SecretAccessKey": found["SecretAccessKey"],
            "SessionToken": found["SessionToken"],
            "Expiration": credentials.iso_utc(identity.expiration),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None  # gone, truncated or another shape: resolve afresh
    if not all(isinstance(value, str) and value for key, value in document.items() if key != "Version"):
        return None
    return document


def _refresh(profile: str, cfg: config.AwsConfig, chain: list[str]) -> dict:
    """Credentials through awsctx's resolver: the caches, STS, an SSO login or an MFA code. A login
    or prompt is possible only when stderr is a terminal (many SDKs capture it)."""
    interactive = output.is_terminal(sys.stderr)
    os.environ[_CHAIN_VARIABLE] = "\n".join([*chain, profile])
    # Whatever the resolver or a program it starts writes to stdout goes to stderr meanwhile: the
    # SDK reading stdout must get the document alone.
    sys.stdout.flush()
    saved = os.dup(1)
    real_stdout = sys.stdout
    try:
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        resolved = credentials.resolve(profile, cfg, interactive=interactive, open_browser=interactive)
    finally:
        sys.stdout = real_stdout
        os.dup2(saved, 1)
        os.close(saved)
    return credentials.process_document(resolved)
