"""The one reader of the AWS config and credentials files.

It accepts and rejects exactly what the AWS CLI accepts and rejects (botocore reads both files with
`configparser.RawConfigParser` and names profiles with `shlex.split`), but it imports neither
`configparser` nor `re`: list, switch and Tab read these files on every call, with up to thousands
of profiles, and those imports alone would cost more than the whole scan.
"""

from __future__ import annotations

import marshal
import os
import sys

from awsctx import __version__, cachefile, paths
from awsctx.errors import UserError

# What botocore calls the sections that hold profiles, SSO sessions and service settings.
_PROFILE_PREFIX = "profile"
_SSO_SESSION_PREFIX = "sso-session"
_SERVICES_PREFIX = "services"
_CONFIGPARSER_DEFAULTS = "DEFAULT"
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


class Origin:
    """Where a section was defined, for messages that point the user at it."""

    __slots__ = ("lineno", "path")

    def __init__(self, path: str, lineno: int) -> None:
        self.path = path
        self.lineno = lineno

    def __str__(self) -> str:
        return f"{paths.display(self.path)} line {self.lineno}"


class AwsConfig:
    """Profiles (config and credentials merged), SSO sessions and service sections."""

    __slots__ = (
        "config_path",
        "credential_names",
        "credentials_path",
        "origins",
        "profiles",
        "services",
        "sso_sessions",
    )

    def __init__(self, config_path: str, credentials_path: str) -> None:
        self.config_path = config_path
        self.credentials_path = credentials_path
        self.profiles: dict[str, dict] = {}
        self.sso_sessions: dict[str, dict] = {}
        self.services: dict[str, dict] = {}
        # Where each profile was first defined: (0 for the config file or 1 for credentials, line).
        self.origins: dict[str, tuple[int, int]] = {}
        # The credentials file's sections in file order: the list shows them first.
        self.credential_names: list[str] = []

    def listing(self) -> list[str]:
        """Profile names as `awsctx` lists them: the credentials file's first, then the config's."""
        first = dict.fromkeys(self.credential_names)
        return list(first) + [name for name in self.profiles if name not in first]

    def origin(self, name: str) -> Origin | None:
        """Where profile NAME is defined, for messages."""
        found = self.origins.get(name)
        if found is None:
            return None
        return Origin((self.config_path, self.credentials_path)[found[0]], found[1])

    def profile(self, name: str) -> dict:
        """The settings of profile NAME; an error with the closest names when there is none."""
        try:
            return self.profiles[name]
        except KeyError:
            raise UnknownProfileError(name, list(self.profiles), self.config_path) from None


class UnknownProfileError(UserError):
    def __init__(self, name: str, known: list[str], config_path: str) -> None:
        import difflib  # only on this error path

        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = ("did you mean " + ", ".join(close) + "?") if close else "run `awsctx` to list profiles"
        super().__init__(f"no profile named {name!r} in {paths.display(config_path)} or the credentials file; {hint}")
        self.name = name
        self.close = close


# Raised whenever the parsing changes, so that no cache holds what an older parser made of a file.
_CACHE_FORMAT = 3
# A file changed this recently may change again within the same timestamp tick unseen: not cached.
_RACY_SECONDS = 2


def load() -> AwsConfig:
    """Read the config and credentials files named by the environment, as the AWS CLI would.

    The result is cached (in awsctx's cache folder, keyed by both files' size, times and inode), so
    that list, switch and Tab read a few hundred kilobytes of marshal data instead of scanning
    thousands of profiles on every call.
    """
    config_path = paths.config_file()
    credentials_path = paths.credentials_file()
    stats = (_stat(config_path), _stat(credentials_path))
    cache_path = os.path.join(paths.cache_dir(), "profiles.marshal")
    # The Python version is part of the key because the header rule above depends on it.
    key = (__version__, _CACHE_FORMAT, sys.version_info[:2], config_path, credentials_path, stats)
    cached = _read_cache(cache_path, key)
    if cached is not None:
        return cached
    config = _parse(config_path, credentials_path)
    _write_cache(cache_path, key, config, stats)
    return config


def _stat(path: str) -> tuple[int, int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns)


