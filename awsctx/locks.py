"""Exclusive locks between awsctx processes, so that many shells needing the same login or the same
credentials make one request between them instead of one each."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from awsctx import cachefile, paths
from awsctx.errors import UserError

# How often a lock with a timeout is tried again: short enough to feel instant once it is released.
_RETRY_SECONDS = 0.05


class LockTimeoutError(UserError):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__(
            f"gave up after {timeout:g} s waiting for {paths.display(path)}, held by another awsctx process; "
            "finish or stop that process and try again"
        )
        self.path = path


@contextmanager
def locked(path: str, timeout: float | None = None, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created 0600 in a private folder) for the block.

    flock locks belong to the open file, so the kernel drops them when a holder dies: no stale locks
    to clean up, and the file is never deleted (deleting it would let two processes lock two files).
    Not re-entrant: taking the same lock again in one process, even in one thread, waits for itself.
    `on_wait` is called once when another process holds the lock, before waiting for it.
    """
    try:
        cachefile.ensure_private_dir(os.path.dirname(path))
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, cachefile.PRIVATE_FILE_MODE)
    except OSError as error:
        raise UserError(f"cannot open the lock file {paths.display(path)}: {error.strerror or error}") from None
    try:
        if os.fstat(descriptor).st_mode & 0o777 != cachefile.PRIVATE_FILE_MODE:
            os.fchmod(descriptor, cachefile.PRIVATE_FILE_MODE)
        _acquire(descriptor, path, timeout, on_wait)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _acquire(descriptor: int, path: str, timeout: float | None, on_wait: Callable[[], None] | None) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    if on_wait is not None:
        on_wait()
    if timeout is None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return
    # flock has no timeout of its own; polling avoids signals, which would not be safe in threads.
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        left = deadline - time.monotonic()
        if left <= 0:
            raise LockTimeoutError(path, timeout)
        time.sleep(min(_RETRY_SECONDS, left))
