"""`awsctx console` as a user runs it, against local servers: moto's STS behind the counting proxy,
FakeSSO, and a federation endpoint of this module's own that checks every sign-in token request."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fakesso import FakeSSO, access_key_id_for, secret_access_key_for, sso_cache_dir, write_token_cache
from harness import AWSCTX, aws_client, base_env, closed_port_url, make_home, write_aws
from stsproxy import StsProxy

from awsctx.commands import console

STATIC_KEY = "AKIAEXAMPLESTATIC001"
STATIC_SECRET = "static-secret"
SSO_ACCOUNT = "777777777777"
SSO_ROLE = "ReadOnly"

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
region = ap-northeast-1

[profile short]
role_arn = arn:aws:iam::444444444444:role/brief
source_profile = static
duration_seconds = 1800
region = us-west-2

[profile dev]
sso_session = corp
sso_account_id = {sso_account}
sso_role_name = {sso_role}
region = eu-central-1

[profile fromsso]
role_arn = arn:aws:iam::555555555555:role/reader
source_profile = dev

[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

CREDENTIALS = f"""
[static]
aws_access_key_id = {STATIC_KEY}
aws_secret_access_key = {STATIC_SECRET}
"""

# Writes the URL it is given to a file and chats on stdout, as browser launchers do.
BROWSER_SCRIPT = """#!/bin/sh
printf '%s' "$1" > "{record}"
echo "browser launcher chatter"
"""


class Federation:
    """The federation endpoint's getSigninToken, checking what it is sent as AWS does."""

    def __init__(self) -> None:
        self.requests: list[dict] = []  # {"session": {...}, "duration": str | None}
        self.issued: dict[str, dict] = {}  # sign-in token -> the session it was issued for
        self.refuse = False
        self.lock = threading.Lock()
        federation = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                status, answer = federation.answer(self.path)
                payload = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/federation"

    def answer(self, path: str) -> tuple[int, str]:
        parts = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
        if parts.path != "/federation" or query.get("Action") != ["getSigninToken"]:
            return 400, "unknown action"
        if set(query) - {"Action", "Session", "SessionDuration"} or len(query.get("Session", [])) != 1:
            return 400, "unexpected parameters"
        session = json.loads(query["Session"][0])
        if set(session) != {"sessionId", "sessionKey", "sessionToken"} or not all(
            isinstance(value, str) and value for value in session.values()
        ):
            return 400, "Invalid credentials parameter"
        duration = query.get("SessionDuration", [None])[-1]
        if duration is not None and not (duration.isdigit() and 900 <= int(duration) <= 43200):
            return 400, "SessionDuration out of range"
        with self.lock:
            self.requests.append({"session": session, "duration": duration})
            if self.refuse:
                return 400, "Invalid credentials parameter"
            token = "signin-" + secrets.token_hex(24)
            self.issued[token] = session
        return 200, json.dumps({"SigninToken": token})

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.issued.clear()
            self.refuse = False

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def federation_server() -> Iterator[Federation]:
    server = Federation()
    yield server
    server.stop()


@pytest.fixture
def federation(federation_server: Federation) -> Federation:
    federation_server.reset()
    return federation_server


@pytest.fixture
def fake_sso() -> Iterator[FakeSSO]:
    with FakeSSO() as server:
        server.add_account(SSO_ACCOUNT, "dev", "dev@example.com", roles=[SSO_ROLE])
        yield server
        assert server.errors == [], "the fake SSO server hit a bug:\n" + "\n".join(server.errors)


@pytest.fixture
def console_home(tmp_path: Path, sts: StsProxy, fake_sso: FakeSSO) -> Path:
    sts.reset()
    home = make_home(tmp_path, seed=False)
    config = CONFIG.format(sso_account=SSO_ACCOUNT, sso_role=SSO_ROLE, start_url=fake_sso.start_url)
    write_aws(home, config=config, credentials=CREDENTIALS)
    write_token_cache(sso_cache_dir(home), "corp", fake_sso.issue_token())
    return home


