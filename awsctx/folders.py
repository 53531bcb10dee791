"""A profile per project folder: a `.awsctx` file names a profile (and optionally a region) for its
folder and every folder below it, once the user has allowed it.

The shell integration looks for the nearest `.awsctx` itself, with builtins, whenever the shell's
folder has changed (shell/folders.sh, shell/awsctx.fish): a `cd` where no such file exists above
starts no process. Only when the nearest file differs from the one in force does it run `awsctx
--folder-hook FILE`, which `hook` answers: it leaves the trees the shell is no longer in (going back
to what the shell had before entering them) and enters the new one, through `switch.run` as `awsctx
NAME` does. What leaving goes back to is kept in AWSCTX_FOLDERS.

Trust first, as direnv's `allow`: a file changes nothing until `awsctx allow`, which records the
file's path (its folder's real path) and a digest of its content in a sealed file under
XDG_STATE_HOME, not in the cache, since trust must outlive a cache wipe. Editing the file changes the
digest, and so revokes it; `awsctx deny` drops it. The file is read bounded (a FIFO, a device or a
huge file is refused before a byte is read), and what it holds is data: a profile name is quoted
like any other, never run.

The format, one setting a line, `#` or `;` starting a comment line:

    profile = NAME
    region = REGION       (optional; otherwise the profile's own)
"""

from __future__ import annotations

import os
import sys

from awsctx import cachefile, envvars, output, paths, switch
from awsctx.commands.table import FOLDER_HOOK
from awsctx.errors import UsageError, UserError
from awsctx.shells import Script

LIMIT = 4096  # bytes: a profile and a region, with room for comments
_TRUST_FILE = "allowed.marshal"
_TRUST_PURPOSE = b"allowed"
_TRUST_FORMAT = 1
# What `allow` and `deny` print so that the next prompt looks again: no path is `-`.
_RECHECK = "-"
# AWSCTX_FOLDERS: entries parted by \036, an entry's fields by \037, each field %-escaped.
_ENTRIES, _FIELDS = "\036", "\037"


class FolderFileError(UserError):
    """A `.awsctx` awsctx will not use; the message names the file and, when it can, the line."""

    def __init__(self, path: str, line: int | None, what: str) -> None:
        where = paths.display(path) + (f" line {line}" if line is not None else "")
        super().__init__(f"{where}: {what}")


class Choice:
    """What a `.awsctx` selects, with the lines that say so."""

    __slots__ = ("profile", "profile_line", "region", "region_line")

    def __init__(self, profile: str, profile_line: int, region: str | None, region_line: int | None) -> None:
        self.profile, self.profile_line, self.region, self.region_line = profile, profile_line, region, region_line

    def describe(self) -> str:
        return f"profile {self.profile!r}" + (f", region {self.region}" if self.region else "")


# ------------------------------------------------------------------------------- the file itself


def read(path: str) -> bytes:
    """The bytes of the `.awsctx` at `path`: a regular file (a link to one is followed) of at most LIMIT bytes."""
    try:
        return cachefile.read_bounded(path, LIMIT, follow_links=True)
    except cachefile.BadCacheFile as error:
        if error.reason.startswith("is larger"):
            what = f"is larger than {LIMIT} bytes; it holds a profile and a region"
            raise FolderFileError(path, None, what) from None
        raise FolderFileError(path, None, f"{error.reason}; awsctx reads only a regular file there") from None
    except OSError as error:
        raise FolderFileError(path, None, f"cannot be read ({error.strerror or error})") from None


