"""`awsctx [PROFILE] [-r REGION] ...`, `awsctx -`, `-c`, `-u`: the command line with no command word."""

from __future__ import annotations

import argparse

from awsctx import __version__, cli, switch
from awsctx.errors import UsageError

_EPILOG = """\
switching (changes this shell):
  awsctx                     list profiles (fzf picker on a terminal)
  awsctx NAME                switch to profile NAME (region from the profile)
  awsctx use NAME            the same, for a profile named like a command
  awsctx NAME -r REGION      switch and override the region
  awsctx -r REGION           change only the region
  awsctx -                   back to this shell's previous profile and region
  awsctx -c                  print the current profile
  awsctx -u                  unset everything awsctx set

commands (each has --help):
  awsctx init [SHELL]        print the shell integration (bash, zsh, fish)
  awsctx whoami [NAME]       account, ARN, alias, region and credential expiry
  awsctx login [NAME]        IAM Identity Center (SSO) login
  awsctx logout [NAME]       drop the MFA session (with NAME: also its SSO login)
  awsctx exec NAME -- CMD    run CMD with NAME's credentials (--server: served, refreshed)
  awsctx export [NAME]       print credentials as shell exports or JSON
  awsctx console [NAME]      open the AWS console signed in as NAME
  awsctx sso sync            write profiles for every account and role an SSO session reaches
  awsctx process NAME        credential_process helper for any SDK
  awsctx refresh [NAME]      refresh role credentials from the MFA session (the prompt does it)
  awsctx doctor              check the config files, caches and shell integration
  awsctx keys add|list|rotate|rm NAME   long-term keys in the OS keyring; key rotation
  awsctx allow | deny [PATH] trust (or not) the .awsctx of this folder: its profile per folder
"""


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx",
        description="Switch AWS profiles and regions in the current shell.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    target = found.add_argument(
        "target", nargs="?", metavar="PROFILE", help="profile to switch to; - for the previous one"
    )
    target.completer = cli.complete_targets  # type: ignore[attr-defined]
    cli.add_switch_options(found)
    exclusive = found.add_mutually_exclusive_group()
    exclusive.add_argument("-c", "--current", action="store_true", help="print the current profile; exit 1 when none")
    exclusive.add_argument("-u", "--unset", action="store_true", help="unset every variable awsctx set")
    found.add_argument("--version", action="version", version=f"awsctx {__version__}")
    return found


def request_from(namespace: argparse.Namespace) -> switch.Request:
    """The switching request a parsed command line asks for."""
    target = namespace.target
    if getattr(namespace, "current", False) or getattr(namespace, "unset", False):
        if target is not None or namespace.region:
            raise UsageError("-c and -u take no profile or region")
        return switch.Request(switch.CURRENT if namespace.current else switch.UNSET)
    if namespace.force and not namespace.region:
        raise UsageError("--force goes with -r REGION")
    credential_mode = "off" if namespace.no_credentials else "export" if namespace.export else None
    if target == "-":
        if namespace.region:
            raise UsageError("`awsctx -` restores the previous region too; switch first, then use -r")
        return switch.Request(switch.PREVIOUS, credential_mode=credential_mode, mfa_code=namespace.mfa_code)
    if target is not None:
        if not target:
            raise UsageError("the profile name is empty")
        return switch.Request(
            switch.SWITCH, target, namespace.region, namespace.force, credential_mode, namespace.mfa_code
        )
    if namespace.region:
        return switch.Request(switch.REGION_ONLY, None, namespace.region, namespace.force)
    return switch.Request(switch.LIST)


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    return switch.run(request_from(namespace), shell, interactive)
