"""The files the shell functions complete profile names from, without starting Python.

Tab on a profile name is the completion a user hits all day; starting an interpreter for it costs
more than reading a file of 5,000 names in the shell itself. So whenever awsctx reads the config
files anew it rewrites two files in its private cache folder (0600, atomically): `names.bash` for
bash and `names` for zsh and fish, which read them with builtins. Anything else (flags, regions,
subcommands, quoted words) still goes to the program, and so does a Tab when the file is missing,
stale or not to be trusted.

The first line of each says which files it was made from and when they were last modified: for
each file, the name of an empty file beside it, `mtime.<nanoseconds>`, whose modification time awsctx
set to that file's (or `-` where the file did not exist). A shell compares the times with `-nt` and
`-ot` (to the nanosecond in bash, zsh and fish alike): equal, the names hold; an edit since, or a
copy with another time, and the shell asks the program, which writes the files anew. They are not
written for a file changed in the last two seconds (nor is the profile cache), so that an edit
within the same tick of the clock cannot go unseen.

`names`: one line a name, each a tag and the name as `[profile NAME]` gives it. The tags: `c` a
command word, `l` a profile named like one (reached after `use`), `p` any other profile, `b` one fish
cannot insert (a tab in its name), `f` one only fish can (a vertical tab: the character bash and zsh
part candidates at). zsh and fish keep the lines of the tags they offer that start with the word
typed.

`names.bash`: the same names as bash inserts them (escaped as argcomplete escapes them), with no
tag: a section per tag (`c`, `l`, `p`, `b`), each a line `#TAG COUNT` then its names sorted by bytes.
bash finds the names that start with the word typed by halving (a word with a character that needs
escaping goes to the program): its arrays take a millisecond to copy thousands of elements, a
hundredth of that to reach one.
"""

from __future__ import annotations

import os

from awsctx import cachefile
from awsctx.commands.table import COMMANDS

# The tags of the lines, as described above.
COMMAND, LIKE_COMMAND, PROFILE, NOT_FISH, FISH_ONLY = "clpbf"
BASH_SECTIONS = (COMMAND, LIKE_COMMAND, PROFILE, NOT_FISH)
NAMES_FILE = "names"
BASH_NAMES_FILE = "names.bash"
MAGIC = "awsctx-names 1"
SEPARATOR = "\x1f"
STAMP_PREFIX = "mtime."
NO_FILE = "-"

# What argcomplete escapes with a backslash in an unquoted word, for bash and (with `:`) zsh.
BASH_SPECIAL = "\\();<>|&!`$*?[]{} \t\n\"'"
# What it leaves bare but a shell still expands: `~` (home folders), `#` (comments), `=` (zsh's
# `=cmd`), `^` and `%` (zsh globs and prompt syntax). A backslash before them is always harmless.
EXTRA_SPECIAL = "~#=^%"
BASH_ESCAPES = str.maketrans({char: "\\" + char for char in BASH_SPECIAL + EXTRA_SPECIAL})
_SPECIAL = frozenset(BASH_SPECIAL + EXTRA_SPECIAL)


def _tagged(names: list[str]) -> list[tuple[str, str]]:
    """(tag, name) of every command word and of every profile some shell can insert."""
    like_commands = set(COMMANDS).intersection(names)
    found = [(COMMAND, word) for word in COMMANDS]
    joined = "\n".join(names)
    # Most configs hold no name with a tab, a vertical tab or a NUL: looked for all at once.
    odd = set()
    if "\t" in joined or "\v" in joined or "\x00" in joined:
        odd = {name for name in names if "\t" in name or "\v" in name or "\x00" in name}
    for name in names:
        if name in odd:
            # With both a tab and a vertical tab, or a NUL (no shell holds one), no shell can insert it.
            if ("\t" not in name or "\v" not in name) and "\x00" not in name:
                found.append((FISH_ONLY if "\v" in name else NOT_FISH, name))
        else:
            found.append((LIKE_COMMAND if name in like_commands else PROFILE, name))
    return found


def body(names: list[str]) -> bytes:
    """`names`, but its first line."""
    return "".join(f"{tag}{name}\n" for tag, name in _tagged(names)).encode("utf-8")


