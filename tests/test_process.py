"""`awsctx process NAME`, the credential_process helper, against the fake IAM Identity Center and
moto's STS, run as an SDK runs it: the installed program in a subprocess, stdout read as JSON.
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakesso import FakeSSO, access_key_id_for, secret_access_key_for, sso_cache_dir, write_token_cache
from harness import AWSCTX, PAST, base_env
from stsproxy import StsProxy

from awsctx.commands import process
from awsctx.errors import UserError

ACCOUNT = "111111111111"
ROLE = "ReadOnly"
STATIC_KEY = "AKIAEXAMPLESTATIC001"
DOCUMENT_KEYS = {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}

CONFIG = """[profile static]
region = us-east-1

[profile role]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = static

[profile dev]
sso_session = corp
sso_account_id = {account}
sso_role_name = {role}
region = eu-west-1

[profile dev-process]
credential_process = awsctx process dev
region = eu-west-1

[profile loop]
credential_process = awsctx process loop

[profile indirect]
credential_process = env awsctx process indirect

[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

CREDENTIALS = f"""[static]
aws_access_key_id = {STATIC_KEY}
aws_secret_access_key = static-secret
"""


BOTO3_CREDENTIALS = """
import boto3, json, sys
frozen = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()
print(json.dumps([frozen.access_key, frozen.secret_key, frozen.token]))
"""


@pytest.fixture
def fake() -> Iterator[FakeSSO]:
    with FakeSSO() as server:
        server.add_account(ACCOUNT, "dev", roles=[ROLE])
        yield server
        assert server.errors == [], "the fake SSO server hit a bug:\n" + "\n".join(server.errors)


@pytest.fixture
def home(tmp_path: Path, fake: FakeSSO, sts: StsProxy) -> Path:
    """A home with static, assume-role and SSO profiles, logged in to the SSO session."""
    sts.reset()
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    for name, text in (
        ("config", CONFIG.format(account=ACCOUNT, role=ROLE, start_url=fake.start_url)),
        ("credentials", CREDENTIALS),
    ):
        (home / ".aws" / name).write_text(text)
        os.utime(home / ".aws" / name, (PAST, PAST))
    write_token_cache(sso_cache_dir(home), "corp", fake.issue_token())
    return home


@pytest.fixture
def program() -> str:
    """The `awsctx` a credential_process line runs: the installed one."""
    return str(AWSCTX)


@pytest.fixture
def env(home: Path, fake: FakeSSO, sts: StsProxy, program: str) -> dict[str, str]:
    variables = dict(
        base_env(home),
        AWS_ENDPOINT_URL_SSO=fake.url,
        AWS_ENDPOINT_URL_SSO_OIDC=fake.url,
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )
    variables["PATH"] = f"{Path(program).parent}:{variables['PATH']}"
    return variables


def serve(env: dict[str, str], profile: str, *python_options: str) -> subprocess.CompletedProcess[str]:
    """`awsctx process PROFILE` as an SDK runs it: no terminal, stdout and stderr captured."""
    program = shutil.which("awsctx", path=env["PATH"])
    assert program is not None
    return subprocess.run(
        [sys.executable, *python_options, program, "process", profile],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def document(env: dict[str, str], profile: str) -> dict:
    result = serve(env, profile)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1  # one JSON document and nothing else
    return json.loads(result.stdout)


def expiration(found: dict) -> float:
    text = found["Expiration"]
    assert text.endswith("Z") and len(text) == len("2024-01-01T00:00:00Z")
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def cli_cache_files(home: Path) -> list[Path]:
    return sorted((home / ".aws" / "cli" / "cache").glob("*.json"))


# ---------------------------------------------------------------------------- the document


def test_static_keys_come_straight_from_the_files(env: dict[str, str], sts: StsProxy) -> None:
    assert document(env, "static") == {"Version": 1, "AccessKeyId": STATIC_KEY, "SecretAccessKey": "static-secret"}
    assert sum(sts.calls.values()) == 0


def test_sso_credentials_are_fetched_once_then_served_from_the_cache(
    env: dict[str, str], fake: FakeSSO, sts: StsProxy
) -> None:
    first = document(env, "dev")
    assert set(first) == DOCUMENT_KEYS
    assert first["Version"] == 1
    assert first["AccessKeyId"] == access_key_id_for(ACCOUNT, ROLE)
    assert first["SecretAccessKey"] == secret_access_key_for(ACCOUNT, ROLE)
    assert first["SessionToken"].startswith(f"FakeSSOSession/{ACCOUNT}/{ROLE}/")
    assert 3000 < expiration(first) - time.time() <= 3600
    assert fake.calls["GetRoleCredentials"] == 1
    sts_calls = sum(sts.calls.values())

    assert document(env, "dev") == first
    assert fake.calls["GetRoleCredentials"] == 1
    assert sum(sts.calls.values()) == sts_calls


def test_assumed_role_credentials_are_cached_too(env: dict[str, str], sts: StsProxy) -> None:
    first = document(env, "role")
    assert set(first) == DOCUMENT_KEYS
    assert first["AccessKeyId"] != STATIC_KEY
    assert document(env, "role") == first
    assert sts.calls["AssumeRole"] == 1


def test_a_cache_hit_imports_no_botocore(env: dict[str, str]) -> None:
    def imported(result: subprocess.CompletedProcess[str]) -> set[str]:
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)
        lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
        return {line.rsplit("|", 1)[-1].strip() for line in lines}

    miss = imported(serve(env, "dev", "-X", "importtime"))
    assert "botocore" in miss  # the probe sees botocore when it is there
    hit = imported(serve(env, "dev", "-X", "importtime"))
    assert "awsctx.commands.process" in hit
    assert not {name for name in hit if name.split(".")[0] in ("botocore", "boto3", "urllib3")}


def test_expired_credentials_are_refreshed(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    first = document(env, "dev")
    (entry,) = cli_cache_files(home)
    cached = json.loads(entry.read_text())
    cached["Credentials"]["Expiration"] = "2020-01-01T00:00:00Z"
    entry.write_text(json.dumps(cached))

    second = document(env, "dev")
    assert fake.calls["GetRoleCredentials"] == 2
    assert second["SessionToken"] != first["SessionToken"]
    assert expiration(second) > time.time() + 3000
    assert document(env, "dev") == second  # and that one is cached in turn
    assert fake.calls["GetRoleCredentials"] == 2


def test_credentials_about_to_expire_are_refreshed(env: dict[str, str], fake: FakeSSO) -> None:
    fake.role_credentials_ttl = 5 * 60  # inside awsctx's 10-minute margin
    document(env, "dev")
    document(env, "dev")
    assert fake.calls["GetRoleCredentials"] == 2


# ---------------------------------------------------------------------------- real SDKs


def boto3_credentials(env: dict[str, str], profile: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_CREDENTIALS, profile], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_boto3_gets_credentials_through_a_credential_process_profile(env: dict[str, str], fake: FakeSSO) -> None:
    served = document(env, "dev")
    key, secret, token = boto3_credentials(env, "dev-process")
    assert [key, secret, token] == [served["AccessKeyId"], served["SecretAccessKey"], served["SessionToken"]]
    assert fake.calls["GetRoleCredentials"] == 1  # one fetch shared by awsctx and boto3


def test_boto3_uses_profiles_synced_with_credential_process(env: dict[str, str], home: Path, fake: FakeSSO) -> None:
    fake.add_account("222222222222", "Prod Team", roles=["Admin"])
    synced = subprocess.run(
        ["awsctx", "sso", "sync", "--credential-process"], env=env, capture_output=True, text=True, timeout=120
    )
    assert synced.returncode == 0, synced.stderr
    key, _, _ = boto3_credentials(env, "prod-team.admin")
    assert key == access_key_id_for("222222222222", "Admin")
    assert boto3_credentials(env, "prod-team.admin")[0] == key
    assert fake.calls["GetRoleCredentials"] == 1


def test_a_process_profile_is_served_as_the_profile_it_names(env: dict[str, str], fake: FakeSSO) -> None:
    assert document(env, "dev-process") == document(env, "dev")
    assert fake.calls["GetRoleCredentials"] == 1


# ---------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        ("nosuch", ["no profile named 'nosuch'"]),
        ("loop", ["loops back", "loop -> loop"]),
        ("indirect", ["from `awsctx process indirect` itself"]),
    ],
)
def test_failures_are_one_line_on_stderr_and_nothing_on_stdout(
    env: dict[str, str], profile: str, words: list[str]
) -> None:
    result = serve(env, profile)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr


