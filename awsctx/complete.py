"""Tab completion, speaking argcomplete's protocol with the shell glue in `shell/`.

The shell sets `_ARGCOMPLETE`, `COMP_LINE` and `COMP_POINT` and reads candidates from file
descriptor 8. Every completion goes through argcomplete, except the one a user hits all day (a
profile name as the first word, or after `use`): that one is answered here without importing
argparse or argcomplete, in exactly the bytes argcomplete would write (`tests/test_complete.py`
compares the two).
"""

from __future__ import annotations

import os

from awsctx import profilenames
from awsctx.tabnames import BASH_ESCAPES, BASH_SPECIAL, EXTRA_SPECIAL

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs more than a whole Tab
if TYPE_CHECKING:
    from collections.abc import Callable

# What argcomplete escapes with a backslash (`tabnames`, whose file the shells complete from
# without the program, holds the same for bash): zsh also escapes `:`.
_ESCAPES = {
    "bash": BASH_ESCAPES,
    "zsh": str.maketrans({char: "\\" + char for char in BASH_SPECIAL + EXTRA_SPECIAL + ":"}),
}
_EXTRA_ESCAPES = str.maketrans({char: "\\" + char for char in EXTRA_SPECIAL})
# Characters after which the fast path hands over to argcomplete: quoting, escapes, comments and
# expansions need its shell-aware lexer.
_NEEDS_LEXER = "'\"\\#$`"
_SHELLS = ("bash", "zsh", "fish")


def fast_complete(environ: os._Environ[str] | dict[str, str]) -> bool:
    """Answer a profile-name completion; False when argcomplete must answer instead."""
    shell = environ.get("_ARGCOMPLETE_SHELL", "bash")
    if environ.get("_ARGCOMPLETE") != "1" or shell not in _SHELLS:
        return False
    try:
        line = environ["COMP_LINE"][: int(environ["COMP_POINT"])]
    except (KeyError, ValueError):
        return False
    if any(char in line for char in _NEEDS_LEXER):
        return False
    if any(char.isspace() and char not in " \t\r\n" for char in line):
        return False  # whitespace that shlex does not split on: leave it to the real lexer
    words = line.split()
    prefix = "" if not line or line[-1].isspace() else words.pop()
    wordbreaks = environ.get("_ARGCOMPLETE_COMP_WORDBREAKS", "") if shell == "bash" else ""
    if prefix.startswith("-") or any(char in prefix for char in wordbreaks):
        return False
    if len(words) == 1:
        with_commands = True
    elif len(words) == 2 and words[1] == "use":
        with_commands = False
    else:
        return False
    try:
        candidates = profilenames.matching(prefix, with_commands)
    except Exception:
        candidates = []
    _write(_format(candidates, shell, environ), environ)
    # The shell asked the program because the names file was missing or stale: the next Tab need not.
    try:
        from awsctx import config

        config.keep_tab_names(config.load())
    except Exception:
        pass
    return True


def _format(candidates: list[str], shell: str, environ: os._Environ[str] | dict[str, str]) -> str:
    """What argcomplete prints for these candidates of an unquoted word with no word break in it."""
    ifs = environ.get("_ARGCOMPLETE_IFS", "\013")
    candidates = _insertable(candidates, shell, ifs)
    if shell != "fish":
        table = _ESCAPES[shell]
        candidates = [candidate.translate(table) for candidate in candidates]
    if environ.get("_ARGCOMPLETE_SUPPRESS_SPACE") != "1" and len(candidates) == 1 and candidates[0][-1] not in "=/:":
        candidates = [candidates[0] + " "]
    description_separator = environ.get("_ARGCOMPLETE_DFS")
    if description_separator:
        candidates = [candidate + description_separator for candidate in candidates]
    if shell == "zsh":
        candidates = [candidate + ":" for candidate in candidates]
    return ifs.join(candidates)


def _insertable(candidates: list[str], shell: str, ifs: str) -> list[str]:
    """The candidates the shell can take whole. The shell splits what it reads at IFS (a vertical
    tab for bash and zsh), and fish reads a tab as the start of a description: a name holding one
    would be offered in pieces, or cut short. No shell holds a NUL byte in a word."""
    separators = ifs + "\t\x00" if shell == "fish" else ifs + "\x00"
    return [candidate for candidate in candidates if not any(char in candidate for char in separators)]


def _write(text: str, environ: os._Environ[str] | dict[str, str]) -> None:
    filename = environ.get("_ARGCOMPLETE_STDOUT_FILENAME")
    if filename:
        with open(filename, "w", encoding="utf-8") as stream:
            stream.write(text)
        return
    try:
        os.write(8, text.encode("utf-8"))
    except OSError:
        os.write(1, text.encode("utf-8"))


def argcomplete_complete(argv_words: list[str], exit_method: Callable[[int], object] = os._exit) -> None:
    """Every other completion: argcomplete over the parser of the command being typed."""
    import argcomplete

    from awsctx import cli

    class Finder(argcomplete.CompletionFinder):
        def _init_debug_stream(self) -> None:
            # argcomplete would open file descriptor 9, which is not always its to take.
            from argcomplete import io as argcomplete_io

            argcomplete_io.debug_stream = open(os.devnull, "w")  # noqa: SIM115 - lives until the process exits

        def quote_completions(self, completions: list[str], cword_prequote: str, last_wordbreak_pos: int | None):
            quoted = super().quote_completions(completions, cword_prequote, last_wordbreak_pos)
            shell = os.environ.get("_ARGCOMPLETE_SHELL", "bash")
            quoted = _insertable(quoted, shell, os.environ.get("_ARGCOMPLETE_IFS", "\013"))
            if shell == "fish":
                return quoted
            if cword_prequote or shell not in _ESCAPES:
                return quoted
            escaped = [completion.translate(_EXTRA_ESCAPES) for completion in quoted]
            for before, after in zip(quoted, escaped):
                if before in self._display_completions:
                    self._display_completions[after] = self._display_completions[before]
            return escaped

    parser, _ = cli.parser_for(argv_words)
    if cli.command_word(argv_words) is not None:
        # The subcommand's parser sees its own arguments: tell argcomplete the line starts one word later.
        os.environ["_ARGCOMPLETE"] = "2"
    Finder()(parser, always_complete_options=False, exit_method=exit_method)


def words_before_cursor(environ: os._Environ[str] | dict[str, str]) -> list[str]:
    """The words typed after the command name, roughly: enough to choose the parser."""
    line = environ.get("COMP_LINE", "")[: int(environ.get("COMP_POINT", "0") or 0)]
    return line.split()[1:]
