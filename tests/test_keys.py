"""`awsctx keys`, against a real Secret Service (gnome-keyring on a private D-Bus bus) and moto's IAM
and STS behind the fault-injecting proxy: the keys leave plain text, every SDK still finds them, and
a rotation that fails at any step leaves a working key stored and says what IAM holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pexpect
import pytest
from harness import AWSCTX, PAST, VENV_BIN, write_aws
from secretservice import SecretService
from stsproxy import StsProxy

DAY = 86400


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    service = SecretService(tmp_path_factory.mktemp("secret-service"))
    yield service
    service.stop()


@pytest.fixture
def kenv(env: dict[str, str], secrets: SecretService, sts: StsProxy) -> dict[str, str]:
    """The test's home, the Secret Service, and every AWS endpoint on loopback."""
    sts.reset()
    return dict(
        env,
        DBUS_SESSION_BUS_ADDRESS=secrets.address,
        XDG_RUNTIME_DIR=secrets.env["XDG_RUNTIME_DIR"],
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
    )


def admin(sts: StsProxy, service: str = "iam"):  # type: ignore[no-untyped-def]
    """A client straight to moto (not counted by the proxy), for setting up and inspecting IAM."""
    return boto3.client(
        service,
        endpoint_url=f"http://{sts.moto_host}:{sts.moto_port}",
        region_name="us-east-1",
        aws_access_key_id="AKIAADMINADMIN000000",
        aws_secret_access_key="admin",
    )


def new_user(sts: StsProxy, name: str) -> tuple[str, str]:
    iam = admin(sts)
    iam.create_user(UserName=name)
    made = iam.create_access_key(UserName=name)["AccessKey"]
    return made["AccessKeyId"], made["SecretAccessKey"]


def iam_keys(sts: StsProxy, user: str) -> list[str]:
    return sorted(key["AccessKeyId"] for key in admin(sts).list_access_keys(UserName=user)["AccessKeyMetadata"])


def awsctx(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AWSCTX), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)


def files_under(home: Path) -> bytes:
    """Every byte of every file under the home folder, to prove a secret is nowhere on disk."""
    found = b""
    for root, _, names in os.walk(home):
        for name in names:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                found += path.read_bytes()
    return found


def assert_nowhere(secret: str, *texts: str | bytes) -> None:
    """The secret appears in none of `texts`; a failure never shows it."""
    leaked = [i for i, text in enumerate(texts) if (secret.encode() if isinstance(text, bytes) else secret) in text]
    assert not leaked, f"the secret appears in text number {leaked}"


def same(found: object, expected: object) -> bool:
    """Equality for values holding secrets: a failing `assert same(...)` shows no operand."""
    return found == expected


def process_document(env: dict[str, str], profile: str) -> dict:
    result = awsctx(env, "process", profile)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------- add


CONFIG = """# my profiles\r
[default]\r
region = us-east-1\r
\r
[profile alice]\r
region = eu-west-1\r
output : json\r
\r
[profile role]\r
role_arn = arn:aws:iam::123456789012:role/admin\r
source_profile = alice\r
region = eu-west-1\r
"""


