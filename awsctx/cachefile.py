"""The one way awsctx reads cache files and writes files of its own: bounded, private, atomic.

Every cache file is read through `read_bounded`: a FIFO, a device, a symbolic link (to /dev/zero, say)
or a file larger than its kind ever is, is refused before a byte is read, so that no file left at a
cache path can hang awsctx or fill its memory.

awsctx's own caches (`seal`/`unseal`) are marshal data, because list, switch and Tab load them on
every call: for a 5,000-profile config (500 kB) `marshal.loads` takes 5 ms where `json.loads` takes
12 ms, and `import json` pulls in `re`, another 12 ms cold. But `marshal.loads` is not safe on bytes
it did not write (10 crafted bytes crash the interpreter; 5 ask it for gigabytes), so no byte
reaches it unless a keyed BLAKE2b digest of the body, made with a random key kept in a 0600 file
beside the caches, says awsctx wrote them: a corrupt or planted file is a miss and gets replaced.
The digest costs under 1 ms at that size and `_blake2` loads in 0.15 ms (`hashlib` would load
OpenSSL: 2 ms). The caches are used only in a folder the user owns that no one else may write to.
"""

from __future__ import annotations

import errno
import os

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# Larger than any cache awsctx writes for 100,000 profiles; larger than any AWS CLI or SSO cache file.
OWN_CACHE_LIMIT = 256 * 1024 * 1024
JSON_CACHE_LIMIT = 1024 * 1024

_MAGIC = b"awsctx-sealed-1\n"
_DIGEST_SIZE = 32
_KEY_FILE = "cache.key"
_KEY_SIZE = 32


class BadCacheFile(OSError):
    """A cache path holds something awsctx will not read: not a regular file, or too large.
    `reason` says which, after the path ("is not a regular file")."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.reason = reason


def read_bounded(path: str, limit: int, follow_links: bool = False) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them, read without following a
    symbolic link (unless `follow_links`: a user's dotfiles link their ~/.aws files), without
    blocking on a FIFO, without reading more than `limit` + 1 bytes. Raises OSError (BadCacheFile
    for a file awsctx refuses) on anything else."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if status.st_mode & 0o170000 != 0o100000:  # S_ISREG, without importing stat
            raise BadCacheFile(path, "is not a regular file")
        if status.st_size > limit:
            raise BadCacheFile(path, f"is larger than {limit} bytes")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, max(status.st_size + 1, 65536)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise BadCacheFile(path, f"is larger than {limit} bytes")
        return b"".join(chunks)
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            raise BadCacheFile(path, "is a symbolic link") from None
        raise
    finally:
        os.close(descriptor)


def load_json(path: str, limit: int = JSON_CACHE_LIMIT) -> dict | None:
    """A JSON object from a cache file another program may have written (the AWS CLI's, SSO
    tokens); None when it is missing, refused by `read_bounded`, not JSON, nested too deep or not
    an object. Callers still check each field's type."""
    import json

    try:
        data = json.loads(read_bounded(path, limit))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


def json_problem(path: str, limit: int = JSON_CACHE_LIMIT) -> str | None:
    """Why `path` is not a JSON object awsctx can read, for `doctor`; None when it is one."""
    import json

    try:
        data = json.loads(read_bounded(path, limit))
    except BadCacheFile as error:
        return str(error).replace(path, "it", 1)
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"
    except (ValueError, RecursionError):
        return "it is not JSON"
    return None if isinstance(data, dict) else "it is not a JSON object"


def trusted_dir(path: str) -> bool:
    """True when `path` is a folder of the user's that no one else may write to: only then are
    awsctx's caches in it used, since anyone who can write there can plant an answer."""
    try:
        status = os.stat(path)
    except OSError:
        return False
    return status.st_mode & 0o170000 == 0o040000 and status.st_uid == os.geteuid() and not status.st_mode & 0o022


def may_use_dir(path: str) -> bool:
    """Whether awsctx may keep private files in `path`: it is `trusted_dir`, or it does not exist
    yet and the nearest folder above it that does is not another user's or writable by others
    (then `ensure_private_dir` makes it private)."""
    folder = os.path.abspath(path)
    if os.path.lexists(folder):
        return trusted_dir(folder)
    parent = os.path.dirname(folder)
    while parent != folder and not os.path.lexists(parent):
        folder, parent = parent, os.path.dirname(parent)
    try:
        status = os.stat(parent)
    except OSError:
        return False
    if status.st_mode & 0o170000 != 0o040000:
        return False  # a file where a folder should be: nothing can be made below it
    # A parent such as /tmp (sticky, world-writable) may hold our new private folder; another user's may not.
    shared_but_sticky = status.st_mode & 0o1000 and status.st_uid == 0
    others_may_write = status.st_mode & 0o022 and not shared_but_sticky
    return status.st_uid in (os.geteuid(), 0) and not others_may_write


def _blake2b(data: bytes, key: bytes = b"", person: bytes = b"") -> bytes:
    return blake2b()(data, digest_size=_DIGEST_SIZE, key=key, person=person).digest()


