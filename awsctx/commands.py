"""The command words, in one place for the argparse grammar, the fast path and the shell templates."""

from __future__ import annotations

# Subcommands that do not change the calling shell: the shell function runs them directly, so their
# output pipes. A profile called like a command word is reached with `awsctx use NAME`.
DIRECT_COMMANDS = ("init", "whoami", "login", "exec", "export", "console", "sso", "process", "doctor")
# Subcommand words that do change the shell.
SHELL_COMMANDS = ("use",)
COMMANDS = DIRECT_COMMANDS + SHELL_COMMANDS
# Flags the shell function passes straight to the program.
DIRECT_FLAGS = ("-c", "--current", "-h", "--help", "--version")