def _read_cache(cache_path: str, key: tuple) -> AwsConfig | None:
    try:
        with open(cache_path, "rb") as file:
            stored_key, profiles, sso_sessions, services, origins, credential_names = marshal.loads(file.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None  # missing, unreadable or corrupt: parse again and replace it
    if stored_key != key:
        return None
    config = AwsConfig(key[3], key[4])
    config.profiles, config.sso_sessions, config.services, config.origins = profiles, sso_sessions, services, origins
    config.credential_names = credential_names
    return config


def _write_cache(cache_path: str, key: tuple, config: AwsConfig, stats: tuple) -> None:
    import time

    now = time.time_ns()
    if any(stat is not None and now - stat[0] < _RACY_SECONDS * 1_000_000_000 for stat in stats):
        return
    try:
        blob = marshal.dumps(
            (key, config.profiles, config.sso_sessions, config.services, config.origins, config.credential_names)
        )
        cachefile.write_atomic(cache_path, blob)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs speed


def _parse(config_path: str, credentials_path: str) -> AwsConfig:
    config = AwsConfig(config_path, credentials_path)
    sections = read_ini(config_path)
    if sections is not None:
        for header, (settings, lineno) in sections.items():
            if header.startswith(_PROFILE_PREFIX):
                target = config.profiles
            elif header.startswith(_SSO_SESSION_PREFIX):
                target = config.sso_sessions
            elif header.startswith(_SERVICES_PREFIX):
                target = config.services
            elif header == "default":
                # `[default]` is the one profile that needs no `profile ` prefix in this file.
                config.profiles["default"] = settings
                config.origins.setdefault("default", (0, lineno))
                continue
            else:
                continue
            words = split_words(header)
            if words is None or len(words) != 2:
                continue  # botocore passes over such headers silently
            target[words[1]] = settings
            if target is config.profiles:
                config.origins.setdefault(words[1], (0, lineno))
    credentials = read_ini(credentials_path)
    if credentials is not None:
        config.credential_names = list(credentials)
        for name, (settings, lineno) in credentials.items():
            # Names in the credentials file are taken as they are, with no `profile ` prefix.
            if name in config.profiles:
                config.profiles[name].update(settings)
            else:
                config.profiles[name] = settings
                config.origins[name] = (1, lineno)
    return config


def read_ini(path: str) -> dict[str, tuple[dict, int]] | None:
    """Sections of an INI file as botocore reads them: {header: (settings, line of the header)}.

    None when the file does not exist (not an error: the AWS CLI runs without either file).
    A folder or an unreadable file is an error, although botocore silently reads nothing from either:
    awsctx would otherwise list no profiles without saying why.
    Mirrors `configparser.RawConfigParser` with its defaults (strict, `=` and `:` delimiters,
    `#`/`;` whole-line comments, indented continuation lines, lower-cased keys, `[DEFAULT]` values
    inherited by every section) followed by botocore's parsing of nested `key =` blocks.
    """
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(
            path, None, "is a folder, not a file", "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file"
        ) from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot be read ({error.strerror})", "check its permissions") from None
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
    # Universal newlines, as configparser reads files in text mode.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    sections: dict[str, tuple[dict, int]] = {}
    defaults: dict[str, str] = {}
    current: dict | None = None
    current_header = ""
    key: str | None = None
    indent_level = 0
    blank_lines = 0  # blank lines since the last value line: kept inside a multi-line value
    # Values with continuation lines (settings, key, line numbers of those lines), finished below.
    multiline: list[tuple[dict, str, list[int]]] = []
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
                multiline.append((current, key, [lineno]))
            else:
                multiline[-1][2].append(lineno)
            current[key] += "\n" * (blank_lines + 1) + stripped
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
    for settings, name, linenos in multiline:
        value = settings[name].rstrip()
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


def _show(line: str) -> str:
    """A bad line quoted in a message, shortened so the message stays one line."""
    return repr(line if len(line) <= 60 else line[:57] + "...")


def split_words(text: str) -> list[str] | None:
    """`shlex.split(text)` (POSIX mode, no comments), or None where shlex raises ValueError.

    botocore names profiles this way: `[profile "my name"]` is the profile `my name`.
    """
    if text.isprintable() and "'" not in text and '"' not in text and "\\" not in text:
        # No quoting and no whitespace but spaces: the common case, without the character loop.
        return [word for word in text.split(" ") if word]
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


def region_of(settings: dict) -> str | None:
    region = settings.get("region")
    return region if isinstance(region, str) and region else None


def environment_config_hint() -> str:
    """Which files were read, for messages when no profile is found at all."""
    return f"{paths.display(paths.config_file())} and {paths.display(paths.credentials_file())}"
