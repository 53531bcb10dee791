"""Switching in real bash, zsh and fish processes, with the integration loaded as a user loads it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from harness import AWSCTX, SHELLS, Interactive, dump, last_status, run, write_aws

SEED_PROFILES = ["default", "mirego", "client_with_direct_access", "client1", "client2-with-sso", "client2"]
SHADOWING = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_DEFAULT_PROFILE",
]


def export(shell: str, name: str, value: str) -> str:
    return f"set -gx {name} '{value}'" if shell == "fish" else f"export {name}='{value}'"


def test_list_piped_is_plain_names_in_file_order(shell: str, env: dict[str, str]) -> None:
    result = run(shell, "awsctx | cat", env)
    assert result.returncode == 0, result.stderr
    assert result.output.splitlines() == SEED_PROFILES


def test_list_pipes_through_grep(shell: str, env: dict[str, str]) -> None:
    result = run(shell, "awsctx | grep client2", env)
    assert result.output.splitlines() == ["client2-with-sso", "client2"]


def test_switch_sets_profile_and_both_region_variables(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"awsctx client2\n{dump('after')}", env)
    assert result.returncode == 0, result.stderr
    assert result.aws_only("after") == {
        "AWS_PROFILE": "client2",
        "AWS_REGION": "ca-central-1",
        "AWS_DEFAULT_REGION": "ca-central-1",
    }
    assert "Switched to profile 'client2' (ca-central-1)" in result.stderr
    assert result.output == ""


def test_a_successful_switch_exits_zero(shell: str, env: dict[str, str]) -> None:
    """So that `awsctx NAME && aws ...` runs the second command."""
    status = last_status(shell)
    result = run(shell, f"awsctx client2\necho a={status}\nawsctx -u\necho b={status}\nawsctx -\necho c={status}", env)
    assert result.output.split() == ["a=0", "b=0", "c=0"]


def test_use_is_the_explicit_form(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"awsctx use client1\n{dump('after')}", env)
    assert result.aws("after")["AWS_PROFILE"] == "client1"
    assert result.aws("after")["AWS_REGION"] == "us-west-2"


def test_profile_without_region_does_not_inherit_the_previous_region(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"awsctx client2\nawsctx mirego\n{dump('after')}", env)
    assert result.aws_only("after") == {"AWS_PROFILE": "mirego"}


def test_switch_clears_what_would_shadow_the_profile(shell: str, env: dict[str, str]) -> None:
    setup = "\n".join(export(shell, name, "stale") for name in SHADOWING)
    result = run(shell, f"{setup}\n{export(shell, 'AWS_PAGER', '')}\nawsctx client1\n{dump('after')}", env)
    assert result.returncode == 0, result.stderr
    after = result.aws("after")
    assert not set(SHADOWING) & set(after)
    assert after["AWS_PAGER"] == ""  # not awsctx's to touch
    assert "cleared AWS_ACCESS_KEY_ID" in result.stderr


def test_region_override_and_region_only(shell: str, env: dict[str, str]) -> None:
    script = f"awsctx client1 -r eu-west-1\n{dump('override')}\nawsctx -r ap-southeast-2\n{dump('region')}"
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert result.aws_only("override") == {
        "AWS_PROFILE": "client1",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    assert result.aws_only("region") == {
        "AWS_PROFILE": "client1",
        "AWS_REGION": "ap-southeast-2",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
    }


def test_region_typo_is_refused_with_a_suggestion_and_changes_nothing(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"awsctx client1\n{dump('before')}\nawsctx client2 -r us-eats-1\n{dump('after')}", env)
    assert "unknown region 'us-eats-1'" in result.stderr
    assert "us-east-1" in result.stderr
    assert "--force" in result.stderr
    assert result.envs["after"] == result.envs["before"]


def test_force_accepts_an_unlisted_region_but_never_a_malformed_one(shell: str, env: dict[str, str]) -> None:
    script = (
        f"awsctx client1 -r xx-future-9 --force\n{dump('forced')}\nawsctx client2 -r 'us east 1' --force\n{dump('bad')}"
    )
    result = run(shell, script, env)
    assert result.aws("forced")["AWS_REGION"] == "xx-future-9"
    assert "not a region name" in result.stderr
    assert result.envs["bad"] == result.envs["forced"]


def test_dash_returns_to_the_previous_profile_and_region(shell: str, env: dict[str, str]) -> None:
    script = (
        f"awsctx client2\nawsctx client1 -r eu-north-1\nawsctx -\n{dump('back')}\nawsctx -\n{dump('forth')}\n"
        f"awsctx -u\nawsctx -\n{dump('after_unset')}"
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert result.aws_only("back") == {
        "AWS_PROFILE": "client2",
        "AWS_REGION": "ca-central-1",
        "AWS_DEFAULT_REGION": "ca-central-1",
    }
    assert result.aws_only("forth") == {
        "AWS_PROFILE": "client1",
        "AWS_REGION": "eu-north-1",
        "AWS_DEFAULT_REGION": "eu-north-1",
    }
    assert result.aws("after_unset")["AWS_PROFILE"] == "client1"


def test_dash_without_history_is_an_error(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"{dump('before')}\nawsctx -\n{dump('after')}", env)
    assert "no previous profile" in result.stderr
    assert result.envs["after"] == result.envs["before"]


SHOW_PROFILE = "printf '%s\\n' \"P=$AWS_PROFILE\""


def test_previous_is_kept_per_shell(shell: str, env: dict[str, str], home: Path) -> None:
    """Two shells open at once never move each other: each keeps its own previous, like `cd -`."""
    first, second = Interactive(shell, env, home), Interactive(shell, env, home)
    try:
        first.run("awsctx client1")
        first.run("awsctx client2")
        assert "no previous profile" in second.run("awsctx -")
        second.run("awsctx mirego")
        second.run("awsctx default")
        first.run("awsctx -")
        second.run("awsctx -")
        assert "P=client1" in first.run(SHOW_PROFILE)
        assert "P=mirego" in second.run(SHOW_PROFILE)
    finally:
        first.close()
        second.close()


def test_current_prints_the_profile_and_fails_when_none(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"awsctx -c\necho status={last_status(shell)}\nawsctx client2\nawsctx -c", env)
    lines = result.output.splitlines()
    assert lines == ["status=1", "client2"]


def test_unset_removes_what_awsctx_set_and_nothing_else(shell: str, env: dict[str, str]) -> None:
    script = f"{export(shell, 'AWS_PAGER', 'less')}\nawsctx client2\nawsctx -u\n{dump('after')}"
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert result.aws("after") == {"AWS_PAGER": "less", "AWSCTX_CREDENTIALS": "off"}  # the latter: the test's setting


def test_unknown_profile_names_the_closest_and_changes_nothing(shell: str, env: dict[str, str]) -> None:
    result = run(
        shell,
        f"awsctx client1\n{dump('before')}\nawsctx client3\necho status={last_status(shell)}\n{dump('after')}",
        env,
    )
    assert "status=1" in result.output
    assert "no profile named 'client3'" in result.stderr
    assert "client1" in result.stderr.split("did you mean", 1)[1]
    assert result.envs["after"] == result.envs["before"]
    assert "Traceback" not in result.stderr


def test_malformed_config_names_file_and_line_and_changes_nothing(shell: str, env: dict[str, str], home: Path) -> None:
    write_aws(home, config="[default]\nregion = us-east-1\ndefault]\n[profile a]\nregion = eu-west-1\n")
    result = run(shell, f"{dump('before')}\nawsctx a\necho status={last_status(shell)}\n{dump('after')}", env)
    assert "status=1" in result.output
    assert "~/.aws/config line 3" in result.stderr
    assert "'default]'" in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.envs["after"] == result.envs["before"]


@pytest.mark.parametrize("argv", [["client2"], ["-"], ["-u"], ["-r", "eu-west-1"], ["use", "client1"]])
def test_program_without_integration_explains_and_fails(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([str(AWSCTX), *argv], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "shell integration is not loaded" in result.stderr
    assert "awsctx init" in result.stderr
    assert result.stdout == ""


def test_command_words_win_and_use_reaches_a_profile_named_like_one(
    shell: str, env: dict[str, str], home: Path
) -> None:
    write_aws(home, config="[profile init]\nregion = eu-west-3\n")
    result = run(
        shell, f"awsctx init {shell} | grep -c 'awsctx shell integration for'\nawsctx use init\n{dump('after')}", env
    )
    assert result.output.splitlines()[0] == "1"
    assert result.aws("after")["AWS_PROFILE"] == "init"


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_loads_and_switches_under_strict_mode_silently(shell_name: str, env: dict[str, str]) -> None:
    result = run(shell_name, "true", env, strict=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    result = run(shell_name, f"awsctx client2\n{dump('after')}\nawsctx -\n{dump('back')}", env, strict=True)
    assert result.returncode == 0, result.stderr
    assert result.aws("after")["AWS_PROFILE"] == "client2"
    assert "AWS_PROFILE" not in result.aws("back")


def test_fish_loads_silently(env: dict[str, str]) -> None:
    result = run("fish", "true", env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_sourcing_twice_is_harmless(shell: str, env: dict[str, str]) -> None:
    again = "awsctx init fish | source" if shell == "fish" else f'eval "$(awsctx init {shell})"'
    result = run(shell, f"awsctx client1\nawsctx client2\n{again}\nawsctx -\n{dump('after')}", env)
    assert result.returncode == 0, result.stderr
    assert result.aws("after")["AWS_PROFILE"] == "client1"
    assert result.stderr.count("Switched") == 3


USER_OVERRIDES = {
    "bash": "shopt -s expand_aliases\n"
    + "\n".join(
        f"alias {name}='echo HIJACKED'" for name in ("export", "unset", "eval", "local", "trap", "read", "printf")
    )
    + "".join(f"\n{name}() {{ echo HIJACKED; }}" for name in ("command", "cd", "compopt", "true")),
    "zsh": "\n".join(f"alias {name}='echo HIJACKED'" for name in ("export", "unset", "eval", "local", "trap", "printf"))
    + "\ncommand() { echo HIJACKED; }\ncd() { echo HIJACKED; }",
    "fish": "\n".join(f"function {name}; echo HIJACKED; end" for name in ("isatty", "printf", "count", "cd")),
}


@pytest.mark.parametrize("overrides_first", [True, False], ids=["defined-before-init", "defined-after-init"])
def test_user_aliases_and_functions_named_like_builtins_do_not_break_it(
    shell: str, env: dict[str, str], overrides_first: bool
) -> None:
    load = "awsctx init fish | source" if shell == "fish" else f'\\builtin eval "$(awsctx init {shell})"'
    parts = [USER_OVERRIDES[shell], load] if overrides_first else [load, USER_OVERRIDES[shell]]
    script = "\n".join([*parts, "awsctx client2", "awsctx -", "awsctx client1", dump("after")])
    result = run(shell, script, env, init=False)
    assert "HIJACKED" not in result.stdout + result.stderr
    assert result.aws("after")["AWS_PROFILE"] == "client1"


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_user_interrupt_trap_survives_a_switch(shell_name: str, env: dict[str, str]) -> None:
    listing = "trap -p INT" if shell_name == "bash" else "trap"
    script = f"trap 'echo user-trap' INT\nawsctx client2\n{listing}"
    result = run(shell_name, script, env)
    assert "echo user-trap" in result.output


def test_switch_is_all_or_nothing_when_the_program_fails_midway(shell: str, env: dict[str, str], home: Path) -> None:
    """The function applies nothing unless the program succeeded, even if it printed code first."""
    broken = home / "bin"
    broken.mkdir()
    fake = broken / "python-fails"
    fake.write_text("#!/bin/sh\necho 'export AWS_PROFILE=half'\nexit 3\n")
    fake.chmod(0o755)
    override = (
        "function __awsctx_run; '" + str(fake) + "' $argv; end"
        if shell == "fish"
        else "__awsctx_run() { '" + str(fake) + '\' "$@"; }'
    )
    result = run(
        shell, f"{override}\n{dump('before')}\nawsctx client2\necho status={last_status(shell)}\n{dump('after')}", env
    )
    assert "status=3" in result.output
    assert result.envs["after"] == result.envs["before"]


def test_every_shell_is_installed() -> None:
    """A missing shell fails the run instead of skipping its tests."""
    import shutil

    assert all(shutil.which(name) for name in SHELLS)


def test_unset_with_nothing_set_changes_nothing_and_keeps_the_history(shell: str, env: dict[str, str]) -> None:
    script = f"awsctx client1\nawsctx -u\n{dump('unset')}\nawsctx -u\n{dump('again')}\nawsctx -\n{dump('back')}"
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert result.aws("again") == result.aws("unset")
    assert "nothing to unset" in result.stderr
    assert result.aws_only("back")["AWS_PROFILE"] == "client1"


def test_a_region_change_says_so_once_in_one_form(shell: str, env: dict[str, str]) -> None:
    result = run(shell, "awsctx client1\nawsctx -r eu-west-1\nawsctx -u\nawsctx -r ap-south-1", env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "Region set to" in line]
    assert lines == ["✔ Region set to eu-west-1 (profile 'client1')", "✔ Region set to ap-south-1 (no profile)"]


@pytest.mark.parametrize("region", ["us-east-1$(touch pwned)", "eu-west-1\x1b[31m", "x" * 200])
def test_a_region_from_the_config_is_checked_like_one_given_with_r(
    shell: str, env: dict[str, str], home: Path, region: str
) -> None:
    write_aws(home, config=f"[profile odd]\nregion = {region}\n")
    result = run(shell, f"awsctx odd\necho @@STATUS {last_status(shell)}\n{dump('after')}", env)
    assert "@@STATUS 0" not in result.output
    assert "profile 'odd'" in result.stderr and "not a region name" in result.stderr
    assert "AWS_PROFILE" not in result.aws("after")
    assert not (home / "pwned").exists()


def test_a_hand_set_profile_with_a_newline_is_not_kept_as_a_region(shell: str, env: dict[str, str]) -> None:
    env = dict(env, AWS_PROFILE="hand\nus-west-2")
    result = run(shell, f"awsctx client1\nawsctx -\necho @@STATUS {last_status(shell)}\n{dump('after')}", env)
    assert "no previous profile" in result.stderr
    assert result.aws_only("after")["AWS_PROFILE"] == "client1"


def test_a_huge_alias_is_bounded_before_it_reaches_the_environment(shell: str, env: dict[str, str], home: Path) -> None:
    write_aws(home, config=f"[profile big]\nregion = us-east-1\naws_account_alias = {'a' * 300_000}\n")
    result = run(shell, f"awsctx big\n{dump('big')}\nawsctx -u\n{dump('unset')}", env)
    assert result.returncode == 0, result.stderr
    assert result.aws("big")["AWSCTX_ACCOUNT_ALIAS"] == "a" * 62 + "…"
    assert "AWSCTX_ACCOUNT_ALIAS" not in result.aws("unset") and "AWS_PROFILE" not in result.aws("unset")
