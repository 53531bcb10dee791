"""The config and credentials files as awsctx keeps them between calls, and as it reads them again.

One private file in awsctx's cache folder, profiles.marshal, keyed by both files' stat and sealed in
parts (`cachefile.seal_parts`), each part read and checked only when it is used:

- what a switch or a list reads: the profile names, where each profile's settings are, and the
  settings themselves, marshalled one profile at a time, in groups. A switch checks and unmarshals
  one group, not thousands of profiles.
- what reading a file again after an edit reuses. Each file is cut before every `[` header line
  (`ini.pieces`); the cache keeps, for each piece, what it parsed to and its digest, and digests of
  the text's 4 KiB blocks counted from its start and from its end. The new text's blocks are
  compared with them: the pieces before the first block that differs and after the last are taken
  as they were; so is a piece between whose digest the old text had (a file rewritten whole, as
  `awsctx sso sync` rewrites its block, keeps most of them). Only the others are parsed. Runs of
  settings that did not change are written back as they were, with their digests.

The cache holds no text of the files: only what they parse to (secret values replaced) and
digests. A file with `[DEFAULT]` (whose values reach every section), or any other file whose
pieces do not each read the same alone, is parsed whole every time. Parsing thousands of profiles
costs more than starting Python; reading them back, a tenth of that; after an edit, a third.
"""

from __future__ import annotations

import marshal
from itertools import accumulate, compress

from awsctx import cachefile

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: a switch imports this module
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# Raised whenever the parsing or this layout changes, so that no cache holds what older code made.
FORMAT = 8
# Settings whose values are secrets: profiles give `SECRET` in their place, so that no cache holds them.
SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")
# Not a value the files can hold (a NUL byte): never mistaken for a real secret.
SECRET = "\x00secret: read it with config.secret()"
# A file changed this recently may change again within the same timestamp tick unseen: not cached.
RACY_SECONDS = 2
# What the digest of profiles.marshal's index is made for: no other sealed file passes for it.
PURPOSE = b"profiles"
# Pieces per group of marshalled settings: a switch checks one group.
_GROUP = 64
# Bytes per block of text whose digest finds where an edit starts and ends.
_BLOCK = 4096
_PIECE_DIGEST = 8
_BLOCK_DIGEST = 16

# What botocore calls the config file's sections that hold profiles, SSO sessions and service settings.
_PROFILE_PREFIX = "profile"
_SSO_SESSION_PREFIX = "sso-session"
_SERVICES_PREFIX = "services"
# What a piece (or section) is, one character each: the text before the first header, a profile, an
# SSO session, services, one botocore passes over.
_PREAMBLE, _PROFILE, _SSO_SESSION, _SERVICES, _OTHER = "0psvx"
CONFIG, CREDENTIALS = 0, 1

# The parts of profiles.marshal: the head, the profile index, the bodies of the names files
# (`tabnames`), then for each file its pieces, where its settings are, and the groups of settings.
_HEAD, _NAMES, _PLACES, _MERGED, _SECTIONS, _TAB_NAMES, _TAB_BASH = range(7)
_FILE_PARTS = 7
_PIECES, _SETTINGS_MAP = range(2)
_FILE_FIXED = 2


class Unreadable(Exception):
    """A part of profiles.marshal is not as it was sealed (the file changed under awsctx, or the
    disk): the files are read again."""


def _digests(pieces: Iterable[bytes], size: int) -> bytes:
    """The unkeyed BLAKE2b digests, `size` bytes each, of `pieces`, one after the other."""
    blake2b = cachefile.blake2b()
    return b"".join([blake2b(piece, digest_size=size).digest() for piece in pieces])