def blake2b():  # the BLAKE2b type, for those that make many digests
    try:
        from _blake2 import blake2b
    except ImportError:  # an interpreter built without it
        from hashlib import blake2b
    return blake2b


def _digest(key: bytes, purpose: bytes, body: bytes) -> bytes:
    return _blake2b(body, key, purpose[:16])


def _read_key(folder: str) -> bytes | None:
    try:
        key = read_bounded(os.path.join(folder, _KEY_FILE), _KEY_SIZE)
    except OSError:
        return None
    return key if len(key) == _KEY_SIZE else None


def _unsealing_key(path: str) -> bytes | None:
    """The key the sealed file at `path` must have been sealed with; None when its folder is not
    `trusted_dir` or holds no key: nothing there can be trusted."""
    folder = os.path.dirname(path)
    if not trusted_dir(folder):
        return None
    return _read_key(folder)


def unseal(path: str, purpose: bytes) -> object:
    """What `seal` stored at `path` for `purpose`; None when there is nothing awsctx can trust there:
    missing, in a folder others can write to, not sealed with this user's key, or corrupt."""
    import marshal

    key = _unsealing_key(path)
    if key is None:
        return None
    try:
        data = read_bounded(path, OWN_CACHE_LIMIT)
    except OSError:
        return None
    header = len(_MAGIC) + _DIGEST_SIZE
    # A plain comparison: whoever could time it could already read the key.
    if data[: len(_MAGIC)] != _MAGIC or data[len(_MAGIC) : header] != _digest(key, purpose, data[header:]):
        return None
    try:
        return marshal.loads(data[header:])
    except (EOFError, ValueError, TypeError):  # only a bug of awsctx's could lead here
        return None


def seal(path: str, purpose: bytes, value: tuple) -> None:
    """Write `value` (marshal data) to `path` with the digest `unseal` checks. Raises OSError when it
    cannot, and in a folder that exists but is not `trusted_dir`, where it does not write at all."""
    import marshal

    key = _sealing_key(os.path.dirname(path))
    body = marshal.dumps(value)
    write_atomic(path, _MAGIC + _digest(key, purpose, body) + body, durable=False)


def _sealing_key(folder: str) -> bytes:
    """The key to seal a file in `folder` with, made on first use; PermissionError in a folder that
    exists but is not `trusted_dir`, where nothing is written."""
    if os.path.lexists(folder) and not trusted_dir(folder):
        raise PermissionError(f"{folder} is not a private folder of this user's; its caches are not used")
    ensure_private_dir(folder)
    key = _read_key(folder)
    if key is None:
        key = os.urandom(_KEY_SIZE)
        write_atomic(os.path.join(folder, _KEY_FILE), key)
    return key


# A cache in parts (`seal_parts`): the magic, the keyed digest of the index, the index's length (4
# bytes, little-endian), the index (marshal: each part's length and unkeyed BLAKE2b digest), the parts.
_PARTS_MAGIC = b"awsctx-parts-1\n"


class SealedParts:
    """The parts of a file `seal_parts` wrote, each read and checked against the index only when it
    is used: a switch reads the few parts it needs out of a cache of thousands of profiles."""

    __slots__ = ("_data", "_descriptor", "_digests", "_offsets", "count")

    def __init__(self, descriptor: int, data: bytes, offsets: list[int], digests: tuple) -> None:
        self._descriptor = descriptor  # open on the file read, whatever replaces it meanwhile
        self._data = data  # the file's start, as read with the index
        self._offsets = offsets
        self._digests = digests
        self.count = len(digests)

    def __del__(self) -> None:
        try:
            os.close(self._descriptor)
        except (OSError, AttributeError, TypeError):
            pass

    def part(self, index: int) -> bytes | None:
        """Part `index` as it was sealed; None when it is not (a corrupt file)."""
        if not 0 <= index < self.count:
            return None
        start, end = self._offsets[index], self._offsets[index + 1]
        if end <= len(self._data):
            found = self._data[start:end]
        else:
            try:
                found = os.pread(self._descriptor, end - start, start)
            except OSError:
                return None
        return found if _blake2b(found) == self._digests[index] else None

    def raw(self, index: int) -> bytes:
        """Part `index` as the file holds it, unchecked: only to seal again with its `digest`
        (whoever unmarshals it then checks it), never to unmarshal."""
        start, end = self._offsets[index], self._offsets[index + 1]
        if end <= len(self._data):
            return self._data[start:end]
        try:
            return os.pread(self._descriptor, end - start, start)
        except OSError:
            return b""

    def digest(self, index: int) -> bytes:
        """The digest part `index` was sealed with: one `seal_parts` need not compute again for a
        part it keeps as it was, once `part` has checked it."""
        return self._digests[index]

    def load(self, index: int) -> object:
        """Part `index` unmarshalled; None when it is not as it was sealed."""
        import marshal

        found = self.part(index)
        if found is None:
            return None
        try:
            return marshal.loads(found)
        except (EOFError, ValueError, TypeError):  # only a bug of awsctx's could lead here
            return None


