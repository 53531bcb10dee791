"""The INI reader behind `config`: the AWS files' syntax, accepted and refused as botocore does.

botocore reads both files with `configparser.RawConfigParser` and names profiles with `shlex.split`;
this module imports neither `configparser` nor `re` (nor `shlex`): list, switch and Tab read these
files, with up to thousands of profiles, and those imports alone would cost more than the scan.
"""

from __future__ import annotations

import os
import sys

from awsctx import paths
from awsctx.errors import UserError

_CONFIGPARSER_DEFAULTS = "DEFAULT"
# Far more than any real config (5,000 profiles take about half a megabyte); a bound on memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
_SHLEX_WHITESPACE = " \t\r\n"
# configparser's section header ends at the last `]` of the line since Python 3.10 and at the first one before;
# botocore runs on the same Python as awsctx, so follow that Python's rule.
_HEADER_END = str.rfind if sys.version_info >= (3, 10) else str.find


class ConfigError(UserError):
    """A line of an AWS file the AWS CLI would refuse as well."""

    def __init__(self, path: str, lineno: int | None, problem: str, fix: str) -> None:
        where = paths.display(path) + (f" line {lineno}" if lineno else "")
        super().__init__(f"{where}: {problem}; {fix}")
        self.path = path
        self.lineno = lineno


def read_ini(path: str) -> dict[str, tuple[dict, int]] | None:
    """Sections of an INI file as botocore reads them: {header: (settings, line of the header)}.

    None when the file does not exist (not an error: the AWS CLI runs without either file).
    A folder or an unreadable file is an error, although botocore silently reads nothing from either:
    awsctx would otherwise list no profiles without saying why.
    Mirrors `configparser.RawConfigParser` with its defaults (strict, `=` and `:` delimiters,
    `#`/`;` whole-line comments, indented continuation lines, lower-cased keys, `[DEFAULT]` values
    inherited by every section) followed by botocore's parsing of nested `key =` blocks.
    """
    text = read_text(path)
    return None if text is None else parse_text(text, path)


def read_text(path: str) -> str | None:
    """The text of the AWS file `path` (`decode`d); None when it does not exist. The errors of `read_ini`."""
    from awsctx import cachefile

    try:
        # Bounded, and never blocking on a FIFO or reading a device: a file awsctx reads cannot hang it.
        data = cachefile.read_bounded(path, MAX_FILE_BYTES, follow_links=True)
    except FileNotFoundError:
        return None
    except cachefile.BadCacheFile as error:
        if os.path.isdir(path):
            raise ConfigError(
                path, None, "is a folder, not a file", "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file"
            ) from None
        raise ConfigError(
            path,
            None,
            f"{error.reason} (a FIFO, a device?)" if "regular" in error.reason else error.reason,
            "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the AWS file itself",
        ) from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot be read ({error.strerror})", "check its permissions") from None
    return decode(data, path)


def parse(data: bytes, path: str) -> dict[str, tuple[dict, int]]:
    """`read_ini` for bytes already in hand (a file about to be written, checked before it is);
    `path` names the file in messages."""
    return parse_text(decode(data, path), path)


