"""Every failure to get an answer from AWS is one line in bounded time: a server that is not AWS (a
captive portal, a proxy's error page, an empty body), a server that never answers, a lock another
process holds, credentials that loop back through `awsctx process`. All servers are on loopback."""

from __future__ import annotations

import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fakesso import sso_cache_dir, write_token_cache
from harness import AWSCTX, base_env, dump, make_home, run, write_aws
from stsproxy import StsProxy

CONFIG = """[profile static]
region = us-east-1

[profile role]
role_arn = arn:aws:iam::111111111111:role/admin
source_profile = static
region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = eu-west-1

[profile loop-a]
role_arn = arn:aws:iam::111111111111:role/a
source_profile = loop-b

[profile loop-b]
credential_process = awsctx process loop-a

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

CREDENTIALS = """[static]
aws_access_key_id = AKIAEXAMPLESTATIC001
aws_secret_access_key = static-secret
"""

BODIES = [
    b"<html><body>Welcome to the hotel Wi-Fi. Accept the terms to continue.</body></html>",
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
    b"",
    b"not found",
    b"\x00\xff\xfe garbage \x80",
    b'{"unexpected": ',
    b"[1, 2, 3]",
    b"<?xml version='1.0'?><Nothing/>",
]
# Well-formed JSON and XML of the wrong shape: what botocore parses without complaint, but without
# the fields (or with values of another type than) awsctx and botocore's providers read.
STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
WRONG_SHAPES = [
    b"{}",
    b'{"message": "ok"}',
    b'{"roleCredentials": {}, "accountList": null, "clientId": "c", "accessToken": "t"}',
    b'{"roleCredentials": "none", "accountList": 7, "clientId": 5, "deviceCode": [], "accessToken": 5}',
    b'{"roleCredentials": {"accessKeyId": "A", "secretAccessKey": "S", "sessionToken": "T", "expiration": "later"},'
    b' "accessToken": "t", "expiresIn": "soon", "clientId": "c", "clientSecret": "s"}',
    b"<AssumeRoleResponse/>",
    b"<ErrorResponse/>",
    f"<GetCallerIdentityResponse xmlns='{STS_XMLNS}'><GetCallerIdentityResult><Arn>x</Arn>"
    "</GetCallerIdentityResult></GetCallerIdentityResponse>".encode(),
    f"<AssumeRoleResponse xmlns='{STS_XMLNS}'><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
    "<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>never</Expiration>"
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>".encode(),
]
BODIES += WRONG_SHAPES
CONTENT_TYPES = ["text/html", "text/plain", "application/json", "text/xml", ""]
STATUSES = [200, 200, 201, 302, 400, 403, 404, 500, 502, 503]


class Impostor:
    """An HTTP server on loopback that answers anything with what the test sets; `silent` accepts
    connections and never answers."""

    def __init__(self) -> None:
        self.status, self.content_type, self.body = 200, "text/html", b""
        self.silent = False
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.requests += 1
                if server.silent:
                    time.sleep(3600)
                self.send_response(server.status)
                if server.content_type:
                    self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            do_GET = do_POST = do_PUT = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def impostor() -> Iterator[Impostor]:
    server = Impostor()
    yield server
    server.stop()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = make_home(tmp_path, seed=False)
    write_aws(home, config=CONFIG, credentials=CREDENTIALS)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 8 * 3600))
    token = {
        "startUrl": "https://corp.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "a-token",
        "expiresAt": expires,
    }
    write_token_cache(sso_cache_dir(home), "corp", token)
    return home


def impostor_env(home: Path, url: str, **extra: str) -> dict[str, str]:
    return dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=url,
        AWS_ENDPOINT_URL_IAM=url,
        AWS_ENDPOINT_URL_SSO=url,
        AWS_ENDPOINT_URL_SSO_OIDC=url,
        AWSCTX_FEDERATION_URL=url + "/federation",
        AWSCTX_CREDENTIALS="check",
        AWS_EC2_METADATA_DISABLED="true",
        BROWSER="true",
        **extra,
    )


def awsctx(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AWSCTX), *args], env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


# Every command that calls AWS, with the profiles whose credentials come from STS and from the portal.
COMMANDS = [
    ("whoami", "role"),
    ("whoami", "dev"),
    ("export", "role"),
    ("exec", "role", "--", "true"),
    ("console", "--print", "role"),
    ("process", "role"),
    ("process", "dev"),
    ("console", "--print", "dev"),
    ("login", "--force", "--no-browser", "dev"),
    ("login", "--no-browser", "dev"),
    ("sso", "sync", "corp", "--dry-run"),
]


def assert_one_clear_line(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode != 0, f"{what}: succeeded on an answer that is not AWS's: {result.stdout}"
    assert "Traceback" not in result.stderr, f"{what}:\n{result.stderr}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, f"{what}:\n{result.stderr}"
    assert lines[-1].startswith("awsctx: error: "), f"{what}:\n{result.stderr}"


@pytest.mark.parametrize("seed", range(3))
def test_answers_that_are_not_aws_are_one_line_for_every_command(home: Path, impostor: Impostor, seed: int) -> None:
    rng = random.Random(seed)
    env = impostor_env(home, impostor.url)
    for words in COMMANDS:
        impostor.status = rng.choice(STATUSES)
        impostor.content_type = rng.choice(CONTENT_TYPES)
        impostor.body = rng.choice(BODIES)
        what = f"{' '.join(words)} against HTTP {impostor.status} {impostor.content_type} {impostor.body!r}"
        assert_one_clear_line(awsctx(env, *words), what)


@pytest.mark.parametrize("body", WRONG_SHAPES, ids=lambda body: body[:24].decode())
def test_answers_of_the_wrong_shape_are_one_line_naming_the_endpoint_for_every_command(
    home: Path, impostor: Impostor, body: bytes
) -> None:
    impostor.status = 200
    impostor.content_type = "text/xml" if body.startswith(b"<") else "application/json"
    impostor.body = body
    env = impostor_env(home, impostor.url)
    for words in COMMANDS:
        result = awsctx(env, *words)
        what = f"{' '.join(words)} against HTTP 200 {body!r}"
        assert_one_clear_line(result, what)
        assert "127.0.0.1:" in result.stderr, what + "\n" + result.stderr
        assert "AWS_ENDPOINT_URL_" in result.stderr, what + "\n" + result.stderr


def test_a_captive_portal_is_named_with_its_status_and_what_to_check(home: Path, impostor: Impostor) -> None:
    impostor.status, impostor.content_type, impostor.body = 200, "text/html", BODIES[0]
    result = awsctx(impostor_env(home, impostor.url), "whoami", "role")
    assert_one_clear_line(result, "whoami")
    assert "STS at 127.0.0.1:" in result.stderr
    assert "HTTP 200 and an HTML page" in result.stderr
    assert "AWS_ENDPOINT_URL_STS" in result.stderr and "HTTPS_PROXY" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_a_switch_against_an_impostor_leaves_the_shell_unchanged(home: Path, impostor: Impostor, shell: str) -> None:
    impostor.status, impostor.content_type, impostor.body = 500, "text/plain", b"junk"
    env = impostor_env(home, impostor.url)
    result = run(shell, f"{dump('before')}\nawsctx role\n{dump('after')}", env)
    assert result.aws("after") == result.aws("before")
    assert "Traceback" not in result.stderr
    assert "HTTP 500" in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) <= 2


def test_a_silent_endpoint_says_what_it_waits_for_and_gives_up_at_the_bound(home: Path, impostor: Impostor) -> None:
    impostor.silent = True
    env = impostor_env(home, impostor.url, AWSCTX_TIMEOUT="3")
    result = awsctx(env, "whoami", "role")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert "waiting for AWS: assuming admin in 111111111111 via 127.0.0.1:" in lines[0]
    assert "no answer from 127.0.0.1:" in lines[1] and "within 3 s" in lines[1]
    assert "AWSCTX_TIMEOUT" in lines[1]
    assert "Traceback" not in result.stderr


def test_the_bound_counts_every_wait_of_one_command_together(home: Path, sts: StsProxy) -> None:
    # AssumeRole answers after a second, then STS and IAM go silent: the identity check gets what
    # is left of the bound, and no call is made once it is spent (the alias lookup is skipped).
    sts.reset()
    sts.answer_late("AssumeRole", 1.0)
    sts.stall("GetCallerIdentity")
    sts.stall("ListAccountAliases")
    env = dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWSCTX_TIMEOUT="4",
    )
    try:
        result = awsctx(env, "whoami", "role")
    finally:
        stalled = dict(sts.calls)
        sts.reset()
    assert result.returncode == 0, result.stderr
    assert "arn:aws:iam::111111111111:role/admin (not checked)" in result.stdout
    assert "Traceback" not in result.stderr
    # The check was cut short by the time AssumeRole already took from the same bound.
    earlier = re.search(
        r"within 4 s, the time this command may wait for AWS in all \(([0-9.]+) s of it on earlier", result.stderr
    )
    assert earlier, result.stderr
    assert float(earlier.group(1)) >= 1.0
    assert stalled["AssumeRole"] == 1 and stalled["GetCallerIdentity"] == 1
    assert "ListAccountAliases" not in stalled


def test_a_silent_sso_portal_gives_up_at_the_bound(home: Path, impostor: Impostor) -> None:
    impostor.silent = True
    result = awsctx(impostor_env(home, impostor.url, AWSCTX_TIMEOUT="2"), "process", "dev")
    assert result.returncode == 1
    assert "getting role credentials from IAM Identity Center" in result.stderr
    assert "within 2 s" in result.stderr
    assert result.stdout == ""


def test_ctrl_c_while_waiting_applies_nothing_and_prints_no_traceback(home: Path, impostor: Impostor) -> None:
    impostor.silent = True
    env = impostor_env(home, impostor.url, AWSCTX_SHELL="bash")
    child = subprocess.Popen([str(AWSCTX), "role"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    assert "waiting for AWS" in child.stderr.readline()  # it is inside the call
    child.send_signal(2)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode != 0
    assert stdout == ""
    assert "Traceback" not in stderr


def test_a_bad_timeout_setting_is_one_line(home: Path, impostor: Impostor) -> None:
    result = awsctx(impostor_env(home, impostor.url, AWSCTX_TIMEOUT="soon"), "whoami", "role")
    assert_one_clear_line(result, "whoami")
    assert "AWSCTX_TIMEOUT='soon'" in result.stderr


HOLDER = """
import sys, time
from awsctx import credentials, locks, paths
import os
path = os.path.join(paths.lock_dir(), "profile-" + credentials._file_safe(sys.argv[1]) + ".lock")
with locks.locked(path):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def hold_profile_lock(env: dict[str, str], profile: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, profile], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    return holder


