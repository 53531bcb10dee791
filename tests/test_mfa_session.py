"""One MFA code a workday: an MFA session (STS GetSessionToken) of the long-term keys serves every
role they reach. Real shells in a terminal for the prompts, moto's STS behind the counting proxy."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fakesso import FakeSSO, sso_cache_dir, write_token_cache
from harness import AWSCTX, SHELLS, VENV_BIN, Interactive, base_env, make_home, write_aws
from stsproxy import StsProxy

SERIAL = "arn:aws:iam::999999999999:mfa/tester"
BASE_KEY = "AKIAEXAMPLEBASE00001"
# Ten roles in five accounts: the admin roles name the device, the read-only ones take it from the
# keys' profile (`mfa_serial` on the role or its source).
ROLES = [f"acct{account}-{role}" for account in range(5) for role in ("admin", "readonly")]


def _config(extra: str = "") -> str:
    lines = ["[profile base]", "region = us-east-1", f"mfa_serial = {SERIAL}", ""]
    for account in range(5):
        for role in ("admin", "readonly"):
            lines += [
                f"[profile acct{account}-{role}]",
                f"role_arn = arn:aws:iam::10000000000{account}:role/{role}",
                "source_profile = base",
                "region = eu-west-1",
            ]
            if role == "admin":
                lines.append(f"mfa_serial = {SERIAL}")
            lines.append("")
    lines += [
        "[profile deploy]",
        "role_arn = arn:aws:iam::200000000000:role/deploy",
        "source_profile = acct0-admin",
        "",
        "[profile plain]",
        "role_arn = arn:aws:iam::300000000000:role/plain",
        "source_profile = nomfa",
        "",
        "[profile nomfa]",
        "region = us-east-1",
        "",
    ]
    return "\n".join(lines) + extra


CREDENTIALS = f"""[base]
aws_access_key_id = {BASE_KEY}
aws_secret_access_key = base-secret

[nomfa]
aws_access_key_id = AKIAEXAMPLENOMFA0001
aws_secret_access_key = nomfa-secret
"""


@pytest.fixture
def mfa_home(tmp_path: Path, sts: StsProxy) -> Path:
    sts.reset()
    home = make_home(tmp_path, seed=False)
    write_aws(home, config=_config(), credentials=CREDENTIALS)
    return home


@pytest.fixture
def mfa_env(mfa_home: Path, sts: StsProxy) -> dict[str, str]:
    return dict(
        base_env(mfa_home),
        AWSCTX_CREDENTIALS="check",
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )


def awsctx(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AWSCTX), *args], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def session_files(home: Path) -> list[Path]:
    return sorted((home / ".cache" / "awsctx" / "mfa-sessions").glob("*.json"))


def role_cache(home: Path) -> list[Path]:
    return sorted((home / ".aws" / "cli" / "cache").glob("*.json"))


def age_role_credentials(home: Path, seconds_left: int) -> None:
    """An hour later: every role's cached credentials have `seconds_left` left, inside the 15 minutes
    in which the AWS CLI would assume the role again (and ask for a code)."""
    expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds_left))
    for path in role_cache(home):
        entry = json.loads(path.read_text())
        entry["Credentials"]["Expiration"] = expiry
        path.write_text(json.dumps(entry))


def switch(term: Interactive, profile: str, code: str | None = None) -> str:
    """Switch in the terminal, answering the MFA prompt with `code` when given; what it showed."""
    term.child.sendline(f"awsctx {profile}")
    shown = ""
    if code is not None:
        term.child.expect("MFA code")
        shown = term.child.before + term.child.after
        term.child.sendline(code)
    return shown + term.sync()


def show(term: Interactive, *names: str) -> dict[str, str]:
    """The values of exported variables in the terminal's shell."""
    line = term.run("printf '%s\\n' " + " ".join(f'"{name}=${name}"' for name in names))
    return dict(part.split("=", 1) for part in line.split() if "=" in part)


