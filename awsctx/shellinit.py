"""`awsctx init SHELL`: the integration a shell loads from its rc file, rendered from `shell/`."""

from __future__ import annotations

import os
import sys

from awsctx import envvars, shells
from awsctx.commands import table as commands
from awsctx.errors import UserError

# Run by the integration on every call. `python -c` skips the console-script wrapper (which imports
# `re`); the current folder is dropped from sys.path so that a folder named `awsctx` there is never
# imported in place of this package.
_BOOTSTRAP = 'import sys;"" in sys.path[:1] and sys.path.pop(0);from awsctx.main import main;sys.exit(main())'


def program_command() -> list[str]:
    """The words that run this very awsctx, whatever PATH holds later."""
    if sys.executable:
        return [sys.executable, "-c", _BOOTSTRAP]
    return [os.path.abspath(sys.argv[0])]


def template_path(shell: str) -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    name = f"awsctx.{shell}"
    # Inside an installed wheel the templates sit in awsctx/shell/; in a source checkout, in ../shell/.
    for folder in (os.path.join(here, "shell"), os.path.join(os.path.dirname(here), "shell")):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    raise UserError(f"the {shell} integration template {name} is missing from this installation; reinstall awsctx")


def _case_patterns(shell: str, words: tuple[str, ...]) -> str:
    separator = " " if shell == "fish" else "|"
    return separator.join(shells.quote(shell, word) for word in words)


def render(shell: str, place_prompt: bool = True) -> str:
    """The integration for `shell`; with `place_prompt`, it also puts the segment in the prompt."""
    if shell not in shells.SUPPORTED:
        raise UserError(f"awsctx does not support the {shell} shell; it supports {', '.join(shells.SUPPORTED)}")
    with open(template_path(shell), encoding="utf-8") as file:
        template = file.read()
    program = " ".join(shells.quote(shell, word) for word in program_command())
    place = place_prompt and not os.environ.get(envvars.NO_PROMPT)
    return (
        template.replace("@AWSCTX_PROGRAM@", program)
        .replace("@AWSCTX_DIRECT@", _case_patterns(shell, commands.DIRECT_COMMANDS + commands.DIRECT_FLAGS))
        .replace("@AWSCTX_PLACE_PROMPT@", "1" if place else "''")
    )


def detect_shell(strict: bool) -> str | None:
    """The shell that runs awsctx, found with shellingham; an error (or None) when unknown."""
    try:
        import shellingham

        name = shellingham.detect_shell()[0]
    except Exception:
        name = os.path.basename(os.environ.get("SHELL", ""))
        if strict:
            raise UserError("could not detect your shell; name it: awsctx init bash|zsh|fish") from None
    name = name.lower()
    if name in shells.SUPPORTED:
        return name
    if strict:
        raise UserError(f"awsctx supports bash, zsh and fish, not {name!r}; name one: awsctx init bash|zsh|fish")
    return None


def rc_line(shell: str) -> str:
    if shell == "fish":
        return "awsctx init fish | source"
    return f'eval "$(awsctx init {shell})"'
