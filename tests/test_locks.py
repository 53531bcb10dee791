"""awsctx.locks: one holder at a time across processes, private files, no stale locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from awsctx import locks
from awsctx.errors import UserError

REPO = Path(__file__).resolve().parents[1]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_lock_file_and_folder_are_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sso.lock"
    previous = os.umask(0)
    try:
        with locks.locked(str(path)):
            pass
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_existing_lock_file_open_to_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "sso.lock"
    path.touch()
    path.chmod(0o666)
    with locks.locked(str(path)):
        assert path.stat().st_mode & 0o777 == 0o600


def test_processes_take_turns(tmp_path: Path) -> None:
    """Read-modify-write of a counter under the lock: without it, concurrent writers lose updates."""
    counter = tmp_path / "counter"
    counter.write_text("0")
    lock = tmp_path / "locks" / "counter.lock"
    script = textwrap.dedent(
        f"""
        import time
        from awsctx import locks
        for _ in range(25):
            with locks.locked({str(lock)!r}):
                value = int(open({str(counter)!r}).read())
                time.sleep(0.001)  # widen the window a missing lock would leave open
                open({str(counter)!r}, "w").write(str(value + 1))
        """
    )
    children = [subprocess.Popen([sys.executable, "-c", script], env=child_env()) for _ in range(8)]
    assert [child.wait(timeout=120) for child in children] == [0] * 8
    assert counter.read_text() == "200"


def test_timeout_names_the_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "busy.lock"
    waits: list[str] = []
    # flock locks belong to the open file: a second open in the same process contends like another process.
    with locks.locked(str(path)):
        second = locks.locked(str(path), timeout=0.1, on_wait=lambda: waits.append("w"))
        with pytest.raises(UserError) as caught, second:
            pytest.fail("got a lock another holder has")
    assert "busy.lock" in str(caught.value)
    assert waits == ["w"]


def test_released_on_exception(tmp_path: Path) -> None:
    path = str(tmp_path / "x.lock")
    with pytest.raises(RuntimeError), locks.locked(path):
        raise RuntimeError("boom")
    waits: list[str] = []
    with locks.locked(path, timeout=0, on_wait=lambda: waits.append("w")):
        pass
    assert waits == []


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "held.lock"
    script = textwrap.dedent(
        f"""
        import sys, time
        from awsctx import locks
        with locks.locked({str(path)!r}):
            print("locked", flush=True)
            time.sleep(600)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(UserError), locks.locked(str(path), timeout=0):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        with locks.locked(str(path), timeout=30):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_symlink_in_place_of_the_lock_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("")
    (tmp_path / "evil.lock").symlink_to(target)
    with pytest.raises(UserError, match=r"evil\.lock"), locks.locked(str(tmp_path / "evil.lock")):
        pass
