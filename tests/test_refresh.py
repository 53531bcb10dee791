"""Role credentials an MFA session renews are refreshed before the AWS CLI would ask for a code: by
the prompt hook, in the background, with no process before it is due; in real bash, zsh and fish."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import AWSCTX, SHELLS, Interactive, closed_port_url, strip_ansi
from stsproxy import StsProxy
from test_mfa_session import AWS_CLI_IDENTITY, age_role_credentials, mfa_env, mfa_home, show, switch

__all__ = ["mfa_env", "mfa_home"]  # fixtures, shared with test_mfa_session

JOB_NOISE = re.compile(r"\[\d+\]|\bDone\b|has ended|\bJob\b|Exit \d")


def state_file(home: Path, profile: str) -> Path:
    return home / ".cache" / "awsctx" / "refresh" / profile.encode().hex()


def export(shell: str, name: str, value: str) -> str:
    return f"set -gx {name} {value}" if shell == "fish" else f"export {name}={value}"


def wait_for(condition: Callable[[], bool], term: Interactive) -> None:
    """Press Enter (each prompt runs the hook) until `condition()` holds; pexpect bounds each step."""
    for _ in range(300):
        if condition():
            return
        term.run("")
        time.sleep(0.2)
    raise AssertionError("the background refresh never happened")


def due_now(home: Path, profile: str, seconds_left: int) -> int:
    """What a shell finds REFRESH_AHEAD before expiry, simulated: the role's cached credentials
    have `seconds_left` left and the profile's refresh time has come; that time is returned."""
    age_role_credentials(home, seconds_left)
    now = int(time.time())
    state_file(home, profile).write_text(f"{now - 1} {now + seconds_left}\n")
    return now - 1


