"""`awsctx exec NAME --server -- CMD`: boto3, the AWS CLI and the AWS SDK for JavaScript in CMD keep
working across expiries of short-lived credentials, served from a loopback endpoint; against moto's
STS behind the counting proxy (which shortens AssumeRole below botocore's 900 s) and FakeSSO."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from fakesso import FakeSSO, sso_cache_dir, write_token_cache
from harness import AWSCTX, VENV_BIN, base_env, make_home, write_aws
from stsproxy import StsProxy

NODE = Path(__file__).resolve().parent / "node"
# Role credentials this short (moto grants what the proxy asks): a run of a few lifetimes crosses
# several expiries; the server refreshes a third of a lifetime ahead.
LIFETIME = 12
ROUNDS, INTERVAL = 14, 2.0  # 28 s: more than two lifetimes
SERIAL = "arn:aws:iam::999999999999:mfa/tester"

CONFIG = f"""[default]
region = us-east-1

[profile base]
region = us-east-1

[profile app]
role_arn = arn:aws:iam::100000000000:role/app
source_profile = base
region = eu-west-1

[profile secure]
role_arn = arn:aws:iam::100000000001:role/secure
source_profile = base
mfa_serial = {SERIAL}
region = eu-west-1

[profile keys]
region = us-east-1

[profile corp]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-central-1

[sso-session corp]
sso_start_url = {{start_url}}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

# The default profile holds keys, as in the seed set-up: CMD must not take them instead of the endpoint.
CREDENTIALS = """[default]
aws_access_key_id = AKIAEXAMPLEDEFAULT01
aws_secret_access_key = default-secret

[base]
aws_access_key_id = AKIAEXAMPLEBASE00001
aws_secret_access_key = base-secret

[keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = keys-secret
"""

BOTO3_LOOP = """
import boto3, sys, time
sts = boto3.client("sts")
for round in range(int(sys.argv[1])):
    if round:
        time.sleep(float(sys.argv[2]))
    print(sts.get_caller_identity()["Arn"], flush=True)
"""

CLI_LOOP = f"""
for round in $(seq "$1"); do
    [ "$round" = 1 ] || sleep "$2"
    '{VENV_BIN / "aws"}' sts get-caller-identity --query Arn --output text || exit 1
done
"""

# What CMD sees: its environment, and what the endpoint answers without, with a wrong and with its token.
PROBE = """
import json, os, sys, urllib.request, urllib.error
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
def status(headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, None
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
right = status({"Authorization": token})
print(json.dumps({
    "environment": dict(os.environ),
    "argv": sys.argv,
    "missing": status({})[0],
    "wrong": status({"Authorization": token[:-1] + ("A" if token[-1] != "A" else "B")})[0],
    "empty": status({"Authorization": ""})[0],
    "right": right,
    "url": url,
}))
"""


@pytest.fixture
def sso_server() -> Iterator[FakeSSO]:
    server = FakeSSO(role_credentials_ttl=LIFETIME)
    server.add_account("111111111111", name="Corp", roles=("ReadOnly",))
    with server:
        yield server


@pytest.fixture
def server_home(tmp_path: Path, sts: StsProxy, sso_server: FakeSSO) -> Path:
    sts.reset()
    sts.durations["AssumeRole"] = LIFETIME
    home = make_home(tmp_path, seed=False)
    write_aws(home, config=CONFIG.format(start_url=sso_server.start_url), credentials=CREDENTIALS)
    return home


@pytest.fixture
def server_env(server_home: Path, sts: StsProxy, sso_server: FakeSSO) -> dict[str, str]:
    return dict(
        base_env(server_home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_ENDPOINT_URL_SSO=sso_server.url,
        AWS_ENDPOINT_URL_SSO_OIDC=sso_server.url,
        AWS_EC2_METADATA_DISABLED="true",
    )


def exec_server(
    env: dict[str, str], profile: str, *command: str, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AWSCTX), "exec", profile, "--server", *extra, "--", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )


def assert_kept_working(
    result: subprocess.CompletedProcess[str], arn: str, sts: StsProxy, issued: dict[str, float] | None = None
) -> None:
    """CMD made every call, each signed with credentials that had not expired, with fresh ones
    after each expiry."""
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert len(lines) == ROUNDS and all(arn in line for line in lines), result.stdout
    calls = [entry for entry in sts.signed if entry[1] == "GetCallerIdentity" and entry[2] != "AKIAEXAMPLEBASE00001"]
    assert sts.used_after_expiry(issued) == []
    # Spread over more than two lifetimes: three sets of credentials at least, two expiries crossed.
    assert len({token for *_, token in calls}) >= 3, calls


def assume_role_times(sts: StsProxy) -> list[float]:
    return [at for at, action, *_ in sts.signed if action == "AssumeRole"]


def assert_one_assume_role_per_lifetime(sts: StsProxy) -> None:
    times = assume_role_times(sts)
    assert len(times) >= 3
    # Each one a fresh set of credentials, asked no sooner than two thirds into the last one's life.
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) > LIFETIME * 2 / 3 - 1, gaps


def test_boto3_keeps_working_across_expiries(server_env: dict[str, str], sts: StsProxy) -> None:
    result = exec_server(server_env, "app", sys.executable, "-c", BOTO3_LOOP, str(ROUNDS), str(INTERVAL))
    assert_kept_working(result, ":assumed-role/app/", sts)
    assert_one_assume_role_per_lifetime(sts)


def test_the_aws_cli_keeps_working_across_expiries(server_env: dict[str, str], sts: StsProxy) -> None:
    result = exec_server(server_env, "app", "bash", "-c", CLI_LOOP, "loop", str(ROUNDS), str(INTERVAL))
    assert_kept_working(result, ":assumed-role/app/", sts)
    assert_one_assume_role_per_lifetime(sts)


def test_the_javascript_sdk_keeps_working_across_expiries(server_env: dict[str, str], sts: StsProxy) -> None:
    node = shutil.which("node")
    assert node, "node is not installed: scripts/test installs it"
    assert (NODE / "node_modules" / "@aws-sdk" / "client-sts").is_dir(), "scripts/test installs tests/node (npm ci)"
    result = exec_server(server_env, "app", node, str(NODE / "sts-loop.mjs"), str(ROUNDS), str(INTERVAL))
    assert_kept_working(result, ":assumed-role/app/", sts)
    assert_one_assume_role_per_lifetime(sts)


def test_an_sso_profile_is_served_from_the_sso_login(
    server_env: dict[str, str], server_home: Path, sts: StsProxy, sso_server: FakeSSO
) -> None:
    write_token_cache(sso_cache_dir(server_home), "corp", sso_server.issue_token())
    result = exec_server(server_env, "corp", sys.executable, "-c", BOTO3_LOOP, str(ROUNDS), str(INTERVAL))
    issued = {entry["sessionToken"]: entry["expiration"] / 1000 for entry in sso_server.issued_credentials}
    assert_kept_working(result, "", sts, issued)
    # Role credentials from the login, asked about once a lifetime; never a new login.
    assert 3 <= sso_server.calls["GetRoleCredentials"] <= ROUNDS * INTERVAL / (LIFETIME * 2 / 3) + 2
    assert sso_server.calls["StartDeviceAuthorization"] == 0


def test_an_mfa_role_is_served_from_one_mfa_session(server_env: dict[str, str], sts: StsProxy) -> None:
    result = exec_server(
        server_env,
        "secure",
        sys.executable,
        "-c",
        BOTO3_LOOP,
        str(ROUNDS),
        str(INTERVAL),
        extra=("--mfa-code", "123456"),
    )
    assert_kept_working(result, ":assumed-role/secure/", sts)
    assert sts.calls["GetSessionToken"] == 1
    assert_one_assume_role_per_lifetime(sts)


