"""The command line's grammar: one argparse parser per command, used for help, errors and Tab.

The hot switching forms (`awsctx`, `awsctx NAME`, `awsctx -`, ...) are also recognised by
`main.fast_request` without importing argparse; `tests/test_cli.py` holds the two to the same result.
"""

from __future__ import annotations

import argparse
import sys

from awsctx import __version__, switch
from awsctx.errors import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _complete_targets(prefix: str, **_: object) -> list[str]:
    from awsctx import complete

    return complete.target_candidates(prefix, with_commands=True)


def _complete_profiles(prefix: str, **_: object) -> list[str]:
    from awsctx import complete

    return complete.target_candidates(prefix, with_commands=False)


def _complete_regions(prefix: str, **_: object) -> list[str]:
    from awsctx import regions

    return [region for region in regions.KNOWN if region.startswith(prefix)]


def _add_region_options(parser: argparse.ArgumentParser) -> None:
    option = parser.add_argument(
        "-r", "--region", metavar="REGION", help="set AWS_REGION and AWS_DEFAULT_REGION (alone: change only the region)"
    )
    option.completer = _complete_regions  # type: ignore[attr-defined]
    parser.add_argument("--force", action="store_true", help="accept a region awsctx does not know")


def _add_credential_options(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "-n", "--no-credentials", action="store_true", help="switch without checking or fetching credentials"
    )
    mode.add_argument(
        "--export", action="store_true", help="also export the credentials (AWS_ACCESS_KEY_ID, ...) for tools"
    )
    parser.add_argument(
        "--mfa-code", metavar="CODE", help="the MFA code, for scripts (otherwise asked on the terminal)"
    )


def switch_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="awsctx",
        description="Switch AWS profiles and regions in the current shell.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "commands:\n"
            "  awsctx                  list profiles (fzf picker on a terminal)\n"
            "  awsctx NAME             switch to profile NAME (region from the profile)\n"
            "  awsctx use NAME         the same, for a profile named like a command\n"
            "  awsctx NAME -r REGION   switch and override the region\n"
            "  awsctx -r REGION        change only the region\n"
            "  awsctx -                back to this shell's previous profile and region\n"
            "  awsctx -c               print the current profile\n"
            "  awsctx -u               unset everything awsctx set\n"
            "  awsctx init [SHELL]     print the shell integration (bash, zsh, fish)\n"
        ),
    )
    target = parser.add_argument(
        "target", nargs="?", metavar="PROFILE", help="profile to switch to; - for the previous one"
    )
    target.completer = _complete_targets  # type: ignore[attr-defined]
    _add_region_options(parser)
    _add_credential_options(parser)
    exclusive = parser.add_mutually_exclusive_group()
    exclusive.add_argument("-c", "--current", action="store_true", help="print the current profile; exit 1 when none")
    exclusive.add_argument("-u", "--unset", action="store_true", help="unset every variable awsctx set")
    parser.add_argument("--version", action="version", version=f"awsctx {__version__}")
    return parser


def use_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsctx use", description="Switch to a profile, whatever its name.")
    target = parser.add_argument("target", metavar="PROFILE")
    target.completer = _complete_profiles  # type: ignore[attr-defined]
    _add_region_options(parser)
    _add_credential_options(parser)
    return parser


def init_parser() -> argparse.ArgumentParser:
    from awsctx import shells

    parser = _Parser(prog="awsctx init", description="Print the shell integration; load it from your shell's rc file.")
    parser.add_argument("shell", nargs="?", choices=shells.SUPPORTED, help="detected when omitted")
    parser.add_argument(
        "--no-prompt",
        action="store_true",
        help="leave the prompt alone (also AWSCTX_NO_PROMPT=1); place the awsctx_prompt segment yourself",
    )
    return parser


def _add_mfa_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mfa-code", metavar="CODE", help="the MFA code, for scripts (otherwise asked on the terminal)"
    )


def whoami_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsctx whoami", description="Show the account, ARN, alias, region and expiry of a profile.")
    parser.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="default: the active profile"
    ).completer = _complete_profiles  # type: ignore[attr-defined]
    parser.add_argument("--json", action="store_true", help="print JSON")
    _add_mfa_option(parser)
    return parser


def export_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="awsctx export",
        description="Print a profile's credentials as shell exports, for tools that cannot read profiles.",
    )
    parser.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="default: the active profile"
    ).completer = _complete_profiles  # type: ignore[attr-defined]
    parser.add_argument(
        "--format",
        choices=("env", "fish", "json", "aesr"),
        help="default: the calling shell's syntax; aesr: every profile, for the AWS Extend Switch Roles extension",
    )
    _add_mfa_option(parser)
    return parser


def exec_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsctx exec", description="Run a command with a profile's credentials in its environment.")
    parser.add_argument("profile", metavar="PROFILE").completer = _complete_profiles  # type: ignore[attr-defined]
    _add_mfa_option(parser)
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND", help="the command and its arguments")
    return parser


def login_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsctx login", description="Log in to IAM Identity Center (SSO) with the device-code flow.")
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="default: the active profile"
    ).completer = _complete_profiles  # type: ignore[attr-defined]
    target.add_argument("--sso-session", metavar="NAME", help="log in to this [sso-session] directly")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL and code")
    parser.add_argument("--force", action="store_true", help="log in again even with a valid token")
    return parser


def doctor_parser() -> argparse.ArgumentParser:
    return _Parser(
        prog="awsctx doctor",
        description="Check the config files, every profile, the caches and the shell integration.",
    )


