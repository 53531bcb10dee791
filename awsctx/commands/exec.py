"""`awsctx exec NAME -- COMMAND...`: run a command with a profile's credentials in its environment."""

from __future__ import annotations

import argparse
import os
import sys

from awsctx import cli, credentials, envvars
from awsctx.errors import UserError


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(prog="awsctx exec", description="Run a command with a profile's credentials in its environment.")
    cli.add_profile(found, optional=False)
    cli.add_mfa_option(found)
    found.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND", help="the command and its arguments")
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    """Replace this process with the command, given the profile's credentials and nothing that
    shadows them: its exit status and signals are its own."""
    command = namespace.command[1:] if namespace.command[:1] == ["--"] else namespace.command
    if not command:
        raise UserError("name the command to run: awsctx exec NAME -- COMMAND [ARGS...]")
    profile, settings, resolved = credentials.resolve_named(namespace.profile, "exec", namespace.mfa_code)
    environment = child_environment(dict(os.environ), profile, settings, resolved)
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


def child_environment(
    parent: dict[str, str], profile: str, settings: dict, resolved: credentials.Resolved
) -> dict[str, str]:
    """The command's environment: the shell's, less everything that describes or selects the shell's
    own profile, plus PROFILE's keys, region and facts, so that a prompt or `whoami` in the child
    tells the truth. The region stays the shell's only when no profile chose it."""
    from awsctx import facts

    dropped = {
        *envvars.SHADOWING,
        *envvars.KEY_EXPIRATIONS,
        *envvars.PROMPT,
        envvars.PROFILE,
        envvars.ARN,
        envvars.EXPORTED_KEYS,
        envvars.EXEC,
        envvars.REFRESH_AT,
    }
    if parent.get(envvars.PROFILE):
        dropped.update((envvars.REGION, envvars.DEFAULT_REGION))
    environment = {key: value for key, value in parent.items() if key not in dropped}
    environment.update(credentials.credential_variables(settings, resolved))
    identity = resolved.identity
    environment.update(
        facts.of_profile(
            profile,
            settings,
            account_id=identity.account_id,
            expiration=identity.expiration,
            sso_refreshable=identity.sso_refreshable,
        )
    )
    environment[envvars.ARN] = identity.arn
    environment[envvars.EXEC] = profile
    return environment