class _Text:
    """What identifies a file's text without keeping it: its length, and the digests of its 4 KiB
    blocks (UTF-8) counted from its start and from its end."""

    __slots__ = ("ends", "size", "starts")

    def __init__(self, size: int, starts: bytes, ends: bytes) -> None:
        self.size, self.starts, self.ends = size, starts, ends

    @classmethod
    def of(cls, encoded: bytes) -> _Text:
        size = len(encoded)
        starts = _digests((encoded[at : at + _BLOCK] for at in range(0, size, _BLOCK)), _BLOCK_DIGEST)
        ends = _digests((encoded[max(0, at - _BLOCK) : at] for at in range(size, 0, -_BLOCK)), _BLOCK_DIGEST)
        return cls(size, starts, ends)

    def same_blocks(self, other: _Text) -> tuple[int, int]:
        """How many bytes at the start, and then at the end, both texts surely have in common: whole
        blocks whose digests match (a shorter last block matches only in a text of the same size)."""
        common = min(self.size, other.size)
        start = min(_same(self.starts, other.starts) * _BLOCK, common)
        return start, min(_same(self.ends, other.ends) * _BLOCK, common - start)

    def parts(self) -> tuple:
        return (self.size, self.starts, self.ends)


def _same(a: bytes, b: bytes) -> int:
    """How many digests `a` and `b` start with in common."""
    count = 0
    while (
        count * _BLOCK_DIGEST < min(len(a), len(b))
        and a[count * _BLOCK_DIGEST : (count + 1) * _BLOCK_DIGEST]
        == (b[count * _BLOCK_DIGEST : (count + 1) * _BLOCK_DIGEST])
    ):
        count += 1
    return count


class _File:
    """One file's pieces (or, when it cannot be read piece by piece, its sections): what each is, the
    name it gives, the line it starts on, and its settings, marshalled, in groups of consecutive
    pieces; with `text`, `lengths`, `newlines` and `prints`, enough to read the file
    again piece by piece."""

    __slots__ = (
        "group_digests",
        "group_starts",
        "groups",
        "kinds",
        "lengths",
        "linenos",
        "names",
        "newlines",
        "prints",
        "read_group",
        "seglens",
        "text",
    )

    def __init__(self) -> None:
        self.text: _Text | None = None
        self.kinds = ""
        self.names: list[str] = []
        self.linenos: list[int] = []
        self.lengths: list[int] | None = None  # of each piece, in characters
        self.newlines: list[int] | None = None  # in each piece
        self.prints = b""  # each piece's digest
        self.seglens: list[int] = []
        self.groups: list[bytes] = []  # as read: checked by `read_group` before they are unmarshalled
        self.group_starts: list[int] = []
        self.group_digests: list[bytes | None] = []
        self.read_group: Callable[[int], bytes] = self.groups.__getitem__

    def set_segments(self, segments: list[bytes]) -> None:
        self.seglens = list(map(len, segments))
        self.group_starts = list(range(0, len(segments), _GROUP))
        self.groups = [b"".join(segments[start : start + _GROUP]) for start in self.group_starts]
        self.group_digests = [None] * len(self.groups)
        self.read_group = self.groups.__getitem__

    def segment(self, piece: int) -> bytes:
        number = _group_of(self.group_starts, piece)
        start = sum(self.seglens[self.group_starts[number] : piece])
        return self.read_group(number)[start : start + self.seglens[piece]]

    def segments(self, first: int, end: int) -> list[bytes]:
        """The settings of pieces `first` to `end` (excluded), marshalled."""
        return [self.segment(piece) for piece in range(first, end)]

    def parts(self) -> list[tuple[bytes, bytes | None]]:
        """This file's parts of profiles.marshal, with the digests already known."""
        pieces = None
        if self.text is not None and self.lengths is not None and self.newlines is not None:
            pieces = (self.text.parts(), _uints(self.lengths), _uints(self.newlines), self.prints)
        return [
            (marshal.dumps((self.kinds, "\n".join(self.names), _uints(self.linenos), pieces)), None),
            (marshal.dumps((_uints(self.seglens), _uints(self.group_starts))), None),
            *zip(self.groups, self.group_digests),
        ]


def _uints(values: list[int]) -> bytes:
    """Unsigned ints as the bytes `memoryview.cast("I")` reads back (not with the `array` module,
    whose import takes a millisecond: it imports `collections.abc`)."""
    from struct import pack

    return pack(f"={len(values)}I", *values)


