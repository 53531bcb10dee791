"""The one way awsctx writes files of its own: private, atomic, never half-written."""

from __future__ import annotations

import os

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


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


def write_atomic(path: str, data: bytes) -> None:
    """Replace `path` with `data` in one step: a reader sees the old file or the new one, whatever the
    umask the file is 0600, and a crash leaves at worst a stray temporary file, never a truncated one."""
    folder = os.path.dirname(path)
    ensure_private_dir(folder)
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
