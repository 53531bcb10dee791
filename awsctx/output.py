"""Everything awsctx says to the person: messages on stderr (coloured only on a terminal and never
under NO_COLOR), whether a stream is a terminal, and opening a URL in the browser without letting
the browser's chatter reach stdout (which the shell function may be capturing)."""

from __future__ import annotations

import os
import sys

_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\033[32m", "\033[33m", "\033[31m", "\033[1m", "\033[0m"


def is_terminal(stream: object) -> bool:
    """Whether `stream` is a terminal; False for anything closed, replaced or odd."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def can_ask() -> bool:
    """Whether a person can answer a question here: stdin and stderr are both terminals."""
    return is_terminal(sys.stdin) and is_terminal(sys.stderr)


def _colour(stream: object) -> bool:
    return not os.environ.get("NO_COLOR") and is_terminal(stream)


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


def cause_chain(error: BaseException) -> None:
    """The error and every exception behind it, with tracebacks, on stderr (AWSCTX_DEBUG=1). The
    one-line messages hide their causes (`raise ... from None`); this shows them."""
    import traceback

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sys.stderr.write(f"debug: {type(current).__module__}.{type(current).__qualname__}: {current}\n")
        sys.stderr.write("".join(traceback.format_tb(current.__traceback__)))
        current = current.__cause__ or current.__context__


def mark_current(name: str, is_current: bool) -> str:
    """A line of the list on a terminal: the active profile marked with `*` (and bold in colour)."""
    shown = printable(name)
    if not is_current:
        return "  " + shown
    if _colour(sys.stderr):
        return f"{_BOLD}{_GREEN}* {shown}{_RESET}"
    return "* " + shown


class StdoutToStderr:
    """Point file descriptor 1 at stderr for a `with` block: programs started inside it (browsers)
    chatter on stdout, which the shell function may be capturing. A class, not contextlib: this
    module is on the switch path."""

    def __enter__(self) -> None:
        self.saved: int | None = None
        try:
            sys.stdout.flush()
            self.saved = os.dup(1)
            os.dup2(2, 1)
        except (OSError, ValueError):
            pass

    def __exit__(self, *_: object) -> None:
        if self.saved is not None:
            os.dup2(self.saved, 1)
            os.close(self.saved)


def open_browser(url: str) -> bool:
    """Open an http(s) URL with the user's browser (BROWSER first); whether one took it."""
    # Anything else could be a local file or read as a browser option.
    if not url.startswith(("https://", "http://")):
        return False
    import webbrowser

    with StdoutToStderr():
        try:
            return bool(webbrowser.open(url, new=2))
        except (webbrowser.Error, OSError):
            return False
