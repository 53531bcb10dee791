"""The managed block `awsctx sso sync` keeps in the config file.

The profiles go into the config file between two marker comments per sso-session; every byte
outside the blocks stays as it was. A run that changes nothing writes nothing, a profile written by
hand is never overwritten, and the previous file is kept as a backup.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from awsctx import ini, paths
from awsctx.errors import UserError
from awsctx.sso.names import RESERVED_NAMES, SAFE_CHARACTERS, profile_names
from awsctx.sso.portal import Grant

BACKUP_SUFFIX = ".awsctx-backup"
# With --credential-process, the profile a credential_process profile takes its credentials from.
SSO_SUFFIX = ".sso"

_BEGIN = "# >>> awsctx sso sync: sso-session {} >>>"
_END = "# <<< awsctx sso sync: sso-session {} <<<"
_BEGIN_PREFIX = "# >>> awsctx sso sync: sso-session "
_END_PREFIX = "# <<< awsctx sso sync: sso-session "
_NOTICE = "# Written by `awsctx sso sync`: edits between these two markers are replaced on the next sync."
_STALE_NOTE = "# Not granted under this name at the last sync; `awsctx sso sync --prune` removes it."

# What a sync writes in a profile; nothing else in its block is kept.
_WRITTEN_KEYS = (
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
    "region",
    "aws_account_id",
    "aws_account_alias",
)


@dataclass
class Change:
    """What a sync did, or would do, to one session's block."""

    session: str
    grants: int
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # in the block, not produced by this sync, kept without --prune


# ---------------------------------------------------------------------------- listing accounts and roles


# ---------------------------------------------------------------------------- names


# ---------------------------------------------------------------------------- the config file


@dataclass
class _Block:
    session: str
    begin: int  # index of the begin marker line
    end: int  # index of the end marker line


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where the config reader splits them (\\r\\n, \\r, \\n only)."""
    lines: list[str] = []
    start = 0
    length = len(text)
    while start < length:
        newline = text.find("\n", start)
        carriage = text.find("\r", start, newline if newline >= 0 else length)
        if carriage >= 0 and carriage + 1 != newline:
            stop = carriage + 1
        elif newline >= 0:
            stop = newline + 1
        else:
            stop = length
        lines.append(text[start:stop])
        start = stop
    return lines


def _marker_session(line: str, prefix: str, suffix: str) -> str | None:
    text = line.rstrip("\r\n").rstrip()
    if text.startswith(prefix) and text.endswith(suffix) and len(text) > len(prefix) + len(suffix):
        return text[len(prefix) : -len(suffix)]
    return None


def find_blocks(lines: list[str], path: str) -> list[_Block]:
    """The managed blocks of every session; markers that do not pair up are an error naming the line."""
    blocks: list[_Block] = []
    open_block: _Block | None = None
    for index, line in enumerate(lines):
        if not line.startswith("# "):
            continue
        begin = _marker_session(line, _BEGIN_PREFIX, " >>>")
        end = _marker_session(line, _END_PREFIX, " <<<")
        if begin is not None:
            if open_block is not None:
                raise ini.ConfigError(
                    path,
                    index + 1,
                    f"an awsctx sso sync block starts inside the one for {open_block.session!r} "
                    f"(begun at line {open_block.begin + 1})",
                    "remove the stray marker line",
                )
            if any(block.session == begin for block in blocks):
                raise ini.ConfigError(
                    path, index + 1, f"a second awsctx sso sync block for {begin!r}", "remove one of the two blocks"
                )
            open_block = _Block(begin, index, -1)
        elif end is not None:
            if open_block is None or end != open_block.session:
                raise ini.ConfigError(
                    path,
                    index + 1,
                    f"the end of an awsctx sso sync block for {end!r} that never began",
                    "remove the stray marker line",
                )
            open_block.end = index
            blocks.append(open_block)
            open_block = None
    if open_block is not None:
        raise ini.ConfigError(
            path,
            open_block.begin + 1,
            f"the awsctx sso sync block for {open_block.session!r} has no end marker",
            f"add the line {_END.format(open_block.session)!r} after its last profile, or remove the block",
        )
    return blocks


def _profile_name_of(header: str) -> str | None:
    """The profile a config-file section header defines, as the config reader names it."""
    if header == "default":
        return "default"
    if not header.startswith("profile"):
        return None
    # As botocore names them: any header starting with "profile" that shlex splits into two words.
    words = ini.split_words(header)
    return words[1] if words is not None and len(words) == 2 else None


def render_config(
    text: str,
    sections: dict[str, tuple[dict, int]],
    credential_sections: dict[str, tuple[dict, int]],
    listed: dict[str, list[Grant]],
    regions: dict[str, str],
    *,
    template: str,
    prune: bool,
    process: bool,
    config_path: str = "",
    credentials_path: str = "",
) -> tuple[str, list[Change]]:
    """The config file's new text, with the block of each session in `listed` written afresh."""
    config_path = config_path or paths.config_file()
    credentials_path = credentials_path or paths.credentials_file()
    lines = split_lines(text)
    blocks = {block.session: block for block in find_blocks(lines, config_path)}
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"

    # Every profile section of the file: which block (if any) holds it, and where.
    owners: dict[str, tuple[str | None, int]] = {}
    for header, (_, lineno) in sections.items():
        name = _profile_name_of(header)
        if name is None:
            continue
        owner = next((b.session for b in blocks.values() if b.begin < lineno - 1 < b.end), None)
        owners.setdefault(name, (owner, lineno))

    replacements: dict[str, str] = {}
    changes: list[Change] = []
    claimed: dict[str, str] = {}  # names written by the sessions synced before, in this run
    for session in sorted(listed):
        fresh = _fresh_profiles(listed[session], session, regions[session], template, process)
        _check_conflicts(fresh, session, owners, claimed, credential_sections, config_path, credentials_path)
        claimed.update(dict.fromkeys(fresh, session))
        previous = {
            name: _written(sections[header][0])
            for header in sections
            if (name := _profile_name_of(header)) is not None and owners.get(name, (None, 0))[0] == session
        }
        change = Change(session, len(listed[session]))
        profiles: dict[str, list[str]] = {}
        for name, settings in fresh.items():
            profiles[name] = _section(name, settings, newline)
            if name not in previous:
                change.added += 1
            elif _settings_lines(previous[name]) != _settings_lines(settings):
                change.updated += 1
        for name, settings in previous.items():
            if name in fresh:
                continue
            if prune or not _is_safe(name):
                change.removed += 1
            else:
                change.kept += 1
                profiles[name] = [_STALE_NOTE + newline, *_section(name, settings, newline)]
        body = [_BEGIN.format(session) + newline, _NOTICE + newline]
        for name in sorted(profiles):
            body += [newline, *profiles[name]]
        body.append(_END.format(session) + newline)
        replacements[session] = "".join(body)
        changes.append(change)

    pieces: list[str] = []
    index = 0
    for block in sorted(blocks.values(), key=lambda b: b.begin):
        if block.session not in replacements:
            continue
        pieces += lines[index : block.begin]
        pieces.append(replacements.pop(block.session))
        index = block.end + 1
    pieces += lines[index:]
    result = "".join(pieces)
    for session in sorted(replacements):
        # A new block goes last, after a blank line: what comes before it is left as it was.
        if result and not result.endswith(("\n", "\r")):
            result += newline
        if result and not result.endswith(("\n\n", "\r\n\r\n", "\r\r")):
            result += newline
        result += replacements[session]
    return result, changes


