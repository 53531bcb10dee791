"""`awsctx export --format aesr`: the AWS Extend Switch Roles extension's configuration, from the profiles."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from harness import AWSCTX, SEED, base_env, make_home, write_aws
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from awsctx import aesr, config, credentials

SEED_RENDERED = """\
[profile client1]
aws_account_id = 123456
role_name = rolename
region = us-west-2

[profile client2]
aws_account_id = 123456
role_name = rolename
region = ca-central-1
"""

CONFIG = """
[profile base]
aws_account_id = 111111111111
aws_account_alias = corp-base
color = 123abc

[profile admin]
role_arn = arn:aws:iam::222222222222:role/ops/Admin
source_profile = base
region = eu-west-1
color = #FFAA00
aws_account_alias = corp-prod

[profile chained]
role_arn = arn:aws:iam::333333333333:role/Deploy
source_profile = admin
color = 00ddff

[profile portal]
sso_session = corp
sso_account_id = 444444444444
sso_role_name = PowerUser
region = us-east-1

[profile fromsso]
role_arn = arn:aws:iam::555555555555:role/Reader
source_profile = portal

[profile lonely-sso]
sso_session = corp
sso_account_id = 666666666666
sso_role_name = ReadOnly

[profile unknown-source]
role_arn = arn:aws:iam::777777777777:role/Ops
source_profile = keys
color = red

[profile "semi;colon"]
role_arn = arn:aws:iam::888888888888:role/Ops

[profile badarn]
role_arn = arn:aws:iam::999999999999:user/alice

[profile fromenv]
role_arn = arn:aws:iam::121212121212:role/Env
credential_source = Environment

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""

CREDENTIALS = """
[base]
aws_access_key_id = AKIAEXAMPLEBASE00001
aws_secret_access_key = base-secret

[keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = keys-secret
"""

RENDERED = """\
; left out semi;colon: the extension would read part of it as a comment
; left out badarn: role_arn is not an IAM role ARN

[profile admin]
aws_account_id = 222222222222
role_name = ops/Admin
aws_account_alias = corp-prod
region = eu-west-1
color = ffaa00
source_profile = base

[profile chained]
aws_account_id = 333333333333
role_name = Deploy
color = 00ddff

[profile fromsso]
aws_account_id = 555555555555
role_name = Reader
source_profile = portal

[profile unknown-source]
aws_account_id = 777777777777
role_name = Ops

[profile fromenv]
aws_account_id = 121212121212
role_name = Env

[profile base]
aws_account_id = 111111111111
aws_account_alias = corp-base
color = 123abc

[profile portal]
aws_account_id = 444444444444
role_name = PowerUser
"""


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and awsctx's cache in tmp_path, read by awsctx in this process."""
    home = make_home(tmp_path, seed=False)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


def rendered(home: Path, config_text: str | None, credentials_text: str | None = None) -> str:
    write_aws(home, config=config_text, credentials=credentials_text)
    return aesr.render(config.load())


NODE = Path(__file__).resolve().parent / "node"