def decode(data: bytes, path: str) -> str:
    """The file's text as configparser reads it: UTF-8, every line ending made `\\n`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        # Lines as universal newlines count them: \r\n, \n and a lone \r each end one.
        lineno = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        raise ConfigError(path, lineno, "is not UTF-8 text", "save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        raise ConfigError(
            path, 1, "starts with a byte-order mark, which the AWS CLI rejects", "save the file as UTF-8 without BOM"
        )
    if "\r" in text:
        # Universal newlines, as configparser reads files in text mode.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def parse_text(text: str, path: str) -> dict[str, tuple[dict, int]]:
    """`parse` for `decode`d text."""
    lines = text.split("\n")
    plain = _parse_plain(lines)
    if plain is not None:
        return plain

    sections: dict[str, tuple[dict, int]] = {}
    defaults: dict[str, str] = {}
    current: dict | None = None
    current_header = ""
    key: str | None = None
    indent_level = 0
    blank_lines = 0  # blank lines since the last value line: kept inside a multi-line value
    # Values with continuation lines (settings, key, line numbers of those lines, the value's pieces),
    # joined below: adding each line to the string would copy it every time, quadratic in its length.
    multiline: list[tuple[dict, str, list[int], list[str]]] = []
    intern = sys.intern  # a local: looked up once, not on each of thousands of lines

    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            blank_lines += 1
            continue
        first = stripped[0]
        if first == "#" or first == ";":
            continue
        # strip() returns the line itself when there is nothing to strip: the common, unindented case.
        indent = 0 if stripped is line else len(line) - len(line.lstrip())
        if indent > indent_level and key is not None and current is not None:
            # A continuation line: part of the value above.
            if not multiline or multiline[-1][0] is not current or multiline[-1][1] != key:
                multiline.append((current, key, [lineno], [current[key]]))
            else:
                multiline[-1][2].append(lineno)
            value_pieces = multiline[-1][3]
            value_pieces.append("\n" * (blank_lines + 1))
            value_pieces.append(stripped)
            blank_lines = 0
            continue
        blank_lines = 0
        indent_level = indent
        if first == "[":
            closing = _HEADER_END(stripped, "]")
            if closing >= 2:
                header = stripped[1:closing]
                key = None
                if header == _CONFIGPARSER_DEFAULTS:
                    current, current_header = defaults, header
                    continue
                if header in sections:
                    raise ConfigError(
                        path,
                        lineno,
                        f"section {_show(f'[{header}]')} appears a second time (first at line {sections[header][1]})",
                        "merge the two sections into one",
                    )
                current, current_header = {}, header
                sections[header] = (current, lineno)
                continue
        if (first == "[" or stripped.endswith("]")) and "=" not in stripped and ":" not in stripped:
            name = stripped.lstrip("[").rstrip("]").strip()
            missing = "']'" if first == "[" else "'['"
            raise ConfigError(
                path,
                lineno,
                f"{_show(stripped)} is a section header missing its {missing}",
                f"write {_show('[' + name + ']')} ({_header_forms(path)})",
            )
        if current is None:
            raise ConfigError(
                path,
                lineno,
                f"{_show(stripped)} comes before any [section] header",
                "put it under a [profile NAME] or [default] header",
            )
        equals = stripped.find("=")
        colon = stripped.find(":", 0, equals) if equals >= 0 else stripped.find(":")
        delimiter = colon if colon >= 0 else equals
        if delimiter <= 0:
            raise ConfigError(
                path,
                lineno,
                f"{_show(stripped)} is not a [section] header, key = value, or comment",
                "fix or remove that line",
            )
        key = intern(stripped[:delimiter].rstrip().lower())
        if key in current:
            raise ConfigError(
                path,
                lineno,
                f"key {key!r} appears a second time in {_show(f'[{current_header}]')}",
                "keep one of the two lines",
            )
        # Interned: thousands of profiles repeat the same few values, and the cache stores each once.
        current[key] = intern(stripped[delimiter + 1 :].lstrip())

    # Lines of [DEFAULT] blocks botocore cannot split: an error only in a section that inherits them,
    # since botocore splits each section's values, not [DEFAULT] itself.
    bad_defaults: dict[str, int] = {}
    for settings, name, linenos, pieces in multiline:
        value = "".join(pieces).rstrip()
        if not value.startswith("\n"):
            settings[name] = value
            continue
        nested = _parse_nested(value)
        if nested is not None:
            settings[name] = nested
        elif settings is defaults:
            bad_defaults[name] = _bad_nested_line(lines, linenos)
        else:
            raise _nested_error(path, _bad_nested_line(lines, linenos), name, _header_of(sections, settings))
    if defaults:
        for header, (settings, _) in sections.items():
            for name, value in defaults.items():
                if name in settings:
                    continue
                if name in bad_defaults:
                    raise _nested_error(path, bad_defaults[name], name, _CONFIGPARSER_DEFAULTS, inherited_by=header)
                # A copy per section, as botocore's deepcopy gives: a change to one must not show in the others.
                settings[name] = dict(value) if isinstance(value, dict) else value
    return sections


def pieces(text: str) -> list[str]:
    """`text` cut before every line that starts with `[`: first what comes before such a line (maybe
    nothing), then each such line with the lines under it. Joined, the pieces are `text` again.

    In a file without `[DEFAULT]` each piece that starts with a header reads the same alone as in the
    file (a header ends whatever came before it), which lets `config` read again only the pieces
    an edit changed.
    """
    parts = ("\n" + text).split("\n[")
    found = [parts[0][1:] + "\n" if parts[0] else ""]
    found += ["[" + part + "\n" for part in parts[1:-1]]
    if len(parts) > 1:
        found.append("[" + parts[-1])
    else:
        found[0] = text
    return found


def piece_sizes(text: str) -> tuple[list[int], list[int]]:
    """The length of each of `pieces(text)` and how many newlines it holds, without making them."""
    parts = ("\n" + text).split("\n[")
    if len(parts) == 1:
        return [len(text)], [text.count("\n")]
    lengths = [len(parts[0])]
    lengths += [length + 2 for length in map(len, parts[1:-1])]
    lengths.append(len(parts[-1]) + 1)
    newlines = [parts[0].count("\n")]
    newlines += [count + 1 for count in map(str.count, parts[1:-1], ["\n"] * (len(parts) - 2))]
    newlines.append(parts[-1].count("\n"))
    return lengths, newlines


def _parse_plain(lines: list[str]) -> dict[str, tuple[dict, int]] | None:
    """`parse` for files made only of `[section]` headers, `key = value` lines, comments and empty
    lines, none of them indented: what tools write and most people keep, in about half the time of
    the general loop below. None for anything else (an indented line, `[DEFAULT]`, an error): the
    general loop reads that file, and says what is wrong with it."""
    sections: dict[str, tuple[dict, int]] = {}
    current: dict | None = None
    intern = sys.intern
    lineno = 0
    for line in lines:
        lineno += 1
        if not line:
            continue
        first = line[0]
        # Whitespace first (an indented line, continuing a value) or a control character: not plain.
        if first <= " " or (first >= "\x80" and first.isspace()):
            return None
        if first == "#" or first == ";":
            continue
        if first == "[":
            closing = _HEADER_END(line, "]")
            if closing < 2:
                return None
            header = line[1:closing]
            if header == _CONFIGPARSER_DEFAULTS or header in sections:
                return None
            current = {}
            sections[header] = (current, lineno)
            continue
        if current is None:
            return None
        equals = line.find("=")
        colon = line.find(":", 0, equals) if equals >= 0 else line.find(":")
        delimiter = colon if colon >= 0 else equals
        if delimiter <= 0:
            return None
        key = intern(line[:delimiter].rstrip().lower())
        if key in current:
            return None
        current[key] = intern(line[delimiter + 1 :].strip())
    return sections


def _header_of(sections: dict[str, tuple[dict, int]], settings: dict) -> str:
    return next(header for header, (found, _) in sections.items() if found is settings)


def _bad_nested_line(lines: list[str], linenos: list[int]) -> int:
    """The first of a block's lines that botocore cannot split at '=', for the message."""
    for lineno in linenos:
        # botocore splits the joined value with str.splitlines, which also breaks at \v, \f, \x1c...
        for piece in lines[lineno - 1].splitlines():
            if piece.strip() and "=" not in piece:
                return lineno
    return linenos[0]