AWS_CLI_IDENTITY = f"{VENV_BIN / 'aws'} sts get-caller-identity --query Arn --output text"


def test_one_code_a_workday_for_ten_roles_in_five_accounts(
    mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    term = Interactive("bash", mfa_env, mfa_home)
    shown = []
    try:
        for hour in range(8):
            if hour:
                age_role_credentials(mfa_home, 300)
            for index, role in enumerate(ROLES):
                shown.append(switch(term, role, "123456" if hour == index == 0 else None))
                assert show(term, "AWS_PROFILE")["AWS_PROFILE"] == role
            assert sts.calls["AssumeRole"] == 10 * (hour + 1)  # once per role per credential lifetime
            # Switching back within the hour: from the caches, no call.
            shown.append(switch(term, ROLES[2]))
            assert sts.calls["AssumeRole"] == 10 * (hour + 1)
            # The AWS CLI in the switched shell finds the role's credentials in its own cache.
            shown.append(term.run(AWS_CLI_IDENTITY))
            assert ":assumed-role/admin/" in shown[-1]
            assert sts.calls["AssumeRole"] == 10 * (hour + 1)
        environment = term.run("env")
    finally:
        term.close()
    text = "\n".join(shown)
    assert text.count("MFA code") == 1
    assert sts.calls["GetSessionToken"] == 1
    # The session: a secret file of awsctx's own, never in the environment nor the AWS CLI's cache.
    (session,) = session_files(mfa_home)
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert stat.S_IMODE(session.parent.stat().st_mode) == 0o700
    stored = json.loads(session.read_text())
    for secret in (stored["AccessKeyId"], stored["SecretAccessKey"], stored["SessionToken"]):
        assert secret not in environment
        assert not any(secret in path.read_text() for path in role_cache(mfa_home))
    assert all("AssumedRoleUser" in json.loads(path.read_text()) for path in role_cache(mfa_home))
    assert "AWS_SESSION_TOKEN" not in environment and "AWS_ACCESS_KEY_ID" not in environment


@pytest.mark.parametrize("shell", SHELLS)
def test_switching_among_roles_asks_one_code_and_arms_the_refresh(
    shell: str, mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    term = Interactive(shell, mfa_env, mfa_home)
    try:
        first = switch(term, "acct0-admin", "246810")
        facts = show(term, "AWS_PROFILE", "AWSCTX_ACCOUNT_ID", "AWSCTX_REFRESH_AT", "AWSCTX_EXPIRATION")
        assert facts["AWS_PROFILE"] == "acct0-admin" and facts["AWSCTX_ACCOUNT_ID"] == "100000000000"
        # Due 25 minutes before the role's credentials expire: ahead of the AWS CLI's 15.
        assert int(facts["AWSCTX_REFRESH_AT"]) == int(facts["AWSCTX_EXPIRATION"]) - 25 * 60
        others = [switch(term, role) for role in ("acct3-readonly", "acct4-admin", "deploy")]
        assert show(term, "AWSCTX_ACCOUNT_ID")["AWSCTX_ACCOUNT_ID"] == "200000000000"
        term.run("awsctx plain")  # no MFA anywhere in its chain: nothing to refresh
        assert show(term, "AWSCTX_REFRESH_AT") == {"AWSCTX_REFRESH_AT": ""}
    finally:
        term.close()
    assert "246810" not in first
    assert "MFA code" not in "".join(others)
    assert sts.calls["GetSessionToken"] == 1
    # acct0-admin, acct3-readonly, acct4-admin; deploy from acct0-admin's cached credentials; plain.
    assert sts.calls["AssumeRole"] == 5


def test_ten_processes_at_once_make_one_session(mfa_env: dict[str, str], sts: StsProxy) -> None:
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda role: awsctx(mfa_env, "whoami", role, "--mfa-code", "123456"), ROLES))
    assert all(result.returncode == 0 for result in results), [result.stderr for result in results]
    assert sts.calls["GetSessionToken"] == 1
    assert sts.calls["AssumeRole"] == 10


