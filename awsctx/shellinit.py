"""`awsctx init SHELL`: the integration a shell loads from its rc file, rendered from `shell/`."""

from __future__ import annotations

import os
import re
import sys

from awsctx import envvars, paths, promptdef, refreshtime, shells, tabnames
from awsctx.commands import table as commands
from awsctx.errors import UserError

# Run by the integration on every call: `python -I -S -c`, with sys.path set to the folders this
# installation's code lives in. `-S` skips `site`, which costs a quarter of the interpreter's start
# (it reads every .pth file of site-packages); `-I` keeps PYTHON* variables, the user's site folder
# and the current folder out, so that a folder named `awsctx` there is never imported in place of
# this package. `-c` skips the console-script wrapper (which imports `re`).
_ISOLATED_BOOTSTRAP = "import sys;sys.path+={folders!r};from awsctx.main import run_for_shell;run_for_shell()"
# Where the folders cannot be told for sure (a source checkout, a dependency only `site` knows how to
# find): the interpreter as the console script starts it, the current folder dropped from sys.path.
_BOOTSTRAP = 'import sys;"" in sys.path[:1] and sys.path.pop(0);from awsctx.main import run_for_shell;run_for_shell()'
# The distribution, the extras whose requirements awsctx imports at run time, and the top-level
# modules the isolated interpreter must find where this one finds them.
_DISTRIBUTION = "awsctx-shell"
_RUNTIME_EXTRAS = ("keyring",)
_CHECKED_MODULES = ("awsctx", "botocore", "boto3", "argcomplete", "shellingham")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]*)['"]""")


def program_command() -> list[str]:
    """The words that run this very awsctx, whatever PATH holds later."""
    if not sys.executable:
        return [os.path.abspath(sys.argv[0])]
    folders = code_folders()
    if folders is None:
        return [sys.executable, "-c", _BOOTSTRAP]
    return [sys.executable, "-I", "-S", "-c", _ISOLATED_BOOTSTRAP.format(folders=folders)]


def code_folders() -> list[str] | None:
    """The folders that hold awsctx and the distributions it requires (theirs too, and the optional
    ones that are installed), as this interpreter finds them; None when they cannot be told for sure:
    awsctx run from a source tree, or a module the isolated interpreter would find elsewhere (an
    editable install that only a .pth file of `site` points to)."""
    from importlib import machinery, metadata, util

    try:
        folders = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        seen: set[str] = set()
        pending = [(_DISTRIBUTION, True)]
        while pending:
            name, own = pending.pop()
            key = re.sub(r"[-_.]+", "-", name).lower()
            if key in seen:
                continue
            seen.add(key)
            try:
                distribution = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                if own:
                    return None
                continue  # an optional requirement that is not installed, or one for another platform
            if not own:
                folder = str(distribution.locate_file(""))
                if not os.path.isabs(folder):
                    return None
                if folder not in folders:
                    folders.append(folder)
            for requirement in distribution.requires or ():
                extra = _EXTRA_MARKER.search(requirement)
                if extra is not None and not (own and extra.group(1) in _RUNTIME_EXTRAS):
                    continue  # test and development extras: never imported by awsctx
                found = _REQUIREMENT_NAME.match(requirement)
                if found:
                    pending.append((found.group(1), False))
        for module in _CHECKED_MODULES:
            here = util.find_spec(module)
            there = machinery.PathFinder.find_spec(module, folders)
            if here is None or there is None or here.origin != there.origin:
                return None
    except (OSError, ValueError, ImportError):
        return None
    return folders


# Every template, as the wheel ships them (pyproject.toml's package data lists the same).
TEMPLATES = (
    "awsctx.bash",
    "awsctx.zsh",
    "awsctx.fish",
    "names.sh",
    "prompt.sh",
    "folders.sh",
    "refresh.sh",
    "refresh.fish",
)


def template_path(name: str) -> str:
    """The template file NAME (`awsctx.bash`, `prompt.sh`, ...) of this installation."""
    here = os.path.dirname(os.path.abspath(__file__))
    # Inside an installed wheel the templates sit in awsctx/shell/; in a source checkout, in ../shell/.
    for folder in (os.path.join(here, "shell"), os.path.join(os.path.dirname(here), "shell")):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    raise UserError(f"the shell integration template {name} is missing from this installation; reinstall awsctx")


class _Dialect:
    """How one shell writes what `init` fills in its prompt renderer (shell/prompt.sh for bash and
    zsh, shell/awsctx.fish): one small type per shell rather than an `if` in every token."""

    first_index = 1  # of an array

    def ref(self, name: str) -> str:
        """The variable's value, as the prompt hook reads it."""
        return f"${name}"

    def marks(self) -> str:
        """Every placeholder's mark, in order, as one value of the renderer."""
        raise NotImplementedError

    def mark_placeholder(self, placeholder: promptdef.Placeholder) -> str:
        """A line turning `{name}` in __awsctx_text into the placeholder's mark."""
        raise NotImplementedError

    def value(self, placeholder: promptdef.Placeholder) -> str:
        """The placeholder's value, one word in a list of them."""
        return f'"$__awsctx_{placeholder.source}"'

    def bidi_controls(self) -> str:
        """promptdef.BIDI_CONTROLS, as the renderer lists them."""
        raise NotImplementedError

    def bracket(self, characters: str) -> str:
        """The inside of a bracket expression matching any of `characters`, each literal."""
        raise NotImplementedError


class _Bash(_Dialect):
    """bash and zsh read a variable as `$X` (the hook turns nounset off: `$X` costs a third of `${X-}`)."""

    first_index = 0

    def marks(self) -> str:
        """A string; the renderer takes its Nth character."""
        return "$'" + "".join(_octal(p.mark) for p in promptdef.PLACEHOLDERS) + "'"

    def mark_placeholder(self, placeholder: promptdef.Placeholder) -> str:
        return f"__awsctx_text=${{__awsctx_text//'{{{placeholder.name}}}'/$'{_octal(placeholder.mark)}'}}"

    def bidi_controls(self) -> str:
        """Words, each one character's UTF-8 bytes: the same bytes whatever the locale that reads them."""
        return " ".join(
            "$'" + "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8")) + "'" for char in promptdef.BIDI_CONTROLS
        )

    def bracket(self, characters: str) -> str:
        """The inside of a bracket expression (`*[...]*`) matching any of `characters`, each literal:
        one ANSI-C quoted string (quoted, nothing in it is special to the pattern)."""
        escaped = {"\\": "\\\\", "'": "\\'"}
        return (
            "$'"
            + "".join(escaped.get(char, char) if char.isprintable() else f"\\{ord(char):03o}" for char in characters)
            + "'"
        )