def test_a_held_profile_lock_names_its_holder_and_gives_up_at_the_bound(home: Path, impostor: Impostor) -> None:
    env = impostor_env(home, impostor.url, AWSCTX_LOCK_TIMEOUT="2")
    holder = hold_profile_lock(env, "role")
    try:
        result = awsctx(env, "whoami", "role")
    finally:
        holder.communicate("\n", timeout=30)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert f"waiting for awsctx process {holder.pid}" in lines[0] and "'role'" in lines[0]
    assert "gave up after 2 s" in lines[1]
    assert impostor.requests == 0


def test_waiters_for_one_profile_share_one_assume_role_and_one_identity_check(home: Path, sts: StsProxy) -> None:
    sts.reset()
    env = dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
    )
    holder = hold_profile_lock(env, "role")
    waiters = [
        subprocess.Popen(
            [str(AWSCTX), "export", "role", "--format", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    try:
        for waiter in waiters:
            assert waiter.stderr is not None
            assert "waiting for awsctx process" in waiter.stderr.readline()
    finally:
        holder.communicate("\n", timeout=30)
    outputs = [waiter.communicate(timeout=120) for waiter in waiters]
    assert [waiter.returncode for waiter in waiters] == [0] * 6, outputs
    keys = {json.loads(stdout)["AccessKeyId"] for stdout, _ in outputs}
    assert len(keys) == 1
    assert sts.calls["AssumeRole"] == 1
    assert sts.calls["GetCallerIdentity"] == 1


def test_credentials_that_loop_through_awsctx_process_are_named_by_every_command(home: Path) -> None:
    env = dict(base_env(home), AWSCTX_LOCK_TIMEOUT="30")
    for words in (("whoami", "loop-a"), ("export", "loop-a"), ("exec", "loop-a", "--", "true"), ("process", "loop-a")):
        result = awsctx(env, *words)
        assert_one_clear_line(result, " ".join(words))
        assert "loop-a -> loop-b -> loop-a" in result.stderr, result.stderr
    result = run("bash", f"{dump('before')}\nawsctx loop-a\n{dump('after')}", dict(env, AWSCTX_CREDENTIALS="check"))
    assert result.aws("after") == result.aws("before")
    assert "loop-a -> loop-b -> loop-a" in result.stderr
    doctor = awsctx(env, "doctor")
    assert "loop-a -> loop-b -> loop-a" in doctor.stderr + doctor.stdout


def test_nothing_listens_is_one_line(home: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = awsctx(impostor_env(home, f"http://127.0.0.1:{port}"), "whoami", "role")
    assert_one_clear_line(result, "whoami")


def test_the_check_uses_the_region_of_the_profile_switched_to(home: Path, sts: StsProxy) -> None:
    sts.reset()
    env = dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_EC2_METADATA_DISABLED="true",
        AWSCTX_CREDENTIALS="check",
        AWS_DEFAULT_REGION="ap-south-1",  # the previous profile's
        AWS_REGION="ap-south-1",
    )
    result = run("bash", "awsctx role", env)
    assert result.returncode == 0, result.stderr
    assert sts.regions and set(sts.regions) == {"eu-west-1"}, sts.regions


def test_process_serves_obtained_credentials_when_sts_does_not_answer(home: Path, sts: StsProxy) -> None:
    sts.reset()
    env = dict(base_env(home), AWS_ENDPOINT_URL_STS=sts.url, AWS_EC2_METADATA_DISABLED="true")
    sts.fail_next(20, "", "", status=0, action="GetCallerIdentity")  # every attempt: the connection drops
    result = awsctx(env, "process", "role")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AccessKeyId"].startswith("ASIA")
    whoami = awsctx(env, "whoami", "role")
    assert whoami.returncode == 0, whoami.stderr
    assert "111111111111" in whoami.stdout
    assert "arn:aws:iam::111111111111:role/admin (not checked)" in whoami.stdout
    assert "not checked with STS" in whoami.stderr
