"""awsctx.sso against the fake IAM Identity Center over real HTTP, with HOME in a temporary folder.

Polls never wait real seconds: `ensure_token` takes the sleep function, and the tests pass one that
records the intervals (and approves, denies or expires the login at the fake server when told to).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pexpect
import pytest
from fakesso import (
    SSO_ACCOUNT_ACCESS_SCOPE,
    FakeSSO,
    access_key_id_for,
    sso_cache_dir,
    sso_session_config,
    token_cache_key,
    write_token_cache,
)
from harness import SEED

from awsctx import locks
from awsctx.commands import login as login_command
from awsctx.errors import UserError
from awsctx.sso import oidc, sessions, tokens

pytest_plugins = ["conftest_sso"]

REPO = Path(__file__).resolve().parents[1]
ACCOUNT = "111111111111"
ROLE = "ReadOnly"
SESSION = "corp"
TOKEN_FIELDS = {
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
}


def legacy_config(start_url: str, region: str | None = "us-east-1") -> str:
    return (
        "[profile legacy]\n"
        f"sso_start_url = {start_url}\n"
        + (f"sso_region = {region}\n" if region else "")
        + f"sso_account_id = {ACCOUNT}\n"
        f"sso_role_name = {ROLE}\n"
    )


@pytest.fixture
def home(aws_home: Path, sso_endpoints: FakeSSO, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME with a `dev` profile on sso-session `corp` and a legacy profile `legacy`, both at the fake."""
    # awsctx's own cache (lock files, parsed config) goes under HOME too, never the real one.
    monkeypatch.setenv("XDG_CACHE_HOME", str(aws_home / ".cache"))
    text = sso_session_config(
        profile="dev", session_name=SESSION, start_url=sso_endpoints.start_url, account_id=ACCOUNT, role_name=ROLE
    )
    (aws_home / ".aws" / "config").write_text(text + "\n" + legacy_config(sso_endpoints.start_url))
    return aws_home


@pytest.fixture
def fake(home: Path, sso_endpoints: FakeSSO) -> FakeSSO:
    return sso_endpoints


class Sleeper:
    """The sleep function given to ensure_token: records intervals, acts at the fake on the Nth call."""

    def __init__(self, at: int | None = None, action: Callable[[], Any] | None = None) -> None:
        self.intervals: list[float] = []
        self.at = at
        self.action = action

    def __call__(self, seconds: float) -> None:
        self.intervals.append(seconds)
        if self.action is not None and len(self.intervals) == self.at:
            self.action()
        assert len(self.intervals) < 100, "polling never ends"


def epoch(text: str) -> float:
    """A cache file's `...Z` time in epoch seconds."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def session_target() -> sessions.Target:
    return sessions.target_for_session(SESSION)


def cache_files(home: Path) -> list[str]:
    folder = sso_cache_dir(home)
    return sorted(os.listdir(folder)) if folder.exists() else []


def read_cached(home: Path, key: str = SESSION) -> dict[str, Any]:
    return json.loads((sso_cache_dir(home) / f"{token_cache_key(key)}.json").read_text())


def child_env(home: Path, fake: FakeSSO, **extra: str) -> dict[str, str]:
    """The environment for a child process: this HOME and the fake's endpoints, nothing of the machine's."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_ENDPOINT_URL_SSO": fake.url,
        "AWS_ENDPOINT_URL_SSO_OIDC": fake.url,
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


# ---------------------------------------------------------------------------- resolving the target


def test_session_target_and_cache_key(home: Path, fake: FakeSSO) -> None:
    target = sessions.target_for_profile("dev")
    assert target == sessions.Target(fake.start_url, "us-east-1", SESSION, (SSO_ACCOUNT_ACCESS_SCOPE,), profile="dev")
    assert target.token_path == str(sso_cache_dir(home) / f"{hashlib.sha1(b'corp').hexdigest()}.json")
    legacy = sessions.target_for_profile("legacy")
    assert legacy.session_name is None
    assert legacy.token_path.endswith(hashlib.sha1(fake.start_url.encode()).hexdigest() + ".json")


def test_missing_sso_region_on_a_legacy_profile_names_profile_key_and_file(home: Path) -> None:
    (home / ".aws" / "config").write_text((SEED / "config").read_text())
    with pytest.raises(UserError) as caught:
        sessions.target_for_profile("client2-with-sso")
    message = str(caught.value)
    assert "client2-with-sso" in message
    assert "sso_region" in message
    assert "~/.aws/config" in message
    with pytest.raises(UserError, match="sso_region"):
        login_command.run_login("client2-with-sso", None, open_browser=False)