def parse(path: str, data: bytes) -> Choice:
    """What the file says, checked for form only (see `check` for the profile and region)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FolderFileError(path, data.count(b"\n", 0, error.start) + 1, "is not UTF-8 text") from None
    found: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or key not in ("profile", "region"):
            shown = output.printable(line[:40]) + ("..." if len(line) > 40 else "")
            raise FolderFileError(path, number, f"{shown!r} is not `profile = NAME` or `region = REGION`")
        if key in found:
            raise FolderFileError(path, number, f"a second {key} (the first is on line {found[key][1]})")
        if not value:
            raise FolderFileError(path, number, f"{key} has no value")
        found[key] = (value, number)
    if "profile" not in found:
        raise FolderFileError(path, None, "names no profile; write a line `profile = NAME`")
    profile, profile_line = found["profile"]
    region, region_line = found.get("region", (None, None))
    return Choice(profile, profile_line, region, region_line)


def check(path: str, data: bytes) -> Choice:
    """What the file selects, checked: a profile of the config and a region AWS knows."""
    from awsctx import config, regions

    choice = parse(path, data)
    cfg = config.load()
    if choice.profile not in cfg.profiles:
        name = choice.profile if len(choice.profile) <= 64 else choice.profile[:64] + "..."
        message = str(config.UnknownProfileError(name, list(cfg.profiles), cfg.config_path))
        raise FolderFileError(path, choice.profile_line, message)
    if choice.region is not None:
        try:
            regions.validate(choice.region)
        except UserError:
            shown = output.printable(choice.region[:64])
            raise FolderFileError(
                path, choice.region_line, f"{shown!r} is not a region awsctx knows (such as eu-west-1)"
            ) from None
    return choice


def nearest(folder: str) -> str | None:
    """The `.awsctx` in `folder` or the nearest folder above it that has one (as the shell looks)."""
    while True:
        candidate = os.path.join(folder, paths.FOLDER_FILE)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def current_folder() -> str:
    """The shell's folder as the shell names it ($PWD, symbolic links kept) when that is where we are."""
    here = os.getcwd()
    logical = os.environ.get("PWD", "")
    try:
        if os.path.isabs(logical) and os.path.samefile(logical, here):
            return logical
    except OSError:
        pass
    return here


# ----------------------------------------------------------------------------------------- trust


def _trust_path() -> str:
    return os.path.join(paths.state_dir(), _TRUST_FILE)


def trust_key(path: str) -> str:
    """A file's place in the trust store: its folder's real path, so that every way of naming the
    folder finds the same entry, and the name itself (a link there is the folder's own file)."""
    return os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path))


def digest(data: bytes) -> str:
    try:
        from _blake2 import blake2b  # loads in a fraction of hashlib's (OpenSSL's) time
    except ImportError:
        from hashlib import blake2b
    return blake2b(data, digest_size=32).hexdigest()


def trusted() -> dict[str, tuple[str, int]]:
    """The allowed files: trust key -> (digest of the content allowed, when, in epoch seconds).
    Nothing when the store is missing, not awsctx's, or in a folder others may write to."""
    stored = cachefile.unseal(_trust_path(), _TRUST_PURPOSE)
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _TRUST_FORMAT):
        return {}
    found = {}
    for entry in stored[1] if isinstance(stored[1], tuple) else ():
        if isinstance(entry, tuple) and [type(value) for value in entry] == [str, str, int]:
            found[entry[0]] = (entry[1], entry[2])
    return found


def is_trusted(path: str, data: bytes) -> bool:
    entry = trusted().get(trust_key(path))
    return entry is not None and entry[0] == digest(data)


def store_problem() -> str | None:
    """Why the trust store cannot be used (for `doctor`); None when it can, or does not exist yet."""
    if not os.path.lexists(_trust_path()):
        return None
    if cachefile.unseal(_trust_path(), _TRUST_PURPOSE) is None:
        return (
            f"{paths.display(_trust_path())} is corrupt, was not written by awsctx, or sits in a folder others "
            "may write to, so no .awsctx file is allowed; delete it and allow your files again"
        )
    return None