def test_add_moves_keys_out_of_the_credentials_file_byte_for_byte(
    kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy
) -> None:
    key_id, secret = new_user(sts, "alice")
    credentials = (
        "; keep this comment\n"
        "[default]\n"
        "aws_access_key_id = AKIAEXAMPLEDEFAULT00\n"
        "aws_secret_access_key = default-secret\n"
        "\n"
        "[alice]\n"
        "# alice's keys\n"
        f"AWS_Access_Key_Id={key_id}\n"
        f"aws_secret_access_key = {secret}\n"
        "toolkit_artifact_guid = 1234\n"
        "\n"
        "[other]\n"
        "aws_access_key_id = AKIAEXAMPLEOTHER0000\n"
        "aws_secret_access_key = other-secret"  # no final newline
    )
    write_aws(home, config=CONFIG, credentials=credentials)
    result = awsctx(kenv, "keys", "add", "alice", "--from-credentials")
    assert result.returncode == 0, result.stderr
    assert_nowhere(secret, result.stderr, result.stdout)
    after = (home / ".aws" / "credentials").read_text()
    assert after == credentials.replace(f"AWS_Access_Key_Id={key_id}\n", "").replace(
        f"aws_secret_access_key = {secret}\n", ""
    )  # holds no secret of alice's: the comparison may show
    config = (home / ".aws" / "config").read_bytes()
    line = f"credential_process = {AWSCTX} process --keyring alice\r\n".encode()
    assert config == CONFIG.encode().replace(b"output : json\r\n", b"output : json\r\n" + line)
    assert os.path.isabs(str(AWSCTX))
    assert_nowhere(secret, files_under(home))
    entry = secrets.entry("alice")
    assert entry is not None
    assert same((entry["AccessKeyId"], entry["SecretAccessKey"]), (key_id, secret))
    assert entry["CreatedKnown"] is True  # IAM's CreateDate, asked with the key itself
    document = process_document(kenv, "alice")
    assert same((document["AccessKeyId"], document["SecretAccessKey"]), (key_id, secret))


def test_typed_keys_are_never_echoed_and_make_a_new_profile(
    kenv: dict[str, str], home: Path, secrets: SecretService
) -> None:
    write_aws(home, config="[default]\nregion = us-east-1\n", credentials="")
    secret = "typed-secret-never-echoed-0001"
    child = pexpect.spawn(
        str(AWSCTX), ["keys", "add", "typed"], env=kenv, encoding="utf-8", timeout=60, dimensions=(24, 200)
    )
    child.expect("Access key id")
    child.sendline("AKIAEXAMPLETYPED0001")
    child.expect("Secret access key")
    child.sendline(secret)
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.before or ""
    assert child.exitstatus == 0, transcript.replace(secret, "<secret>")
    assert_nowhere(secret, transcript)
    assert "AKIAEXAMPLETYPED0001" not in transcript
    assert "…0001" in transcript
    config = (home / ".aws" / "config").read_text()
    assert (
        config
        == f"[default]\nregion = us-east-1\n\n[profile typed]\ncredential_process = {AWSCTX} process --keyring typed\n"
    )
    assert_nowhere(secret, files_under(home))
    assert same((secrets.entry("typed") or {}).get("SecretAccessKey"), secret)