class _Zsh(_Bash):
    """zsh shares bash's renderer."""

    first_index = 1


class _Fish(_Dialect):
    def bracket(self, characters: str) -> str:
        """Members of a regular expression's character class."""
        return "".join(f"\\x{ord(char):02x}" for char in characters)

    def marks(self) -> str:
        """A list."""
        return " ".join(_hex(p.mark) for p in promptdef.PLACEHOLDERS)

    def mark_placeholder(self, placeholder: promptdef.Placeholder) -> str:
        return (
            f"builtin set __awsctx_text (builtin string replace -a '{{{placeholder.name}}}' {_hex(placeholder.mark)}"
            " -- $__awsctx_text)"
        )

    def bidi_controls(self) -> str:
        """Members of a regular expression's character class."""
        return "".join(f"\\x{{{ord(char):04x}}}" for char in promptdef.BIDI_CONTROLS)


def _octal(character: str) -> str:
    return f"\\{ord(character):03o}"


def _hex(character: str) -> str:
    return f"\\x{ord(character):02x}"


_DIALECTS = {"bash": _Bash(), "zsh": _Zsh(), "fish": _Fish()}

# `@AWSCTX_NAME@`: filled in by `init`. A token it does not know, or an `@AWSCTX_` that is no whole
# token, stops it: the template and this code disagree, and a shell would run the token as a word.
_TOKEN = re.compile(r"@AWSCTX_([A-Z0-9_]+)@")
_TOKEN_START = "@AWSCTX_"


def _case_patterns(shell: str, words: tuple[str, ...]) -> str:
    separator = " " if shell == "fish" else "|"
    return separator.join(shells.quote(shell, word) for word in words)


