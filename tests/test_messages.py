"""Messages for mistakes in the files and the environment: each names the line and the fix, never
a secret, and a closed or full stdout is one line, not a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness import AWSCTX, base_env, make_home, write_aws


def awsctx(env: dict[str, str], *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AWSCTX), *args], env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


def test_a_mangled_header_in_the_credentials_file_is_named_with_its_form(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    write_aws(home, config="[profile dev]\nregion = us-east-1\n", credentials="default]\naws_access_key_id = AKIA1\n")
    result = awsctx(base_env(home))
    assert result.returncode != 0
    assert "line 1: 'default]' is a section header missing its '['; write '[default]'" in result.stderr
    assert "the credentials file names a profile [NAME]" in result.stderr


def test_a_mangled_header_in_the_config_names_the_profile_form(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    write_aws(home, config="[profile dev]\nregion = us-east-1\n[profile prod\nregion = us-east-1\n")
    result = awsctx(base_env(home))
    assert "line 3: '[profile prod' is a section header missing its ']'; write '[profile prod]'" in result.stderr
    assert "[profile NAME]" in result.stderr


def test_a_mangled_secret_line_is_named_by_its_key_never_its_value(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    write_aws(
        home,
        config="[profile dev]\nregion = us-east-1\n",
        credentials=f"[dev]\naws_access_key_id = AKIA1\naws_secret_access_key {secret}\n",
    )
    result = awsctx(base_env(home))
    assert result.returncode != 0
    assert secret not in result.stderr
    assert "line 3: the aws_secret_access_key line (value not shown)" in result.stderr


def test_doctor_treats_no_config_and_no_profiles_as_problems(tmp_path: Path) -> None:
    home = make_home(tmp_path, seed=False)
    env = base_env(home)
    result = awsctx(env, "doctor")
    assert result.returncode == 1
    assert "does not exist" in result.stderr + result.stdout
    assert "no profiles in" in result.stderr + result.stdout
    assert "0 profiles" not in result.stderr + result.stdout
    named = awsctx(dict(env, AWS_CONFIG_FILE=str(tmp_path / "nothing-here")), "doctor")
    assert named.returncode == 1
    assert "AWS_CONFIG_FILE names" in named.stderr + named.stdout


def test_a_full_stdout_is_one_line(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    with open("/dev/full", "w") as full:
        result = awsctx(base_env(home), stdout=full.fileno())
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.strip().splitlines() == ["awsctx: error: cannot write the output (No space left on device)"]


def test_a_closed_stdout_is_one_line(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    result = subprocess.run(
        f"'{AWSCTX}' >&-", shell=True, env=base_env(home), stderr=subprocess.PIPE, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