# What `unseal_parts` reads at once: the index and the first parts (a profile cache's head and names).
_PARTS_FIRST_READ = 256 * 1024


def unseal_parts(path: str, purpose: bytes) -> SealedParts | None:
    """The parts `seal_parts` stored at `path` for `purpose`; None when there is nothing awsctx can
    trust there (as `unseal`). Only the index is checked here; each part is read and checked when it
    is used. Opened as `read_bounded` opens a file: no symbolic link, FIFO or device, no size beyond
    `OWN_CACHE_LIMIT`."""
    import marshal

    key = _unsealing_key(path)
    if key is None:
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if status.st_mode & 0o170000 != 0o100000 or status.st_size > OWN_CACHE_LIMIT:
            raise OSError("not a cache file")
        data = os.pread(descriptor, min(status.st_size, _PARTS_FIRST_READ), 0)
        start = len(_PARTS_MAGIC) + _DIGEST_SIZE + 4
        if data[: len(_PARTS_MAGIC)] != _PARTS_MAGIC or len(data) < start:
            raise OSError("not sealed in parts")
        end = start + int.from_bytes(data[start - 4 : start], "little")
        if end > len(data):
            data = os.pread(descriptor, min(status.st_size, end), 0)
        index = data[start:end]
        if len(index) != end - start or data[len(_PARTS_MAGIC) : start - 4] != _digest(key, purpose, index):
            raise OSError("not sealed with this key")
        lengths, digests = marshal.loads(index)
        offsets = [end]
        for length in lengths:
            offsets.append(offsets[-1] + length)
        if offsets[-1] != status.st_size or len(digests) != len(lengths):
            raise OSError("cut short")
    except (OSError, EOFError, ValueError, TypeError):
        os.close(descriptor)
        return None
    return SealedParts(descriptor, data, offsets, digests)


def seal_parts(path: str, purpose: bytes, parts: list[tuple[bytes, bytes | None]]) -> None:
    """Write `parts` (each with its digest, or None to compute it) to `path` for `unseal_parts`: the
    parts' digests in an index that is itself sealed with the key, as `seal` seals a whole file.
    Raises OSError as `seal` does."""
    import marshal

    key = _sealing_key(os.path.dirname(path))
    index = marshal.dumps(
        (tuple(len(part) for part, _ in parts), tuple(digest or _blake2b(part) for part, digest in parts))
    )
    head = _PARTS_MAGIC + _digest(key, purpose, index) + len(index).to_bytes(4, "little") + index
    write_atomic(path, b"".join([head, *(part for part, _ in parts)]), durable=False)


def is_sealed(path: str, purpose: bytes) -> bool:
    """Whether `path` is a cache awsctx sealed for `purpose`, whole, in either form: for `doctor`."""
    if unseal(path, purpose) is not None:
        return True
    parts = unseal_parts(path, purpose)
    return parts is not None and all(parts.part(index) is not None for index in range(parts.count))


def ensure_private_dir(path: str) -> None:
    """Create `path` readable by the user alone, with any missing parents likewise (os.makedirs would
    give those the umask's mode); tighten `path` itself if it exists. Existing parents stay as they are."""
    missing = []
    folder = os.path.abspath(path)
    while not os.path.isdir(folder):
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            pass  # another process made it meanwhile
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    if os.stat(path).st_mode & 0o777 != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)


def write_atomic(path: str, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data` in one step: a reader sees the old file or the new one, whatever the
    umask the file is 0600, and a crash leaves at worst a stray temporary file, never a truncated one.
    `durable=False` for awsctx's own caches: no waiting for the disk (a millisecond, more on a busy
    disk), since a cache a crash left empty or cut short fails its digest and is only a miss."""
    folder = os.path.dirname(path)
    ensure_private_dir(folder)
    replace_file(path, data, PRIVATE_FILE_MODE, durable)


def replace_file(path: str, data: bytes, mode: int, durable: bool = True) -> None:
    """Replace `path` with `data`, mode `mode`, in one step, touching nothing else in its folder
    (whose mode stays as it is). The temporary file has its final mode from the start, so an
    interruption changes no mode; one a killed run left behind is removed by the next."""
    folder = os.path.dirname(path) or "."
    base = os.path.basename(path)
    _remove_stale_temporaries(folder, base)
    temporary = os.path.join(folder, f".{base}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, mode & 0o600)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def why_not_written(error: OSError) -> str:
    """Why a write failed and what to do, as a user reads it: a full disk is said to be full."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full" if error.errno == errno.ENOSPC else "the disk quota is exceeded"
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    return f"{error.strerror or error}; check its permissions"


def _remove_stale_temporaries(folder: str, base: str) -> None:
    """Temporary files of `replace_file` for `path` whose process is gone (killed mid-write)."""
    prefix = f".{base}."
    try:
        names = [name for name in os.listdir(folder) if name.startswith(prefix) and name.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) : -len(".tmp")]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True