@pytest.mark.parametrize("shell", SHELLS)
def test_the_prompt_refreshes_in_the_background_before_the_aws_cli_would_ask(
    shell: str, mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    term = Interactive(shell, mfa_env, mfa_home)
    shown = []
    try:
        shown.append(switch(term, "acct0-admin", "123456"))
        first = show(term, "AWSCTX_REFRESH_AT", "AWSCTX_EXPIRATION")
        # Twenty minutes before expiry: inside awsctx's 25, outside the AWS CLI's 15.
        due = due_now(mfa_home, "acct0-admin", 20 * 60)
        shown.append(term.run(export(shell, "AWSCTX_REFRESH_AT", str(due))))
        wait_for(lambda: int(state_file(mfa_home, "acct0-admin").read_text().split()[0]) > time.time(), term)
        assert sts.calls["AssumeRole"] == 2
        shown.append(term.run(""))  # the prompt after the refresh: the hook reads what it found
        after = show(term, "AWSCTX_REFRESH_AT", "AWSCTX_EXPIRATION")
        # The AWS CLI in this shell takes the refreshed credentials as they are.
        shown.append(term.run(AWS_CLI_IDENTITY))
        assert ":assumed-role/admin/" in shown[-1]
        shown.extend(term.run("") for _ in range(3))
    finally:
        term.close()
    # Picked up from what the refresh found: due again 25 minutes before the new expiry.
    assert int(after["AWSCTX_REFRESH_AT"]) >= int(first["AWSCTX_REFRESH_AT"]) > due
    assert int(after["AWSCTX_EXPIRATION"]) == int(after["AWSCTX_REFRESH_AT"]) + 25 * 60
    assert int(after["AWSCTX_EXPIRATION"]) > time.time() + 50 * 60
    text = strip_ansi("\n".join(shown))
    assert text.count("MFA code") == 1  # the first switch's; neither the refresh nor the AWS CLI asked
    assert not JOB_NOISE.search(text), text
    assert sts.calls["GetSessionToken"] == 1 and sts.calls["AssumeRole"] == 2


@pytest.mark.parametrize("shell", SHELLS)
def test_the_time_coming_while_nothing_else_changes_starts_the_refresh_at_a_prompt(
    shell: str, mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    """The refresh time is in the future when the prompt last looked; it passes with no command run
    (Enter alone runs no hook before a command): the next prompt sees the clock and refreshes."""
    term = Interactive(shell, mfa_env, mfa_home)
    try:
        switch(term, "acct0-admin", "123456")
        due_now(mfa_home, "acct0-admin", 20 * 60)
        term.run(export(shell, "AWSCTX_REFRESH_AT", str(int(time.time()) + 3)))
        term.run("")
        assert sts.calls["AssumeRole"] == 1  # not yet due
        time.sleep(4)
        # Enter alone, no command (term.run would type one, whose preexec hook could refresh).
        for _ in range(300):
            if int(state_file(mfa_home, "acct0-admin").read_text().split()[0]) > time.time():
                break
            term.child.sendline("")
            time.sleep(0.2)
        else:
            raise AssertionError("no prompt refreshed")
    finally:
        term.close()
    assert sts.calls["AssumeRole"] == 2 and sts.calls["GetSessionToken"] == 1


@pytest.mark.parametrize("shell", SHELLS)
def test_a_command_after_an_idle_prompt_waits_for_the_refresh(
    shell: str, mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    """The prompt was drawn before the refresh came due, and the credentials are now inside the AWS
    CLI's 15 minutes: the hook before the command refreshes first (zsh and fish have one; bash's is
    PS0, or bash-preexec's when it is loaded)."""
    term = Interactive(shell, mfa_env, mfa_home)
    try:
        switch(term, "acct0-admin", "123456")
        due_now(mfa_home, "acct0-admin", 10 * 60)
        expiry = int(time.time()) + 10 * 60
        soon = int(time.time()) + 3
        term.run(f"{export(shell, 'AWSCTX_REFRESH_AT', str(soon))}; {export(shell, 'AWSCTX_EXPIRATION', str(expiry))}")
        time.sleep(4)  # idle at the prompt while the refresh comes due
        shown = term.run(AWS_CLI_IDENTITY)
    finally:
        term.close()
    assert ":assumed-role/admin/" in shown and "MFA" not in shown
    assert sts.calls["AssumeRole"] == 2 and sts.calls["GetSessionToken"] == 1


@pytest.mark.parametrize("shell", SHELLS)
def test_the_hook_starts_no_process_until_due_and_one_refresh_then(
    shell: str, mfa_env: dict[str, str], mfa_home: Path, tmp_path: Path
) -> None:
    assert shutil.which("strace"), "strace is not installed: scripts/test installs it"
    log = tmp_path / "strace.log"
    term = Interactive(
        shell,
        mfa_env,
        mfa_home,
        # fish's own prompt runs git: a prompt of one's own, as in test_prompt.py.
        rc="function fish_prompt; printf '> '; end" if shell == "fish" else "",
        prefix=("strace", "--seccomp-bpf", "-f", "-e", "trace=execve,fork,vfork,clone,clone3,openat", "-o", str(log)),
    )
    try:
        switch(term, "acct0-admin", "123456")
        assert show(term, "AWSCTX_REFRESH_AT")["AWSCTX_REFRESH_AT"]
        term.run("/bin/true refresh-start")
        for _ in range(25):
            term.child.sendline("")
        term.run("/bin/true refresh-due")
        due = due_now(mfa_home, "acct0-admin", 20 * 60)
        term.run(export(shell, "AWSCTX_REFRESH_AT", str(due)))
        for _ in range(10):
            term.child.sendline("")
        term.run("/bin/true refresh-end")
    finally:
        term.close()
    lines = log.read_text().splitlines()

    def at(mark: str) -> int:
        return next(i for i, line in enumerate(lines) if mark in line and "execve(" in line)

    created = re.compile(r"\b(clone3?|v?fork)\(")
    idle = lines[at("refresh-start") + 1 : at("refresh-due")]
    # Only the shell's fork of the next marker.
    assert [line for line in idle if "execve(" in line] == []
    assert len([line for line in idle if created.search(line) and "CLONE_THREAD" not in line]) == 1
    # bash and zsh compare the clock alone until the time comes (fish reads the file at each prompt).
    state = str(state_file(mfa_home, "acct0-admin"))
    if shell != "fish":
        assert [line for line in idle if "openat(" in line and state in line] == []
    assert any("openat(" in line and state in line for line in lines[at("refresh-due") + 1 : at("refresh-end")])
    due_window = lines[at("refresh-due") + 1 : at("refresh-end")]
    refreshes = [line for line in due_window if "execve(" in line and '"refresh"' in line]
    assert len(refreshes) == 1, refreshes


def test_refresh_by_hand_and_what_it_leaves_for_the_shells(
    mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    def refresh(profile: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AWSCTX), "refresh", profile], env=mfa_env, capture_output=True, text=True, timeout=120
        )

    assert refresh("acct0-admin").returncode == 1  # nothing assumed yet, no session: a person must act
    assert state_file(mfa_home, "acct0-admin").read_text().split()[0] == "0"
    whoami = subprocess.run(
        [str(AWSCTX), "whoami", "acct0-admin", "--mfa-code", "123456"], env=mfa_env, capture_output=True, timeout=120
    )
    assert whoami.returncode == 0
    early = refresh("acct0-admin")
    assert early.returncode == 0 and "next refresh" in early.stderr
    assert sts.calls["AssumeRole"] == 1  # not due: nothing done
    due_now(mfa_home, "acct0-admin", 20 * 60)
    assert refresh("acct0-admin").returncode == 0
    assert sts.calls["AssumeRole"] == 2 and sts.calls["GetSessionToken"] == 1
    assert int(state_file(mfa_home, "acct0-admin").read_text().split()[0]) > time.time() + 30 * 60
    plain = refresh("plain")
    assert plain.returncode == 0 and "nothing for awsctx to refresh" in plain.stderr
    assert state_file(mfa_home, "plain").read_text().split()[0] == "0"
    # Down: the shells look again in a while rather than at every prompt.
    due_now(mfa_home, "acct0-admin", 20 * 60)
    down = subprocess.run(
        [str(AWSCTX), "refresh", "acct0-admin"],
        env=dict(mfa_env, AWS_ENDPOINT_URL_STS=closed_port_url()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert down.returncode == 1
    retry = int(state_file(mfa_home, "acct0-admin").read_text().split()[0])
    assert time.time() + 60 < retry <= time.time() + 5 * 60
