"""Shell code the integration evaluates: one quoter and one emitter per shell.

Every value that reaches a shell passes through `quote` here; nothing else in awsctx builds shell
code from data.
"""

from __future__ import annotations

SUPPORTED = ("bash", "zsh", "fish")

# Characters that mean nothing to any of the three shells anywhere in a word (`=` and `%` do at the
# start of a zsh or fish word; `~` expands; braces expand).
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@+:,./-")


def quote(shell: str, value: str) -> str:
    """`value` as one literal word of `shell`, whatever it holds."""
    if value and _SAFE.issuperset(value):
        return value
    if shell == "fish":
        # In fish single quotes only `\\` and `\'` are escapes.
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    # bash and zsh: nothing is special inside single quotes; close, add an escaped quote, reopen.
    return "'" + value.replace("'", "'\\''") + "'"


# Plain POSIX sh: what `awsctx export` prints for any shell's `eval` (dash included). Only the
# integration's own function may rely on `\builtin`, which POSIX sh does not have.
POSIX = "sh"


class Script:
    """Statements for one shell, emitted in order and evaluated at once by the shell function
    (or, in the POSIX dialect, by whatever shell the user evaluates them in)."""

    def __init__(self, shell: str) -> None:
        if shell not in SUPPORTED and shell != POSIX:
            raise ValueError(shell)
        self.shell = shell
        self.lines: list[str] = []

    def export(self, name: str, value: str) -> None:
        if self.shell == "fish":
            self.lines.append(f"builtin set -gx -- {name} {quote('fish', value)}")
        elif self.shell == POSIX:
            self.lines.append(f"export {name}={quote(POSIX, value)}")
        else:
            # `\builtin` so that a user's alias or function named export cannot intercept it.
            self.lines.append(f"\\builtin export {name}={quote(self.shell, value)}")

    def unset(self, *names: str) -> None:
        if not names:
            return
        joined = " ".join(names)
        if self.shell == "fish":
            self.lines.append(f"builtin set -e -- {joined}")
        else:
            self.lines.append(f"\\builtin unset {joined}")

    def set_local(self, name: str, value: str) -> None:
        """A shell variable of the integration's own: global, never exported."""
        if self.shell == "fish":
            self.lines.append(f"builtin set -g -- {name} {quote('fish', value)}")
        else:
            self.lines.append(f"{name}={quote(self.shell, value)}")

    def echo(self, text: str) -> None:
        """Print `text` on stdout when the shell applies the script (stdout is captured until then)."""
        if self.shell == "fish":
            self.lines.append(f"builtin printf '%s\\n' {quote('fish', text)}")
        else:
            self.lines.append(f"\\builtin printf '%s\\n' {quote(self.shell, text)}")

    def render(self) -> str:
        return "".join(line + "\n" for line in self.lines)