def test_unknown_sso_session_is_named(home: Path) -> None:
    (home / ".aws" / "config").write_text("[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n")
    with pytest.raises(UserError) as caught:
        sessions.target_for_profile("p")
    assert "'nope'" in str(caught.value)
    assert "~/.aws/config" in str(caught.value)
    with pytest.raises(UserError, match="nope"):
        sessions.target_for_session("nope")


def test_sso_session_without_region_names_section_key_and_file(home: Path) -> None:
    (home / ".aws" / "config").write_text("[sso-session s]\nsso_start_url = https://x.awsapps.com/start\n")
    with pytest.raises(UserError) as caught:
        sessions.target_for_session("s")
    assert "[sso-session s]" in str(caught.value)
    assert "sso_region" in str(caught.value)
    assert "~/.aws/config" in str(caught.value)


def test_a_profile_without_sso_says_so(home: Path) -> None:
    (home / ".aws" / "config").write_text("[profile keys]\nregion = eu-west-1\n")
    with pytest.raises(UserError, match=r"'keys'.*does not use IAM Identity Center"):
        sessions.target_for_profile("keys")


def test_registration_scopes_parse_like_the_cli(home: Path) -> None:
    assert sessions.parse_scopes(" a:b , ,c:d,") == ("a:b", "c:d")
    (home / ".aws" / "config").write_text(
        "[sso-session s]\nsso_start_url = https://x\nsso_region = eu-west-1\n"
        "sso_registration_scopes = codewhisperer:x\n"
    )
    # sso:account:access is added: role credentials and refresh tokens need it.
    assert sessions.target_for_session("s").scopes == ("codewhisperer:x", SSO_ACCOUNT_ACCESS_SCOPE)


# ---------------------------------------------------------------------------- the device-code login


def test_device_flow_pending_then_approved(home: Path, fake: FakeSSO, capfd: pytest.CaptureFixture[str]) -> None:
    sleeper = Sleeper(at=2, action=fake.approve)
    token = oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=sleeper)

    assert sleeper.intervals == [1, 1]  # the server's interval, twice pending, then approved
    assert fake.calls["RegisterClient"] == 1
    assert fake.calls["StartDeviceAuthorization"] == 1
    assert fake.calls["CreateToken"] == 3
    register = next(r for r in fake.requests if r.operation == "RegisterClient")
    assert register.body["scopes"] == [SSO_ACCOUNT_ACCESS_SCOPE]

    assert set(token) == TOKEN_FIELDS
    assert token["accessToken"] in fake.valid_access_tokens()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token["expiresAt"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token["registrationExpiresAt"])
    # The times the server gave the token and the registration, not just any time in that form.
    assert abs(epoch(token["expiresAt"]) - fake.access_tokens[token["accessToken"]].expires_at) <= 1
    assert abs(epoch(token["registrationExpiresAt"]) - fake.clients[token["clientId"]].expires_at) <= 1
    assert token["startUrl"] == fake.start_url
    assert token["region"] == "us-east-1"
    assert read_cached(home) == token

    out, err = capfd.readouterr()
    assert out == ""  # stdout may be the shell function's: the code goes to stderr
    auth = fake.last_device_authorization
    assert auth is not None
    assert auth.user_code in err
    assert fake.verification_uri in err


def test_slow_down_adds_five_seconds_each_time(home: Path, fake: FakeSSO) -> None:
    fake.slow_down_next(2)
    fake.auto_approve_after_polls = 3
    sleeper = Sleeper()
    oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=sleeper)
    assert sleeper.intervals == [6, 11, 11]


@pytest.mark.parametrize(
    ("act", "words"),
    [
        ("expire_device_code", "expired before it was approved"),
        ("deny", "was denied in the browser"),
    ],
)
def test_expired_or_denied_login_is_a_clear_error_and_writes_nothing(
    home: Path, fake: FakeSSO, act: str, words: str
) -> None:
    sleeper = Sleeper(at=1, action=getattr(fake, act))
    with pytest.raises(UserError) as caught:
        oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=sleeper)
    assert words in str(caught.value)
    assert "awsctx login --sso-session corp" in str(caught.value)
    assert cache_files(home) == []


