"""`awsctx exec NAME [--server] -- COMMAND...`: run a command with a profile's credentials in its
environment, or (--server) served to it from a local endpoint for as long as it runs (credserver)."""

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
    found.add_argument(
        "--server",
        action="store_true",
        help="serve the credentials to the command from a local endpoint, refreshed for as long as it runs "
        "(none in its environment)",
    )
    found.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND", help="the command and its arguments")
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    """Replace this process with the command, given the profile's credentials and nothing that
    shadows them: its exit status and signals are its own."""
    command = _options_before_command(namespace)
    if not command:
        raise UserError("name the command to run: awsctx exec NAME -- COMMAND [ARGS...]")
    profile, settings, resolved = credentials.resolve_named(namespace.profile, "exec", namespace.mfa_code)
    if namespace.server:
        return _serve(command, profile, settings, resolved, namespace.mfa_code)
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


def _options_before_command(namespace: argparse.Namespace) -> list[str]:
    """The command, once the options written after NAME (`awsctx exec NAME --server -- CMD`), which
    the command's words swallow, are taken out of them; up to `--`, or to the first other word."""
    words = list(namespace.command)
    while words:
        word = words[0]
        if word == "--":
            return words[1:]
        if word == "--server":
            namespace.server = True
        elif word == "--mfa-code" and len(words) > 1:
            namespace.mfa_code = words.pop(1)
        elif word.startswith("--mfa-code="):
            namespace.mfa_code = word.partition("=")[2]
        else:
            return words
        words.pop(0)
    return words


def _serve(
    command: list[str], profile: str, settings: dict, resolved: credentials.Resolved, mfa_code: str | None
) -> int:
    """Run the command with the profile's credentials served from a local endpoint (credserver)."""
    from awsctx import config, credserver, output

    cfg = config.load()
    first = credserver.temporary(profile, cfg, resolved, mfa_code, interactive=output.can_ask())
    served = credserver.Served(profile, credserver.obtainer(profile, cfg), first)
    endpoint = credserver.Endpoint(served)
    environment = child_environment(dict(os.environ), profile, settings, first, with_keys=False)
    for name in credserver.SHADOWING:
        environment.pop(name, None)
    environment.update(credserver.shadowing_files(cfg))
    sys.stdout.flush()
    sys.stderr.flush()
    return credserver.run(command, environment, served, endpoint)


def child_environment(
    parent: dict[str, str], profile: str, settings: dict, resolved: credentials.Resolved, with_keys: bool = True
) -> dict[str, str]:
    """The command's environment: the shell's, less everything that describes or selects the shell's
    own profile, plus PROFILE's keys (unless not `with_keys`), region and facts, so that a prompt or
    `whoami` in the child tells the truth. The region stays the shell's only when no profile chose it."""
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
    variables = credentials.credential_variables(settings, resolved)
    if not with_keys:
        variables = {name: value for name, value in variables.items() if name not in envvars.KEYS}
        variables = {name: value for name, value in variables.items() if name not in envvars.KEY_EXPIRATIONS}
    environment.update(variables)
    identity = resolved.identity
    environment.update(
        facts.of_profile(
            profile,
            settings,
            account_id=identity.account_id,
            # Served credentials are refreshed: no expiry for a prompt in the command to count down to.
            expiration=identity.expiration if with_keys else None,
            sso_refreshable=identity.sso_refreshable,
        )
    )
    environment[envvars.ARN] = identity.arn
    environment[envvars.EXEC] = profile
    return environment
