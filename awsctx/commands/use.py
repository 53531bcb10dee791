"""`awsctx use NAME`: switch to a profile whatever its name, even one named like a command."""

from __future__ import annotations

import argparse

from awsctx import cli
from awsctx.commands import switch as switch_command


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(prog="awsctx use", description="Switch to a profile, whatever its name.")
    target = found.add_argument("target", metavar="PROFILE")
    target.completer = cli.complete_profiles  # type: ignore[attr-defined]
    cli.add_switch_options(found)
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    return switch_command.run(namespace, shell, interactive)
