"""Cache files awsctx did not write, or that broke since it wrote them: never a crash, a hang, a
wrong answer or a secret on disk. Every command runs as the installed program, with a timeout that
fails the test."""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakesso import FakeSSO, access_key_id_for, sso_cache_dir, write_token_cache
from harness import AWSCTX, PAST, base_env, make_home, write_aws
from stsproxy import StsProxy

from awsctx import cachefile, credentials

STATIC_KEY = "AKIAEXAMPLESTATIC001"
STATIC_SECRET = "static-secret-value-0123456789"
SESSION_TOKEN = "static-session-token-0123456789"
ACCOUNT, ROLE = "111111111111", "ReadOnly"
CONFIG = """[profile client1]
role_arn = arn:aws:iam::123456:role/rolename
source_profile = static
region = us-west-2

[profile dev]
sso_session = corp
sso_account_id = {account}
sso_role_name = {role}
region = eu-west-1

[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""
CREDENTIALS = f"""[static]
aws_access_key_id = {STATIC_KEY}
aws_secret_access_key = {STATIC_SECRET}

[temporary]
aws_access_key_id = ASIAEXAMPLETEMP00001
aws_secret_access_key = {STATIC_SECRET}
aws_session_token = {SESSION_TOKEN}
"""
PROFILES = ["static", "temporary", "client1", "dev"]
# Five bytes of marshal data that ask for a tuple of 2**31 items: a 20 s stall and gigabytes.
MARSHAL_BOMB = b"(\xff\xff\xff\x7f"


@pytest.fixture
def sso() -> Iterator[FakeSSO]:
    with FakeSSO() as server:
        server.add_account(ACCOUNT, "dev", roles=[ROLE])
        yield server


@pytest.fixture
def home(tmp_path: Path, sso: FakeSSO) -> Path:
    home = make_home(tmp_path, seed=False)
    write_aws(home, config=CONFIG.format(account=ACCOUNT, role=ROLE, start_url=sso.start_url), credentials=CREDENTIALS)
    write_token_cache(sso_cache_dir(home), "corp", sso.issue_token())
    return home


@pytest.fixture
def env(home: Path, sso: FakeSSO, sts: StsProxy) -> dict[str, str]:
    sts.reset()
    return dict(
        base_env(home),
        AWS_ENDPOINT_URL_STS=sts.url,
        AWS_ENDPOINT_URL_IAM=sts.url,
        AWS_ENDPOINT_URL_SSO=sso.url,
        AWS_ENDPOINT_URL_SSO_OIDC=sso.url,
        AWS_EC2_METADATA_DISABLED="true",
    )


def awsctx(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """The installed program; a hang fails the test through the timeout."""
    result = subprocess.run(
        [str(AWSCTX), *args],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode >= 0, f"awsctx {' '.join(args)} died of signal {-result.returncode}"
    assert "Traceback" not in result.stderr, result.stderr
    return result


def own_cache(home: Path) -> Path:
    return home / ".cache" / "awsctx"


def listed(env: dict[str, str]) -> list[str]:
    result = awsctx(env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def tab(env: dict[str, str], home: Path, prefix: str) -> list[str]:
    out = home / "tab.out"
    line = f"awsctx {prefix}"
    result = awsctx(
        env,
        _ARGCOMPLETE="1",
        _ARGCOMPLETE_SHELL="bash",
        COMP_LINE=line,
        COMP_POINT=str(len(line)),
        _ARGCOMPLETE_STDOUT_FILENAME=str(out),
        _ARGCOMPLETE_COMP_WORDBREAKS=" \t\n\"'><=;|&(:",
    )
    assert result.returncode == 0, result.stderr
    return [word.strip() for word in out.read_text().split("\x0b")]


def static_document(env: dict[str, str]) -> dict:
    result = awsctx(env, "process", "static")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def warm(env: dict[str, str]) -> None:
    """Every kind of cache file, as a user's first commands leave them."""
    assert listed(env) == PROFILES
    for profile in ("client1", "dev"):
        result = awsctx(env, profile, AWSCTX_SHELL="bash", AWSCTX_CREDENTIALS="check")
        assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------- awsctx's own caches


