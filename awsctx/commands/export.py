"""`awsctx export [NAME] [--format env|fish|json|aesr]`: credentials for tools that cannot read profiles."""

from __future__ import annotations

import argparse
import sys

from awsctx import cli, credentials, shells
from awsctx.errors import UsageError


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx export",
        description="Print a profile's credentials as shell exports, for tools that cannot read profiles.",
    )
    cli.add_profile(found)
    found.add_argument(
        "--format",
        choices=("env", "fish", "json", "aesr"),
        help="default: the calling shell's syntax; aesr: every profile, for the AWS Extend Switch Roles extension",
    )
    cli.add_mfa_option(found)
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    fmt = namespace.format
    if fmt == "aesr":
        if namespace.profile:
            raise UsageError("--format aesr exports every profile; leave out PROFILE")
        from awsctx import aesr, config

        sys.stdout.write(aesr.render(config.load()))
        return 0
    _, settings, resolved = credentials.resolve_named(namespace.profile, "export", namespace.mfa_code)
    fmt = fmt or _format_of_calling_shell()
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps(credentials.process_document(resolved), indent=2) + "\n")
        return 0
    script = shells.Script("fish" if fmt == "fish" else shells.POSIX)
    for variable, value in credentials.credential_variables(settings, resolved).items():
        script.export(variable, value)
    sys.stdout.write(script.render())
    return 0


def _format_of_calling_shell() -> str:
    from awsctx.shellinit import detect_shell

    return "fish" if detect_shell(strict=False) == "fish" else "env"
