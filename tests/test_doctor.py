"""`awsctx doctor` and `awsctx login`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakesso import FakeSSO
from harness import AWSCTX, SHELLS, run, write_aws

HEALTHY = """
[default]
region = us-east-1

[profile role]
role_arn = arn:aws:iam::111111111111:role/admin
source_profile = default
"""
KEYS = "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"


def doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AWSCTX), "doctor"], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_healthy_set_up_passes_with_the_integration_loaded(shell: str, env: dict[str, str], home: Path) -> None:
    write_aws(home, config=HEALTHY, credentials=KEYS)
    result = run(shell, f"awsctx doctor\necho status={'$status' if shell == 'fish' else '$?'}", env)
    assert "status=0" in result.output, result.stderr
    assert f"shell integration loaded ({shell})" in result.stderr
    assert "2 profiles" in result.stderr


def test_without_the_integration_it_says_what_to_add(env: dict[str, str], home: Path) -> None:
    write_aws(home, config=HEALTHY, credentials=KEYS)
    result = doctor(env)
    assert result.returncode == 1
    assert "awsctx init" in result.stderr


def test_it_finds_the_seed_sso_profile_without_sso_region(env: dict[str, str]) -> None:
    result = doctor(env)
    assert result.returncode == 1
    assert "client2-with-sso" in result.stderr
    assert "sso_region" in result.stderr


def test_it_reports_config_errors_with_file_and_line(env: dict[str, str], home: Path) -> None:
    write_aws(home, config="[default]\nregion = us-east-1\ndefault]\n")
    result = doctor(env)
    assert result.returncode == 1
    assert "~/.aws/config line 3" in result.stderr


def test_it_reports_cycles_and_unknown_sources(env: dict[str, str], home: Path) -> None:
    config = (
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
        "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = nowhere\n"
    )
    write_aws(home, config=config, credentials="")
    result = doctor(env)
    assert result.returncode == 1
    assert "source_profile loops" in result.stderr
    assert "'nowhere' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_reports_corrupt_and_world_readable_cache_files(env: dict[str, str], home: Path) -> None:
    write_aws(home, config=HEALTHY, credentials=KEYS)
    cache = home / ".aws" / "cli" / "cache"
    cache.mkdir(parents=True, mode=0o700)
    cache.chmod(0o700)
    (cache / "corrupt.json").write_text('{"Credentials": {')
    (cache / "corrupt.json").chmod(0o600)
    readable = cache / "readable.json"
    readable.write_text(json.dumps({"Credentials": {}}))
    readable.chmod(0o644)
    result = doctor(env)
    assert result.returncode == 1
    assert "corrupt.json is corrupt" in result.stderr
    assert "readable.json is readable by others" in result.stderr


@pytest.fixture
def sso_server() -> Iterator[FakeSSO]:
    server = FakeSSO(poll_interval=1, auto_approve_after_polls=1)
    server.add_account("111111111111", name="Corp", roles=("ReadOnly",))
    with server:
        yield server


def test_login_by_session_name_writes_the_aws_cli_token(env: dict[str, str], home: Path, sso_server: FakeSSO) -> None:
    config = f"[sso-session corp]\nsso_start_url = {sso_server.start_url}\nsso_region = us-east-1\n"
    write_aws(home, config=config, credentials="")
    login_env = dict(env, AWS_ENDPOINT_URL_SSO_OIDC=sso_server.url, AWS_ENDPOINT_URL_SSO=sso_server.url)
    result = subprocess.run(
        [str(AWSCTX), "login", "--sso-session", "corp", "--no-browser"], env=login_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert sso_server.verification_uri in result.stderr
    assert result.stdout == ""
    files = [json.loads(path.read_text()) for path in (home / ".aws" / "sso" / "cache").glob("*.json")]
    (token,) = [data for data in files if "accessToken" in data]  # beside it: the client registration
    assert token["startUrl"] == sso_server.start_url
    assert token["refreshToken"] in sso_server.refresh_tokens  # one the server issued, not just any
    again = subprocess.run(
        [str(AWSCTX), "login", "--sso-session", "corp"], env=login_env, capture_output=True, text=True
    )
    assert again.returncode == 0
    assert sso_server.calls["StartDeviceAuthorization"] == 1