def _ini():  # the parser: imported only by the paths that parse
    from awsctx import ini

    return ini


def _group_of(starts: list[int] | memoryview, piece: int) -> int:
    """The group that holds `piece`: the last whose first piece is at most `piece`."""
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= piece:
            low = middle
        else:
            high = middle - 1
    return low


def _group_end(file: _File, number: int) -> int:
    return file.group_starts[number + 1] if number + 1 < len(file.group_starts) else len(file.seglens)


def _linenos(newlines: list[int]) -> list[int]:
    """The line each piece starts on."""
    return list(accumulate(newlines[:-1], initial=1))


def _kind(role: int, header: str, split_words: Callable[[str], list[str] | None]) -> tuple[str, str]:
    """What a section is and the name it gives, as botocore reads its header."""
    if role == CREDENTIALS:
        return _PROFILE, header  # names in the credentials file are taken as they are
    if header.startswith(_PROFILE_PREFIX):
        kind = _PROFILE
    elif header.startswith(_SSO_SESSION_PREFIX):
        kind = _SSO_SESSION
    elif header.startswith(_SERVICES_PREFIX):
        kind = _SERVICES
    elif header == "default":
        return _PROFILE, "default"  # the one profile that needs no `profile ` prefix in this file
    else:
        return _OTHER, ""
    words = split_words(header)
    if words is None or len(words) != 2:
        return _OTHER, ""  # botocore passes over such headers silently
    return kind, words[1]


_NO_SECRET = frozenset(SECRET_KEYS)


def _segment(kind: str, settings: dict, keep_secrets: bool) -> bytes:
    if kind == _PROFILE and not keep_secrets:
        for name in SECRET_KEYS:
            if name in settings:
                settings[name] = SECRET
    return marshal.dumps(settings)


def _piece_prints(text: str, tail: bool = False) -> bytes:
    """The digest of each of `pieces(text)`: of what lies between the newline and `[` that start
    it and those that start the next piece (`tail`: one does, past the end of `text`)."""
    encoded = ("\n" + (text[:-1] if tail and text.endswith("\n") else text)).encode("utf-8")
    return _digests(encoded.split(b"\n["), _PIECE_DIGEST)


def _sizes(parts: list[bytes]) -> tuple[list[int], list[int]]:
    """`ini.piece_sizes` of an ASCII text from its cut at newline-`[` (with a newline put before it)."""
    if len(parts) == 1:
        return [len(parts[0]) - 1], [parts[0].count(b"\n") - 1]
    lengths = [len(parts[0])]
    lengths += [length + 2 for length in map(len, parts[1:-1])]
    lengths.append(len(parts[-1]) + 1)
    newlines = [parts[0].count(b"\n")]
    newlines += [count + 1 for count in map(bytes.count, parts[1:-1], [b"\n"] * (len(parts) - 2))]
    newlines.append(parts[-1].count(b"\n"))
    return lengths, newlines


def _parsed(role: int, path: str, text: str, keep_secrets: bool) -> _File:
    """Every section of the file; its pieces when each reads the same alone."""
    ini = _ini()
    sections = ini.parse_text(text, path)
    headers = list(sections)
    settings = [found for found, _ in sections.values()]
    linenos = [lineno for _, lineno in sections.values()]
    if role == CREDENTIALS:
        kinds, names = [_PROFILE] * len(headers), headers.copy()  # names taken as they are
    else:
        kinds, names = [], []
        split_words = ini.split_words
        for header in headers:
            kind, name = _kind(role, header, split_words)
            kinds.append(kind)
            names.append(name)
    if not keep_secrets:
        for kind, found in zip(kinds, settings):
            if kind == _PROFILE and not _NO_SECRET.isdisjoint(found):
                _segment(kind, found, keep_secrets)
    segments = list(map(marshal.dumps, settings))
    found = _File()
    if text.isascii():
        # Characters are bytes: one cut of the encoded text gives the pieces' sizes and digests.
        parts = ("\n" + text).encode("ascii").split(b"\n[")
        lengths, newlines = _sizes(parts)
        prints = _digests(parts, _PIECE_DIGEST)
    else:
        (lengths, newlines), prints = ini.piece_sizes(text), _piece_prints(text)
    # One piece per section, each starting at its header: no `[DEFAULT]`, no `[` line that is no
    # header, no header indented under another. Then every piece reads the same alone.
    if len(lengths) == len(sections) + 1 and _linenos(newlines)[1:] == linenos and not keep_secrets:
        found.text = _Text.of(text.encode("utf-8"))
        found.lengths, found.newlines = lengths, newlines
        found.prints = prints
        kinds.insert(0, _PREAMBLE)
        names.insert(0, "")
        segments.insert(0, b"")
        linenos.insert(0, 1)
    found.kinds, found.names, found.linenos = "".join(kinds), names, linenos
    found.set_segments(segments)
    return found