class _TrustUpdate:
    """The trust store, read and written under a lock, so that two shells allowing at once both count."""

    def __enter__(self) -> dict[str, tuple[str, int]]:
        import fcntl

        folder = paths.state_dir()
        if not cachefile.may_use_dir(folder):
            raise UserError(
                f"awsctx keeps what you allow in {paths.display(folder)}, which is not a private folder of yours; "
                "fix its owner and mode (chmod 700) or point XDG_STATE_HOME elsewhere"
            )
        try:
            cachefile.ensure_private_dir(folder)
            self.lock = os.open(
                os.path.join(folder, _TRUST_FILE + ".lock"),
                os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                cachefile.PRIVATE_FILE_MODE,
            )
        except OSError as error:
            raise UserError(f"cannot write in {paths.display(folder)}: {cachefile.why_not_written(error)}") from None
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.entries = trusted()
        return self.entries

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if kind is None:
                value = tuple((key, *entry) for key, entry in sorted(self.entries.items()))
                try:
                    cachefile.seal(_trust_path(), _TRUST_PURPOSE, (_TRUST_FORMAT, value))
                except OSError as error:
                    raise UserError(
                        f"cannot write {paths.display(_trust_path())}: {cachefile.why_not_written(error)}"
                    ) from None
        finally:
            os.close(self.lock)


def target(argument: str | None, must_exist: bool = True) -> str:
    """The `.awsctx` a command names: PATH (a folder or the file itself), else the nearest one above
    the current folder."""
    if argument is None:
        found = nearest(current_folder())
        if found is None:
            raise UserError(
                f"no {paths.FOLDER_FILE} in this folder or any above it; write one (`profile = NAME`) first"
            )
        return found
    path = os.path.abspath(argument)
    if os.path.isdir(path):
        path = os.path.join(path, paths.FOLDER_FILE)
    elif os.path.basename(path) != paths.FOLDER_FILE or (must_exist and not os.path.lexists(path)):
        raise UserError(f"{output.printable(argument)!r} is neither a folder nor a {paths.FOLDER_FILE} file")
    return path


def allow(argument: str | None) -> tuple[str, Choice]:
    """Trust the file `argument` names, as it is now; refused when awsctx could not use it."""
    path = target(argument)
    data = read(path)
    choice = check(path, data)
    with _TrustUpdate() as entries:
        import time

        entries[trust_key(path)] = (digest(data), int(time.time()))
    return path, choice


def deny(argument: str | None) -> tuple[str, bool]:
    """Stop trusting the file `argument` names (which may be gone); whether it was trusted."""
    path = target(argument, must_exist=False)
    with _TrustUpdate() as entries:
        removed = entries.pop(trust_key(path), None)
    return path, removed is not None


def recheck(shell: str) -> str:
    """`shell`'s code making the integration look at the folder again at the next prompt (`allow` or
    `deny` has changed the trust)."""
    script = Script(shell)
    script.set_local("__awsctx_folder_pwd", "")
    script.set_local("__awsctx_folder_seen", _RECHECK)
    script.set_local("__awsctx_folder_top", _RECHECK)
    return script.render()


# ------------------------------------------------------------------------------- the shell's hook


class Entry:
    """A `.awsctx` the shell switched for, the digest of what it said then, and the profile and
    region the shell had before."""

    __slots__ = ("before", "digest", "file")

    def __init__(self, file: str, digest: str, before: switch.State) -> None:
        self.file, self.digest, self.before = file, digest, before

    @property
    def folder(self) -> str:
        return os.path.dirname(self.file)


def _escape(field: str) -> str:
    return field.replace("%", "%25").replace(_ENTRIES, "%1E").replace(_FIELDS, "%1F")


def _unescape(field: str) -> str:
    return field.replace("%1F", _FIELDS).replace("%1E", _ENTRIES).replace("%25", "%")


def encode(entries: list[Entry]) -> str:
    fields = ((e.file, e.digest, e.before.profile, e.before.region) for e in entries)
    return _ENTRIES.join(_FIELDS.join(_escape(field) for field in entry) for entry in fields)


def decode(text: str) -> list[Entry]:
    """AWSCTX_FOLDERS's entries; what is not one (a hand-edited value) is left out."""
    entries = []
    for part in text.split(_ENTRIES) if text else ():
        fields = [_unescape(field) for field in part.split(_FIELDS)]
        if len(fields) == 4 and fields[0].startswith("/") and os.path.basename(fields[0]) == paths.FOLDER_FILE:
            entries.append(Entry(fields[0], fields[1], switch.State(fields[2], fields[3])))
    return entries