def test_the_session_length_is_a_setting(mfa_env: dict[str, str], mfa_home: Path) -> None:
    wrong = awsctx(dict(mfa_env, AWSCTX_MFA_SESSION_DURATION="48h"), "whoami", "acct2-admin", "--mfa-code", "1")
    assert wrong.returncode == 1
    assert wrong.stderr.count("\n") == 1 and "AWSCTX_MFA_SESSION_DURATION='48h'" in wrong.stderr
    result = awsctx(dict(mfa_env, AWSCTX_MFA_SESSION_DURATION="2h"), "whoami", "acct1-admin", "--mfa-code", "123456")
    assert result.returncode == 0, result.stderr
    (session,) = session_files(mfa_home)
    assert abs(json.loads(session.read_text())["Expiration"] - (time.time() + 7200)) < 120


def test_default_session_length_is_twelve_hours(mfa_env: dict[str, str], mfa_home: Path) -> None:
    assert awsctx(mfa_env, "whoami", "acct1-admin", "--mfa-code", "123456").returncode == 0
    (session,) = session_files(mfa_home)
    assert abs(json.loads(session.read_text())["Expiration"] - (time.time() + 12 * 3600)) < 120


def test_an_ended_session_asks_a_new_code(mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy) -> None:
    assert awsctx(mfa_env, "whoami", "acct0-admin", "--mfa-code", "123456").returncode == 0
    (session,) = session_files(mfa_home)
    stored = json.loads(session.read_text())
    stored["Expiration"] = int(time.time()) + 30
    session.write_text(json.dumps(stored))
    age_role_credentials(mfa_home, 300)
    without_code = awsctx(mfa_env, "whoami", "acct0-admin")
    assert without_code.returncode == 1 and "needs an MFA code" in without_code.stderr
    assert awsctx(mfa_env, "whoami", "acct0-admin", "--mfa-code", "654321").returncode == 0
    assert sts.calls["GetSessionToken"] == 2