def _piece(role: int, path: str, text: str) -> tuple[str, str, str, bytes] | None:
    """(kind, header, name, settings) of one piece read alone; None unless it holds one section
    (or, first in the file, none) and reads without error."""
    ini = _ini()
    try:
        sections = ini.parse_text(text, path)
    except ini.ConfigError:
        return None  # the whole file is read again, and the error says where
    if not text.startswith("["):
        return (_PREAMBLE, "", "", b"") if not sections else None
    if len(sections) != 1:
        return None
    ((header, (settings, _)),) = sections.items()
    if not text.startswith(f"[{header}]"):
        return None
    kind, name = _kind(role, header, ini.split_words)
    return kind, header, name, _segment(kind, settings, False)


def _chars(encoded: bytes, size: int, from_end: bool) -> int:
    """How many whole characters the first (or last) `size` bytes of `encoded` hold."""
    part = encoded[len(encoded) - size :] if from_end else encoded[:size]
    return len(part.decode("utf-8", errors="ignore"))


def _reparsed(role: int, path: str, text: str, old: _File) -> _File | None:
    """`text` read piece by piece, the pieces `old` (read from the old text) also had taken from
    it; None when it cannot be read so (then it is read whole)."""
    if old.text is None or old.lengths is None or old.newlines is None:
        return None
    encoded = text.encode("utf-8")
    new_text = _Text.of(encoded)
    if new_text.size == old.text.size and new_text.starts == old.text.starts:
        return old
    same_start, same_end = new_text.same_blocks(old.text)
    if len(encoded) != len(text):  # bytes to characters, whole characters only
        same_start, same_end = _chars(encoded, same_start, False), _chars(encoded, same_end, True)
    starts = list(accumulate(old.lengths, initial=0))  # of each old piece, and the end
    count = len(old.lengths)
    before = starts[-1]  # the old text's length
    # Old pieces kept at the start: those that end (where the next header starts) inside the common
    # start, so that the next header still starts a piece. At the end: those that start inside the
    # common end, with the newline before them.
    head = 0
    while head < count and starts[head + 1] < same_start:
        head += 1
    tail = count
    while tail > head and starts[tail - 1] > before - same_end:
        tail -= 1
    shift = len(text) - before
    middle = text[starts[head] : starts[tail] + shift if tail < count else len(text)]
    found = _ini().pieces(middle)
    prints = _piece_prints(middle, tail=tail < count)
    if head > 0:
        if found[0]:
            return None  # lines before the first header of the middle: they belong to the piece before
        found, prints = found[1:], prints[_PIECE_DIGEST:]
    # The old middle's pieces by their digest: a piece moved (or a block rewritten whole) is taken as it
    # was. Not the text before the first header, whose digest could pass for that of a broken `[` line.
    known = {
        old.prints[index * _PIECE_DIGEST : (index + 1) * _PIECE_DIGEST]: index for index in range(max(head, 1), tail)
    }
    kinds, names, segments, fresh = [], [], [], []
    used: set[int] = set()
    for number, piece in enumerate(found):
        index = known.get(prints[number * _PIECE_DIGEST : (number + 1) * _PIECE_DIGEST]) if piece[:1] == "[" else None
        if index is not None:
            if index in used:
                return None  # the same section twice: reading the file whole says where
            used.add(index)
            kinds.append(old.kinds[index])
            names.append(old.names[index])
            segments.append(old.segment(index))
            continue
        record = _piece(role, path, piece)
        if record is None:
            return None
        kinds.append(record[0])
        names.append(record[2])
        segments.append(record[3])
        fresh.append(len(names) - 1)
    new = _File()
    new.text = new_text
    new.kinds = old.kinds[:head] + "".join(kinds) + old.kinds[tail:]
    new.names = old.names[:head] + names + old.names[tail:]
    # A section twice is an error, which reading the file whole reports. The pieces the old file
    # had were not (each is taken once at most); one just read may be: another piece of the same
    # kind and name may be its twin.
    for number in fresh:
        kind, name = kinds[number], names[number]
        if kind != _PREAMBLE and new.names.count(name) > 1:
            position = head + number
            twins = [at for at, other in enumerate(new.names) if other == name and at != position]
            if any(new.kinds[at] == kind for at in twins):
                return None
    new.lengths = old.lengths[:head] + list(map(len, found)) + old.lengths[tail:]
    new.newlines = old.newlines[:head] + [piece.count("\n") for piece in found] + old.newlines[tail:]
    new.linenos = _linenos(new.newlines)
    new.prints = old.prints[: head * _PIECE_DIGEST] + prints + old.prints[tail * _PIECE_DIGEST : count * _PIECE_DIGEST]
    _regroup(new, old, head, tail, segments)
    return new