def test_an_sso_login_that_needs_the_user_is_an_error_without_a_terminal(
    env: dict[str, str], home: Path, fake: FakeSSO
) -> None:
    for token in sso_cache_dir(home).iterdir():
        token.unlink()
    result = serve(env, "dev")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "awsctx login" in result.stderr
    assert fake.calls["StartDeviceAuthorization"] == 0


def test_nothing_but_the_document_reaches_stdout_while_refreshing(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Whatever the resolver (or a program it starts) prints goes to stderr."""
    from awsctx import config, credentials

    (tmp_path / "config").write_text(
        "[profile chatty]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AWSCTX_PROCESS_CHAIN", raising=False)

    def chatty(profile: str, cfg: config.AwsConfig, **_: object) -> credentials.Resolved:
        print("from python")
        os.write(1, b"from a child\n")
        identity = credentials.Identity("1", "arn", int(time.time()) + 3600, "assume-role")
        return credentials.Resolved(identity, "AKIA", "secret", "token")

    monkeypatch.setattr(credentials, "resolve", chatty)
    assert process.serve("chatty") == 0
    out, err = capfd.readouterr()
    assert json.loads(out)["AccessKeyId"] == "AKIA"
    assert "from python" in err and "from a child" in err


def test_a_profile_serving_itself_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[profile a]\ncredential_process = /opt/bin/awsctx process b\n\n[profile b]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("AWSCTX_PROCESS_CHAIN", "b")
    with pytest.raises(UserError, match="itself"):
        process.serve("a")