def _complete_sso_sessions(prefix: str, **_: object) -> list[str]:
    from awsctx import config
    from awsctx.errors import UserError

    try:
        return [name for name in config.load().sso_sessions if name.startswith(prefix)]
    except UserError:
        return []


def sso_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsctx sso", description="IAM Identity Center (SSO) commands.")
    commands = parser.add_subparsers(dest="sso_command", metavar="COMMAND", required=True)
    sync = commands.add_parser(
        "sync",
        help="write a profile for every account and role an SSO session can reach",
        description="Write a profile for every account and role an SSO session can reach, in a managed block.",
    )
    sync.add_argument(
        "session", nargs="?", metavar="SESSION", help="default: every [sso-session]"
    ).completer = _complete_sso_sessions  # type: ignore[attr-defined]
    sync.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    sync.add_argument("--prune", action="store_true", help="remove profiles for access that is gone")
    sync.add_argument(
        "--template",
        metavar="T",
        help="profile names: {account_name} {account_id} {role_name} {session} (default {account_name}.{role_name})",
    )
    sync.add_argument(
        "--credential-process",
        action="store_true",
        help="profiles that use `credential_process = awsctx process NAME`",
    )
    return parser


def process_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="awsctx process",
        description="credential_process helper: print a profile's credentials as JSON from awsctx's cache.",
    )
    parser.add_argument("profile", metavar="PROFILE").completer = _complete_profiles  # type: ignore[attr-defined]
    return parser


def console_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsctx console", description="Open the AWS Management Console signed in as a profile.")
    parser.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="default: the active profile"
    ).completer = _complete_profiles  # type: ignore[attr-defined]
    region = parser.add_argument("-r", "--region", metavar="REGION", help="default: the profile's region")
    region.completer = _complete_regions  # type: ignore[attr-defined]
    parser.add_argument("--force", action="store_true", help="accept a region awsctx does not know")
    parser.add_argument("--service", metavar="SERVICE", help="open this service's console, like ec2 or s3")
    parser.add_argument(
        "--print", dest="print_only", action="store_true", help="print the sign-in URL (a password for 15 minutes)"
    )
    _add_mfa_option(parser)
    return parser


PARSERS = {
    "console": console_parser,
    "sso": sso_parser,
    "process": process_parser,
    "doctor": doctor_parser,
    "use": use_parser,
    "init": init_parser,
    "whoami": whoami_parser,
    "export": export_parser,
    "exec": exec_parser,
    "login": login_parser,
}


def parser_for(argv: list[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser for a command line and the arguments it parses."""
    if argv and argv[0] in PARSERS:
        return PARSERS[argv[0]](), argv[1:]
    return switch_parser(), argv


def request_from(namespace: argparse.Namespace) -> switch.Request:
    """The switching request a parsed command line asks for."""
    target = namespace.target
    if getattr(namespace, "current", False) or getattr(namespace, "unset", False):
        if target is not None or namespace.region:
            raise UsageError("-c and -u take no profile or region")
        return switch.Request(switch.CURRENT if namespace.current else switch.UNSET)
    if namespace.force and not namespace.region:
        raise UsageError("--force goes with -r REGION")
    credentials = "off" if namespace.no_credentials else "export" if namespace.export else None
    if target == "-":
        if namespace.region:
            raise UsageError("`awsctx -` restores the previous region too; switch first, then use -r")
        return switch.Request(switch.PREVIOUS, credentials=credentials, mfa_code=namespace.mfa_code)
    if target is not None:
        if not target:
            raise UsageError("the profile name is empty")
        return switch.Request(switch.SWITCH, target, namespace.region, namespace.force, credentials, namespace.mfa_code)
    if namespace.region:
        return switch.Request(switch.REGION_ONLY, None, namespace.region, namespace.force)
    return switch.Request(switch.LIST)


def run(argv: list[str], shell: str | None, interactive: bool) -> int:
    parser, arguments = parser_for(argv)
    namespace = parser.parse_args(arguments)
    command = argv[0] if argv and argv[0] in PARSERS else None
    if command == "export" and namespace.format == "aesr":
        if namespace.profile:
            raise UsageError("--format aesr exports every profile; leave out PROFILE")
        from awsctx import aesr, config

        sys.stdout.write(aesr.render(config.load()))
        return 0
    if command == "console":
        from awsctx import console

        return console.run(
            namespace.profile,
            namespace.region,
            namespace.service,
            namespace.print_only,
            namespace.mfa_code,
            force=namespace.force,
        )
    if command in ("whoami", "export", "exec"):
        from awsctx import credcommands

        if command == "whoami":
            return credcommands.whoami(namespace.profile, namespace.json, namespace.mfa_code)
        if command == "export":
            return credcommands.export(namespace.profile, namespace.format, namespace.mfa_code)
        words = namespace.command[1:] if namespace.command[:1] == ["--"] else namespace.command
        return credcommands.exec_command(namespace.profile, words, namespace.mfa_code)
    if command == "sso":
        from awsctx import ssosync

        return ssosync.run(
            namespace.session, namespace.dry_run, namespace.prune, namespace.template, namespace.credential_process
        )
    if command == "process":
        from awsctx import process

        return process.run(namespace.profile)
    if command == "doctor":
        from awsctx import doctor

        return doctor.run()
    if command == "login":
        from awsctx import sso

        return sso.run_login(namespace.profile, namespace.sso_session, not namespace.no_browser, force=namespace.force)
    if argv and argv[0] == "init":
        from awsctx import shellinit

        target = namespace.shell or shellinit.detect_shell(strict=True)
        sys.stdout.write(shellinit.render(target, place_prompt=not namespace.no_prompt))
        return 0
    return switch.run(request_from(namespace), shell, interactive)