def _regroup(new: _File, old: _File, head: int, tail: int, middle: list[bytes]) -> None:
    """`new`'s settings: `old`'s groups that lie wholly before piece `head`, or from piece `tail` on,
    as they were (digests included); the pieces between in groups made anew."""
    count = len(old.seglens)
    before = 0
    while before < len(old.groups) and _group_end(old, before) <= head:
        before += 1
    after = len(old.groups)
    while after > before and old.group_starts[after - 1] >= tail:
        after -= 1
    first = old.group_starts[before] if before < len(old.groups) else head
    end = old.group_starts[after] if after < len(old.groups) else count
    segments = old.segments(first, head) + middle + old.segments(tail, end)
    new.seglens = old.seglens[:first] + list(map(len, segments)) + old.seglens[end:]
    if len(old.groups) + len(segments) // _GROUP + 1 > 2 * (len(new.seglens) // _GROUP) + 8:
        # Edit after edit leaves short groups behind: once they are many, group everything anew.
        new.set_segments(old.segments(0, first) + segments + old.segments(end, count))
        return
    shift = first + len(segments) - end
    starts = range(0, len(segments), _GROUP)
    new.groups = old.groups[:before] + [b"".join(segments[start : start + _GROUP]) for start in starts]
    new.groups += old.groups[after:]
    new.group_starts = old.group_starts[:before] + [first + start for start in starts]
    new.group_starts += [start + shift for start in old.group_starts[after:]]
    new.group_digests = old.group_digests[:before] + [None] * len(starts) + old.group_digests[after:]
    read_old = old.read_group
    kept = dict(enumerate(range(before)))
    kept.update((before + len(starts) + offset, number) for offset, number in enumerate(range(after, len(old.groups))))
    fresh = new.groups
    # A kept group is unmarshalled only once checked; a new one was just made.
    new.read_group = lambda number: read_old(kept[number]) if number in kept else fresh[number]


def _read(role: int, path: str, old: _File | None, keep_secrets: bool) -> _File:
    text = _ini().read_text(path)
    if text is None:
        return _File()
    if old is not None and not keep_secrets:
        found = _reparsed(role, path, text, old)
        if found is not None:
            return found
    return _parsed(role, path, text, keep_secrets)