def test_long_term_keys_are_served_as_a_session_never_as_themselves(server_env: dict[str, str], sts: StsProxy) -> None:
    result = exec_server(server_env, "keys", sys.executable, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    status, document = probe["right"]
    assert status == 200 and document["AccessKeyId"] != "AKIAEXAMPLEKEYS00001" and document["Token"]
    assert sts.calls["GetSessionToken"] == 1


def test_the_endpoint_wants_its_token_and_cmd_holds_no_credentials(server_env: dict[str, str], sts: StsProxy) -> None:
    result = exec_server(
        dict(server_env, AWS_PROFILE="base", AWS_ACCESS_KEY_ID="AKIAEXAMPLESHELL0001"),
        "app",
        sys.executable,
        "-c",
        PROBE,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert (probe["missing"], probe["wrong"], probe["empty"]) == (401, 403, 403)
    status, document = probe["right"]
    assert status == 200
    assert set(document) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert document["AccessKeyId"].startswith("ASIA")
    environment = probe["environment"]
    assert probe["url"].startswith("http://127.0.0.1:")
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
    ):
        assert name not in environment, name
    secrets = (document["AccessKeyId"], document["SecretAccessKey"], document["Token"])
    for secret in secrets:
        assert not any(secret in value for value in environment.values())
        assert not any(secret in word for word in probe["argv"])
    # The default profile's keys in the credentials file would win over the endpoint: CMD does not see them.
    assert environment["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert environment["AWS_REGION"] == "eu-west-1" and environment["AWSCTX_EXEC"] == "app"


def test_exit_status_and_signals_pass_through_and_the_endpoint_stops_with_cmd(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    assert exec_server(server_env, "app", "sh", "-c", "exit 7").returncode == 7
    missing = exec_server(server_env, "app", "no-such-command-awsctx")
    assert missing.returncode == 127 and "command not found" in missing.stderr
    # SIGTERM to awsctx reaches CMD, which handles it and exits as it likes.
    marker = tmp_path / "url"
    handler = (
        "import os, signal, sys, time\n"
        f"open({str(marker)!r}, 'w').write(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'])\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [str(AWSCTX), "exec", "app", "--server", "--", sys.executable, "-c", handler], env=server_env
    )
    while process.poll() is None and not (marker.exists() and marker.read_text()):
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 3
    # Gone with CMD: nothing listens there any more.
    url = marker.read_text()
    probe = subprocess.run(
        [sys.executable, "-c", f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)"],
        capture_output=True,
        text=True,
    )
    assert "Connection refused" in probe.stderr
    # A CMD killed by a signal: awsctx ends by the same signal.
    marker.unlink()
    sleeper = f"import time; open({str(marker)!r}, 'w').write('x'); time.sleep(120)"
    process = subprocess.Popen(
        [str(AWSCTX), "exec", "app", "--server", "--", sys.executable, "-c", sleeper], env=server_env
    )
    while process.poll() is None and not marker.exists():
        time.sleep(0.1)
    process.send_signal(signal.SIGHUP)
    assert process.wait(timeout=60) == -signal.SIGHUP


def test_ctrl_c_in_the_terminal_reaches_cmd_once(server_env: dict[str, str]) -> None:
    counter = (
        "import signal, sys, time\n"
        "seen = []\n"
        "signal.signal(signal.SIGINT, lambda *_: seen.append(1))\n"
        "print('ready', flush=True)\n"
        "while not seen:\n"
        "    time.sleep(0.05)\n"
        "time.sleep(1)\n"
        "print('interrupts', len(seen), flush=True)\n"
    )
    child = pexpect.spawn(
        str(AWSCTX),
        ["exec", "app", "--server", "--", sys.executable, "-c", counter],
        env=server_env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("ready")
    child.sendintr()
    child.expect(r"interrupts (\d+)")
    count = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert count == "1"
    assert child.exitstatus == 0