def _is_safe(name: str) -> bool:
    return bool(name) and SAFE_CHARACTERS.issuperset(name) and name not in RESERVED_NAMES


def _fresh_profiles(
    grants: list[Grant], session: str, region: str, template: str, process: bool
) -> dict[str, dict[str, str]]:
    """The profiles this sync writes for one session: {name: settings in the order written}."""
    profiles: dict[str, dict[str, str]] = {}
    for grant, name in profile_names(grants, template, session).items():
        alias = _value(grant.account_name)
        sso_settings = {
            "sso_session": session,
            "sso_account_id": grant.account_id,
            "sso_role_name": grant.role_name,
            "region": region,
            "aws_account_alias": alias,
        }
        if not process:
            profiles[name] = sso_settings
            continue
        backing = name + SSO_SUFFIX
        profiles[backing] = sso_settings
        # Named profiles only: credential_process is split by shlex (or run by `sh -c` in the Go SDKs).
        profiles[name] = {
            "credential_process": f"{_program()} process {backing}",
            "region": region,
            # Not sso_account_id: any sso_* key makes the SDKs treat the profile as an SSO one.
            "aws_account_id": grant.account_id,
            "aws_account_alias": alias,
        }
    names = list(profiles)
    if len(names) != len(set(names)):  # a backing name equal to a generated one: only a template can cause it
        raise UserError(f"the profile names for sso-session {session!r} clash; choose others with --template")
    return profiles


