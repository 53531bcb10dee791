"""Edits of one profile's lines in ~/.aws/config and ~/.aws/credentials, every other byte kept.

`awsctx keys` moves a profile's long-term keys out of the credentials file, points the profile at
the keyring through `credential_process`, and rotation replaces the two values in place. Each edit
finds the lines as the config reader does (`ini`), changes only them, then reads the result back
with that same reader and refuses to write unless exactly the intended settings changed. The file
is replaced in one step (sso sync's helpers), its mode kept. No backup is kept: the only thing an
edit removes is the secret, and a backup would be a plain-text copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsctx import ini, paths
from awsctx.errors import UserError
from awsctx.sso.managed import read_text, replace_text, split_lines

KEY_ID = "aws_access_key_id"
SECRET = "aws_secret_access_key"
PROCESS = "credential_process"


@dataclass
class _Section:
    header: str
    start: int  # index of the header line
    end: int  # index after its last line
    keys: dict[str, tuple[int, int]]  # key: (first line, index after its continuation lines)


def _scan(lines: list[str]) -> list[_Section]:
    """Sections with the lines of each key, as `ini.read_ini` reads them (comments, continuation
    lines and `=` / `:` delimiters alike)."""
    sections: list[_Section] = []
    current: _Section | None = None
    key: str | None = None
    indent_level = 0
    for index, line in enumerate(lines):
        text = line.rstrip("\r\n")
        stripped = text.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = len(text) - len(text.lstrip())
        if indent > indent_level and key is not None and current is not None:
            current.keys[key] = (current.keys[key][0], index + 1)
            continue
        indent_level = indent
        if stripped[0] == "[":
            closing = ini._HEADER_END(stripped, "]")
            if closing >= 2:
                if current is not None:
                    current.end = index
                current = _Section(stripped[1:closing], index, len(lines), {})
                sections.append(current)
                key = None
                continue
        if current is None:
            continue  # read_ini refuses such a file; the check after the edit says so
        equals = stripped.find("=")
        colon = stripped.find(":", 0, equals) if equals >= 0 else stripped.find(":")
        delimiter = colon if colon >= 0 else equals
        if delimiter <= 0:
            continue
        key = stripped[:delimiter].rstrip().lower()
        current.keys.setdefault(key, (index, index + 1))
    return sections


def _profile_of(header: str, in_config: bool) -> str | None:
    if not in_config:
        return header
    if header == "default":
        return header
    words = ini.split_words(header) if header.startswith("profile") else None
    return words[1] if words and len(words) == 2 and words[0] == "profile" else None


def _new_header(profile: str, in_config: bool) -> str:
    if not in_config or profile == "default":
        return profile
    import shlex

    return f"profile {shlex.quote(profile)}"


def _newline(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith(("\n", "\r")):
            return line[-1]
    return "\n"


class Edit:
    """One file, read once; changes to one profile's keys; written only if the result reads back as meant."""

    def __init__(self, path: str, in_config: bool) -> None:
        self.path = path
        self.in_config = in_config
        self.before = read_text(path)
        self.lines = split_lines(self.before)
        self.expected = _sections(path)

    def _section(self, profile: str) -> _Section | None:
        for section in _scan(self.lines):
            if _profile_of(section.header, self.in_config) == profile:
                return section
        return None

    def values(self, profile: str) -> dict[str, str]:
        return _settings_of(self.expected, profile, self.in_config)

    def remove(self, profile: str, keys: tuple[str, ...]) -> None:
        section = self._section(profile)
        if section is None:
            return
        spans = sorted((section.keys[key] for key in keys if key in section.keys), reverse=True)
        for first, after in spans:
            del self.lines[first:after]
        header = _header_named(self.expected, profile, self.in_config)
        if header is not None:
            for key in keys:
                self.expected[header].pop(key, None)

    def set(self, profile: str, key: str, value: str) -> None:
        """Replace the value of `key` in the profile's section, or add the line (and the section)."""
        section = self._section(profile)
        newline = _newline(self.lines)
        if section is not None and key in section.keys:
            first, after = section.keys[key]
            line = self.lines[first]
            text = line.rstrip("\r\n")
            ending = line[len(text) :] or newline
            equals = text.find("=")
            colon = text.find(":", 0, equals) if equals >= 0 else text.find(":")
            delimiter = colon if colon >= 0 else equals
            self.lines[first:after] = [f"{text[: delimiter + 1]} {value}{ending}"]
        elif section is not None:
            last = max([section.start, *(after - 1 for _, after in section.keys.values())])
            if not self.lines[last].endswith(("\n", "\r")):
                self.lines[last] += newline
            self.lines.insert(last + 1, f"{key} = {value}{newline}")
        else:
            if self.lines and not self.lines[-1].endswith(("\n", "\r")):
                self.lines[-1] += newline
            if self.lines and self.lines[-1].strip():
                self.lines.append(newline)
            written = _new_header(profile, self.in_config)
            self.lines += [f"[{written}]{newline}", f"{key} = {value}{newline}"]
            self.expected[written] = {}
        found = _header_named(self.expected, profile, self.in_config)
        assert found is not None
        self.expected[found][key] = value

    @property
    def after(self) -> str:
        return "".join(self.lines)

    def write(self) -> None:
        """Replace the file with the edited text, after proving the reader sees only the intended change."""
        after = self.after
        if after == self.before:
            return
        if read_text(self.path) != self.before:
            raise UserError(f"{paths.display(self.path)} changed while awsctx was editing it; run the command again")
        _check(after, self.path, self.expected)
        # config.load's cache holds no secret and is keyed by the files' stat: nothing to forget.
        replace_text(self.path, after)


def _sections(path: str) -> dict[str, dict]:
    return {header: dict(settings) for header, (settings, _) in (ini.read_ini(path) or {}).items()}


def _header_named(sections: dict[str, dict], profile: str, in_config: bool) -> str | None:
    for header in sections:
        if _profile_of(header, in_config) == profile:
            return header
    return None


def _settings_of(sections: dict[str, dict], profile: str, in_config: bool) -> dict[str, str]:
    header = _header_named(sections, profile, in_config)
    return dict(sections[header]) if header is not None else {}


def _check(text: str, path: str, expected: dict[str, dict]) -> None:
    """Read `text` as the config reader would; anything but `expected` means nothing is written."""
    try:
        found = {header: dict(settings) for header, (settings, _) in ini.parse(text.encode("utf-8"), path).items()}
    except ini.ConfigError:
        found = None
    if found != expected:
        raise UserError(f"awsctx could not edit {paths.display(path)} safely (an unusual layout); nothing was written")