def _within(folder: str, ancestor: str) -> bool:
    return folder == ancestor or folder.startswith(ancestor.rstrip("/") + "/")


def _unchanged(entry: Entry) -> bool:
    """Whether `entry`'s file still says what the shell switched for, and is still trusted."""
    try:
        data = read(entry.file)
    except UserError:
        return False
    return digest(data) == entry.digest and is_trusted(entry.file, data)


def _governs(entry: Entry, found: str) -> bool:
    """Whether the tree of `entry` is still in force where the nearest file is `found`."""
    if not found:
        return False
    if entry.file == found:
        # Looked at again after `allow` or `deny`, or by a shell started here: the file may have
        # been denied, or edited (and allowed again: then it is entered anew, with what it says now).
        return _unchanged(entry)
    return _within(os.path.dirname(found), entry.folder)


def hook(arguments: list[str], shell: str | None, interactive: bool) -> int:
    """`awsctx --folder-hook FILE`: the shell's nearest `.awsctx` is now FILE ('' for none)."""
    if shell is None or len(arguments) != 1:
        raise UsageError(f"{FOLDER_HOOK} is the shell integration's own; load it with `awsctx init`")
    found = arguments[0]
    if found and not (found.startswith("/") and os.path.basename(found) == paths.FOLDER_FILE):
        raise UsageError(f"{FOLDER_HOOK} takes the path of a {paths.FOLDER_FILE} file")
    entries = decode(os.environ.get(envvars.FOLDERS, ""))
    left: list[Entry] = []
    while entries and not _governs(entries[-1], found):
        left.append(entries.pop())
    # Leaving several trees at once goes back to what the shell had before the outermost.
    back = left[-1] if left else None
    if found and not (entries and entries[-1].file == found):
        usable = _usable(found)
        before = back.before if back is not None else switch.State.current()
        where = paths.display(os.path.dirname(found))
        if usable is not None:
            choice, content = usable
            request = switch.Request(switch.SWITCH, choice.profile, choice.region)
            if _switch(request, shell, interactive, f"for {where}", found):
                entries.append(Entry(found, content, before))
                back = None
    if back is not None:
        _go_back(back, shell, interactive)
    script = Script(shell)
    if entries:
        script.export(envvars.FOLDERS, encode(entries))
    elif envvars.FOLDERS in os.environ:
        script.unset(envvars.FOLDERS)
    script.set_local("__awsctx_folder_seen", found)
    script.set_local("__awsctx_folder_top", entries[-1].file if entries else "")
    sys.stdout.write(script.render())
    return 0


def _usable(path: str) -> tuple[Choice, str] | None:
    """What an allowed, sound file selects, and the digest of its content; otherwise None, after
    one line saying why."""
    try:
        data = read(path)
        if not is_trusted(path, data):
            output.note(f"{paths.display(path)} is not allowed, so it changes nothing; read it, then run: awsctx allow")
            return None
        return check(path, data), digest(data)
    except UserError as error:
        output.error(str(error))
        return None


def _switch(request: switch.Request, shell: str, interactive: bool, because: str, path: str) -> bool:
    """The switch `path` asks for; False, after one line naming it, when it failed (it then changed nothing)."""
    try:
        switch.run(request, shell, interactive, because=because)
    except UserError as error:
        output.error(f"{paths.display(path)}: {error}")
        return False
    return True


def _go_back(entry: Entry, shell: str, interactive: bool) -> None:
    """Back to what the shell had before entering `entry`'s tree; if that fails, to no profile at
    all: a folder's profile never outlives the folder."""
    before, where = entry.before, paths.display(entry.folder)
    try:
        switch.run(
            switch.Request(switch.RESTORE, before.profile, before.region),
            shell,
            interactive,
            because=f"on leaving {where}",
        )
        return
    except UserError as error:
        output.error(f"on leaving {where}, could not go back to profile {before.profile!r}: {error}")
    switch.run(switch.Request(switch.RESTORE, "", ""), shell, interactive, because=f"on leaving {where}")
