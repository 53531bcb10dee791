"""The command line's grammar: which command a line is, its argparse parser, and the pieces the
commands' parsers share (options, completers). Used for help, errors and Tab.

The hot switching forms (`awsctx`, `awsctx NAME`, `awsctx -`, ...) are also recognised by
`main.fast_request` without importing argparse; `tests/test_cli.py` holds the two to the same result.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from awsctx.commands.table import COMMANDS, DEFAULT_MODULE
from awsctx.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors as awsctx's one-line UsageError."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def command_word(argv: list[str]) -> str | None:
    """The command word a line starts with, or None for a switching line."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def command_module(argv: list[str]) -> tuple[ModuleType, list[str]]:
    """The module that handles a command line, and the arguments its parser parses."""
    word = command_word(argv)
    name = COMMANDS[word][0] if word is not None else DEFAULT_MODULE
    module = importlib.import_module(f"awsctx.commands.{name}")
    return module, argv[1:] if word is not None else argv


def parser_for(argv: list[str]) -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser for a command line and the arguments it parses."""
    module, arguments = command_module(argv)
    return module.parser(), arguments


def run(argv: list[str], shell: str | None, interactive: bool) -> int:
    module, arguments = command_module(argv)
    parser = module.parser()
    if shell is None:
        namespace = parser.parse_args(arguments)
    else:
        # The shell function evaluates this program's stdout: help and version are for the person,
        # so they go to the terminal, and stdout stays empty (nothing to apply).
        saved, sys.stdout = sys.stdout, sys.stderr
        try:
            namespace = parser.parse_args(arguments)
        except SystemExit as shown:  # --help, --version: argparse printed them and exits
            return shown.code if isinstance(shown.code, int) else 0
        finally:
            sys.stdout = saved
    return module.run(namespace, shell, interactive)


# ---------------------------------------------------------------------------- shared pieces


def complete_targets(prefix: str, **_: object) -> list[str]:
    from awsctx import profilenames

    return profilenames.matching(prefix, with_commands=True)


def complete_profiles(prefix: str, **_: object) -> list[str]:
    from awsctx import profilenames

    return profilenames.matching(prefix, with_commands=False)


def complete_regions(prefix: str, **_: object) -> list[str]:
    from awsctx import regions

    return [region for region in regions.KNOWN if region.startswith(prefix)]


def add_profile(parser: argparse.ArgumentParser, optional: bool = True) -> None:
    """The PROFILE argument of the commands that act on one profile (default: the active one)."""
    if optional:
        argument = parser.add_argument("profile", nargs="?", metavar="PROFILE", help="default: the active profile")
    else:
        argument = parser.add_argument("profile", metavar="PROFILE")
    argument.completer = complete_profiles  # type: ignore[attr-defined]


def add_folder_path(parser: argparse.ArgumentParser, what: str) -> None:
    """The PATH argument of `allow` and `deny`: `what` it may be; by default the nearest `.awsctx`."""
    parser.add_argument(
        "path", nargs="?", metavar="PATH", help=f"{what} (default: the nearest .awsctx in this folder or above it)"
    )


def add_region_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    option = parser.add_argument("-r", "--region", metavar="REGION", help=help_text)
    option.completer = complete_regions  # type: ignore[attr-defined]
    parser.add_argument("--force", action="store_true", help="accept a region awsctx does not know")


def add_mfa_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mfa-code", metavar="CODE", help="the MFA code, for scripts (otherwise asked on the terminal)"
    )


def add_switch_options(parser: argparse.ArgumentParser) -> None:
    """Region and credential options of a switch (`awsctx NAME`, `awsctx use NAME`)."""
    add_region_options(parser, "set AWS_REGION and AWS_DEFAULT_REGION (alone: change only the region)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "-n", "--no-credentials", action="store_true", help="switch without checking or fetching credentials"
    )
    mode.add_argument(
        "--export", action="store_true", help="also export the credentials (AWS_ACCESS_KEY_ID, ...) for tools"
    )
    add_mfa_option(parser)