def planted(kind: str, path: Path) -> None:
    """Replace `path` with something awsctx did not write, or cannot read safely."""
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "marshal bomb":
        path.write_bytes(MARSHAL_BOMB)
    elif kind == "ten bytes":
        path.write_bytes(b"\xe3\x00\x00\x00\x00\xff\xff\xff\x7f\x00")
    elif kind == "deep json":
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    elif kind == "huge":
        with open(path, "wb") as file:
            file.truncate(cachefile.OWN_CACHE_LIMIT + 1)
    else:
        raise AssertionError(kind)


HOSTILE = ["fifo", "symlink to /dev/zero", "marshal bomb", "ten bytes", "deep json", "huge"]


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("name", ["profiles.marshal", "identities.marshal", "cache.key"])
def test_a_hostile_file_in_awsctxs_cache_is_a_miss(env: dict[str, str], home: Path, name: str, kind: str) -> None:
    warm(env)
    planted(kind, own_cache(home) / name)
    os.utime(home / ".aws" / "config", (PAST, PAST))
    assert listed(env) == PROFILES
    assert tab(env, home, "cl") == ["client1"]
    assert static_document(env)["SecretAccessKey"] == STATIC_SECRET
    switched = awsctx(env, "client1", AWSCTX_SHELL="bash", AWSCTX_CREDENTIALS="check")
    assert switched.returncode == 0, switched.stderr
    assert "export AWS_PROFILE=client1" in switched.stdout
    doctor = awsctx(env, "doctor")
    assert doctor.returncode in (0, 1)