def _nested_error(path: str, lineno: int, name: str, header: str, inherited_by: str | None = None) -> ConfigError:
    where = _show(f"[{header}]") + (f" (inherited by {_show(f'[{inherited_by}]')})" if inherited_by else "")
    return ConfigError(
        path,
        lineno,
        f"the indented block under {name!r} in {where} has a line without '='",
        "write each indented line as key = value",
    )


def _parse_nested(value: str) -> dict[str, str] | None:
    """An indented `key =` block, as botocore splits it; None when a line has no `=`."""
    nested: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        name, equals, setting = line.partition("=")
        if not equals:
            return None
        nested[name.strip()] = setting.strip()
    return nested


def _header_forms(path: str) -> str:
    if path == paths.credentials_file():
        return "the credentials file names a profile [NAME]"
    return "the config file names a profile [profile NAME], and [default]"


# Keys whose values are secrets: a bad line holding one is named by its key, never quoted.
_SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")


def _show(line: str) -> str:
    """A bad line quoted in a message, shortened so the message stays one line; a line that holds
    a secret is named by its key alone."""
    lowered = line.lower()
    for secret in _SECRET_KEYS:
        if secret in lowered:
            return f"the {secret} line (value not shown)"
    return repr(line if len(line) <= 60 else line[:57] + "...")


def split_words(text: str) -> list[str] | None:
    """`shlex.split(text)` (POSIX mode, no comments), or None where shlex raises ValueError.

    botocore names profiles this way: `[profile "my name"]` is the profile `my name`.
    """
    if text.isprintable() and "'" not in text and '"' not in text and "\\" not in text:
        # No quoting and no whitespace but spaces (printable text holds no other): the common case,
        # without the character loop.
        return text.split()
    words: list[str] = []
    token = ""
    state = " "  # " " between words, "a" in a word, a quote char inside quotes
    in_token = False  # a token has begun, even if empty ('' is a word)
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        index += 1
        if state in "'\"":
            if char == state:
                state = "a"
            elif char == "\\" and state == '"':
                if index >= length:
                    return None
                escaped = text[index]
                index += 1
                # Inside double quotes a backslash escapes only `"` and `\`.
                token += escaped if escaped in '"\\' else "\\" + escaped
            else:
                token += char
            continue
        if char in _SHLEX_WHITESPACE:
            if in_token:
                words.append(token)
                token = ""
                in_token = False
            state = " "
        elif char == "\\":
            if index >= length:
                return None
            token += text[index]
            index += 1
            in_token = True
            state = "a"
        elif char in "'\"":
            state = char
            in_token = True
        else:
            token += char
            in_token = True
            state = "a"
    if state in "'\"":
        return None
    if in_token:
        words.append(token)
    return words