def _index(
    config: _File, credentials: _File, same: Profiles | None = None
) -> tuple[list[str], list[tuple[bytes, bytes | None]]]:
    """The profile names, and the parts that say which profiles there are and where each one's
    settings are (those of `same`, as they were, when the files name the same sections as its)."""
    is_profile = _PROFILE.__eq__
    names = list(compress(config.names, map(is_profile, config.kinds)))
    places = list(compress(range(len(config.kinds)), map(is_profile, config.kinds)))
    merged: dict[int, bytes] = {}
    in_config = set(names)
    if len(in_config) != len(names):
        # A profile named twice (`[default]` and `[profile default]`): the later settings in the
        # earlier place, defined where it is first named.
        last: dict[str, int] = {}
        first: dict[str, int] = {}
        for name, piece in zip(names, places):
            last[name] = piece
            first.setdefault(name, piece)
        names = list(last)
        places = [first[name] for name in names]
        merged = {index: config.segment(last[name]) for index, name in enumerate(names) if last[name] != first[name]}
    files = bytearray(len(names))
    # The credentials file's profiles: their settings go over the config's, the others come after.
    for piece in compress(range(len(credentials.kinds)), map(is_profile, credentials.kinds)):
        name = credentials.names[piece]
        if name not in in_config:
            names.append(name)
            places.append(piece)
            files.append(CREDENTIALS)
            continue
        index = names.index(name)
        settings = marshal.loads(merged[index] if index in merged else config.segment(places[index]))
        settings.update(marshal.loads(credentials.segment(piece)))
        merged[index] = marshal.dumps(settings)
    sections = tuple(
        dict(
            (config.names[piece], marshal.loads(config.segment(piece)))
            for piece in compress(range(len(config.kinds)), map(kind.__eq__, config.kinds))
        )
        for kind in (_SSO_SESSION, _SERVICES)
    )
    if same is not None:
        where = [(same.raw(_NAMES), same.digest(_NAMES)), (same.raw(_PLACES), same.digest(_PLACES))]
    else:
        where = [
            (("\n" + "\n".join(names) + "\n" if names else "\n").encode("utf-8"), None),
            (marshal.dumps((bytes(files), _uints(places))), None),
        ]
    return names, [*where, (marshal.dumps(merged), None), (marshal.dumps(sections), None)]


