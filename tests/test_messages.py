"""Messages for mistakes in the files and the environment: each names the line and the fix, never
a secret, and a closed or full stdout is one line, not a traceback. A login IAM Identity Center
ended while it was in date is named with the command that logs in again, and that command does."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakesso import FakeSSO, sso_cache_dir, sso_session_config, token_cache_key, write_token_cache
from harness import AWSCTX, base_env, make_home, write_aws
from stsproxy import StsProxy


def awsctx(env: dict[str, str], *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AWSCTX), *args], env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


def test_a_mangled_header_in_the_credentials_file_is_named_with_its_form(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    write_aws(home, config="[profile dev]\nregion = us-east-1\n", credentials="default]\naws_access_key_id = AKIA1\n")
    result = awsctx(base_env(home))
    assert result.returncode != 0
    assert "line 1: 'default]' is a section header missing its '['; write '[default]'" in result.stderr
    assert "the credentials file names a profile [NAME]" in result.stderr


def test_a_mangled_header_in_the_config_names_the_profile_form(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    write_aws(home, config="[profile dev]\nregion = us-east-1\n[profile prod\nregion = us-east-1\n")
    result = awsctx(base_env(home))
    assert "line 3: '[profile prod' is a section header missing its ']'; write '[profile prod]'" in result.stderr
    assert "[profile NAME]" in result.stderr


def test_a_mangled_secret_line_is_named_by_its_key_never_its_value(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    write_aws(
        home,
        config="[profile dev]\nregion = us-east-1\n",
        credentials=f"[dev]\naws_access_key_id = AKIA1\naws_secret_access_key {secret}\n",
    )
    result = awsctx(base_env(home))
    assert result.returncode != 0
    assert secret not in result.stderr
    assert "line 3: the aws_secret_access_key line (value not shown)" in result.stderr


def test_doctor_treats_no_config_and_no_profiles_as_problems(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    env = base_env(home)
    result = awsctx(env, "doctor")
    assert result.returncode == 1
    assert "does not exist" in result.stderr + result.stdout
    assert "no profiles in" in result.stderr + result.stdout
    assert "0 profiles" not in result.stderr + result.stdout
    named = awsctx(dict(env, AWS_CONFIG_FILE=str(tmp_path / "nothing-here")), "doctor")
    assert named.returncode == 1
    assert "AWS_CONFIG_FILE names" in named.stderr + named.stdout


def test_a_full_stdout_is_one_line(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    with open("/dev/full", "w") as full:
        result = awsctx(base_env(home), stdout=full.fileno())
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.strip().splitlines() == ["awsctx: error: cannot write the output (No space left on device)"]


def test_a_closed_stdout_is_one_line(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    result = subprocess.run(
        f"'{AWSCTX}' >&-", shell=True, env=base_env(home), stderr=subprocess.PIPE, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.fixture
def portal() -> Iterator[FakeSSO]:
    with FakeSSO(auto_approve_after_polls=0) as server:
        server.add_account("111111111111", "dev", roles=["ReadOnly"])
        yield server
        assert server.errors == []


def sso_home(tmp_path: Path, portal: FakeSSO) -> tuple[Path, dict]:
    """A home whose `dev` profile logs in to sso-session `corp` at the fake portal, logged in."""
    home = make_home(tmp_path, seed=False)
    config = sso_session_config(
        profile="dev", session_name="corp", start_url=portal.start_url, account_id="111111111111", role_name="ReadOnly"
    )
    write_aws(home, config=config)
    token = portal.issue_token()
    write_token_cache(sso_cache_dir(home), "corp", token)
    return home, token


def sso_env(home: Path, portal: FakeSSO, sts: StsProxy) -> dict[str, str]:
    return dict(
        base_env(home),
        AWS_ENDPOINT_URL_SSO=portal.url,
        AWS_ENDPOINT_URL_SSO_OIDC=portal.url,
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
        BROWSER="true",
    )


def run_quietly(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """awsctx with no terminal to ask on."""
    return subprocess.run(
        [str(AWSCTX), *args], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def test_a_session_ended_at_the_portal_is_an_expired_login_every_message_names(
    tmp_path: Path, portal: FakeSSO, sts: StsProxy
) -> None:
    home, token = sso_home(tmp_path, portal)
    portal.revoke_sessions()  # in date for the client, refused by the portal
    env = sso_env(home, portal, sts)
    for words, login in (
        (("whoami", "dev"), "awsctx login dev"),
        (("process", "dev"), "awsctx login dev"),
        (("export", "dev"), "awsctx login dev"),
        (("sso", "sync", "corp", "--dry-run"), "awsctx login --sso-session corp"),
    ):
        result = run_quietly(env, *words)
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        # The first command to meet the refusal says so; it marks the login expired, and later
        # commands find its renewal refused: both name the command that logs in again.
        first = words == ("whoami", "dev")
        said = "no longer accepts the login for" if first else "login for sso-session 'corp' has ended"
        assert said in lines[0] and "sso-session 'corp'" in lines[0], lines[0]
        assert f"run `{login}`" in lines[0]
    # Marked expired where botocore and the AWS CLI read it too, its refresh token kept.
    cached = json.loads((sso_cache_dir(home) / f"{token_cache_key('corp')}.json").read_text())
    assert cached["accessToken"] == token["accessToken"] and cached["refreshToken"] == token["refreshToken"]
    assert time.mktime(time.strptime(cached["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone <= time.time()
    # So the command named logs in again instead of calling the login valid.
    login = run_quietly(env, "login", "--no-browser", "dev")
    assert login.returncode == 0, login.stderr
    assert "logged in to sso-session 'corp'" in login.stderr and "already" not in login.stderr
    assert portal.calls["StartDeviceAuthorization"] == 1
    whoami = run_quietly(env, "whoami", "dev")
    assert whoami.returncode == 0, whoami.stderr
    assert portal.issued_credentials[-1]["accessToken"] != token["accessToken"]  # with the new login


def test_login_keeps_a_cached_login_only_while_the_portal_accepts_it(
    tmp_path: Path, portal: FakeSSO, sts: StsProxy
) -> None:
    home, token = sso_home(tmp_path, portal)
    env = sso_env(home, portal, sts)
    kept = run_quietly(env, "login", "--no-browser", "dev")
    assert kept.returncode == 0, kept.stderr
    assert "already logged in to sso-session 'corp'" in kept.stderr and "--force" in kept.stderr
    assert portal.calls["ListAccounts"] == 1 and portal.calls["CreateToken"] == 0
    # Signed out of this token alone: its refresh token renews the login, without a browser.
    portal.revoke_access_token(token["accessToken"])
    renewed = run_quietly(env, "login", "--no-browser", "dev")
    assert renewed.returncode == 0, renewed.stderr
    assert "no longer accepts the login for sso-session 'corp'" in renewed.stderr
    assert "renewed the login to sso-session 'corp'" in renewed.stderr
    assert portal.calls["StartDeviceAuthorization"] == 0
    # The whole session ended: a new login.
    portal.revoke_sessions()
    again = run_quietly(env, "login", "--no-browser", "dev")
    assert again.returncode == 0, again.stderr
    assert "no longer accepts the login" in again.stderr and "✔ logged in to sso-session 'corp'" in again.stderr
    assert portal.calls["StartDeviceAuthorization"] == 1
