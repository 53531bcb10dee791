"""`awsctx whoami [NAME] [--json]`: account, alias, ARN, region and credential expiry of a profile."""

from __future__ import annotations

import argparse
import os
import sys
import time

from awsctx import cli, config, credentials, envvars, output
from awsctx.errors import WaitExpired


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx whoami", description="Show the account, ARN, alias, region and expiry of a profile."
    )
    cli.add_profile(found)
    found.add_argument("--json", action="store_true", help="print JSON")
    cli.add_mfa_option(found)
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    profile, settings, resolved = credentials.resolve_named(namespace.profile, "whoami", namespace.mfa_code)
    identity = resolved.identity
    if identity.unchecked:
        output.note(f"profile {profile!r}: account from the profile, {identity.unchecked}")
    alias = _account_alias(settings, resolved) if not identity.unchecked else settings.get("aws_account_alias")
    region = config.region_of(settings) or os.environ.get(envvars.REGION, "")
    facts = {
        "profile": profile,
        "account": identity.account_id,
        "alias": alias or None,
        "arn": identity.arn,
        "region": region or None,
        "expiration": credentials.iso_utc(identity.expiration) if identity.expiration else None,
        "kind": identity.kind,
        "checked": not identity.unchecked,
    }
    if namespace.json:
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
        ("arn", identity.arn + (" (not checked)" if identity.unchecked else "")),
        ("region", region or "(none)"),
        ("expires", expires),
    ]
    sys.stdout.write("".join(f"{label:<8} {output.printable(value)}\n" for label, value in rows))
    return 0


def _account_alias(settings: dict, resolved: credentials.Resolved) -> str:
    """IAM's account alias when the credentials may read it, else the one the config names."""
    from awsctx import awsclient

    keys = (resolved.access_key_id, resolved.secret_access_key, resolved.session_token)
    try:
        iam = awsclient.client("iam", config.region_of(settings) or "us-east-1", keys=keys)
        aliases = iam.list_account_aliases()["AccountAliases"]
    except (Exception, WaitExpired) as error:
        if not awsclient.is_botocore_error(error) and not awsclient.is_unreachable(error):
            raise
        # Not permitted, unreachable, or the command's time for AWS is spent: the config's alias.
        aliases = []
    alias = settings.get("aws_account_alias")
    return aliases[0] if aliases else alias if isinstance(alias, str) else ""