def extension_reads(text: str) -> dict:
    """What the extension reads from `text`, by its own parser: the npm package aesr-config, which
    the extension imports, installed by scripts/test into tests/node at the version its lock file
    pins. A text it rejects fails the test."""
    node = shutil.which("node")
    assert node, "node is not installed: scripts/test installs it"
    assert (NODE / "node_modules" / "aesr-config").is_dir(), "the extension's parser is missing: run scripts/test"
    result = subprocess.run(
        [node, str(NODE / "parse_aesr.mjs")], input=text, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"the extension rejects the configuration: {result.stdout}{result.stderr}"
    return json.loads(result.stdout)


def extension_profiles(text: str) -> dict[str, dict[str, str]]:
    """Every profile the extension reads from `text`, by name: roles listed always, base accounts
    (with "targets", the names of their roles) and roles under a base (with "base", its name)."""
    parsed = extension_reads(text)
    profiles: dict[str, dict] = {}
    for single in parsed["singles"]:
        profiles[single["name"]] = single
    for base in parsed["complexes"]:
        profiles[base["name"]] = {**base, "targets": [target["name"] for target in base["targets"]]}
        for target in base["targets"]:
            profiles[target["name"]] = {**target, "base": base["name"]}
    return profiles


def assert_roles_read_as_configured(
    text: str, cfg: config.AwsConfig, learnt: dict[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """Every role the extension reads is a role_arn profile of `cfg`, with that ARN's account and
    role name exactly, and a role it lists under a base is under one in the account of its
    source_profile (by the config, or `learnt` by awsctx); every role_arn profile left out is
    named in a comment. Returns what the extension reads."""
    profiles = extension_profiles(text)
    for name, values in cfg.profiles.items():
        role_arn = values.get("role_arn")
        if not isinstance(role_arn, str):
            continue
        read = profiles.get(name)
        if read is None:
            assert f"; left out {name}:" in text, f"{name} left out without a word:\n{text}"
            continue
        arn = role_arn.strip()
        assert (read["aws_account_id"], read["role_name"]) == (arn.split(":")[4], arn.split(":role/", 1)[1]), name
        if "base" in read:
            source = values["source_profile"]
            accounts = {cfg.profiles[source].get(key) for key in ("aws_account_id", "sso_account_id")}
            assert profiles[read["base"]]["aws_account_id"] in accounts | {(learnt or {}).get(source)}, name
    return profiles


def test_seed_roles_become_roles_listed_always(aws_home: Path) -> None:
    text = rendered(aws_home, (SEED / "config").read_text(), (SEED / "credentials").read_text())
    assert text == SEED_RENDERED
    # The SSO profile is no role to switch to, and mirego's account is not known without a call.
    assert extension_reads(text) == {
        "singles": [
            {"name": "client1", "aws_account_id": "123456", "role_name": "rolename", "region": "us-west-2"},
            {"name": "client2", "aws_account_id": "123456", "role_name": "rolename", "region": "ca-central-1"},
        ],
        "complexes": [],
    }


def test_roles_bases_colors_and_aliases(aws_home: Path) -> None:
    text = rendered(aws_home, CONFIG, CREDENTIALS)
    assert text == RENDERED
    profiles = assert_roles_read_as_configured(text, config.load())
    assert profiles["base"]["targets"] == ["admin"]
    assert profiles["portal"]["targets"] == ["fromsso"]
    assert profiles["portal"]["role_name"] == "PowerUser"
    assert {name for name, profile in profiles.items() if "base" not in profile and "targets" not in profile} == {
        "chained",
        "unknown-source",
        "fromenv",
    }


def test_account_learnt_by_awsctx_makes_keys_a_base_account(aws_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    learnt = {"keys": credentials.Identity("101010101010", "arn:aws:iam::101010101010:user/me", None, "static")}
    monkeypatch.setattr(credentials, "cached_identity", lambda name, settings, now=None: learnt.get(name))
    text = rendered(aws_home, CONFIG, CREDENTIALS)
    assert "[profile unknown-source]\naws_account_id = 777777777777\nrole_name = Ops\nsource_profile = keys\n" in text
    assert text.endswith("[profile keys]\naws_account_id = 101010101010\n")


def test_alias_alone_names_the_base_account(aws_home: Path) -> None:
    text = rendered(
        aws_home,
        textwrap.dedent(
            """
            [profile base]
            aws_account_id = corp-alias

            [profile target]
            role_arn = arn:aws:iam::222222222222:role/Admin
            source_profile = base
            """
        ),
        "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = s\n",
    )
    assert text.endswith("[profile base]\naws_account_id = corp-alias\n")
    assert "source_profile = base\n" in text


def test_no_roles_no_configuration(aws_home: Path) -> None:
    assert rendered(aws_home, "[default]\nregion = us-east-1\n", "[default]\naws_access_key_id = A\n") == ""


def test_cli_prints_it_without_importing_boto3(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    env = base_env(home)
    result = subprocess.run(
        [str(AWSCTX), "export", "--format", "aesr"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == SEED_RENDERED
    probe = "import sys; from awsctx import aesr, config; aesr.render(config.load()); " + (
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    imported = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "[]"


def test_cli_refuses_a_profile_name_with_aesr(tmp_path: Path) -> None:
    env = base_env(make_home(tmp_path))
    result = subprocess.run(
        [str(AWSCTX), "export", "client1", "--format", "aesr"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "every profile" in result.stderr


EQUALS_CONFIG = """
[profile cut]
role_arn = arn:aws:iam::222222222222:role/Admin=Full
source_profile = base=keys

[profile path-cut]
role_arn = arn:aws:iam::222222222222:role/team=ops/Reader

[profile reader=ro]
role_arn = arn:aws:iam::222222222222:role/Reader
source_profile = base=keys

[profile base=keys]
aws_account_id = 111111111111

[profile base-keys]
role_arn = arn:aws:iam::333333333333:role/Other
"""


def test_no_line_the_extension_would_cut_at_an_equals_sign(aws_home: Path) -> None:
    # IAM allows '=' in role names and paths; the extension keeps only what lies between a line's
    # first '=' and the next: "Admin=Full" would read as the role "Admin", and "base=keys" in a
    # source_profile as a base "base" it cannot find, which rejects the whole configuration.
    text = rendered(
        aws_home, EQUALS_CONFIG, "[base=keys]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = s\n"
    )
    profiles = assert_roles_read_as_configured(text, config.load())
    assert "; left out cut: its role name holds '=', where the extension would cut it short\n" in text
    assert "; left out path-cut: its role name holds '='" in text
    assert "cut" not in profiles and "path-cut" not in profiles
    # A role named with '=' is read as it is; its base goes under a name the extension reads whole.
    assert profiles["reader=ro"]["base"] == "base=keys".replace("=", "-") + "-2"  # base-keys is taken
    assert profiles["base-keys-2"] == {
        "name": "base-keys-2",
        "aws_account_id": "111111111111",
        "targets": ["reader=ro"],
    }
    assert "; base base=keys is written as base-keys-2: the extension would read its name otherwise\n" in text


BASES_CONFIG = """
[profile alice]
aws_account_id = 111111111111

[profile bob]
region = us-east-1

[profile carol]
aws_account_id = 111111111111

[profile dan]
aws_account_id = 111111111111

[profile alice-again]
aws_account_id = 111111111111

[profile kr]
credential_process = /opt/awsctx/bin/awsctx process --keyring kr

[profile portal]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = PowerUser

[profile lone]
aws_account_id = 999999999999

[profile a-admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice

[profile b-read]
role_arn = arn:aws:iam::222222222222:role/Read
source_profile = bob

[profile c-ops]
role_arn = arn:aws:iam::222222222222:role/Ops
source_profile = carol

[profile d-ops]
role_arn = arn:aws:iam::333333333333:role/Ops
source_profile = dan

[profile a2-audit]
role_arn = arn:aws:iam::222222222222:role/Audit
source_profile = alice-again

[profile k-deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = kr

[profile p-view]
role_arn = arn:aws:iam::222222222222:role/View
source_profile = portal

[profile l-admin]
role_arn = arn:aws:iam::888888888888:role/Admin
source_profile = lone

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""
BASES_CREDENTIALS = "".join(
    f"[{name}]\naws_access_key_id = AKIAEXAMPLE{index:09d}\naws_secret_access_key = s\n"
    for index, name in enumerate(["alice", "bob", "carol", "dan", "alice-again", "lone"])
)


def test_bases_in_one_account_are_told_apart_by_their_iam_user(aws_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = {"alice": "alice", "bob": "team/bob", "alice-again": "alice", "kr": "deployer", "lone": "zed"}
    learnt = {
        name: credentials.Identity(
            "999999999999" if name == "lone" else "111111111111",
            f"arn:aws:iam::{'999999999999' if name == 'lone' else '111111111111'}:user/{user}",
            None,
            "static",
        )
        for name, user in users.items()
    }
    monkeypatch.setattr(credentials, "cached_identity", lambda name, settings, now=None: learnt.get(name))
    text = rendered(aws_home, BASES_CONFIG, BASES_CREDENTIALS)
    profiles = assert_roles_read_as_configured(
        text, config.load(), {name: identity.account_id for name, identity in learnt.items()}
    )
    bases = [base for base in extension_reads(text)["complexes"]]
    in_account = [base for base in bases if base["aws_account_id"] == "111111111111"]
    # Each signs in as someone else: the IAM user (long-term keys), the permission set (SSO).
    assert [(base["name"], base.get("role_name")) for base in in_account] == [
        ("alice", "alice"),
        ("bob", "bob"),
        ("kr", "deployer"),
        ("portal", "PowerUser"),
        ("carol", None),  # its user unknown: after the others, whom it would hide
    ]
    # The same user twice, and two users awsctx does not know: one base each, said in a comment.
    assert profiles["alice"]["targets"] == ["a-admin", "a2-audit"]
    assert profiles["carol"]["targets"] == ["c-ops", "d-ops"]
    assert "; base alice-again signs in as alice in account 111111111111, as alice does: its roles are" in text
    assert (
        "; base dan is in account 111111111111 with carol, and awsctx does not know which IAM user each signs in as"
        in text
    )
    # Alone in its account, a base keeps matching whoever signs in there.
    assert profiles["lone"] == {"name": "lone", "aws_account_id": "999999999999", "targets": ["l-admin"]}


NAMES = st.text(alphabet="ab=- .", min_size=1, max_size=5).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bases=st.lists(
        st.tuples(NAMES, st.sampled_from(["111111111111", "222222222222"]), st.sampled_from(["", "al", "b=b", "cy"])),
        min_size=1,
        max_size=4,
        unique_by=lambda base: base[0],
    ),
    roles=st.lists(
        st.tuples(
            NAMES,
            st.sampled_from(["", "ops/", "a=b/", "x/y=z/"]),
            st.text(alphabet="Ab=+,.@_-", min_size=1, max_size=5),
            st.integers(min_value=-1, max_value=3),
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda role: role[0],
    ),
)
def test_the_extension_reads_every_role_written_exactly_as_configured(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bases: list[tuple[str, str, str]],
    roles: list[tuple[str, str, str, int]],
) -> None:
    assume(not {base[0] for base in bases} & {role[0] for role in roles})
    home = make_home(tmp_path / uuid.uuid4().hex, seed=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    learnt = {
        name: credentials.Identity(account, f"arn:aws:iam::{account}:user/{user}", None, "static")
        for name, account, user in bases
        if user
    }
    monkeypatch.setattr(credentials, "cached_identity", lambda name, settings, now=None: learnt.get(name))
    config_text = "".join(f"[profile {name}]\naws_account_id = {account}\n\n" for name, account, _ in bases)
    credentials_text = "".join(
        f"[{name}]\naws_access_key_id = AKIAEXAMPLE{index:09d}\naws_secret_access_key = s\n"
        for index, (name, _, _) in enumerate(bases)
    )
    for name, path, role, source in roles:
        config_text += f"[profile {name}]\nrole_arn = arn:aws:iam::333333333333:role/{path}{role}\n"
        if source < len(bases) and source >= 0:
            config_text += f"source_profile = {bases[source][0]}\n"
    text = rendered(home, config_text, credentials_text)
    cfg = config.load()
    profiles = assert_roles_read_as_configured(text, cfg, {name: known.account_id for name, known in learnt.items()})
    # Nothing left out that the extension reads whole.
    for name, values in cfg.profiles.items():
        if "role_arn" in values:
            assert ("=" in values["role_arn"]) == (name not in profiles), name
    # Bases of one account signed in as different known users are told apart.
    read_bases = extension_reads(text)["complexes"]
    for index, base in enumerate(read_bases):
        for other in read_bases[index + 1 :]:
            if other["aws_account_id"] == base["aws_account_id"]:
                assert base.get("role_name") != other.get("role_name"), text