def test_doctor_names_a_file_awsctx_will_not_read(env: dict[str, str], home: Path) -> None:
    warm(env)
    cli_cache = home / ".aws" / "cli" / "cache"
    (cli_cache / "fifo.json").unlink(missing_ok=True)
    os.mkfifo(cli_cache / "fifo.json")
    (cli_cache / "zero.json").symlink_to("/dev/zero")
    (cli_cache / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    (own_cache(home) / "identities.marshal").write_bytes(MARSHAL_BOMB)
    result = awsctx(env, "doctor")
    assert result.returncode == 1
    for name in ("fifo.json", "zero.json", "deep.json", "identities.marshal"):
        assert name in result.stderr, result.stderr
    assert "AWS CLI credential cache ~/.aws/cli/cache is private" not in result.stderr


def test_a_wrong_shaped_index_entry_is_a_miss(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    path = own_cache(home) / "identities.marshal"
    for index in ({"client1": "x"}, {"client1": {"settings": {}, "expiration": "soon"}}, {"client1": None}):
        cachefile.seal(str(path), b"identities", ("0.1.0", index))
        assert credentials.cached_identity("client1", {}) is None


@pytest.mark.parametrize(
    "entry",
    [
        [1, 2, 3],
        {"Credentials": []},
        {"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": 42}},
        {"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "never"}},
        {"Credentials": {"AccessKeyId": 1, "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2099-01-01"}},
    ],
)
def test_a_wrong_shaped_aws_cli_cache_entry_is_a_miss(env: dict[str, str], home: Path, entry: object) -> None:
    warm(env)
    files = list((home / ".aws" / "cli" / "cache").glob("*.json"))
    assert files
    for file in files:
        file.write_text(json.dumps(entry))
    (own_cache(home) / "identities.marshal").unlink()
    result = awsctx(env, "process", "client1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AccessKeyId"].startswith("ASIA")


# ---------------------------------------------------------------------------- trust


def test_caches_in_a_folder_of_another_user_are_not_used(env: dict[str, str], home: Path) -> None:
    warm(env)
    folder = own_cache(home)
    os.chown(folder, 4242, 4242)
    try:
        assert listed(env) == PROFILES
        assert not (folder / ".profiles.marshal.tmp").exists()
        before = {name: (folder / name).stat().st_mtime_ns for name in os.listdir(folder)}
        os.utime(home / ".aws" / "config", (PAST - 10, PAST - 10))
        assert listed(env) == PROFILES
        assert {name: (folder / name).stat().st_mtime_ns for name in os.listdir(folder)} == before  # not written
    finally:
        os.chown(folder, os.getuid(), os.getgid())


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_caches_in_a_folder_others_can_write_are_not_used(env: dict[str, str], home: Path, mode: int) -> None:
    warm(env)
    folder = own_cache(home)
    os.chmod(folder, mode)
    sealed = folder / "profiles.marshal"
    data = sealed.read_bytes()
    before = sealed.stat().st_mtime_ns
    assert listed(env) == PROFILES
    os.utime(home / ".aws" / "config", (PAST - 10, PAST - 10))
    assert listed(env) == PROFILES
    assert sealed.read_bytes() == data and sealed.stat().st_mtime_ns == before
    assert "belongs to another user" not in awsctx(env, "doctor").stderr
    assert f"is mode {mode:o}" in awsctx(env, "doctor").stderr


def test_a_relative_xdg_cache_home_is_ignored(env: dict[str, str], home: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [str(AWSCTX)], env={**env, "XDG_CACHE_HOME": "relative"}, cwd=work, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == PROFILES
    assert list(work.iterdir()) == []
    assert (home / ".cache" / "awsctx" / "profiles.marshal").exists()


def test_no_secret_is_in_awsctxs_caches(env: dict[str, str], home: Path) -> None:
    warm(env)
    assert static_document(env) == {"Version": 1, "AccessKeyId": STATIC_KEY, "SecretAccessKey": STATIC_SECRET}
    temporary = awsctx(env, "process", "temporary")
    assert json.loads(temporary.stdout)["SessionToken"] == SESSION_TOKEN
    cli_secrets = [
        json.loads(file.read_text())["Credentials"]["SecretAccessKey"]
        for file in (home / ".aws" / "cli" / "cache").glob("*.json")
    ]
    assert cli_secrets
    files = [path for path in own_cache(home).rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"profiles.marshal", "identities.marshal"}
    for path in files:
        content = path.read_bytes()
        for secret in [STATIC_SECRET, SESSION_TOKEN, *cli_secrets]:
            assert secret.encode() not in content, f"{path.name} holds a secret"


# ---------------------------------------------------------------------------- when awsctx cannot write


def test_a_role_switch_works_when_the_aws_cli_cache_cannot_be_written(env: dict[str, str], home: Path) -> None:
    # A file where the folder should be: as root, no mode would stop the write.
    (home / ".aws" / "cli").write_text("not a folder")
    result = awsctx(env, "client1", AWSCTX_SHELL="bash", AWSCTX_CREDENTIALS="check")
    assert result.returncode == 0, result.stderr
    assert "export AWS_PROFILE=client1" in result.stdout
    assert "AWSCTX_ACCOUNT_ID=123456" in result.stdout
    notes = [line for line in result.stderr.splitlines() if "could not write" in line]
    assert len(notes) == 1 and "~/.aws/cli/cache/" in notes[0], result.stderr
    # The next commands do not fail for it either.
    again = awsctx(env, "client1", AWSCTX_SHELL="bash", AWSCTX_CREDENTIALS="check")
    assert again.returncode == 0, again.stderr
    assert "AWSCTX_ACCOUNT_ID=123456" in again.stdout
    document = awsctx(env, "process", "client1")
    assert document.returncode == 0, document.stderr
    assert json.loads(document.stdout)["AccessKeyId"].startswith("ASIA")


# ---------------------------------------------------------------------------- fuzz


def mutations(data: bytes, rng: random.Random) -> list[tuple[str, bytes | str]]:
    """Ways a cache file breaks: truncation, flipped bytes, garbage, other shapes, special files."""
    flipped = bytearray(data)
    for _ in range(3):
        if flipped:
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
    cut = rng.randrange(len(data)) if data else 0
    return [
        ("empty", b""),
        ("truncated", data[:cut]),
        ("flipped bits", bytes(flipped)),
        ("garbage", bytes(rng.randrange(256) for _ in range(64))),
        ("json list", b"[1, 2, 3]"),
        ("deep json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("marshal bomb", MARSHAL_BOMB),
        ("fifo", "fifo"),
        ("symlink to /dev/zero", "symlink"),
    ]


def test_fuzz_every_cache_file_with_every_command(env: dict[str, str], home: Path) -> None:
    warm(env)
    assert json.loads(awsctx(env, "process", "dev").stdout)["AccessKeyId"] == access_key_id_for(ACCOUNT, ROLE)
    folders = [own_cache(home), home / ".aws" / "cli" / "cache", home / ".aws" / "sso" / "cache"]
    originals = {path: path.read_bytes() for folder in folders for path in sorted(folder.iterdir()) if path.is_file()}
    times = {path: path.stat().st_mtime_ns for path in originals}
    kinds = {path.parent.name + "/" + path.name for path in originals}
    token_files = set((home / ".aws" / "sso" / "cache").iterdir())
    assert len([name for name in kinds if name.startswith("cache/") and name.endswith(".json")]) >= 3, kinds
    rng = random.Random(11)
    counts = {"files": 0, "mutations": 0, "commands": 0, "failures": 0}
    failures: list[str] = []
    for path, data in originals.items():
        counts["files"] += 1
        for label, content in mutations(data, rng):
            counts["mutations"] += 1
            for other, original in originals.items():
                if other.is_symlink() or not other.is_file():
                    other.unlink()
                other.write_bytes(original)
                os.utime(other, ns=(times[other], times[other]))  # as it was: awsctx's index checks it
            path.unlink()
            if content == "fifo":
                os.mkfifo(path)
            elif content == "symlink":
                path.symlink_to("/dev/zero")
            else:
                assert isinstance(content, bytes)
                path.write_bytes(content)
            checks = [
                ("list", lambda: listed(env) == PROFILES),
                ("switch", lambda: "AWSCTX_ACCOUNT_ID=123456" in switch(env)),
                ("Tab", lambda: tab(env, home, "cl") == ["client1"]),
                # Served from the AWS CLI cache, or, with the SSO token gone, a one-line request to log in.
                (
                    "process",
                    lambda broken=path in token_files: process_dev(env, broken) == access_key_id_for(ACCOUNT, ROLE),
                ),
                ("doctor", lambda: awsctx(env, "doctor").returncode in (0, 1)),
            ]
            for command, check in checks:
                counts["commands"] += 1
                try:
                    good = check()
                except (AssertionError, subprocess.TimeoutExpired, ValueError, KeyError) as error:
                    good = False
                    label = f"{label}: {str(error)[:200]}"
                if not good:
                    counts["failures"] += 1
                    failures.append(f"{path.name} {label}: {command}")
    print(f"fuzz: {counts} over {sorted(kinds)}")
    assert counts["failures"] == 0, "\n".join(failures)
    assert counts["commands"] == 5 * counts["mutations"]


def switch(env: dict[str, str]) -> str:
    result = awsctx(env, "client1", AWSCTX_SHELL="bash", AWSCTX_CREDENTIALS="check")
    assert result.returncode == 0, result.stderr
    return result.stdout


def process_dev(env: dict[str, str], token_broken: bool) -> str:
    result = awsctx(env, "process", "dev")
    if token_broken and result.returncode == 1 and result.stderr.count("\n") == 1:
        assert "run `awsctx login dev`" in result.stderr, result.stderr
        return access_key_id_for(ACCOUNT, ROLE)
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["AccessKeyId"])


# ---------------------------------------------------------------------------- the AWS files themselves


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_an_aws_file_that_is_not_a_file_is_one_line_never_a_hang(env: dict[str, str], home: Path, kind: str) -> None:
    config = home / ".aws" / "config"
    config.unlink()
    if kind == "fifo":
        os.mkfifo(config)
    elif kind == "dev-zero":
        config.symlink_to("/dev/zero")
    else:
        config.mkdir()
    for args in ((), ("client1",), ("process", "static"), ("doctor",)):
        result = awsctx(env, *args, AWSCTX_SHELL="bash")
        assert result.returncode != 0, args
        assert "~/.aws/config" in result.stderr, (args, result.stderr)
    assert "a FIFO, a device?" in awsctx(env).stderr or kind == "folder"


def test_aws_files_linked_from_dotfiles_are_read(env: dict[str, str], home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    config = home / ".aws" / "config"
    (dotfiles / "config").write_bytes(config.read_bytes())
    config.unlink()
    config.symlink_to(dotfiles / "config")
    assert listed(env) == PROFILES


def test_locks_are_not_taken_in_a_cache_folder_of_another_user(env: dict[str, str], home: Path) -> None:
    folder = own_cache(home)
    folder.mkdir(parents=True, exist_ok=True)
    os.chown(folder, 4242, 4242)
    try:
        result = awsctx(env, "client1", AWSCTX_SHELL="bash", AWSCTX_CREDENTIALS="check")
        assert result.returncode == 0, result.stderr
        assert not (folder / "locks").exists()
    finally:
        os.chown(folder, os.getuid(), os.getgid())


def test_checking_a_file_before_writing_it_needs_no_scratch_file(env: dict[str, str], home: Path) -> None:
    """sso sync checks the config it would write in memory: nothing of it lands in awsctx's cache
    folder, which may not even be usable."""
    folder = own_cache(home)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")
    result = awsctx(env, "sso", "sync", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "[profile" in result.stdout