def test_a_device_code_that_never_expires_at_the_server_still_ends(home: Path, fake: FakeSSO) -> None:
    fake.device_code_ttl = 5  # polls take no real time here, so the server never gets to say it
    sleeper = Sleeper()
    with pytest.raises(UserError, match="expired"):
        oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=sleeper)
    assert sum(sleeper.intervals) >= 5
    assert cache_files(home) == []


def test_not_interactive_asks_to_run_awsctx_login(home: Path, fake: FakeSSO) -> None:
    with pytest.raises(sessions.LoginRequiredError, match=r"run `awsctx login dev`"):
        oidc.ensure_token(sessions.target_for_profile("dev"), interactive=False, open_browser=False)
    assert fake.calls["StartDeviceAuthorization"] == 0


def test_ctrl_c_while_waiting_propagates_and_writes_nothing(home: Path, fake: FakeSSO) -> None:
    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    target = session_target()
    with pytest.raises(KeyboardInterrupt):
        oidc.ensure_token(target, interactive=True, open_browser=False, sleep=interrupt)
    assert cache_files(home) == []
    # The login lock went with it.
    with locks.locked(os.path.join(home, ".cache", "awsctx", "locks", f"sso-{target.cache_key}.lock"), timeout=0):
        pass


def test_ctrl_c_in_a_terminal_exits_130_without_traceback(home: Path, fake: FakeSSO) -> None:
    script = (
        "import sys; from awsctx.commands import login as login_command; "
        "sys.exit(login_command.run_login('dev', None, open_browser=False))"
    )
    child = pexpect.spawn(
        sys.executable, ["-c", script], env=child_env(home, fake, TERM="dumb"), encoding="utf-8", timeout=60
    )
    try:
        child.expect(r"code  [A-Z]{4}-[A-Z]{4}")
        child.expect("waiting for approval")  # the indicator: stderr is a terminal here
        child.sendintr()
        child.expect(pexpect.EOF)
        transcript = child.before
    finally:
        child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in transcript
    assert "login cancelled" in transcript
    assert cache_files(home) == []


def test_run_login_messages_and_reuse(home: Path, fake: FakeSSO, capfd: pytest.CaptureFixture[str]) -> None:
    fake.auto_approve_after_polls = 0
    assert login_command.run_login("dev", None, open_browser=False) == 0
    assert "✔ logged in to sso-session 'corp'" in capfd.readouterr().err
    assert login_command.run_login(None, SESSION, open_browser=False) == 0
    out, err = capfd.readouterr()
    assert "already logged in" in err
    assert out == ""
    assert fake.calls["StartDeviceAuthorization"] == 1
    assert login_command.run_login("dev", None, open_browser=False, force=True) == 0
    assert fake.calls["StartDeviceAuthorization"] == 2


