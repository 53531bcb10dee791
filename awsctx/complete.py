"""Tab completion, speaking argcomplete's protocol with the shell glue in `shell/`.

The shell sets `_ARGCOMPLETE`, `COMP_LINE` and `COMP_POINT` and reads candidates from file
descriptor 8. Every completion goes through argcomplete, except the one a user hits all day (a
profile name as the first word, or after `use`): that one is answered here without importing
argparse or argcomplete, in exactly the bytes argcomplete would write (`tests/test_complete.py`
compares the two).
"""

from __future__ import annotations

import os

from awsctx import config

# What argcomplete escapes with a backslash in an unquoted word, for bash and (with `:`) zsh.
_BASH_SPECIAL = "\\();<>|&!`$*?[]{} \t\n\"'"
_ESCAPES = {
    "bash": str.maketrans({char: "\\" + char for char in _BASH_SPECIAL}),
    "zsh": str.maketrans({char: "\\" + char for char in _BASH_SPECIAL + ":"}),
}
# Characters after which the fast path hands over to argcomplete: quoting, escapes, comments and
# expansions need its shell-aware lexer.
_NEEDS_LEXER = "'\"\\#$`"
_SHELLS = ("bash", "zsh", "fish")


def target_candidates(prefix: str, with_commands: bool) -> list[str]:
    """Subcommand words (where they are allowed) and profile names that start with `prefix`."""
    from awsctx.commands import COMMANDS

    names = list(COMMANDS) if with_commands else []
    names.extend(config.load().profiles)
    # dict keeps the order and drops a profile named like a command.
    return list(dict.fromkeys(name for name in names if name.startswith(prefix)))


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
        candidates = target_candidates(prefix, with_commands)
    except Exception:
        candidates = []
    _write(_format(candidates, shell, environ), environ)
    return True


def _format(candidates: list[str], shell: str, environ: os._Environ[str] | dict[str, str]) -> str:
    """What argcomplete prints for these candidates of an unquoted word with no word break in it."""
    ifs = environ.get("_ARGCOMPLETE_IFS", "\013")
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


def argcomplete_complete(argv_words: list[str]) -> None:
    """Every other completion: argcomplete over the parser of the command being typed."""
    import argcomplete

    from awsctx import cli

    parser, _ = cli.parser_for(argv_words)
    if argv_words and argv_words[0] in cli.PARSERS:
        # The subcommand's parser sees its own arguments: tell argcomplete the line starts one word later.
        os.environ["_ARGCOMPLETE"] = "2"
    argcomplete.autocomplete(parser, always_complete_options=False)


def words_before_cursor(environ: os._Environ[str] | dict[str, str]) -> list[str]:
    """The words typed after the command name, roughly: enough to choose the parser."""
    line = environ.get("COMP_LINE", "")[: int(environ.get("COMP_POINT", "0") or 0)]
    return line.split()[1:]