def _value(text: str) -> str:
    """Server text as an INI value: one line, no leading or trailing blanks (which the reader drops)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _written(settings: dict) -> dict[str, str]:
    """The keys a sync writes, of a profile in its block: what [DEFAULT] adds to every section, or
    an edit inside the block, is not carried over."""
    return {key: value for key, value in settings.items() if key in _WRITTEN_KEYS and isinstance(value, str)}


def _check_conflicts(
    fresh: dict[str, dict[str, str]],
    session: str,
    owners: dict[str, tuple[str | None, int]],
    claimed: dict[str, str],
    credential_sections: dict[str, tuple[dict, int]],
    config_path: str,
    credentials_path: str,
) -> None:
    clashes: list[str] = []
    for name in sorted(fresh):
        if name in claimed:
            clashes.append(f"profile {name!r} would be written for sso-session {claimed[name]!r} too")
        owner, lineno = owners.get(name, (session, 0))
        if owner is None:
            clashes.append(f"{paths.display(config_path)} line {lineno} already defines profile {name!r} by hand")
        elif owner != session:
            clashes.append(
                f"profile {name!r} is already in the awsctx block of sso-session {owner!r} "
                f"({paths.display(config_path)} line {lineno})"
            )
        if name in credential_sections:
            clashes.append(
                f"{paths.display(credentials_path)} line {credential_sections[name][1]} already defines "
                f"profile {name!r}"
            )
    if clashes:
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        raise UserError(
            f"sso-session {session!r}: {clashes[0]}{more}; nothing was written: rename or remove that profile, "
            "or choose other names with --template"
        )


def _settings_lines(settings: dict) -> list[str]:
    lines: list[str] = []
    for key, value in settings.items():
        if isinstance(value, dict):
            lines.append(f"{key} =")
            lines += [f"  {inner} = {setting}" for inner, setting in value.items()]
        else:
            lines.append(f"{key} = {value}")
    return lines


def _section(name: str, settings: dict, newline: str) -> list[str]:
    return [f"[profile {name}]{newline}", *(line + newline for line in _settings_lines(settings))]


def read_config(config_path: str, credentials_path: str) -> tuple[str, dict, dict]:
    """The config file's text and sections, read as the config reader reads them, and the
    credentials file's sections. A file changed while it was read is read again."""
    for _ in range(3):
        data = read_text(config_path)
        sections = ini.read_ini(config_path) or {}
        if read_text(config_path) == data:
            return data, sections, ini.read_ini(credentials_path) or {}
    raise UserError(f"{paths.display(config_path)} keeps changing; run the sync again once nothing else edits it")


def read_text(path: str) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise UserError(f"cannot read {paths.display(path)} ({error.strerror or error})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        ini.read_ini(path)  # says where, as for any reader of the file
        raise


def check_readable(text: str, config_path: str) -> None:
    """Refuse to write a file the config reader (and so the AWS CLI) would not read."""
    try:
        ini.parse(text.encode("utf-8"), config_path)
    except ini.ConfigError as error:
        # A bug of awsctx's, or a file the reader refuses anyway: either way, nothing is written.
        problem = str(error).split(": ", 1)[-1]
        where = f" at line {error.lineno}" if error.lineno else ""
        raise UserError(
            f"the synced {paths.display(config_path)} would not be readable{where} ({problem}); nothing was written"
        ) from None


def write_config(config_path: str, before: str, after: str) -> None:
    """Keep the previous file as a backup, then replace the file in one step, its mode kept. A
    symbolic link (dotfiles) keeps pointing at the file, which is what gets replaced. Neither the
    folder's mode nor the file's changes, even for a moment, and no temporary file is left behind
    (one a killed run left is removed by the next)."""
    from awsctx import cachefile

    real = os.path.realpath(config_path)
    try:
        mode = os.stat(real).st_mode & 0o7777
        cachefile.replace_file(config_path + BACKUP_SUFFIX, before.encode("utf-8"), mode)
        cachefile.replace_file(real, after.encode("utf-8"), mode)
    except OSError as error:
        written = error.filename if error.filename and not error.filename.endswith(".tmp") else config_path
        raise UserError(
            f"cannot write {paths.display(written)} ({cachefile.why_not_written(error)}); "
            f"{paths.display(config_path)} is unchanged"
        ) from None


def replace_text(path: str, text: str) -> None:
    """Replace a user's file in one step, its mode kept, with no backup; a symbolic link keeps
    pointing at the file, which is what gets replaced."""
    from awsctx import cachefile

    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode & 0o7777 if os.path.exists(real) else 0o600
        if not os.path.isdir(os.path.dirname(real)):
            cachefile.ensure_private_dir(os.path.dirname(real))
        cachefile.replace_file(real, text.encode("utf-8"), mode)
    except OSError as error:
        raise UserError(
            f"cannot write {paths.display(error.filename or path)} ({cachefile.why_not_written(error)})"
        ) from None


def print_diff(before: str, after: str, where: str) -> None:
    import difflib

    sys.stdout.writelines(
        difflib.unified_diff(
            split_lines(before), split_lines(after), fromfile=f"{where} (now)", tofile=f"{where} (after sync)"
        )
    )
    sys.stdout.flush()


def _program() -> str:
    """This awsctx, by its absolute path and quoted: an SDK runs credential_process with whatever
    PATH it has, which may not hold the folder awsctx is installed in."""
    import shlex
    import shutil

    path = sys.argv[0] if os.path.basename(sys.argv[0]) == "awsctx" else shutil.which("awsctx") or "awsctx"
    return shlex.quote(os.path.abspath(path) if os.path.sep in path else path)
