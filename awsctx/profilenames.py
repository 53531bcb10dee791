"""What Tab offers where a profile name goes: command words (where allowed) and profile names.

Shared by the fast completion path (`complete`) and argcomplete's completers (`cli`), so both
offer the same names.
"""

from __future__ import annotations

from awsctx import config
from awsctx.commands.table import COMMANDS
from awsctx.errors import UserError


def matching(prefix: str, with_commands: bool, sso_only: bool = False) -> list[str]:
    """Subcommand words (where they are allowed) and profile names that start with `prefix`;
    `sso_only`: just the profiles that log in to IAM Identity Center themselves."""
    names = list(COMMANDS) if with_commands else []
    try:
        loaded = config.load()
        if sso_only:
            names.extend(name for name, settings in loaded.profiles.items() if config.uses_sso(settings))
        else:
            names.extend(loaded.names())
    except UserError:
        pass  # Tab on a broken config offers no profiles; the next command says what is wrong
    # dict keeps the order and drops a profile named like a command.
    return list(dict.fromkeys(name for name in names if name.startswith(prefix)))