class Profiles:
    """The profiles of profiles.marshal's parts (from the file, or just made), each part checked
    and unpacked when first used."""

    def __init__(self, source: cachefile.SealedParts | list[bytes], head: tuple) -> None:
        self._source = source
        self.key = head[0]  # what the files were when these were read: see config.load
        self._layout = head[2]  # (first part, group count) of each file
        self._cache: dict[int, object] = {}

    def _part(self, index: int) -> bytes:
        source = self._source
        found = source[index] if isinstance(source, list) else source.part(index)
        if found is None:
            raise Unreadable()
        return found

    def _load(self, index: int):  # what awsctx marshalled there
        if index not in self._cache:
            self._cache[index] = marshal.loads(self._part(index))
        return self._cache[index]

    def _names_blob(self) -> bytes:
        if _NAMES not in self._cache:
            self._cache[_NAMES] = self._part(_NAMES)
        return self._cache[_NAMES]  # type: ignore[return-value]

    def names(self) -> list[str]:
        blob = self._names_blob()
        return blob[1:-1].decode("utf-8").split("\n") if len(blob) > 1 else []

    def index(self, name: str) -> int | None:
        if "\n" in name:
            return None
        try:
            position = self._names_blob().find(b"\n" + name.encode("utf-8") + b"\n")
        except UnicodeEncodeError:  # a name from the command line that no UTF-8 file can hold
            return None
        return None if position < 0 else self._names_blob().count(b"\n", 0, position)

    def _place(self, index: int) -> tuple[int, int]:
        files, places = self._load(_PLACES)
        return files[index], memoryview(places).cast("I")[index]

    def settings(self, index: int) -> dict:
        merged = self._load(_MERGED)
        if index in merged:
            return marshal.loads(merged[index])
        role, piece = self._place(index)
        return marshal.loads(self._segment(role, piece))

    def _segment(self, role: int, piece: int) -> bytes:
        first = self._layout[role][0]
        seglens, starts = (memoryview(found).cast("I") for found in self._load(first + _SETTINGS_MAP))
        number = _group_of(starts, piece)
        start = sum(seglens[starts[number] : piece])
        return self._part(first + _FILE_FIXED + number)[start : start + seglens[piece]]

    def _segments(self, role: int) -> list[bytes]:
        """The settings of each of a file's pieces, marshalled."""
        first, groups = self._layout[role]
        seglens, starts = (memoryview(found).cast("I") for found in self._load(first + _SETTINGS_MAP))
        found = []
        for number in range(groups):
            group = self._part(first + _FILE_FIXED + number)
            end = starts[number + 1] if number + 1 < groups else len(seglens)
            offsets = accumulate(seglens[starts[number] : end], initial=0)
            start = next(offsets)
            for stop in offsets:
                found.append(group[start:stop])
                start = stop
        return found

    def all(self) -> dict[str, dict]:
        merged = self._load(_MERGED)
        files, places = self._load(_PLACES)
        places = memoryview(places).cast("I")
        segments = (self._segments(CONFIG), self._segments(CREDENTIALS))
        found = [
            marshal.loads(merged[index] if index in merged else segments[files[index]][places[index]])
            for index in range(len(files))
        ]
        return dict(zip(self.names(), found))

    def _pieces(self, role: int) -> tuple:
        return self._load(self._layout[role][0] + _PIECES)

    def origin(self, index: int) -> tuple[int, int]:
        role, piece = self._place(index)
        return role, memoryview(self._pieces(role)[2]).cast("I")[piece]

    def credential_names(self) -> list[str]:
        kinds, names = self._pieces(CREDENTIALS)[:2]
        return list(compress(names.split("\n"), map(_PROFILE.__eq__, kinds)))

    def sections(self) -> tuple[dict, dict]:
        return self._load(_SECTIONS)

    def tab_names(self) -> tuple[bytes, bytes]:
        """The names files' lines (`tabnames.body`, `tabnames.bash_body`)."""
        return self._part(_TAB_NAMES), self._part(_TAB_BASH)

    def raw(self, index: int) -> bytes:
        """Part `index` unchecked, to seal again with its `digest`."""
        source = self._source
        return source[index] if isinstance(source, list) else source.raw(index)

    def digest(self, index: int) -> bytes | None:
        source = self._source
        return None if isinstance(source, list) else source.digest(index)

    def file(self, role: int) -> _File:
        """What profiles.marshal holds of one file, to read it again after an edit: its groups as
        read, each checked before it is unmarshalled."""
        first, groups = self._layout[role]
        found = _File()
        kinds, names, linenos, pieces = self._load(first + _PIECES)
        found.kinds, found.names, found.linenos = kinds, names.split("\n"), memoryview(linenos).cast("I").tolist()
        if pieces is not None:
            text, lengths, newlines, found.prints = pieces
            found.text = _Text(*text)
            found.lengths = memoryview(lengths).cast("I").tolist()
            found.newlines = memoryview(newlines).cast("I").tolist()
        seglens, starts = self._load(first + _SETTINGS_MAP)
        found.seglens = memoryview(seglens).cast("I").tolist()
        found.group_starts = memoryview(starts).cast("I").tolist()
        source = self._source
        if isinstance(source, list):
            found.groups = source[first + _FILE_FIXED : first + _FILE_FIXED + groups]
            found.group_digests = [None] * groups
            found.read_group = found.groups.__getitem__
        else:
            found.groups = [source.raw(first + _FILE_FIXED + number) for number in range(groups)]
            found.group_digests = [source.digest(first + _FILE_FIXED + number) for number in range(groups)]
            checked: dict[int, bytes] = {}

            def read_group(number: int) -> bytes:
                if number not in checked:
                    checked[number] = self._part(first + _FILE_FIXED + number)
                return checked[number]

            found.read_group = read_group
        return found


