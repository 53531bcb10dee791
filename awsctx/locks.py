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

# How often a busy lock is tried again: short enough to feel instant once it is released.
_RETRY_SECONDS = 0.05
# How long a wait goes unannounced: a lock held for less than this is not worth a word.
NOTICE_AFTER = 1.0


class LockTimeoutError(UserError):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__(
            f"gave up after {timeout:g} s waiting for {paths.display(path)}, held by another awsctx process; "
            "finish or stop that process and try again"
        )
        self.path = path


def holder(path: str) -> int | None:
    """The pid the last holder of the lock `path` wrote into it, if any."""
    try:
        with open(path, "rb") as file:
            return int(file.read(32).strip() or b"0") or None
    except (OSError, ValueError):
        return None


@contextmanager
def locked(
    path: str,
    timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
    notice_after: float = 0.0,
) -> Iterator[bool]:
    """Hold an exclusive lock on the file `path` (created 0600 in a private folder) for the block.

    flock locks belong to the open file, so the kernel drops them when a holder dies: no stale locks
    to clean up, and the file is never deleted (deleting it would let two processes lock two files).
    Yields whether another process held the lock first.
    Not re-entrant: taking the same lock again in one process, even in one thread, waits for itself.
    `on_wait` is called once when another process holds the lock and has held it for `notice_after`
    seconds of this wait. The holder writes its pid into the file, for `holder` to name it.
    """
    folder = os.path.dirname(path)
    if not cachefile.may_use_dir(folder):
        # Another user's folder, or one others may write to: its locks could be held against us or
        # planted, so none is taken there (its caches are not used either; doctor says why).
        yield False
        return
    try:
        cachefile.ensure_private_dir(folder)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, cachefile.PRIVATE_FILE_MODE)
    except OSError as error:
        raise UserError(f"cannot open the lock file {paths.display(path)}: {error.strerror or error}") from None
    try:
        if os.fstat(descriptor).st_mode & 0o777 != cachefile.PRIVATE_FILE_MODE:
            os.fchmod(descriptor, cachefile.PRIVATE_FILE_MODE)
        waited = _acquire(descriptor, path, timeout, on_wait, notice_after)
        try:
            try:
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
            except OSError:
                pass  # the pid only names the holder in a waiter's message
            yield waited
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _acquire(
    descriptor: int, path: str, timeout: float | None, on_wait: Callable[[], None] | None, notice_after: float
) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        pass
    started = time.monotonic()
    if on_wait is not None and notice_after <= 0:
        on_wait()
        on_wait = None
    if timeout is None and on_wait is None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return True
    # flock has no timeout of its own; polling avoids signals, which would not be safe in threads.
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if on_wait is not None and waited >= notice_after:
            on_wait()
            on_wait = None
        if timeout is not None and waited >= timeout:
            raise LockTimeoutError(path, timeout)
        time.sleep(_RETRY_SECONDS)