def bash_body(names: list[str]) -> bytes:
    """`names.bash`, but its first line."""
    sections: dict[str, list[str]] = {tag: [] for tag in BASH_SECTIONS}
    joined = "\n".join(names)
    # Most configs hold no name that needs escaping: looked for all at once.
    escape = any(char in joined for char in _SPECIAL)
    for tag, name in _tagged(names):
        if tag in sections:
            sections[tag].append(name.translate(BASH_ESCAPES) if escape and not _SPECIAL.isdisjoint(name) else name)
    lines = []
    for tag, found in sections.items():
        found.sort()
        lines.append(f"#{tag} {len(found)}")
        lines += found
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _stamp(folder: str, stat: tuple | None) -> str:
    """The file whose modification time is `stat`'s (made when missing); `-` for no file."""
    if stat is None:
        return NO_FILE
    name = f"{STAMP_PREFIX}{stat[0]}"
    path = os.path.join(folder, name)
    try:
        if os.lstat(path).st_mode & 0o170000 != 0o100000:  # not a regular file: no stamp of awsctx's
            os.unlink(path)
    except FileNotFoundError:
        pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    os.close(os.open(path, flags, cachefile.PRIVATE_FILE_MODE))
    os.utime(path, ns=(stat[0], stat[0]), follow_symlinks=False)
    return name


def header(config_path: str, credentials_path: str, stamps: tuple[str, str]) -> str:
    return SEPARATOR.join((MAGIC, config_path, credentials_path, *stamps))


def _writable(config_path: str, credentials_path: str) -> bool:
    # Paths the shells read back whole from one line of fields: absolute, no newline, no separator.
    paths = (config_path, credentials_path)
    return all(os.path.isabs(path) and "\n" not in path and SEPARATOR not in path for path in paths)


def current(config_path: str, credentials_path: str, stats: tuple) -> bool:
    """Whether both files were written for these files as they are now."""
    folder = _folder()
    expected = [f"{STAMP_PREFIX}{stat[0]}" if stat is not None else NO_FILE for stat in stats]
    first = header(config_path, credentials_path, (expected[0], expected[1])).encode("utf-8") + b"\n"
    for name in (NAMES_FILE, BASH_NAMES_FILE):
        path = os.path.join(folder, name)
        try:
            status = os.lstat(path)
            data = cachefile.read_bounded(path, cachefile.OWN_CACHE_LIMIT)
        except OSError:
            return False
        # One a shell would refuse is written anew: another's, or one others may write to.
        if status.st_uid != os.geteuid() or status.st_mode & 0o022 or not data.startswith(first):
            return False
    return all(stamp == NO_FILE or os.path.isfile(os.path.join(folder, stamp)) for stamp in expected)


def _folder() -> str:
    from awsctx import paths

    return paths.cache_dir()


def write(config_path: str, credentials_path: str, stats: tuple, bodies: tuple[bytes, bytes]) -> None:
    """Write both files for these files as they are now (`stats`: their config.load stat), with
    `bodies` (`body`, `bash_body`) after the first line."""
    if not _writable(config_path, credentials_path):
        return
    folder = _folder()
    try:
        if not cachefile.trusted_dir(folder):
            return
        stamps = (_stamp(folder, stats[0]), _stamp(folder, stats[1]))
        first = (header(config_path, credentials_path, stamps) + "\n").encode("utf-8")
        for name, lines in zip((NAMES_FILE, BASH_NAMES_FILE), bodies):
            cachefile.write_atomic(os.path.join(folder, name), first + lines, durable=False)
        for name in os.listdir(folder):
            if name.startswith(STAMP_PREFIX) and name not in stamps:
                os.unlink(os.path.join(folder, name))
    except OSError:
        pass  # Tab then asks the program, which is slower, never wrong


def tags(shell: str, after_use: bool) -> str:
    """The tags of the names a shell offers: for the first word, command words and profiles not
    named like one; after `use`, every profile. Less those the shell cannot insert."""
    own = FISH_ONLY if shell == "fish" else NOT_FISH
    return " ".join((LIKE_COMMAND if after_use else COMMAND, PROFILE, own))
