"""The command words, in one table for the fast path, the argparse grammar, Tab and the shell templates.

Each word's grammar and handler live in `awsctx/commands/<module>.py`, which defines `parser()` and
`run(args, shell, interactive)`; a command line with no command word (list, switch, `-`, `-c`,
`-u`, `-r`) is `commands/switch.py`'s. This module imports nothing: the fast path reads it.
"""

from __future__ import annotations

# word: (module under awsctx.commands, whether the shell function applies what the program prints).
# The shell function runs the others directly, so that their output pipes. A profile called like a
# command word is reached with `awsctx use NAME`.
COMMANDS = {
    "init": ("init", False),
    "whoami": ("whoami", False),
    "login": ("login", False),
    "logout": ("logout", False),
    "exec": ("exec", False),
    "export": ("export", False),
    "console": ("console", False),
    "sso": ("sso", False),
    "process": ("process", False),
    "refresh": ("refresh", False),
    "doctor": ("doctor", False),
    "keys": ("keys", False),
    "use": ("use", True),
    # Trust changes what the integration's folder hook does: it looks again at the next prompt.
    "allow": ("allow", True),
    "deny": ("deny", True),
}
# What a command line with no command word is.
DEFAULT_MODULE = "switch"
DIRECT_COMMANDS = tuple(word for word, (_, applied) in COMMANDS.items() if not applied)
# Flags the shell function passes straight to the program.
DIRECT_FLAGS = ("-c", "--current", "-h", "--help", "--version")
# What the integration's folder hook runs (`awsctx --folder-hook FILE`, awsctx/folders.py): a flag,
# so that no profile name is ever taken for it, and never offered by Tab.
FOLDER_HOOK = "--folder-hook"
