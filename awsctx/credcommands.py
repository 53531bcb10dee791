"""Commands that use a profile's credentials: whoami, export, exec."""

from __future__ import annotations

import os
import sys
import time

from awsctx import config, credentials, envvars, output, shells
from awsctx.errors import UserError


def _profile_or_current(name: str | None) -> str:
    name = name or os.environ.get(envvars.PROFILE, "")
    if not name:
        raise UserError("no profile given and none active in this shell; name one: awsctx whoami NAME")
    return name


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _resolve(name: str | None, mfa_code: str | None = None) -> tuple[str, dict, credentials.Resolved]:
    profile = _profile_or_current(name)
    cfg = config.load()
    resolved = credentials.resolve(profile, cfg, mfa_code=mfa_code, interactive=_interactive())
    return profile, cfg.profile(profile), resolved


def credential_variables(settings: dict, resolved: credentials.Resolved) -> dict[str, str]:
    """The environment a tool that cannot read profiles needs for these credentials."""
    key_id, secret, token = envvars.KEYS
    variables = {key_id: resolved.access_key_id, secret: resolved.secret_access_key}
    if resolved.session_token:
        variables[token] = resolved.session_token
    if resolved.identity.expiration:
        for name in envvars.KEY_EXPIRATIONS:
            variables[name] = credentials.iso_utc(resolved.identity.expiration)
    region = config.region_of(settings)
    if region:
        variables[envvars.REGION] = variables[envvars.DEFAULT_REGION] = region
    return variables


def _account_alias(profile: str, settings: dict, resolved: credentials.Resolved) -> str:
    """IAM's account alias when the credentials may read it, else the one the config names."""
    import boto3
    import botocore.exceptions

    session = boto3.Session(
        aws_access_key_id=resolved.access_key_id,
        aws_secret_access_key=resolved.secret_access_key,
        aws_session_token=resolved.session_token,
        region_name=config.region_of(settings) or "us-east-1",
    )
    try:
        aliases = session.client("iam", config=credentials._client_config()).list_account_aliases()["AccountAliases"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        aliases = []  # not permitted, or unreachable: fall back on the config
    alias = settings.get("aws_account_alias")
    return aliases[0] if aliases else alias if isinstance(alias, str) else ""


def whoami(name: str | None, as_json: bool, mfa_code: str | None) -> int:
    profile, settings, resolved = _resolve(name, mfa_code)
    identity = resolved.identity
    alias = _account_alias(profile, settings, resolved)
    region = config.region_of(settings) or os.environ.get(envvars.REGION, "")
    facts = {
        "profile": profile,
        "account": identity.account_id,
        "alias": alias or None,
        "arn": identity.arn,
        "region": region or None,
        "expiration": credentials.iso_utc(identity.expiration) if identity.expiration else None,
        "kind": identity.kind,
    }
    if as_json:
        import json

        sys.stdout.write(json.dumps(facts, indent=2) + "\n")
        return 0
    if identity.expiration:
        minutes = max(0, int(identity.expiration - time.time()) // 60)
        expires = f"{facts['expiration']} (in {minutes // 60}h{minutes % 60:02d}m)"
    else:
        expires = "never (long-term keys)"
    rows = [
        ("profile", profile),
        ("account", identity.account_id + (f" ({alias})" if alias else "")),
        ("arn", identity.arn),
        ("region", region or "(none)"),
        ("expires", expires),
    ]
    sys.stdout.write("".join(f"{label:<8} {output.printable(value)}\n" for label, value in rows))
    return 0


def export(name: str | None, fmt: str | None, mfa_code: str | None) -> int:
    """Print the credentials, as the user asked, for a tool that cannot read profiles."""
    _, settings, resolved = _resolve(name, mfa_code)
    variables = credential_variables(settings, resolved)
    fmt = fmt or _format_of_calling_shell()
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(credentials.process_document(resolved), indent=2) + "\n")
        return 0
    script = shells.Script("fish" if fmt == "fish" else "bash")
    for variable, value in variables.items():
        script.export(variable, value)
    sys.stdout.write(script.render())
    return 0


def _format_of_calling_shell() -> str:
    from awsctx.shellinit import detect_shell

    return "fish" if detect_shell(strict=False) == "fish" else "env"


def exec_command(name: str, command: list[str], mfa_code: str | None) -> int:
    """Replace this process with `command`, given the profile's credentials and nothing that shadows
    them: its exit status and signals are its own."""
    if not command:
        raise UserError("name the command to run: awsctx exec NAME -- COMMAND [ARGS...]")
    _, settings, resolved = _resolve(name, mfa_code)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in envvars.SHADOWING and key not in envvars.KEY_EXPIRATIONS and key != envvars.PROFILE
    }
    environment.update(credential_variables(settings, resolved))
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, environment)
    except FileNotFoundError:
        missing = UserError(f"command not found: {command[0]}")
        missing.exit_code = 127  # what a shell answers for a missing command
        raise missing from None
    except PermissionError:
        raise UserError(f"cannot run {command[0]}: permission denied") from None
    return 0  # not reached