@pytest.fixture
def console_env(console_home: Path, sts: StsProxy, fake_sso: FakeSSO, federation: Federation) -> dict[str, str]:
    return dict(
        base_env(console_home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_ENDPOINT_URL_SSO=fake_sso.url,
        AWS_ENDPOINT_URL_SSO_OIDC=fake_sso.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWSCTX_FEDERATION_URL=federation.url,
    )


def awsctx(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # stdin from /dev/null: nothing may wait on a terminal, and MFA codes come from --mfa-code.
    return subprocess.run(
        [str(AWSCTX), *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120
    )


def signed_in(env: dict[str, str], federation: Federation, *args: str) -> tuple[dict[str, str], dict]:
    """Run `awsctx console ARGS --print`; the login URL's parameters, and the one token request."""
    result = awsctx(env, "console", *args, "--print")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1, "stdout holds the URL and nothing else"
    url = result.stdout.strip()
    base, _, query = url.partition("?")
    assert base == federation.url
    params = dict(urllib.parse.parse_qsl(query, strict_parsing=True))
    assert params["Action"] == "login"
    assert params["Issuer"] == console.ISSUER
    assert set(params) == {"Action", "Issuer", "Destination", "SigninToken"}
    assert len(federation.requests) == 1
    # The token in the URL is the one issued for exactly the credentials that were sent.
    assert federation.issued[params["SigninToken"]] is federation.requests[0]["session"]
    return params, federation.requests[0]


def identity_of(sts: StsProxy, session: dict) -> str:
    """The ARN moto knows the credentials sent to the federation endpoint by."""
    client = aws_client(
        "sts",
        endpoint_url=f"http://{sts.moto_host}:{sts.moto_port}",
        region_name="us-east-1",
        aws_access_key_id=session["sessionId"],
        aws_secret_access_key=session["sessionKey"],
        aws_session_token=session["sessionToken"],
    )
    return client.get_caller_identity()["Arn"]


# ---------------------------------------------------------------------------- what is sent, what comes back


@pytest.mark.parametrize(
    ("profile", "extra", "role", "duration", "region"),
    [
        ("role", (), "arn:aws:sts::111111111111:assumed-role/admin/", "3600", "eu-west-1"),
        ("mfa", ("--mfa-code", "123456"), "arn:aws:sts::333333333333:assumed-role/secure/", "3600", "ap-northeast-1"),
        ("short", (), "arn:aws:sts::444444444444:assumed-role/brief/", "1800", "us-west-2"),
        # Role chaining: the federation endpoint refuses a SessionDuration for it.
        ("chain", (), "arn:aws:sts::222222222222:assumed-role/deploy/", None, "us-east-1"),
    ],
)
def test_role_profiles_sign_in_as_their_role(
    console_env: dict[str, str],
    federation: Federation,
    sts: StsProxy,
    profile: str,
    extra: tuple[str, ...],
    role: str,
    duration: str | None,
    region: str,
) -> None:
    params, request = signed_in(console_env, federation, profile, *extra)
    assert identity_of(sts, request["session"]).startswith(role)
    assert request["duration"] == duration
    assert params["Destination"] == f"https://{region}.console.aws.amazon.com/console/home?region={region}"
    assert sts.calls["GetFederationToken"] == 0


def test_static_keys_sign_in_through_one_federation_token(
    console_env: dict[str, str], federation: Federation, sts: StsProxy
) -> None:
    params, request = signed_in(console_env, federation, "static")
    assert sts.calls["GetFederationToken"] == 1
    assert sts.calls["AssumeRole"] == 0
    session = request["session"]
    # Temporary credentials of the federated user, never the long-term keys themselves.
    assert STATIC_KEY not in session.values()
    assert STATIC_SECRET not in session.values()
    assert request["duration"] is None
    assert params["Destination"] == "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"


def test_sso_profile_signs_in_with_its_role_credentials(
    console_env: dict[str, str], federation: Federation, fake_sso: FakeSSO, sts: StsProxy
) -> None:
    params, request = signed_in(console_env, federation, "dev")
    assert request["session"]["sessionId"] == access_key_id_for(SSO_ACCOUNT, SSO_ROLE)
    assert request["session"]["sessionKey"] == secret_access_key_for(SSO_ACCOUNT, SSO_ROLE)
    assert request["duration"] is None
    assert fake_sso.calls["GetRoleCredentials"] == 1
    assert fake_sso.calls["StartDeviceAuthorization"] == 0  # the cached login served
    assert sts.calls["GetFederationToken"] == 0
    assert params["Destination"] == "https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1"


def test_role_assumed_from_an_sso_profile_is_chained(
    console_env: dict[str, str], federation: Federation, sts: StsProxy
) -> None:
    _, request = signed_in(console_env, federation, "fromsso")
    assert identity_of(sts, request["session"]).startswith("arn:aws:sts::555555555555:assumed-role/reader/")
    assert request["duration"] is None


def test_region_and_service_choose_the_destination(console_env: dict[str, str], federation: Federation) -> None:
    params, _ = signed_in(console_env, federation, "role", "-r", "ap-southeast-2", "--service", "ec2")
    assert params["Destination"] == "https://ap-southeast-2.console.aws.amazon.com/ec2/home?region=ap-southeast-2"


@pytest.mark.parametrize(
    ("region", "host"),
    [("cn-north-1", "console.amazonaws.cn"), ("us-gov-west-1", "console.amazonaws-us-gov.com")],
)
def test_other_partitions_have_their_own_console(
    console_env: dict[str, str], federation: Federation, region: str, host: str
) -> None:
    params, _ = signed_in(console_env, federation, "role", "-r", region, "--service", "s3")
    assert params["Destination"] == f"https://{host}/s3/home?region={region}"


@pytest.mark.parametrize(
    ("region", "endpoint"),
    [
        ("eu-west-3", "https://signin.aws.amazon.com/federation"),
        ("cn-northwest-1", "https://signin.amazonaws.cn/federation"),
        ("us-gov-east-1", "https://signin.amazonaws-us-gov.com/federation"),
    ],
)
def test_each_partition_has_its_federation_endpoint(
    monkeypatch: pytest.MonkeyPatch, region: str, endpoint: str
) -> None:
    monkeypatch.delenv(console.FEDERATION_URL_VARIABLE, raising=False)
    assert console.federation_url(console.partition_of(region)) == endpoint


def test_the_active_profile_keeps_the_region_of_the_shell(console_env: dict[str, str], federation: Federation) -> None:
    env = dict(console_env, AWS_PROFILE="role", AWS_REGION="sa-east-1", AWS_DEFAULT_REGION="sa-east-1")
    params, _ = signed_in(env, federation)  # no NAME: the active profile
    assert params["Destination"].endswith("?region=sa-east-1")
    federation.reset()
    # The shell's region belongs to its own profile, not to another one named here.
    env = dict(console_env, AWS_PROFILE="static", AWS_REGION="sa-east-1", AWS_DEFAULT_REGION="sa-east-1")
    params, _ = signed_in(env, federation, "role")
    assert params["Destination"].endswith("?region=eu-west-1")


# ---------------------------------------------------------------------------- the browser


def test_browser_gets_the_url_and_stdout_stays_clean(
    console_env: dict[str, str], federation: Federation, tmp_path: Path
) -> None:
    record = tmp_path / "opened-url"
    script = tmp_path / "browser.sh"
    script.write_text(BROWSER_SCRIPT.format(record=record))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    result = awsctx(dict(console_env, BROWSER=str(script)), "console", "role", "--service", "iam")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "browser launcher chatter" in result.stderr
    opened = record.read_text()
    base, _, query = opened.partition("?")
    params = dict(urllib.parse.parse_qsl(query, strict_parsing=True))
    assert base == federation.url
    assert params["Destination"] == "https://eu-west-1.console.aws.amazon.com/iam/home?region=eu-west-1"
    assert federation.issued[params["SigninToken"]] is federation.requests[0]["session"]
    assert params["SigninToken"] not in result.stderr


def test_the_url_is_kept_nowhere(console_env: dict[str, str], federation: Federation, console_home: Path) -> None:
    params, request = signed_in(console_env, federation, "static")
    secrets_sent = [params["SigninToken"], request["session"]["sessionKey"], request["session"]["sessionToken"]]
    for folder, _, files in os.walk(console_home):
        for name in files:
            content = (Path(folder) / name).read_bytes()
            for secret in secrets_sent:
                assert secret.encode() not in content, f"{secret[:12]}... is stored in {name}"


# ---------------------------------------------------------------------------- failures


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("awsctx: error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_dead_federation_endpoint_is_one_line(console_env: dict[str, str], sts: StsProxy) -> None:
    closed = closed_port_url()
    env = dict(console_env, AWSCTX_FEDERATION_URL=f"{closed}/federation")
    result = awsctx(env, "console", "role", "--print")
    assert result.returncode == 1
    assert_one_line_error(result, "cannot reach the AWS sign-in endpoint", closed.removeprefix("http://"))
    for secret in ("Session", "session", "SigninToken", "%22"):
        assert secret not in result.stderr
    assert sts.calls["AssumeRole"] == 1  # it got as far as the endpoint


def test_refused_credentials_are_one_line_without_secrets(console_env: dict[str, str], federation: Federation) -> None:
    federation.refuse = True
    result = awsctx(console_env, "console", "role", "--print")
    assert result.returncode == 1
    assert_one_line_error(result, "refused", "HTTP 400", "'role'")
    sent = federation.requests[0]["session"]
    assert sent["sessionKey"] not in result.stderr
    assert sent["sessionToken"] not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/federation",
        "ftp://127.0.0.1/federation",
        "https://signin.example/federation?x=1",
        "nonsense",
    ],
)
def test_unsafe_federation_override_is_refused_before_any_call(
    console_env: dict[str, str], federation: Federation, sts: StsProxy, url: str
) -> None:
    result = awsctx(dict(console_env, AWSCTX_FEDERATION_URL=url), "console", "role", "--print")
    assert result.returncode == 1
    assert_one_line_error(result, console.FEDERATION_URL_VARIABLE)
    assert sum(sts.calls.values()) == 0
    assert federation.requests == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("role", "--service", "ec2/../x?y=1"), ("not a console service name",)),
        (("role", "--service", ".."), ("not a console service name",)),
        (("role", "-r", "eu-wast-1"), ("unknown region", "eu-west-1")),
        (("role", "-r", "us-iso-east-1"), ("us-iso-east-1",)),
        (("nosuch",), ("nosuch",)),
    ],
)
def test_bad_requests_fail_before_any_sign_in(
    console_env: dict[str, str], federation: Federation, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    result = awsctx(console_env, "console", *args, "--print")
    assert result.returncode in (1, 2)
    assert_one_line_error(result, *words)
    assert federation.requests == []


def test_no_profile_and_none_active(console_env: dict[str, str], federation: Federation) -> None:
    result = awsctx(console_env, "console", "--print")
    assert result.returncode == 1
    assert_one_line_error(result, "awsctx console NAME")
    assert federation.requests == []


# ---------------------------------------------------------------------------- the extension's configuration


def test_aesr_export_places_roles_under_the_account_awsctx_learnt(
    console_env: dict[str, str], console_home: Path
) -> None:
    before = awsctx(console_env, "export", "--format", "aesr")
    assert before.returncode == 0, before.stderr
    assert "source_profile = static" not in before.stdout  # the keys' account is not known yet
    assert awsctx(console_env, "whoami", "static").returncode == 0
    after = awsctx(console_env, "export", "--format", "aesr")
    assert after.returncode == 0, after.stderr
    sections = [section.strip() for section in after.stdout.split("\n\n")]
    assert sections[0] == (
        "[profile role]\naws_account_id = 111111111111\nrole_name = admin\nregion = eu-west-1\nsource_profile = static"
    )
    assert "[profile static]\naws_account_id = 123456789012" in sections  # moto's account for unknown keys