def _assemble(
    key: tuple, config: _File, credentials: _File, old: Profiles | None, kept: list[_File | None]
) -> list[tuple[bytes, bytes | None]]:
    """profiles.marshal's parts, with the digests already known."""
    from awsctx import tabnames

    # An edit that changed settings alone (most do) leaves the sections, and so the index, as they were.
    same = None
    kept_config, kept_credentials = kept
    if old is not None and kept_config is not None and kept_credentials is not None:
        now = (config.kinds, config.names, credentials.kinds, credentials.names)
        if now == (kept_config.kinds, kept_config.names, kept_credentials.kinds, kept_credentials.names):
            same = old
    names, index = _index(config, credentials, same)
    parts = [(b"", None), *index]
    # The names file's lines: the old ones while the names are the same.
    if old is not None and old.raw(_NAMES) == parts[_NAMES][0]:
        bodies = old.tab_names()
        parts += [(bodies[0], old.digest(_TAB_NAMES)), (bodies[1], old.digest(_TAB_BASH))]
    else:
        parts += [(tabnames.body(names), None), (tabnames.bash_body(names), None)]
    layout = []
    for file in (config, credentials):
        layout.append((len(parts), len(file.groups)))
        parts += file.parts()
    parts[_HEAD] = (marshal.dumps((key, FORMAT, tuple(layout))), None)
    return parts


def cached(cache_path: str) -> Profiles | None:
    """The profiles profiles.marshal holds, whatever files they were read from (`Profiles.key`);
    None when it holds none this awsctx can use."""
    sealed = cachefile.unseal_parts(cache_path, PURPOSE)
    if sealed is None:
        return None
    head = sealed.load(_HEAD)
    # Sealed by this user's awsctx, so the shape is checked only as far as a bug of its own could break it.
    if not isinstance(head, tuple) or len(head) != 3 or head[1] != FORMAT or not isinstance(head[2], tuple):
        return None
    if sealed.count != _FILE_PARTS + sum(_FILE_FIXED + groups for _, groups in head[2]):
        return None
    return Profiles(sealed, head)


def parse(
    config_path: str, credentials_path: str, key: tuple, old: Profiles | None = None, keep_secrets: bool = False
) -> tuple[Profiles, list[tuple[bytes, bytes | None]]]:
    """Read both files, the pieces unchanged since `old` was written taken from it; the profiles
    and profiles.marshal's parts (with the digests already known)."""
    kept: list[_File | None] = [None, None]
    if old is not None and not keep_secrets and old.key[:3] == key[:3]:  # the same awsctx and Python
        try:
            kept = [old.file(CONFIG), old.file(CREDENTIALS)]
        except Unreadable:
            pass
    try:
        config = _read(CONFIG, config_path, kept[0], keep_secrets)
        credentials = _read(CREDENTIALS, credentials_path, kept[1], keep_secrets)
        parts = _assemble(key, config, credentials, old if kept[0] is not None else None, kept)
    except Unreadable:
        # A part of the old cache did not match its digest: read both files whole.
        config = _read(CONFIG, config_path, None, keep_secrets)
        credentials = _read(CREDENTIALS, credentials_path, None, keep_secrets)
        parts = _assemble(key, config, credentials, None, [None, None])
    return Profiles([part for part, _ in parts], marshal.loads(parts[_HEAD][0])), parts


def settled(stats: tuple) -> bool:
    """Whether files with these stats (config.load's) may be cached: none changed in the last
    seconds (`RACY_SECONDS`)."""
    import time

    now = time.time_ns()
    return not any(stat is not None and now - stat[0] < RACY_SECONDS * 1_000_000_000 for stat in stats)


def write(cache_path: str, parts: list[tuple[bytes, bytes | None]], stats: tuple) -> bool:
    """Keep what `parse` read, when the files have `settled`; whether it did."""
    if not settled(stats):
        return False
    try:
        cachefile.seal_parts(cache_path, PURPOSE, parts)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs speed
    return True