def _tokens(shell: str, place: bool, folders: bool) -> dict[str, str]:
    """What each token of `shell`'s templates becomes."""
    dialect = _DIALECTS[shell]
    placeholders = promptdef.PLACEHOLDERS
    values = {
        "PROGRAM": " ".join(shells.quote(shell, word) for word in program_command()),
        "DIRECT": _case_patterns(shell, commands.DIRECT_COMMANDS + commands.DIRECT_FLAGS),
        "PLACE_PROMPT": "1" if place else "''",
        "FOLDERS_ON": "1" if folders else "''",
        "FOLDER_FILE": shells.quote(shell, paths.FOLDER_FILE),
        "FOLDER_HOOK": commands.FOLDER_HOOK,
        "PROMPT_WATCHED": "".join(dialect.ref(name) for name in promptdef.WATCHED),
        "PLACEHOLDER_MARKS": dialect.marks(),
        "PLACEHOLDER_INDEXES": " ".join(str(dialect.first_index + i) for i in range(len(placeholders))),
        "PLACEHOLDER_VALUES": " ".join(dialect.value(p) for p in placeholders),
        "MARK_PLACEHOLDERS": "\n".join(dialect.mark_placeholder(p) for p in placeholders),
        "BIDI_CONTROLS": dialect.bidi_controls(),
        # The files Tab completes profile names from (awsctx/tabnames.py).
        "NAMES_FILE": shells.quote(shell, tabnames.NAMES_FILE),
        "NAMES_BASH_FILE": shells.quote(shell, tabnames.BASH_NAMES_FILE),
        "NAMES_BASH_SECTIONS": " ".join(tabnames.BASH_SECTIONS),
        "NAMES_ESCAPED": dialect.bracket(tabnames.BASH_SPECIAL + tabnames.EXTRA_SPECIAL),
        # Names to copy to COMPREPLY beyond which one slice costs less than one by one.
        "NAMES_SLICE": "200",
        "NAMES_MAGIC": shells.quote(shell, tabnames.MAGIC),
        "NAMES_MAGIC_REGEX": shells.quote(shell, re.escape(tabnames.MAGIC)),
        "NAMES_STAMP_REGEX": shells.quote(shell, re.escape(tabnames.STAMP_PREFIX)),
        "NAMES_STAMP": shells.quote(shell, tabnames.STAMP_PREFIX),
        "NAMES_NO_FILE": shells.quote(shell, tabnames.NO_FILE),
        "NAMES_TAG_CLASS_FIRST": tabnames.tags(shell, after_use=False).replace(" ", ""),
        "NAMES_TAG_CLASS_USE": tabnames.tags(shell, after_use=True).replace(" ", ""),
        "NAMES_TAGS_FIRST": shells.quote(shell, tabnames.tags(shell, after_use=False)),
        "NAMES_TAGS_USE": shells.quote(shell, tabnames.tags(shell, after_use=True)),
    }
    # The variables awsctx names: @AWSCTX_VAR_ACCOUNT_ID@ is envvars.ACCOUNT_ID's name, and
    # @AWSCTX_REF_ACCOUNT_ID@ its value as the prompt hook reads it.
    for constant, name in vars(envvars).items():
        if constant.isupper() and isinstance(name, str):
            values[f"VAR_{constant}"] = name
            values[f"REF_{constant}"] = dialect.ref(name)
    return values


def _select(text: str, shell: str, name: str) -> str:
    """TEXT without template comments (`#@#`), and with only `shell`'s `#@SHELL` ... `#@end` blocks."""
    kept: list[str] = []
    block: str | None = None
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        directive = line.strip()
        if not directive.startswith("#@"):
            if block is None or block == shell:
                kept.append(line)
        elif directive.startswith("#@#"):
            continue
        elif block is None and directive[2:] in shells.SUPPORTED:
            block = directive[2:]
        elif block is not None and directive == "#@end":
            block = None
        else:
            raise _broken(name, f"line {number}: {directive} is out of place")
    if block is not None:
        raise _broken(name, f"its #@{block} block has no #@end")
    return "".join(kept)


def _fill(text: str, tokens: dict[str, str], name: str) -> str:
    """TEXT with every token filled in; a multi-line value keeps the indentation of the token's line."""
    parts = _TOKEN.split(text)
    # split() alternates: text, token name, text, ...
    for index in range(0, len(parts), 2):
        if _TOKEN_START in parts[index]:
            stray = parts[index][parts[index].index(_TOKEN_START) :].split()[0]
            raise _broken(name, f"it holds {stray!r}, no token awsctx fills")
    for index in range(1, len(parts), 2):
        token = parts[index]
        if token not in tokens:
            raise _broken(name, f"it leaves @AWSCTX_{token}@ unfilled")
        indent = parts[index - 1][len(parts[index - 1].rstrip(" \t")) :]
        parts[index] = tokens[token].replace("\n", "\n" + indent)
    return "".join(parts)


def _broken(name: str, what: str) -> UserError:
    return UserError(f"the shell integration template {name} does not fit this awsctx ({what}); reinstall awsctx")


def _render_file(name: str, shell: str, tokens: dict[str, str]) -> str:
    with open(template_path(name), encoding="utf-8") as file:
        return _fill(_select(file.read(), shell, name), tokens, name)


def render(shell: str, place_prompt: bool = True, folders: bool = True) -> str:
    """The integration for `shell`; with `place_prompt`, it also puts the segment in the prompt; with
    `folders`, it switches to the profile a folder's `.awsctx` names (awsctx/folders.py)."""
    if shell not in shells.SUPPORTED:
        raise UserError(f"awsctx does not support the {shell} shell; it supports {', '.join(shells.SUPPORTED)}")
    place = place_prompt and not os.environ.get(envvars.NO_PROMPT)
    tokens = _tokens(shell, place, folders and not os.environ.get(envvars.NO_FOLDERS))
    tokens["REFRESH_FILE"] = refreshtime.FILE_VARIABLE
    # bash and zsh share one background refresh, as they share one prompt renderer and the folder hook.
    tokens["REFRESH_CODE"] = _render_file("refresh.fish" if shell == "fish" else "refresh.sh", shell, tokens).rstrip(
        "\n"
    )
    if shell != "fish":
        tokens["NAMES_CODE"] = _render_file("names.sh", shell, tokens).rstrip("\n")
        tokens["PROMPT_CODE"] = _render_file("prompt.sh", shell, tokens).rstrip("\n")
        tokens["FOLDERS_CODE"] = _render_file("folders.sh", shell, tokens).rstrip("\n")
    return _render_file(f"awsctx.{shell}", shell, tokens)


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