def test_sdks_and_the_aws_cli_resolve_a_keyring_profile_and_a_role_on_it(
    kenv: dict[str, str], home: Path, sts: StsProxy
) -> None:
    key_id, secret = new_user(sts, "carol")
    config = (
        "[profile carol]\nregion = us-east-1\n\n"
        "[profile carol-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = carol\n"
        "region = us-east-1\n"
    )
    write_aws(
        home, config=config, credentials=f"[carol]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
    )
    assert awsctx(kenv, "keys", "add", "carol", "--from-credentials").returncode == 0
    script = (
        "import boto3, sys\n"
        "for name in sys.argv[1:]:\n"
        "    print(boto3.Session(profile_name=name).client('sts').get_caller_identity()['Arn'])\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script, "carol", "carol-admin"], env=kenv, capture_output=True, text=True, timeout=300
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == [
        "arn:aws:iam::123456789012:user/carol",
        "arn:aws:sts::123456789012:assumed-role/admin/" + found.stdout.split()[1].rsplit("/", 1)[-1],
    ]
    for profile, expected in (("carol", ":user/carol"), ("carol-admin", ":assumed-role/admin/")):
        cli = subprocess.run(
            [str(VENV_BIN / "aws"), "sts", "get-caller-identity", "--profile", profile, "--output", "json"],
            env=kenv,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert cli.returncode == 0, cli.stderr
        assert expected in json.loads(cli.stdout)["Arn"]
    assert sts.calls["AssumeRole"] == 2


@pytest.mark.parametrize(
    "backend", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring", "keyrings.alt.file.PlaintextKeyring"]
)
def test_no_real_keyring_means_one_line_and_nothing_changed(
    kenv: dict[str, str], home: Path, tmp_path: Path, backend: str
) -> None:
    # A stand-in for keyrings.alt's plain-text file backend (not installed): refused by its module.
    fake = tmp_path / "alt" / "keyrings" / "alt"
    fake.mkdir(parents=True)
    (fake / "file.py").write_text(
        "from keyring.backend import KeyringBackend\n"
        "class PlaintextKeyring(KeyringBackend):\n"
        "    priority = 1\n"
        "    store = {}\n"
        "    def get_password(self, s, u): return self.store.get((s, u))\n"
        "    def set_password(self, s, u, p): self.store[(s, u)] = p\n"
        "    def delete_password(self, s, u): self.store.pop((s, u))\n"
    )
    credentials = "[dave]\naws_access_key_id = AKIAEXAMPLEDAVE00000\naws_secret_access_key = dave-secret\n"
    write_aws(home, config="", credentials=credentials)
    env = dict(kenv, PYTHON_KEYRING_BACKEND=backend, PYTHONPATH=str(tmp_path / "alt"))
    result = awsctx(env, "keys", "add", "dave", "--from-credentials")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "apt install gnome-keyring" in result.stderr
    assert (home / ".aws" / "credentials").read_text() == credentials
    assert (home / ".aws" / "config").read_text() == ""


def test_without_a_session_bus_it_says_what_to_install(kenv: dict[str, str], home: Path) -> None:
    credentials = "[erin]\naws_access_key_id = AKIAEXAMPLEERIN00000\naws_secret_access_key = erin-secret\n"
    write_aws(home, config="", credentials=credentials)
    env = {k: v for k, v in kenv.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}
    result = awsctx(env, "keys", "add", "erin", "--from-credentials")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "gnome-keyring" in result.stderr
    assert (home / ".aws" / "credentials").read_text() == credentials


# ---------------------------------------------------------------------------- list, rm, doctor


def test_list_rm_and_doctor(kenv: dict[str, str], home: Path, secrets: SecretService) -> None:
    credentials = (
        "[plain]\naws_access_key_id = AKIAEXAMPLEPLAIN0007\naws_secret_access_key = plain-secret\n"
        "[fresh]\naws_access_key_id = AKIAEXAMPLEFRESH0003\naws_secret_access_key = fresh-secret\n"
    )
    config = "".join(
        f"[profile {name}]\ncredential_process = {AWSCTX} process --keyring {name}\n" for name in ("old", "gone")
    )
    write_aws(home, config=config, credentials=credentials)
    assert awsctx(kenv, "keys", "add", "fresh", "--from-credentials").returncode == 0
    secrets.put(
        "old",
        {
            "AccessKeyId": "AKIAEXAMPLEOLDKEY009",
            "SecretAccessKey": "s",
            "Created": time.time() - 120 * DAY,
            "CreatedKnown": True,
        },
    )
    secrets.forget("gone")

    listed = awsctx(kenv, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "…0003" in rows["fresh"] and "0 days" in rows["fresh"] and "keyring" in rows["fresh"]
    assert "…Y009" in rows["old"] and "120 days" in rows["old"]
    assert "missing" in rows["gone"]
    assert "…0007" in rows["plain"] and "plain text" in rows["plain"]

    doctor = awsctx(kenv, "doctor")
    assert "'plain' keeps a long-term secret key in plain text" in doctor.stderr
    assert "awsctx keys add plain --from-credentials" in doctor.stderr
    assert "'old' is 120 days old; rotate it: awsctx keys rotate old" in doctor.stderr
    assert "awsctx keys add gone" in doctor.stderr
    assert "'fresh' is" not in doctor.stderr

    assert awsctx(kenv, "keys", "rm", "old").returncode == 1  # not a terminal: needs --yes
    removed = awsctx(kenv, "keys", "rm", "old", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert secrets.entry("old") is None
    assert "[profile old]\n" in (home / ".aws" / "config").read_text()
    assert "process --keyring old" not in (home / ".aws" / "config").read_text()


# ---------------------------------------------------------------------------- rotation


def keyring_profile(kenv: dict[str, str], home: Path, sts: StsProxy, user: str) -> tuple[str, str]:
    key_id, secret = new_user(sts, user)
    write_aws(home, config=f"[profile {user}]\nregion = us-east-1\n", credentials="")
    added = awsctx(kenv, "keys", "add", user, stdin=f"{key_id}\n{secret}\n")
    assert added.returncode == 0, added.stderr
    sts.reset()
    return key_id, secret


def test_rotate_in_the_keyring(kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy) -> None:
    old, _ = keyring_profile(kenv, home, sts, "frank")
    result = awsctx(kenv, "keys", "rotate", "frank")
    assert result.returncode == 0, result.stderr
    entry = secrets.entry("frank") or {}
    assert entry["AccessKeyId"] != old and "Pending" not in entry
    assert iam_keys(sts, "frank") == [entry["AccessKeyId"]]
    assert (sts.calls["CreateAccessKey"], sts.calls["DeleteAccessKey"], sts.calls["GetCallerIdentity"]) == (1, 1, 1)
    assert_nowhere(entry["SecretAccessKey"], result.stderr, result.stdout)
    assert process_document(kenv, "frank")["AccessKeyId"] == entry["AccessKeyId"]


def test_rotate_waits_while_iam_propagates_the_new_key(
    kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy
) -> None:
    keyring_profile(kenv, home, sts, "gina")
    sts.fail_next(
        2, "InvalidClientTokenId", "The security token included in the request is invalid.", 403, "GetCallerIdentity"
    )
    result = awsctx(kenv, "keys", "rotate", "gina")
    assert result.returncode == 0, result.stderr
    assert sts.calls["GetCallerIdentity"] == 3
    assert iam_keys(sts, "gina") == [(secrets.entry("gina") or {})["AccessKeyId"]]


def test_rotate_failing_at_create_changes_nothing(
    kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy
) -> None:
    old, secret = keyring_profile(kenv, home, sts, "hank")
    sts.fail_next(1, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409, "CreateAccessKey")
    result = awsctx(kenv, "keys", "rotate", "hank")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "IAM unchanged" in result.stderr and "LimitExceeded" in result.stderr
    assert iam_keys(sts, "hank") == [old]
    assert ((secrets.entry("hank") or {})["AccessKeyId"], (secrets.entry("hank") or {})["SecretAccessKey"]) == (
        old,
        secret,
    )


def test_rotate_whose_new_key_never_works_keeps_the_old_and_deletes_the_new(
    kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy
) -> None:
    old, _ = keyring_profile(kenv, home, sts, "ivan")
    sts.fail_next(
        100, "InvalidClientTokenId", "The security token included in the request is invalid.", 403, "GetCallerIdentity"
    )
    result = awsctx(kenv, "keys", "rotate", "ivan", "--verify-seconds", "2")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "did not work" in result.stderr and "was deleted again" in result.stderr
    entry = secrets.entry("ivan") or {}
    assert entry["AccessKeyId"] == old and "Pending" not in entry
    assert iam_keys(sts, "ivan") == [old]


def test_rotate_whose_old_key_cannot_be_deleted_uses_the_new_and_says_how(
    kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy
) -> None:
    old, _ = keyring_profile(kenv, home, sts, "jane")
    sts.fail_next(3, "AccessDenied", "not allowed", 403, "DeleteAccessKey")
    result = awsctx(kenv, "keys", "rotate", "jane")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    new = (secrets.entry("jane") or {})["AccessKeyId"]
    assert new != old
    assert sorted(iam_keys(sts, "jane")) == sorted([old, new])
    assert f"aws iam delete-access-key --user-name jane --access-key-id {old}" in result.stderr


def test_an_interrupted_rotation_resumes_with_its_pending_key(
    kenv: dict[str, str], home: Path, secrets: SecretService, sts: StsProxy
) -> None:
    old, _ = keyring_profile(kenv, home, sts, "kate")
    made = admin(sts).create_access_key(UserName="kate")["AccessKey"]
    entry = secrets.entry("kate") or {}
    entry["Pending"] = {
        "AccessKeyId": made["AccessKeyId"],
        "SecretAccessKey": made["SecretAccessKey"],
        "Created": time.time(),
        "CreatedKnown": True,
    }
    secrets.put("kate", entry)
    assert process_document(kenv, "kate")["AccessKeyId"] == old  # until proven, the old key serves
    result = awsctx(kenv, "keys", "rotate", "kate")
    assert result.returncode == 0, result.stderr
    assert sts.calls["CreateAccessKey"] == 0
    assert iam_keys(sts, "kate") == [made["AccessKeyId"]]
    assert (secrets.entry("kate") or {})["AccessKeyId"] == made["AccessKeyId"]


def test_rotate_keys_in_the_credentials_file_edits_just_those_two_values(
    kenv: dict[str, str], home: Path, sts: StsProxy
) -> None:
    old, secret = new_user(sts, "liam")
    credentials = (
        "[default]\naws_access_key_id = AKIAEXAMPLEDEFAULT00\naws_secret_access_key = default-secret\n\n"
        f"[liam]\r\n# comment\r\naws_access_key_id={old}\r\naws_secret_access_key   =   {secret}\r\nregion = us-east-1"
    )
    write_aws(home, config="", credentials=credentials)
    sts.reset()
    result = awsctx(kenv, "keys", "rotate", "liam")
    assert result.returncode == 0, result.stderr
    (new,) = iam_keys(sts, "liam")
    assert new != old
    after = (home / ".aws" / "credentials").read_bytes().decode()
    new_secret = after.split("aws_secret_access_key   = ", 1)[1].split("\r\n", 1)[0]
    assert same(
        after, credentials.replace(f"={old}\r\n", f"= {new}\r\n").replace(f"=   {secret}\r\n", f"= {new_secret}\r\n")
    )
    assert_nowhere(secret, files_under(home))
    assert oct((home / ".aws" / "credentials").stat().st_mode & 0o777) == oct(0o644 & ~0o022)


# ---------------------------------------------------------------------------- speed and imports


def test_list_switch_tab_and_a_cached_role_never_import_keyring(
    kenv: dict[str, str], home: Path, sts: StsProxy
) -> None:
    keyring_profile(kenv, home, sts, "mona")
    config = (home / ".aws" / "config").read_text() + (
        "\n[profile mona-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = mona\n"
        "region = us-east-1\n"
        f"\n[profile mona-admin-process]\ncredential_process = {AWSCTX} process mona-admin\n"
    )
    write_aws(home, config=config)
    check = dict(kenv, AWSCTX_CREDENTIALS="check", AWSCTX_SHELL="bash")
    assert awsctx(check, "process", "mona-admin").returncode == 0  # fills the role cache
    os.utime(home / ".aws" / "config", (PAST, PAST))
    bootstrap = "import sys; from awsctx.main import main; sys.argv[0] = sys.argv[1]; sys.exit(main(sys.argv[2:]))"
    cases = {
        "list": ([], {}),
        "switch": (["mona-admin"], {"AWSCTX_SHELL": "bash"}),
        "process, role cached": (["process", "mona-admin"], {}),
        "Tab": (
            [],
            {
                "_ARGCOMPLETE": "1",
                "_ARGCOMPLETE_SHELL": "bash",
                "COMP_LINE": "awsctx mo",
                "COMP_POINT": "9",
                "_ARGCOMPLETE_STDOUT_FILENAME": str(home / "tab"),
            },
        ),
    }
    for label, (arguments, extra) in cases.items():
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", bootstrap, str(AWSCTX), *arguments],
            env=dict(check, **extra),
            capture_output=True,
            text=True,
            timeout=300,
        )
        imported = {
            line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
        }
        assert result.returncode == 0, (label, result.stderr[-2000:])
        assert "awsctx" in {name.split(".")[0] for name in imported}, label  # the check can see imports at all
        assert not {name.split(".")[0] for name in imported} & {"keyring", "secretstorage", "jeepney", "botocore"}, (
            label
        )
    assert "mona-admin" in (home / "tab").read_text()
