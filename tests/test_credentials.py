"""Credentials against real local servers: moto's STS/IAM behind a counting proxy, and FakeSSO."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pexpect
import pytest
from harness import AWSCTX, SHELLS, base_env, closed_port_url, dump, make_home, run, write_aws
from stsproxy import StsProxy

STATIC_KEY = "AKIAEXAMPLESTATIC001"

CONFIG = """
[profile static]
region = us-east-1

[profile role]
role_arn = arn:aws:iam::111111111111:role/admin
source_profile = static
region = eu-west-1

[profile chain]
role_arn = arn:aws:iam::222222222222:role/deploy
source_profile = role

[profile mfa]
role_arn = arn:aws:iam::333333333333:role/secure
source_profile = static
mfa_serial = arn:aws:iam::999999999999:mfa/tester

[profile envsource]
role_arn = arn:aws:iam::444444444444:role/fromenv
credential_source = Environment

[profile external]
role_arn = arn:aws:iam::666666666666:role/partner
source_profile = static
external_id = partner-secret-id
role_session_name = awsctx-test
duration_seconds = 1800

[profile process]
credential_process = {python} {process_script}

[profile webid]
role_arn = arn:aws:iam::555555555555:role/web
web_identity_token_file = {token_file}

[profile cycle-a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = cycle-b

[profile cycle-b]
role_arn = arn:aws:iam::111111111111:role/b
source_profile = cycle-a

[profile orphan]
role_arn = arn:aws:iam::111111111111:role/o
source_profile = missing

[profile nosource]
role_arn = arn:aws:iam::111111111111:role/n

[profile half]
aws_access_key_id = AKIAEXAMPLEHALF00001
"""

CREDENTIALS = f"""
[static]
aws_access_key_id = {STATIC_KEY}
aws_secret_access_key = static-secret
"""

PROCESS_SCRIPT = """
import json, time
expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
print(json.dumps({"Version": 1, "AccessKeyId": "AKIAEXAMPLEPROCESS01", "SecretAccessKey": "s",
                  "SessionToken": "t", "Expiration": expiry}))
"""

BOTO3_IDENTITY = """
import boto3, json, sys
session = boto3.Session(profile_name=sys.argv[1])
print(json.dumps(session.client("sts").get_caller_identity()))
"""

# Reads the AWS CLI's cache the way the AWS CLI sets botocore up.
BOTO3_WITH_CLI_CACHE = """
import boto3, json, os, sys
from botocore.utils import JSONFileCache
session = boto3.Session(profile_name=sys.argv[1])
provider = session._session.get_component("credential_provider").get_provider("assume-role")
provider.cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
print(session.get_credentials().get_frozen_credentials().access_key)
"""


@pytest.fixture
def cred_home(tmp_path: Path, sts: StsProxy) -> Path:
    sts.reset()
    home = make_home(tmp_path, seed=False)
    process_script = tmp_path / "process.py"
    process_script.write_text(PROCESS_SCRIPT)
    token_file = tmp_path / "web-token"
    token_file.write_text("a-web-identity-token")
    config = CONFIG.format(python=sys.executable, process_script=process_script, token_file=token_file)
    write_aws(home, config=config, credentials=CREDENTIALS)
    return home


@pytest.fixture
def cred_env(cred_home: Path, sts: StsProxy) -> dict[str, str]:
    return dict(
        base_env(cred_home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",  # the SDKs need one for profiles that name none
    )


def awsctx(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AWSCTX), *args], env=env, capture_output=True, text=True, input=stdin, timeout=120)


def whoami(env: dict[str, str], profile: str, *extra: str) -> dict:
    result = awsctx(env, "whoami", profile, "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def boto3_identity(env: dict[str, str], profile: str, stdin: str | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_IDENTITY, profile], env=env, capture_output=True, text=True, input=stdin
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def without_session(arn: str) -> str:
    """An assumed-role ARN without its session name, which each SDK picks at random."""
    return arn.rsplit("/", 1)[0] if ":assumed-role/" in arn else arn


ENV_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEENVIRON01", "AWS_SECRET_ACCESS_KEY": "env-secret"}


@pytest.mark.parametrize(
    ("profile", "extra_env", "args", "stdin"),
    [
        ("static", {}, (), None),
        ("role", {}, (), None),
        ("chain", {}, (), None),
        ("mfa", {}, ("--mfa-code", "123456"), "123456\n"),
        ("envsource", ENV_KEYS, (), None),
        ("external", {}, (), None),
        ("process", {}, (), None),
        ("webid", {}, (), None),
    ],
)
def test_identity_matches_boto3_for_every_profile_kind(
    cred_env: dict[str, str], profile: str, extra_env: dict[str, str], args: tuple[str, ...], stdin: str | None
) -> None:
    env = dict(cred_env, **extra_env)
    ours = whoami(env, profile, *args)
    theirs = boto3_identity(env, profile, stdin)
    assert ours["account"] == theirs["Account"]
    assert without_session(ours["arn"]) == without_session(theirs["Arn"])


def test_assumed_role_identity_is_the_role(cred_env: dict[str, str], cred_home: Path, sts: StsProxy) -> None:
    ours = whoami(cred_env, "chain")
    assert ours["account"] == "222222222222"
    assert ":assumed-role/deploy/" in ours["arn"]
    # The expiry STS gave the deploy role's credentials (the last link of the chain), to the second.
    cached = [json.loads(path.read_text()) for path in (cred_home / ".aws" / "cli" / "cache").glob("*.json")]
    records = [sts.issued(entry["Credentials"]["AccessKeyId"]) for entry in cached]
    (issued,) = [record for record in records if record and record["arn"] == ours["arn"]]
    shown = datetime.fromisoformat(ours["expiration"].replace("Z", "+00:00")).timestamp()
    assert abs(shown - issued["expiration"]) < 1
    assert ours["kind"] == "assume-role"


def test_role_credentials_land_in_the_aws_cli_cache_and_serve_botocore(
    cred_env: dict[str, str], cred_home: Path, sts: StsProxy
) -> None:
    whoami(cred_env, "role")
    assert sts.calls["AssumeRole"] == 1
    cache = cred_home / ".aws" / "cli" / "cache"
    (entry,) = cache.glob("*.json")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert "AssumedRoleUser" in json.loads(entry.read_text())
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_WITH_CLI_CACHE, "role"], env=cred_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # The role's temporary key, read from awsctx's entry: one STS issued for the role.
    assert result.stdout.strip() == json.loads(entry.read_text())["Credentials"]["AccessKeyId"]
    assert sts.issued(result.stdout.strip()) is not None
    assert sts.calls["AssumeRole"] == 1  # botocore used awsctx's entry: no second AssumeRole


def test_an_entry_botocore_wrote_serves_awsctx(cred_env: dict[str, str], sts: StsProxy) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BOTO3_WITH_CLI_CACHE, "role"], env=cred_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert sts.calls["AssumeRole"] == 1
    whoami(cred_env, "role")
    assert sts.calls["AssumeRole"] == 1


def test_a_corrupt_cache_file_is_a_miss_that_gets_replaced(
    cred_env: dict[str, str], cred_home: Path, sts: StsProxy
) -> None:
    whoami(cred_env, "role")
    (entry,) = (cred_home / ".aws" / "cli" / "cache").glob("*.json")
    entry.write_text('{"Credentials": {"AccessKeyId": "tr')
    (cred_home / ".cache" / "awsctx" / "identities.marshal").write_bytes(b"\x00garbage")
    whoami(cred_env, "role")
    assert sts.calls["AssumeRole"] == 2
    assert "AccessKeyId" in json.loads(entry.read_text())["Credentials"]


def test_static_keys_account_is_cached_by_key_id_never_by_secret(cred_env: dict[str, str], cred_home: Path) -> None:
    whoami(cred_env, "static")
    index = (cred_home / ".cache" / "awsctx" / "identities.marshal").read_bytes()
    assert STATIC_KEY.encode() in index
    assert b"static-secret" not in index


def test_ten_parallel_callers_cause_one_assume_role(cred_env: dict[str, str], sts: StsProxy) -> None:
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: awsctx(cred_env, "whoami", "chain", "--json"), range(10)))
    assert all(result.returncode == 0 for result in results), [r.stderr for r in results]
    assert sts.calls["AssumeRole"] == 2  # chain = role assumed from static, then deploy from role: once each


def test_mfa_code_is_asked_on_the_terminal_once(cred_env: dict[str, str], sts: StsProxy) -> None:
    child = pexpect.spawn(str(AWSCTX), ["whoami", "mfa"], env=cred_env, encoding="utf-8", timeout=60)
    child.expect("MFA code")
    child.sendline("654321")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "654321" not in child.before  # not echoed
    assert "333333333333" in child.before
    again = awsctx(cred_env, "whoami", "mfa")  # from the cache: no terminal needed now
    assert again.returncode == 0, again.stderr
    assert sts.calls["AssumeRole"] == 1


def test_mfa_without_a_terminal_says_how(cred_env: dict[str, str]) -> None:
    result = awsctx(cred_env, "whoami", "mfa", stdin="")
    assert result.returncode == 1
    assert "--mfa-code" in result.stderr
    assert "Traceback" not in result.stderr


def test_throttling_is_retried(cred_env: dict[str, str], sts: StsProxy) -> None:
    sts.fail_next(2, "Throttling", "Rate exceeded", action="AssumeRole")
    ours = whoami(cred_env, "role")
    assert ours["account"] == "111111111111"
    assert sts.calls["AssumeRole"] == 3


def test_access_denied_is_explained(cred_env: dict[str, str], sts: StsProxy) -> None:
    sts.fail_next(1, "AccessDenied", "not authorized to perform sts:AssumeRole", status=403, action="AssumeRole")
    result = awsctx(cred_env, "whoami", "role")
    assert result.returncode == 1
    assert "access denied" in result.stderr
    assert "not authorized" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_dead_server_is_a_clear_error(cred_env: dict[str, str]) -> None:
    env = dict(cred_env, AWS_ENDPOINT_URL_STS=closed_port_url())
    result = awsctx(env, "whoami", "role")
    assert result.returncode == 1
    assert "cannot reach AWS" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        ("cycle-a", ["source_profile loops", "cycle-a -> cycle-b -> cycle-a"]),
        ("orphan", ["source_profile 'missing' does not exist", "~/.aws/config line"]),
        ("nosource", ["role_arn but no source_profile", "~/.aws/config line"]),
        ("half", ["has no aws_secret_access_key"]),
    ],
)
def test_broken_profiles_say_what_and_where(cred_env: dict[str, str], profile: str, words: list[str]) -> None:
    result = awsctx(cred_env, "whoami", profile)
    assert result.returncode == 1
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_sso_profile_without_sso_region_names_profile_key_and_file(env: dict[str, str]) -> None:
    result = awsctx(env, "whoami", "client2-with-sso")
    assert result.returncode == 1
    for word in ("client2-with-sso", "sso_region", "~/.aws/config"):
        assert word in result.stderr
    assert "Traceback" not in result.stderr


def test_export_prints_credentials_in_each_format(cred_env: dict[str, str]) -> None:
    env_format = awsctx(cred_env, "export", "role", "--format", "env").stdout
    assert "export AWS_ACCESS_KEY_ID=" in env_format
    assert "export AWS_SESSION_EXPIRATION=" in env_format
    assert "export AWS_REGION=eu-west-1" in env_format
    fish = awsctx(cred_env, "export", "role", "--format", "fish").stdout
    assert "set -gx -- AWS_SECRET_ACCESS_KEY" in fish
    document = json.loads(awsctx(cred_env, "export", "role", "--format", "json").stdout)
    assert document["Version"] == 1
    assert set(document) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}


@pytest.mark.parametrize(
    ("shell", "words"),
    [(["bash", "--norc"], "--format env"), (["dash"], "--format env"), (["dash"], ""), (["bash", "--norc"], "")],
)
def test_exported_credentials_work_in_a_real_shell(cred_env: dict[str, str], shell: list[str], words: str) -> None:
    """Plain POSIX `export` lines: dash (Debian's sh) evaluates them as bash does."""
    script = f'eval "$(awsctx export role {words})"\n' + f"'{sys.executable}' -c '{BOTO3_IDENTITY}' ''"
    result = subprocess.run(
        [*shell, "-c", script.replace("profile_name=sys.argv[1]", "")],
        env=cred_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Account"] == "111111111111"


def test_exec_runs_with_the_credentials_and_passes_the_status_through(cred_env: dict[str, str], sts: StsProxy) -> None:
    env = dict(cred_env, AWS_PROFILE="static", AWS_ACCESS_KEY_ID="AKIASTALE", AWS_DEFAULT_PROFILE="static")
    probe = 'printf "%s|%s|%s\\n" "$AWS_ACCESS_KEY_ID" "${AWS_PROFILE-unset}" "${AWS_DEFAULT_PROFILE-unset}"; exit 7'
    result = awsctx(env, "exec", "role", "--", "sh", "-c", probe)
    assert result.returncode == 7
    key, profile, default_profile = result.stdout.strip().split("|")
    issued = sts.issued(key)  # the role's key, as STS issued it
    assert issued is not None and ":assumed-role/" in str(issued["arn"])
    assert (profile, default_profile) == ("unset", "unset")


def test_exec_forwards_signals(cred_env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [str(AWSCTX), "exec", "role", "--", "sh", "-c", "echo ready; sleep 30"],
        env=cred_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.terminate()
    assert process.wait(timeout=30) == -15


def test_exec_of_a_missing_command_exits_127(cred_env: dict[str, str]) -> None:
    result = awsctx(cred_env, "exec", "role", "--", "no-such-command-awsctx")
    assert result.returncode == 127
    assert "command not found" in result.stderr


def test_cached_identity_needs_no_botocore(cred_env: dict[str, str], cred_home: Path) -> None:
    """After one resolution, the identity is known from awsctx's index with botocore never imported."""
    whoami(cred_env, "role")
    probe = (
        "import sys\n"
        "from awsctx import config, credentials\n"
        "cfg = config.load()\n"
        "identity = credentials.cached_identity('role', cfg.profile('role'))\n"
        "print(identity.account_id, 'botocore' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=cred_env, capture_output=True, text=True)
    assert result.stdout.split() == ["111111111111", "False"], result.stderr


def test_cached_identity_expires_ahead_of_the_credentials(cred_env: dict[str, str]) -> None:
    whoami(cred_env, "role")
    probe = (
        "import time\n"
        "from awsctx import config, credentials\n"
        "cfg = config.load()\n"
        "entry = credentials.cached_identity('role', cfg.profile('role'))\n"
        "late = credentials.cached_identity('role', cfg.profile('role'), now=entry.expiration - 60)\n"
        "print(entry is not None, late is None)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=cred_env, capture_output=True, text=True)
    assert result.stdout.split() == ["True", "True"], result.stderr


ECS_SERVER = """
import http.server, json, sys, time
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        body = json.dumps({"AccessKeyId": "AKIAEXAMPLECONTAINER", "SecretAccessKey": "s",
                           "Token": "t", "Expiration": expiry}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def test_container_credential_source_matches_boto3(cred_env: dict[str, str], cred_home: Path) -> None:
    """credential_source = EcsContainer, with the container endpoint served on loopback."""
    config = (cred_home / ".aws" / "config").read_text()
    config += (
        "\n[profile container]\nrole_arn = arn:aws:iam::777777777777:role/task\ncredential_source = EcsContainer\n"
    )
    write_aws(cred_home, config=config)
    server = subprocess.Popen([sys.executable, "-c", ECS_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        env = dict(cred_env, AWS_CONTAINER_CREDENTIALS_FULL_URI=f"http://127.0.0.1:{port}/creds")
        ours = whoami(env, "container")
        theirs = boto3_identity(env, "container")
    finally:
        server.terminate()
        server.wait()
    assert ours["account"] == theirs["Account"] == "777777777777"
    assert without_session(ours["arn"]) == without_session(theirs["Arn"])


def test_sso_profile_matches_boto3(cred_env: dict[str, str], cred_home: Path) -> None:
    from fakesso import FakeSSO, sso_cache_dir, write_token_cache

    with FakeSSO() as server:
        server.add_account("888888888888", name="Sandbox", roles=("Developer",))
        config = (cred_home / ".aws" / "config").read_text()
        config += (
            "\n[profile sso]\nsso_session = corp\nsso_account_id = 888888888888\nsso_role_name = Developer\n"
            f"\n[sso-session corp]\nsso_start_url = {server.start_url}\nsso_region = us-east-1\n"
        )
        write_aws(cred_home, config=config)
        write_token_cache(sso_cache_dir(cred_home), "corp", server.issue_token(start_url=server.start_url))
        env = dict(cred_env, AWS_ENDPOINT_URL_SSO=server.url, AWS_ENDPOINT_URL_SSO_OIDC=server.url)
        ours = whoami(env, "sso")
        theirs = boto3_identity(env, "sso")
        assert server.calls["GetRoleCredentials"] == 2  # awsctx once (then cached), boto3 once (memory only)
    assert ours["account"] == theirs["Account"]
    assert ours["arn"] == theirs["Arn"]
    assert ours["kind"] == "sso"


def test_whoami_shows_the_iam_account_alias(cred_env: dict[str, str]) -> None:
    create_alias = (
        "import boto3\n"
        "boto3.Session(profile_name='static').client('iam').create_account_alias(AccountAlias='corp-main')\n"
    )
    created = subprocess.run([sys.executable, "-c", create_alias], env=cred_env, capture_output=True, text=True)
    assert created.returncode == 0, created.stderr
    assert whoami(cred_env, "static")["alias"] == "corp-main"
    plain = awsctx(cred_env, "whoami", "static")
    assert "(corp-main)" in plain.stdout
    assert "expires  never (long-term keys)" in plain.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_exec_gives_the_child_the_profile_it_runs_as(cred_env: dict[str, str], shell: str) -> None:
    """The shell is switched to `static` (us-east-1); the child of `exec role` must see role's facts,
    region and marker, and nothing of static's: a prompt or whoami in it tells the truth."""
    env = dict(cred_env, AWSCTX_CREDENTIALS="check", AWSCTX_SEGMENT="aws:static us-east-1")
    result = run(shell, f"awsctx static\nawsctx exec role -- {dump('child')}\n{dump('shell')}", env)
    assert result.returncode == 0, result.stderr
    child, shell_env = result.envs["child"], result.envs["shell"]
    assert shell_env["AWSCTX_PROFILE"] == "static" and shell_env["AWS_REGION"] == "us-east-1"
    assert child["AWSCTX_EXEC"] == child["AWSCTX_PROFILE"] == "role"
    assert child["AWS_REGION"] == child["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert ":assumed-role/" in child["AWSCTX_ARN"] and child["AWSCTX_ARN"] != shell_env.get("AWSCTX_ARN")
    assert child["AWSCTX_ACCOUNT_ID"] == "111111111111"
    assert "AWS_PROFILE" not in child and "AWSCTX_SEGMENT" not in child
    assert int(child["AWSCTX_EXPIRATION"]) > int(time.time())


@pytest.mark.parametrize("shell", SHELLS)
def test_export_mode_keeps_its_keys_across_a_region_change(cred_env: dict[str, str], shell: str) -> None:
    env = dict(cred_env, AWSCTX_CREDENTIALS="export")
    result = run(shell, f"awsctx role\n{dump('role')}\nawsctx -r ap-south-1\n{dump('region')}", env)
    assert result.returncode == 0, result.stderr
    before, after = result.aws("role"), result.aws("region")
    assert after["AWS_REGION"] == "ap-south-1" and after["AWS_PROFILE"] == "role"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWSCTX_EXPORTED_KEYS"):
        assert after[name] == before[name], name
