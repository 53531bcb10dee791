"""A switch makes sure working credentials exist first: real shells, moto's STS, FakeSSO."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fakesso import FakeSSO, sso_cache_dir, write_token_cache
from harness import SHELLS, Interactive, aws_client, base_env, closed_port_url, dump, make_home, run, write_aws
from stsproxy import StsProxy

EXTRA_CONFIG = """
[profile mfa]
role_arn = arn:aws:iam::333333333333:role/secure
source_profile = mirego
mfa_serial = arn:aws:iam::999999999999:mfa/tester
region = eu-west-1

[profile corp-sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-central-1

[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


@pytest.fixture
def sso_server() -> Iterator[FakeSSO]:
    server = FakeSSO(poll_interval=1, auto_approve_after_polls=1)
    server.add_account("111111111111", name="Corp", roles=("ReadOnly",))
    with server:
        yield server


@pytest.fixture
def seed_home(tmp_path: Path, sts: StsProxy, sso_server: FakeSSO) -> Path:
    sts.reset()
    home = make_home(tmp_path)
    config = (home / ".aws" / "config").read_text() + EXTRA_CONFIG.format(start_url=sso_server.start_url)
    write_aws(home, config=config)
    return home


@pytest.fixture
def live_env(seed_home: Path, sts: StsProxy, sso_server: FakeSSO) -> dict[str, str]:
    return dict(
        base_env(seed_home),
        AWSCTX_CREDENTIALS="check",
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_ENDPOINT_URL_SSO=sso_server.url,
        AWS_ENDPOINT_URL_SSO_OIDC=sso_server.url,
        AWS_EC2_METADATA_DISABLED="true",
        BROWSER="true",
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_seed_switch_assumes_the_role_once_and_exports_its_facts(
    shell: str, live_env: dict[str, str], seed_home: Path, sts: StsProxy
) -> None:
    result = run(shell, f"awsctx client2\n{dump('first')}\nawsctx client1\nawsctx client2\n{dump('again')}", live_env)
    assert result.returncode == 0, result.stderr
    facts = result.aws("first")
    assert facts["AWS_PROFILE"] == "client2"
    assert facts["AWSCTX_ACCOUNT_ID"] == "123456"
    assert ":assumed-role/rolename/" in facts["AWSCTX_ARN"]
    # The expiry is the one STS gave the credentials now in the AWS CLI cache, not just any time.
    (cached,) = [json.loads(path.read_text()) for path in (seed_home / ".aws" / "cli" / "cache").glob("*.json")]
    issued = sts.issued(cached["Credentials"]["AccessKeyId"])
    assert issued is not None and issued["arn"] == facts["AWSCTX_ARN"]
    assert abs(int(facts["AWSCTX_EXPIRATION"]) - issued["expiration"]) < 1
    assert "AWS_ACCESS_KEY_ID" not in facts  # profile-only by default: no secrets in the environment
    assert result.aws("again")["AWSCTX_ACCOUNT_ID"] == "123456"
    # client1 and client2 assume the same role from the same source: one AWS CLI cache entry serves
    # both, as it would for the AWS CLI itself; the second switch to client2 is from awsctx's index.
    assert sts.calls["AssumeRole"] == 1
    assert "account 123456" in result.stderr


def test_a_cached_switch_imports_no_botocore(live_env: dict[str, str]) -> None:
    warm = run("bash", "awsctx client2", live_env)
    assert warm.returncode == 0, warm.stderr
    bootstrap = "import sys;from awsctx.main import main;sys.exit(main())"
    env = dict(live_env, AWSCTX_SHELL="bash")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", bootstrap, "client2"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE=client2" in result.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "import time:" in line]
    assert "awsctx.switch" in imported
    # Nor anything else a switch at thousands of profiles cannot afford.
    assert not [name for name in imported if name.startswith(("botocore", "boto3", "configparser", "argparse"))]


def test_static_keys_need_one_get_caller_identity_ever(live_env: dict[str, str], sts: StsProxy) -> None:
    result = run("bash", f"awsctx mirego\nawsctx default\nawsctx mirego\n{dump('after')}", live_env)
    assert result.returncode == 0, result.stderr
    assert result.aws("after")["AWSCTX_ACCOUNT_ID"] == "123456789012"  # moto's account for unknown keys
    assert sts.calls["GetCallerIdentity"] == 2  # mirego and default, once each


@pytest.mark.parametrize("shell", SHELLS)
def test_network_down_fails_clearly_and_changes_nothing(shell: str, live_env: dict[str, str]) -> None:
    env = dict(live_env, AWS_ENDPOINT_URL_STS=closed_port_url())
    result = run(shell, f"awsctx -r eu-west-1\n{dump('before')}\nawsctx client1\n{dump('after')}", env)
    assert "cannot reach AWS" in result.stderr
    assert result.envs["after"] == result.envs["before"]


def test_access_denied_changes_nothing(live_env: dict[str, str], sts: StsProxy) -> None:
    sts.fail_next(1, "AccessDenied", "not authorized to perform sts:AssumeRole", status=403, action="AssumeRole")
    result = run("zsh", f"{dump('before')}\nawsctx client1\n{dump('after')}", live_env)
    assert "access denied" in result.stderr
    assert result.envs["after"] == result.envs["before"]


def test_no_credentials_flag_switches_without_the_network(live_env: dict[str, str], sts: StsProxy) -> None:
    env = dict(live_env, AWS_ENDPOINT_URL_STS=closed_port_url())
    result = run("bash", f"awsctx client1 --no-credentials\n{dump('after')}", env)
    assert result.returncode == 0, result.stderr
    assert result.aws("after")["AWS_PROFILE"] == "client1"
    assert result.aws("after")["AWSCTX_ACCOUNT_ID"] == "123456"  # from role_arn: no call needed
    assert sum(sts.calls.values()) == 0


@pytest.mark.parametrize("shell", SHELLS)
def test_export_mode_exports_keys_and_takes_them_away_again(
    shell: str, live_env: dict[str, str], sts: StsProxy
) -> None:
    export_by_hand = "set -gx AWS_ACCESS_KEY_ID HANDMADE" if shell == "fish" else "export AWS_ACCESS_KEY_ID=HANDMADE"
    script = "\n".join(
        [
            "awsctx client2 --export",
            dump("exported"),
            "awsctx client1",
            dump("switched_away"),
            "awsctx client2 --export",
            "awsctx -u",
            dump("unset"),
            "awsctx client1",
            export_by_hand,
            "awsctx -u",
            dump("hand_made"),
        ]
    )
    result = run(shell, script, live_env)
    assert result.returncode == 0, result.stderr
    exported = result.aws("exported")
    # The three are the ones STS issued together, and STS knows them as the role's.
    issued = sts.issued(exported["AWS_ACCESS_KEY_ID"])
    assert issued is not None
    assert (exported["AWS_SECRET_ACCESS_KEY"], exported["AWS_SESSION_TOKEN"]) == (issued["secret"], issued["token"])
    caller = aws_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=sts.url,
        aws_access_key_id=exported["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exported["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=exported["AWS_SESSION_TOKEN"],
    ).get_caller_identity()
    assert caller["Arn"] == issued["arn"] == exported["AWSCTX_ARN"]
    assert exported["AWS_SESSION_EXPIRATION"] == exported["AWS_CREDENTIAL_EXPIRATION"]
    for label in ("switched_away", "unset"):
        leftover = set(result.aws(label)) & {
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SESSION_EXPIRATION",
            "AWS_CREDENTIAL_EXPIRATION",
            "AWSCTX_EXPORTED_KEYS",
        }
        assert not leftover, (label, leftover)
    assert result.aws("hand_made")["AWS_ACCESS_KEY_ID"] == "HANDMADE"  # not awsctx's to remove


def test_export_can_be_the_default(live_env: dict[str, str], sts: StsProxy) -> None:
    result = run("bash", f"awsctx client2\n{dump('after')}", dict(live_env, AWSCTX_CREDENTIALS="export"))
    assert sts.issued(result.aws("after")["AWS_ACCESS_KEY_ID"]) is not None


def test_ten_shells_switching_to_a_cold_role_assume_it_once(live_env: dict[str, str], sts: StsProxy) -> None:
    def switch(index: int) -> object:
        return run(SHELLS[index % 3], f"awsctx client2\n{dump('after')}", live_env)

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(switch, range(10)))
    for result in results:
        assert result.aws("after")["AWS_PROFILE"] == "client2", result.stderr
    assert sts.calls["AssumeRole"] == 1


@pytest.mark.parametrize("shell", SHELLS)
def test_mfa_code_asked_once_on_the_terminal(shell: str, live_env: dict[str, str], seed_home: Path) -> None:
    term = Interactive(shell, live_env, seed_home)
    try:
        term.child.sendline("awsctx mfa")
        term.child.expect("MFA code")
        term.child.sendline("246810")
        # Everything the terminal showed from the prompt on: a typed code echoed back would be here.
        typed = term.child.after + term.sync()
        assert "246810" not in typed
        shown = term.run("printf '%s\\n' \"P=$AWS_PROFILE A=$AWSCTX_ACCOUNT_ID\"")
        assert "P=mfa A=333333333333" in shown
        term.run("awsctx client1")
        back = term.run("awsctx -")  # cached: no second prompt
        assert "MFA" not in back
    finally:
        term.close()


def test_switch_to_sso_logs_in_once_and_marks_it_refreshable(
    live_env: dict[str, str], seed_home: Path, sso_server: FakeSSO
) -> None:
    term = Interactive("bash", live_env, seed_home)
    try:
        term.child.sendline("awsctx corp-sso")
        term.child.expect(sso_server.verification_uri)
        term.sync()
        shown = term.run("printf '%s\\n' \"P=$AWS_PROFILE R=$AWSCTX_SSO_REFRESHABLE A=$AWSCTX_ACCOUNT_ID\"")
        assert "P=corp-sso R=1" in shown
        assert sso_server.calls["StartDeviceAuthorization"] == 1
        term.run("awsctx client1 --no-credentials")
        term.run("awsctx corp-sso")
        assert sso_server.calls["StartDeviceAuthorization"] == 1
        assert sso_server.calls["GetRoleCredentials"] == 1
    finally:
        term.close()


def test_a_session_ended_at_the_portal_logs_in_again_at_a_terminal_and_switches(
    live_env: dict[str, str], seed_home: Path, sso_server: FakeSSO
) -> None:
    token = sso_server.issue_token()
    write_token_cache(sso_cache_dir(seed_home), "corp", token)
    sso_server.revoke_sessions()  # in date for awsctx, refused by the portal
    term = Interactive("bash", live_env, seed_home)
    try:
        term.child.sendline("awsctx corp-sso")
        term.child.expect("no longer accepts the login for sso-session 'corp'; logging in again")
        term.child.expect(sso_server.verification_uri)
        term.sync()
        shown = term.run("printf '%s\\n' \"P=$AWS_PROFILE R=$AWSCTX_SSO_REFRESHABLE\"")
        assert "P=corp-sso R=1" in shown
        assert sso_server.calls["GetRoleCredentials"] == 2  # refused, then with the new login: once more
        assert sso_server.calls["StartDeviceAuthorization"] == 1
        assert sso_server.issued_credentials[-1]["accessToken"] != token["accessToken"]
    finally:
        term.close()


@pytest.mark.parametrize("shell", SHELLS)
def test_ctrl_c_at_the_mfa_prompt_changes_nothing(shell: str, live_env: dict[str, str], seed_home: Path) -> None:
    term = Interactive(shell, live_env, seed_home)
    try:
        term.run("awsctx client1")
        term.child.sendline("awsctx mfa")
        term.child.expect("MFA code")
        term.child.sendcontrol("c")
        shown = term.sync()
        assert "Traceback" not in shown
        after = term.run("printf '%s\\n' \"P=$AWS_PROFILE R=$AWS_REGION\"")
        assert "P=client1 R=us-west-2" in after
    finally:
        term.close()