def test_a_role_that_wants_the_code_itself_says_so_once_and_asks_per_role(
    mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    strict = "arn:aws:iam::100000000002:role/admin"
    sts.requires_code.add(strict)
    term = Interactive("bash", mfa_env, mfa_home)
    try:
        term.child.sendline("awsctx acct2-admin")
        term.child.expect("MFA code")  # the session's
        term.child.sendline("111111")
        term.child.expect("refused the MFA session")
        term.child.expect("MFA code")  # the role's own
        term.child.sendline("222222")
        term.sync()
        assert show(term, "AWSCTX_ACCOUNT_ID", "AWSCTX_REFRESH_AT") == {
            "AWSCTX_ACCOUNT_ID": "100000000002",
            "AWSCTX_REFRESH_AT": "",  # nothing a background refresh could do without a code
        }
        others = switch(term, "acct1-admin") + switch(term, "acct1-readonly")
        age_role_credentials(mfa_home, 300)
        term.child.sendline("awsctx acct2-admin")
        term.child.expect("MFA code")  # the role's own, without a word about the session this time
        later = term.child.before
        term.child.sendline("333333")
        later += term.sync() + switch(term, "acct1-admin")
    finally:
        term.close()
    assert "MFA code" not in others
    assert "refused" not in later and "MFA code" not in later
    assert sts.calls["GetSessionToken"] == 1
    denied = [entry for entry in sts.signed if entry[1] == "AssumeRole"]
    assert len(denied) == 6  # strict: session (refused) + code; two others; strict with a code; acct1-admin again


def test_logout_drops_the_sessions_and_the_roles_assumed_with_them(
    mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    assert awsctx(mfa_env, "whoami", "acct0-admin", "--mfa-code", "123456").returncode == 0
    assert awsctx(mfa_env, "whoami", "plain").returncode == 0
    assert len(session_files(mfa_home)) == 1 and len(role_cache(mfa_home)) == 2
    result = awsctx(mfa_env, "logout")
    assert result.returncode == 0, result.stderr
    assert "dropped 1 MFA session" in result.stderr
    assert session_files(mfa_home) == []
    assert len(role_cache(mfa_home)) == 1  # plain's: assumed without the session, kept
    again = awsctx(mfa_env, "whoami", "acct0-admin")
    assert again.returncode == 1 and "needs an MFA code" in again.stderr
    assert awsctx(mfa_env, "whoami", "acct0-admin", "--mfa-code", "123456").returncode == 0
    assert sts.calls["GetSessionToken"] == 2
    assert awsctx(mfa_env, "logout", "acct3-readonly").returncode == 0
    assert session_files(mfa_home) == []
    nothing = awsctx(mfa_env, "logout", "plain")
    assert nothing.returncode == 0 and "no MFA session" in nothing.stderr


def test_logout_with_a_name_also_drops_its_sso_login(mfa_env: dict[str, str], mfa_home: Path) -> None:
    with FakeSSO() as server:
        server.add_account("111111111111", "corp", roles=["ReadOnly"])
        extra = (
            "\n[profile corp]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n"
            f"\n[sso-session corp]\nsso_start_url = {server.start_url}\nsso_region = us-east-1\n"
        )
        write_aws(mfa_home, config=_config(extra))
        token = write_token_cache(
            sso_cache_dir(mfa_home),
            "corp",
            {
                "startUrl": server.start_url,
                "region": "us-east-1",
                "accessToken": "t",
                "expiresAt": "2999-01-01T00:00:00Z",
            },
        )
        result = awsctx(mfa_env, "logout", "corp")
    assert result.returncode == 0, result.stderr
    assert "logged out of" in result.stderr
    assert not token.exists()


def test_a_chain_through_an_mfa_role_uses_the_session(mfa_env: dict[str, str], sts: StsProxy) -> None:
    result = awsctx(mfa_env, "whoami", "deploy", "--json", "--mfa-code", "123456")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["account"] == "200000000000"
    assert awsctx(mfa_env, "whoami", "acct4-readonly").returncode == 0  # no code: the session serves
    assert sts.calls["GetSessionToken"] == 1
    assert sts.calls["AssumeRole"] == 3


def test_boto3_in_the_switched_shell_reads_the_role_from_the_aws_cli_cache(
    mfa_env: dict[str, str], mfa_home: Path, sts: StsProxy
) -> None:
    """What the AWS CLI does with its cache, a boto3 script set up like it does too: the role's
    credentials awsctx assumed with the session are taken as they are, with no prompt."""
    assert awsctx(mfa_env, "whoami", "acct0-admin", "--mfa-code", "123456").returncode == 0
    script = (
        "import boto3, os\n"
        "from botocore.utils import JSONFileCache\n"
        "session = boto3.Session()\n"
        'provider = session._session.get_component("credential_provider").get_provider("assume-role")\n'
        'provider.cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))\n'
        "provider._prompter = lambda prompt: (_ for _ in ()).throw(SystemExit('asked: ' + prompt))\n"
        'print(session.client("sts").get_caller_identity()["Arn"])\n'
    )
    env = dict(mfa_env, AWS_PROFILE="acct0-admin")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ":assumed-role/admin/" in result.stdout
    assert sts.calls["AssumeRole"] == 1


def test_credentials_as_short_as_sts_allows_come_from_the_session_too(mfa_env: dict[str, str], mfa_home: Path) -> None:
    """15-minute credentials are always inside botocore's own 15 minutes: it would assume the role
    again (asking a code) at every use of its cache; awsctx takes them from the session."""
    write_aws(
        mfa_home,
        config=_config(
            "\n[profile brief]\nrole_arn = arn:aws:iam::100000000009:role/brief\n"
            f"source_profile = base\nduration_seconds = 900\nmfa_serial = {SERIAL}\n"
        ),
    )
    assert awsctx(mfa_env, "whoami", "brief", "--mfa-code", "123456").returncode == 0
    again = awsctx(mfa_env, "whoami", "brief")
    assert again.returncode == 0, again.stderr