def test_run_login_defaults_to_aws_profile(home: Path, fake: FakeSSO, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.auto_approve_after_polls = 0
    monkeypatch.setenv("AWS_PROFILE", "legacy")
    assert login_command.run_login(None, None, open_browser=False) == 0
    assert (sso_cache_dir(home) / f"{token_cache_key(fake.start_url)}.json").exists()
    monkeypatch.delenv("AWS_PROFILE")
    with pytest.raises(UserError, match="awsctx login NAME"):
        login_command.run_login(None, None, open_browser=False)


def test_browser_from_BROWSER_gets_the_page_and_stdout_stays_clean(home: Path, fake: FakeSSO, tmp_path: Path) -> None:
    """The browser (here a script that visits the page, which approves the code) is started through
    `webbrowser`, which honours BROWSER; what it prints must not reach awsctx's stdout."""
    fake.approve_on_visit = True
    browser = tmp_path / "browser"
    browser.write_text(
        f"#!{sys.executable}\n"
        "import sys, urllib.request\n"
        "print('browser chatter on stdout')\n"
        "urllib.request.urlopen(sys.argv[1]).read()\n"
    )
    browser.chmod(0o755)
    script = (
        "import sys; from awsctx.commands import login as login_command; "
        "sys.exit(login_command.run_login('dev', None, open_browser=True))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=child_env(home, fake, BROWSER=str(browser)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert fake.calls["VerificationPage"] == 1
    assert "browser chatter" in result.stderr
    assert "logged in" in result.stderr


# ---------------------------------------------------------------------------- the cache, shared with the AWS CLI


def test_refresh_with_the_refresh_token_needs_no_browser(home: Path, fake: FakeSSO, tmp_path: Path) -> None:
    old = fake.issue_token(expires_in=60)  # inside the expiry margin: due for renewal
    write_token_cache(sso_cache_dir(home), SESSION, old)
    token = oidc.ensure_token(session_target(), interactive=False, open_browser=True)

    assert fake.calls["CreateToken"] == 1
    assert fake.calls["StartDeviceAuthorization"] == 0
    assert fake.calls["RegisterClient"] == 0
    assert fake.calls["VerificationPage"] == 0
    refresh = next(r for r in fake.requests if r.operation == "CreateToken")
    assert refresh.body["grantType"] == "refresh_token"
    assert token["accessToken"] != old["accessToken"]
    assert token["accessToken"] in fake.valid_access_tokens()
    assert token["refreshToken"] != old["refreshToken"]  # the fake rotates them
    assert token["refreshToken"] in fake.refresh_tokens  # and this is the one it issued
    assert {key: token[key] for key in ("clientId", "clientSecret", "registrationExpiresAt")} == {
        key: old[key] for key in ("clientId", "clientSecret", "registrationExpiresAt")
    }
    assert tokens.is_fresh(token)
    assert read_cached(home) == token


def test_a_refused_refresh_falls_back_to_a_login(home: Path, fake: FakeSSO) -> None:
    old = fake.issue_token(expires_in=60)
    write_token_cache(sso_cache_dir(home), SESSION, old)
    fake.revoke_refresh_tokens()
    with pytest.raises(sessions.LoginRequiredError):
        oidc.ensure_token(session_target(), interactive=False, open_browser=False)
    assert read_cached(home) == old
    fake.auto_approve_after_polls = 0
    token = oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    assert fake.calls["StartDeviceAuthorization"] == 1
    assert fake.calls["RegisterClient"] == 0  # the registration in the token file still serves
    assert token["clientId"] == old["clientId"]


def test_a_rejected_token_is_marked_expired_unless_a_newer_one_replaced_it(home: Path, fake: FakeSSO) -> None:
    old = fake.issue_token()
    write_token_cache(sso_cache_dir(home), SESSION, old)
    oidc.reject(session_target(), old)
    marked = read_cached(home)
    assert not tokens.is_fresh(marked, margin=0)
    assert {key: value for key, value in marked.items() if key != "expiresAt"} == {
        key: value for key, value in old.items() if key != "expiresAt"
    }
    newer = fake.issue_token()
    write_token_cache(sso_cache_dir(home), SESSION, newer)
    oidc.reject(session_target(), old)  # another process logged in meanwhile: its token stays
    assert read_cached(home) == newer


def test_a_refused_renewal_says_the_login_ended(home: Path, fake: FakeSSO) -> None:
    old = fake.issue_token()
    write_token_cache(sso_cache_dir(home), SESSION, old)
    oidc.reject(session_target(), old)
    fake.revoke_sessions()
    with pytest.raises(sessions.LoginRequiredError, match=r"has ended .*refused to renew it.*awsctx login"):
        oidc.ensure_token(session_target(), interactive=False, open_browser=False)


@pytest.mark.parametrize("profile", ["dev", "legacy"])
def test_a_token_awsctx_wrote_serves_botocore(home: Path, fake: FakeSSO, profile: str) -> None:
    fake.auto_approve_after_polls = 0
    oidc.ensure_token(sessions.target_for_profile(profile), interactive=True, open_browser=False, sleep=Sleeper())
    calls_after_login = fake.calls["CreateToken"]
    # A child process, so that botocore computes its cache folder from this HOME.
    script = textwrap.dedent(
        f"""
        import boto3
        credentials = boto3.Session(profile_name={profile!r}).get_credentials().get_frozen_credentials()
        print(credentials.access_key)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=child_env(home, fake), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == access_key_id_for(ACCOUNT, ROLE)
    assert fake.calls["GetRoleCredentials"] == 1
    assert fake.calls["CreateToken"] == calls_after_login  # botocore found the token good as it was


def test_botocore_refreshes_with_what_awsctx_cached(home: Path, fake: FakeSSO) -> None:
    """The registration kept in the token file is what botocore's own token refresh needs."""
    fake.auto_approve_after_polls = 0
    token = oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    path = sso_cache_dir(home) / f"{token_cache_key(SESSION)}.json"
    path.write_text(json.dumps({**token, "expiresAt": tokens.format_time(time.time() + 60)}))
    script = textwrap.dedent(
        """
        import boto3
        print(boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials().access_key)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=child_env(home, fake), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(path.read_text())["accessToken"] != token["accessToken"]
    assert tokens.read_token(session_target()) is not None


@pytest.mark.parametrize("profile", ["dev", "legacy"])
def test_a_token_written_by_aws_sso_login_serves_awsctx(home: Path, fake: FakeSSO, profile: str) -> None:
    cached = fake.issue_token()
    key = SESSION if profile == "dev" else fake.start_url
    write_token_cache(sso_cache_dir(home), key, cached)
    token = oidc.ensure_token(sessions.target_for_profile(profile), interactive=False, open_browser=False)
    assert token == cached
    assert sum(fake.calls.values()) == 0


def test_old_cli_time_formats_are_read() -> None:
    expected = 1700000000.0
    for text in ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20UTC", "2023-11-14T22:13:20+00:00"):
        assert tokens.parse_time(text) == expected
    assert tokens.parse_time("2023-11-14T22:13:20.123456789Z") == pytest.approx(expected + 0.123456)
    assert tokens.parse_time("garbage") is None
    assert tokens.parse_time(17) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b'{"startUrl": "https://fake-sso.awsapps.com/start", "accessTo',
        b"[]",
        b"\xff\xfe\x00\x01",
        b'{"accessToken": 5, "expiresAt": "2999-01-01T00:00:00Z"}',
        b'{"accessToken": "x", "expiresAt": "tomorrow"}',
        b'{"accessToken": "x", "expiresAt": "2999-01-01T00:00:00Z", "startUrl": "https://other.awsapps.com/start"}',
    ],
)
def test_a_corrupt_cache_file_is_a_miss_and_gets_replaced(home: Path, fake: FakeSSO, content: bytes) -> None:
    folder = sso_cache_dir(home)
    folder.mkdir(parents=True)
    path = folder / f"{token_cache_key(SESSION)}.json"
    path.write_bytes(content)
    assert tokens.read_token(session_target()) is None
    with pytest.raises(sessions.LoginRequiredError):
        oidc.ensure_token(session_target(), interactive=False, open_browser=False)
    fake.auto_approve_after_polls = 0
    token = oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    assert json.loads(path.read_text()) == token


def test_an_unreadable_cache_file_is_a_miss(home: Path, fake: FakeSSO) -> None:
    # A folder where the file should be: unreadable as a file even for root, who reads any mode.
    path = Path(sessions.target_for_session(SESSION).token_path)
    path.mkdir(parents=True)
    assert tokens.read_token(session_target()) is None


@pytest.mark.parametrize("existing", [None, 0o777])
def test_cache_files_are_private_whatever_the_umask(home: Path, fake: FakeSSO, existing: int | None) -> None:
    folder = sso_cache_dir(home)
    if existing is not None:
        folder.mkdir(parents=True)
        folder.chmod(existing)
    fake.auto_approve_after_polls = 0
    previous = os.umask(0)
    try:
        oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    if existing is None:  # ~/.aws/sso made here too, not left to the umask
        assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    names = cache_files(home)
    assert len(names) == 2  # the token and the client registration
    for name in names:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600


def test_the_client_registration_is_shared_with_the_aws_cli(home: Path, fake: FakeSSO) -> None:
    """Cached under the name `aws sso login` gives it, and reused from there."""
    fake.auto_approve_after_polls = 0
    token = oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    # The name the AWS CLI v2 gives it: computed once by running its own
    # BaseSSOTokenFetcher._registration_cache_key (awscli/botocore/utils.py, aws/aws-cli branch v2
    # at 73fb33bb171ace3e9eaa03308f76e5de50c21393) for this start URL, sso_region us-east-1,
    # scopes ["sso:account:access"] and session name "corp".
    assert (fake.start_url, SESSION) == ("https://fake-sso.awsapps.com/start", "corp")
    name = "ba2d9a967d71dd9ea20ea170ae9b0ee7e866c1ad.json"
    registration = json.loads((sso_cache_dir(home) / name).read_text())
    assert set(registration) == {"clientId", "clientSecret", "expiresAt", "scopes"}
    assert registration["clientId"] == token["clientId"]
    # The token file gone, a new login still registers nothing.
    os.remove(sso_cache_dir(home) / f"{token_cache_key(SESSION)}.json")
    oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    assert fake.calls["RegisterClient"] == 1
    assert fake.calls["StartDeviceAuthorization"] == 2


def test_a_revoked_registration_is_replaced(home: Path, fake: FakeSSO) -> None:
    fake.auto_approve_after_polls = 0
    oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    os.remove(sso_cache_dir(home) / f"{token_cache_key(SESSION)}.json")
    fake.fail_next("StartDeviceAuthorization", "InvalidClientException")
    token = oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    assert fake.calls["RegisterClient"] == 2
    assert token["accessToken"] in fake.valid_access_tokens()


# ---------------------------------------------------------------------------- many callers, one login


PARALLEL_CALLER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from awsctx.commands import login as login_command
    from awsctx.sso import oidc
    from awsctx.sso import sessions
    from awsctx.sso import tokens
    target = sessions.target_for_session("corp")
    Path(sys.argv[1]).touch()
    token = oidc.ensure_token(
        target, interactive=sys.argv[2] == "1", open_browser=False, sleep=lambda seconds: time.sleep(0.02)
    )
    print(token["accessToken"])
    """
)


def run_parallel(home: Path, fake: FakeSSO, tmp_path: Path, interactive: bool, count: int = 10) -> list[str]:
    ready = [tmp_path / f"ready-{index}" for index in range(count)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", PARALLEL_CALLER, str(marker), "1" if interactive else "0"],
            env=child_env(home, fake),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for marker in ready
    ]
    try:
        if interactive:
            # Every caller under way before the login is approved, so they overlap.
            deadline = time.monotonic() + 60
            while not all(marker.exists() for marker in ready) and time.monotonic() < deadline:
                time.sleep(0.02)
            fake.wait_for_device_authorization(timeout=60)
            fake.approve()
        results = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert [child.returncode for child in children] == [0] * count, [err for _, err in results]
    return [out.strip() for out, _ in results]


def test_ten_parallel_callers_cause_one_login(home: Path, fake: FakeSSO, tmp_path: Path) -> None:
    tokens = run_parallel(home, fake, tmp_path, interactive=True)
    assert fake.calls["StartDeviceAuthorization"] == 1
    assert fake.calls["RegisterClient"] == 1
    assert len(set(tokens)) == 1
    assert tokens[0] == read_cached(home)["accessToken"]


def test_ten_parallel_callers_cause_one_refresh(home: Path, fake: FakeSSO, tmp_path: Path) -> None:
    fake.reuse_refresh_tokens = False  # a second use of the refresh token would be refused
    write_token_cache(sso_cache_dir(home), SESSION, fake.issue_token(expires_in=60))
    tokens = run_parallel(home, fake, tmp_path, interactive=False)
    assert fake.calls["CreateToken"] == 1
    assert len(set(tokens)) == 1


# ---------------------------------------------------------------------------- failures of the network


def test_server_down_is_a_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSSO() as gone:
        url = gone.url
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", url)
    with pytest.raises(UserError) as caught:
        oidc.ensure_token(session_target(), interactive=True, open_browser=False, sleep=Sleeper())
    message = str(caught.value)
    assert "cannot reach IAM Identity Center" in message
    assert "\n" not in message
    assert cache_files(home) == []


def test_server_down_during_refresh_is_a_clear_error(
    home: Path, fake: FakeSSO, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_token_cache(sso_cache_dir(home), SESSION, fake.issue_token(expires_in=60))
    with FakeSSO() as gone:
        url = gone.url
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", url)
    with pytest.raises(UserError, match="cannot reach IAM Identity Center"):
        oidc.ensure_token(session_target(), interactive=False, open_browser=False)


def test_boto3_is_not_imported_for_a_cached_token(home: Path, fake: FakeSSO) -> None:
    write_token_cache(sso_cache_dir(home), SESSION, fake.issue_token())
    script = textwrap.dedent(
        """
        import sys
        from awsctx.commands import login as login_command
        from awsctx.sso import oidc
        from awsctx.sso import sessions
        from awsctx.sso import tokens
        oidc.ensure_token(sessions.target_for_session("corp"), interactive=False, open_browser=False)
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("botocore", "boto3")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=child_env(home, fake), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
