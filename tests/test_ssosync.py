"""`awsctx sso sync` against the fake IAM Identity Center, run as a user runs it: the installed
program in a subprocess, HOME in a temporary folder.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.configloader import load_config
from fakesso import FakeSSO, access_key_id_for, sso_cache_dir, write_token_cache
from harness import AWSCTX, PAST, base_env

from awsctx import output
from awsctx.commands import sso as sync_command
from awsctx.errors import UserError
from awsctx.sso import managed, names, portal

SESSION = "corp"
ROLES = ("AdministratorAccess", "PowerUser", "ReadOnly")
HEAD = """# my AWS set-up
[default]
region = us-east-1

[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


@pytest.fixture
def fake() -> Iterator[FakeSSO]:
    with FakeSSO() as server:
        yield server
        assert server.errors == [], "the fake SSO server hit a bug:\n" + "\n".join(server.errors)


@pytest.fixture
def home(tmp_path: Path, fake: FakeSSO) -> Path:
    """A home with one sso-session at the fake, logged in (a valid token in the AWS CLI's cache)."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    write_config(home, HEAD.format(start_url=fake.start_url))
    write_token_cache(sso_cache_dir(home), SESSION, fake.issue_token())
    return home


@pytest.fixture
def env(home: Path, fake: FakeSSO, tmp_path: Path) -> dict[str, str]:
    variables = dict(
        base_env(home),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_ENDPOINT_URL_SSO=fake.url,
        AWS_ENDPOINT_URL_SSO_OIDC=fake.url,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return variables


def write_config(home: Path, text: str, newline: str = "\n") -> Path:
    path = home / ".aws" / "config"
    path.write_bytes(text.replace("\n", newline).encode())
    os.utime(path, (PAST, PAST))
    return path


def config_path(home: Path) -> Path:
    return home / ".aws" / "config"


def sync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Found on the environment's PATH, as a user's shell finds it.
    return subprocess.run(
        ["awsctx", "sso", "sync", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def synced(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = sync(env, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def listed(env: dict[str, str]) -> list[str]:
    """The profiles as `awsctx` lists them (stdout not a terminal: one name a line)."""
    result = subprocess.run([str(AWSCTX)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def botocore_profiles(home: Path) -> dict[str, dict]:
    return load_config(str(config_path(home)))["profiles"]


def block_of(text: str, session: str = SESSION) -> str:
    begin = text.index(f"# >>> awsctx sso sync: sso-session {session} >>>")
    end_marker = f"# <<< awsctx sso sync: sso-session {session} <<<"
    end = text.index(end_marker) + len(end_marker)
    return text[begin:end]


# ---------------------------------------------------------------------------- listing and writing


def test_every_account_and_role_becomes_a_profile_that_awsctx_and_botocore_read(
    env: dict[str, str], home: Path, fake: FakeSSO
) -> None:
    fake.add_accounts(250, roles=ROLES)
    result = synced(env)
    assert fake.calls["ListAccounts"] == 3  # pages of 100
    assert fake.calls["ListAccountRoles"] == 250
    assert "750 roles; 750 added" in result.stderr

    expected = {f"acct-{i:04d}.{role.lower()}" for i in range(250) for role in ROLES}
    ours = listed(env)
    assert set(ours) == expected | {"default"}
    assert len(ours) == 751
    theirs = botocore_profiles(home)
    assert set(theirs) == set(ours)
    assert theirs["acct-0007.readonly"] == {
        "sso_session": SESSION,
        "sso_account_id": "100000000007",
        "sso_role_name": "ReadOnly",
        "region": "us-east-1",
        "aws_account_alias": "acct-0007",
    }
    # The listing follows the file: sorted names inside the block.
    assert ours[1:] == sorted(expected)


def test_roles_are_followed_across_pages(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    roles = [f"Role{i:03d}" for i in range(130)]
    fake.add_account("123456789012", "big", roles=roles)
    synced(env)
    assert fake.calls["ListAccountRoles"] == 2
    assert {name for name in botocore_profiles(home) if name.startswith("big.")} == {
        f"big.{role.lower()}" for role in roles
    }


def test_names_are_safe_and_clashes_are_settled_the_same_whatever_the_order(
    env: dict[str, str], home: Path, fake: FakeSSO
) -> None:
    fake.add_account("111111111111", "Team Alpha (Prod)", roles=["Admin"])
    fake.add_account("222222222222", "dup", roles=["Admin"])
    fake.add_account("333333333333", "dup", roles=["Admin"])
    fake.add_account("444444444444", "Équipe Café", roles=["ReadOnly"])
    fake.add_account("555555555555", "$(touch pwned); `id` [x]\n= y", roles=["Admin"])
    fake.add_account("666666666666", "日本", roles=["Admin"])
    synced(env)
    first = config_path(home).read_bytes()
    names = set(listed(env)) - {"default"}
    assert names == {
        "team-alpha-prod.admin",
        "dup.admin-222222222222",
        "dup.admin-333333333333",
        "equipe-cafe.readonly",
        "touch-pwned-id-x-y.admin",
        "666666666666.admin",
    }
    assert botocore_profiles(home)["touch-pwned-id-x-y.admin"]["aws_account_alias"] == "$(touch pwned); `id` [x] = y"
    assert not (home / "pwned").exists()

    # The same accounts listed in the opposite order give the same file.
    with fake._lock:
        fake.accounts = dict(reversed(list(fake.accounts.items())))
    write_config(home, HEAD.format(start_url=fake.start_url))
    synced(env)
    assert config_path(home).read_bytes() == first


def test_a_second_run_with_nothing_new_rewrites_nothing(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    fake.add_accounts(20, roles=ROLES)
    synced(env)
    before = config_path(home).stat()
    content = config_path(home).read_bytes()
    backup = Path(str(config_path(home)) + ".awsctx-backup").stat()
    result = synced(env)
    after = config_path(home).stat()
    assert config_path(home).read_bytes() == content
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert Path(str(config_path(home)) + ".awsctx-backup").stat().st_mtime_ns == backup.st_mtime_ns
    assert "already up to date" in result.stderr


ODD = """# comments, odd spacing, a [DEFAULT] section, continuation lines and no final newline
; a semicolon comment
[DEFAULT]
cli_pager =

[default]
region=us-east-1
  # an indented comment

[profile   hand ]
output   =   json
region : eu-west-1
s3 =
    max_concurrent_requests = 20
\t
[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_everything_outside_the_block_stays_byte_for_byte(
    env: dict[str, str], home: Path, fake: FakeSSO, newline: str
) -> None:
    original = write_config(home, ODD.format(start_url=fake.start_url), newline).read_bytes()
    fake.add_accounts(3, roles=["ReadOnly"])
    synced(env)
    text = config_path(home).read_bytes()
    head = text[: text.index(b"# >>> awsctx")]
    assert head.startswith(original)
    assert head[len(original) :] == (newline * 2).encode()  # the line end it lacked, and a blank line
    block = block_of(text.decode())
    assert block.count(newline) == block.count("\n")  # the block follows the file's line ends
    assert "cli_pager" not in block  # what [DEFAULT] gives every section is not written out
    if newline == "\r\n":
        assert b"\n" not in text.replace(b"\r\n", b"")

    # The user adds a profile after the block; a new account appears; the next sync keeps both.
    tail = f"{newline}[profile after]{newline}region = ca-central-1{newline}".encode()
    config_path(home).write_bytes(text + tail)
    fake.add_account("999999999999", "late", roles=["ReadOnly"])
    assert "1 added, 0 updated, 0 removed" in synced(env).stderr
    again = config_path(home).read_bytes()
    assert again.startswith(head)
    assert again.endswith(tail)
    assert "late.readonly" in block_of(again.decode())
    ours = set(listed(env))
    assert ours == set(botocore_profiles(home))
    assert {"hand", "after", "late.readonly", "acct-0002.readonly"} <= ours


def test_dry_run_prints_a_diff_and_writes_nothing(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    fake.add_accounts(2, roles=["ReadOnly"])
    before = config_path(home).read_bytes()
    result = synced(env, "--dry-run")
    assert result.stdout.startswith("--- ")
    added = [line[1:] for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert "[profile acct-0000.readonly]" in added
    assert "sso_account_id = 100000000001" in added
    assert not any(line.startswith("-") and not line.startswith("---") for line in result.stdout.splitlines())
    assert config_path(home).read_bytes() == before
    assert not Path(str(config_path(home)) + ".awsctx-backup").exists()
    assert "dry run" in result.stderr

    # The diff is exactly what a real run then writes.
    synced(env)
    applied = subprocess.run(
        ["patch", "--dry-run", "-R", "-p0", str(config_path(home))],
        input=result.stdout,
        capture_output=True,
        text=True,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr


def test_profiles_for_access_that_is_gone_stay_until_prune(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    write_config(home, "[DEFAULT]\ncli_pager =\n\n" + HEAD.format(start_url=fake.start_url))
    fake.add_account("111111111111", "dev", roles=["ReadOnly", "Admin"])
    fake.add_account("222222222222", "prod", roles=["ReadOnly"])
    synced(env)
    fake.remove_account("222222222222")
    with fake._lock:
        fake.accounts["111111111111"].roles.remove("Admin")

    kept = synced(env)
    assert "2 kept" in kept.stderr and "--prune" in kept.stderr
    assert {"dev.readonly", "dev.admin", "prod.readonly"} <= set(botocore_profiles(home))
    block = block_of(config_path(home).read_text())
    assert block.count(managed._STALE_NOTE) == 2
    assert "cli_pager" not in block

    pruned = synced(env, "--prune")
    assert "2 removed" in pruned.stderr
    profiles = botocore_profiles(home)
    assert "dev.readonly" in profiles
    assert "dev.admin" not in profiles and "prod.readonly" not in profiles


@pytest.mark.parametrize("mode", [0o644, 0o600])
def test_the_previous_file_is_backed_up_and_modes_are_kept(
    env: dict[str, str], home: Path, fake: FakeSSO, mode: int
) -> None:
    (home / ".aws").chmod(0o755)
    config_path(home).chmod(mode)
    before = config_path(home).read_bytes()
    fake.add_accounts(2, roles=["ReadOnly"])
    synced(env)
    backup = Path(str(config_path(home)) + ".awsctx-backup")
    assert backup.read_bytes() == before
    assert stat.S_IMODE(config_path(home).stat().st_mode) == mode
    assert stat.S_IMODE(backup.stat().st_mode) == mode
    assert stat.S_IMODE((home / ".aws").stat().st_mode) == 0o755
    assert not [name for name in os.listdir(home / ".aws") if name.endswith(".tmp")]


def test_a_symlinked_config_stays_a_link(env: dict[str, str], home: Path, fake: FakeSSO, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    config_path(home).rename(dotfiles / "aws-config")
    config_path(home).symlink_to(dotfiles / "aws-config")
    fake.add_accounts(1, roles=["ReadOnly"])
    synced(env)
    assert config_path(home).is_symlink()
    assert "[profile acct-0000.readonly]" in (dotfiles / "aws-config").read_text()


@pytest.mark.parametrize("where", ["config", "credentials"])
def test_a_hand_written_profile_of_the_same_name_is_never_overwritten(
    env: dict[str, str], home: Path, fake: FakeSSO, where: str
) -> None:
    if where == "config":
        text = HEAD.format(start_url=fake.start_url) + "\n[profile dev.readonly]\nregion = eu-west-1\n"
        write_config(home, text)
        line = text.splitlines().index("[profile dev.readonly]") + 1
    else:
        (home / ".aws" / "credentials").write_text("[other]\naws_access_key_id = A\n\n[dev.readonly]\nx = y\n")
        line = 4
    before = config_path(home).read_bytes()
    fake.add_account("111111111111", "dev", roles=["ReadOnly", "Admin"])
    result = sync(env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "'dev.readonly'" in result.stderr
    assert f"~/.aws/{where} line {line}" in result.stderr
    assert "nothing was written" in result.stderr
    assert result.stderr.count("\n") == 1
    assert config_path(home).read_bytes() == before
    assert not Path(str(config_path(home)) + ".awsctx-backup").exists()


def test_sessions_keep_to_their_own_blocks(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    lab = f"\n[sso-session lab]\nsso_start_url = {fake.start_url}\nsso_region = us-east-1\n"
    write_config(home, HEAD.format(start_url=fake.start_url) + lab)
    write_token_cache(sso_cache_dir(home), "lab", fake.issue_token())
    fake.add_account("111111111111", "dev", roles=["ReadOnly"])
    # Both sessions reach the same account: the same names for both, refused.
    both = sync(env)
    assert both.returncode == 1
    assert "'dev.readonly' would be written for sso-session 'corp' too" in both.stderr

    synced(env, SESSION)
    corp = block_of(config_path(home).read_text())
    assert "lab" not in corp

    # The same account through the other session would reuse the name: refused, nothing written.
    before = config_path(home).read_bytes()
    clash = sync(env, "lab")
    assert clash.returncode == 1
    assert "already in the awsctx block of sso-session 'corp'" in clash.stderr
    assert config_path(home).read_bytes() == before

    synced(env, "lab", "--template", "{session}-{account_name}.{role_name}")
    after = config_path(home).read_text()
    assert block_of(after) == corp
    assert "[profile lab-dev.readonly]" in block_of(after, "lab")
    assert botocore_profiles(home)["lab-dev.readonly"]["sso_session"] == "lab"


def test_credential_process_profiles_point_at_an_sso_profile(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    fake.add_account("111111111111", "dev", roles=["ReadOnly"])
    synced(env, "--credential-process")
    profiles = botocore_profiles(home)
    assert profiles["dev.readonly"] == {
        "credential_process": f"{AWSCTX} process dev.readonly.sso",
        "region": "us-east-1",
        "aws_account_id": "111111111111",
        "aws_account_alias": "dev",
    }
    assert profiles["dev.readonly.sso"]["sso_role_name"] == "ReadOnly"


def test_boto3_gets_credentials_from_a_synced_profile(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    fake.add_accounts(5, roles=ROLES)
    synced(env)
    probe = (
        "import boto3, sys\n"
        "credentials = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()\n"
        "print(credentials.access_key)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "acct-0003.poweruser"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == access_key_id_for("100000000003", "PowerUser")
    assert fake.calls["GetRoleCredentials"] == 1


def test_credential_process_profiles_work_whatever_path_the_sdk_has(
    env: dict[str, str], home: Path, fake: FakeSSO
) -> None:
    fake.add_account("111111111111", "dev", roles=["ReadOnly"])
    synced(env, "--credential-process")
    probe = (
        "import boto3, sys\n"
        "credentials = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()\n"
        "print(credentials.access_key)\n"
    )
    bare = dict(env, PATH="/usr/bin:/bin")
    result = subprocess.run(
        [sys.executable, "-c", probe, "dev.readonly"], env=bare, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == access_key_id_for("111111111111", "ReadOnly")


def test_doctor_notices_a_credential_process_program_that_is_gone(env: dict[str, str], home: Path) -> None:
    config = home / ".aws" / "config"
    config.write_text(config.read_text() + "\n[profile gone]\ncredential_process = /nowhere/awsctx process x\n")
    result = subprocess.run([str(AWSCTX), "doctor"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "profile 'gone': credential_process runs '/nowhere/awsctx', which does not exist" in result.stderr


# ---------------------------------------------------------------------------- throttling


def test_throttling_is_retried(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    fake.add_accounts(20, roles=["ReadOnly"])
    fake.throttle_next(1, "ListAccounts")
    fake.throttle_next(2, "ListAccountRoles")
    synced(env)
    assert fake.calls["ListAccounts"] == 2
    assert fake.calls["ListAccountRoles"] == 22
    assert len(botocore_profiles(home)) == 21


@pytest.fixture
def in_process(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """This process set up like the subprocesses, botocore retrying nothing by itself, and our own
    backoff recorded instead of waited for: the waits it asked for."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    waits: list[float] = []
    real_wait = portal._throttle_wait

    def recorded(attempt: int) -> float:
        waits.append(real_wait(attempt))
        return 0.0

    monkeypatch.setattr(portal, "_BOTOCORE_ATTEMPTS", 1)
    monkeypatch.setattr(portal, "_throttle_wait", recorded)
    return waits


def test_our_own_backoff_outlasts_botocores_and_doubles(in_process: list[float], home: Path, fake: FakeSSO) -> None:
    fake.add_accounts(1, roles=["ReadOnly"])
    fake.throttle_next(4, "ListAccountRoles")
    assert sync_command.sync(None, False, False, None, False) == 0
    assert fake.calls["ListAccountRoles"] == 5
    assert len(in_process) == 4
    for attempt, wait in enumerate(in_process, start=1):
        assert 0.5 * 2 ** (attempt - 1) <= wait <= 2 ** (attempt - 1)
    assert "acct-0000.readonly" in config_path(home).read_text()


def test_endless_throttling_gives_up_and_writes_nothing(in_process: list[float], home: Path, fake: FakeSSO) -> None:
    fake.add_accounts(1, roles=["ReadOnly"])
    fake.throttle_next(50, "ListAccountRoles")
    before = config_path(home).read_bytes()
    with pytest.raises(UserError, match="kept throttling"):
        sync_command.sync(None, False, False, None, False)
    assert fake.calls["ListAccountRoles"] == 1 + portal._THROTTLE_ROUNDS
    assert config_path(home).read_bytes() == before


def test_a_session_ended_at_the_portal_is_logged_in_again_on_a_terminal(
    in_process: list[float],
    home: Path,
    fake: FakeSSO,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    fake.add_accounts(1, roles=["ReadOnly"])
    fake.revoke_sessions()  # the cached token is in date, the portal refuses it
    fake.auto_approve_after_polls = 0
    monkeypatch.setenv("BROWSER", "true")
    monkeypatch.setattr(output, "is_terminal", lambda stream: True)
    assert sync_command.sync(None, False, False, None, False) == 0
    assert fake.calls["StartDeviceAuthorization"] == 1
    assert fake.calls["ListAccounts"] == 2  # refused, then listed with the new login
    assert "acct-0000.readonly" in config_path(home).read_text()
    assert "no longer accepts the login for sso-session 'corp'; logging in again" in capfd.readouterr().err


def test_throttling_narrows_the_pool_once_per_pause_and_successes_widen_it_again() -> None:
    throttle = portal._Throttle(16)
    throttle.acquire()
    throttle.acquire()
    throttle.release(throttled_for=60.0)
    assert throttle.limit == 8
    throttle.release(throttled_for=60.0)  # throttled within the same pause: narrowed once
    assert throttle.limit == 8
    throttle._until = 0.0  # the pause is over
    for _ in range(8):
        throttle.acquire()
        throttle.release()
    assert throttle.limit == 9


def test_a_stopped_pool_lets_no_waiting_worker_start() -> None:
    import threading

    throttle = portal._Throttle(1)
    throttle.acquire()
    outcome: list[str] = []

    def worker() -> None:
        try:
            throttle.acquire()
            outcome.append("started")
        except portal._Stopped:
            outcome.append("stopped")

    thread = threading.Thread(target=worker)
    thread.start()
    throttle.stop()
    thread.join(timeout=30)
    assert outcome == ["stopped"]


# ---------------------------------------------------------------------------- what the user can get wrong


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["nosuch"], 1, ["no [sso-session nosuch] section", "'corp'"]),
        (["--template", "{account_name}"], 2, ["{role_name}"]),
        (["--template", "{role_name}.{acount}"], 2, ["unknown placeholder {acount}"]),
        (["--template", "{role_name.__class__}.{account_id}"], 2, ["unknown placeholder"]),
    ],
)
def test_mistakes_are_one_line_naming_the_fix(
    env: dict[str, str], home: Path, args: list[str], status: int, words: list[str]
) -> None:
    before = config_path(home).read_bytes()
    result = sync(env, *args)
    assert result.returncode == status
    for word in words:
        assert word in result.stderr
    assert result.stderr.count("\n") == 1
    assert config_path(home).read_bytes() == before


def test_no_login_without_a_terminal_says_how(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    for token in sso_cache_dir(home).iterdir():
        token.unlink()
    result = sync(env)
    assert result.returncode == 1
    assert "awsctx login --sso-session corp" in result.stderr
    assert fake.calls["ListAccounts"] == 0


def test_a_broken_block_is_named_by_line_and_left_alone(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    text = HEAD.format(start_url=fake.start_url) + "\n# >>> awsctx sso sync: sso-session corp >>>\n[profile x]\n"
    write_config(home, text)
    fake.add_accounts(1, roles=["ReadOnly"])
    result = sync(env)
    assert result.returncode == 1
    assert f"line {len(text.splitlines()) - 1}" in result.stderr and "no end marker" in result.stderr
    assert config_path(home).read_text() == text


# ---------------------------------------------------------------------------- names, in-process


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Team Alpha", "team-alpha"),
        ("--dash..", "dash"),
        ("a:b=c@d", "a-b-c-d"),
        ("Ünïcödé", "unicode"),
        ("tab\there", "tab-here"),
        ("日本", ""),
    ],
)
def test_safe_name(text: str, name: str) -> None:
    assert names.safe_name(text) == name


def test_a_reserved_name_gets_the_account_id() -> None:
    grant = portal.Grant("123456789012", "default", "x")
    assert names.profile_names([grant], "{account_name}", "corp") == {grant: "default-123456789012"}


def test_lines_split_where_the_config_reader_splits_them() -> None:
    assert managed.split_lines("a\r\nb\rc\nd\x0ce\u2028f") == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f"]
    assert managed.split_lines("") == []


def test_markers_name_the_session_as_written() -> None:
    lines = managed.split_lines(
        '# >>> awsctx sso sync: sso-session a "b" >>>\r\n# <<< awsctx sso sync: sso-session a "b" <<< '
    )
    (block,) = managed.find_blocks(lines, "config")
    assert (block.session, block.begin, block.end) == ('a "b"', 0, 1)


def test_a_temporary_file_a_killed_sync_left_is_removed_by_the_next(
    env: dict[str, str], home: Path, fake: FakeSSO
) -> None:
    (home / ".aws").chmod(0o755)
    config_path(home).chmod(0o644)
    # What a sync killed mid-write leaves: the whole new config, under the pid of a process now gone.
    stray = home / ".aws" / ".config.99999999.tmp"
    stray.write_text("[profile half-written]\n")
    fake.add_accounts(2, roles=["ReadOnly"])
    synced(env)
    assert not stray.exists()
    assert not [name for name in os.listdir(home / ".aws") if name.endswith(".tmp")]
    assert stat.S_IMODE((home / ".aws").stat().st_mode) == 0o755
    assert stat.S_IMODE(config_path(home).stat().st_mode) == 0o644


@pytest.mark.parametrize("failure", [KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left on device")])
def test_an_interrupted_or_failed_write_changes_no_mode_and_leaves_no_file(
    home: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    folder = home / ".aws"
    folder.chmod(0o755)
    config_path(home).chmod(0o644)
    before = config_path(home).read_bytes()

    def interrupted(descriptor: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises((KeyboardInterrupt, UserError)) as raised:
        managed.write_config(str(config_path(home)), before.decode(), "[profile new]\n")
    if isinstance(failure, OSError):
        message = str(raised.value)
        assert "the disk is full" in message and "permissions" not in message, message
        assert len(message.splitlines()) == 1
    assert config_path(home).read_bytes() == before
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE(config_path(home).stat().st_mode) == 0o644
    assert not [name for name in os.listdir(folder) if name.endswith(".tmp")]
