"""Messages for the user: on stderr, coloured only on a terminal and never under NO_COLOR."""

from __future__ import annotations

import os
import sys

_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\033[32m", "\033[33m", "\033[31m", "\033[1m", "\033[0m"


def _colour(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def printable(text: str) -> str:
    """`text` with control characters (escape sequences, newlines) shown as escapes, never sent raw."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _write(symbol: str, colour: str, text: str) -> None:
    line = f"{symbol} {printable(text)}"
    if _colour(sys.stderr):
        line = f"{colour}{symbol}{_RESET} {printable(text)}"
    sys.stderr.write(line + "\n")


def success(text: str) -> None:
    _write("✔", _GREEN, text)


def note(text: str) -> None:
    _write("•", _YELLOW, text)


def error(text: str) -> None:
    prefix = f"{_RED}error:{_RESET}" if _colour(sys.stderr) else "error:"
    sys.stderr.write(f"awsctx: {prefix} {printable(text)}\n")


def mark_current(name: str, is_current: bool) -> str:
    """A line of the list on a terminal: the active profile marked with `*` (and bold in colour)."""
    shown = printable(name)
    if not is_current:
        return "  " + shown
    if _colour(sys.stderr):
        return f"{_BOLD}{_GREEN}* {shown}{_RESET}"
    return "* " + shown
