"""Completion's fast path writes exactly what argcomplete writes, for every shell."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsctx import complete

WORDBREAKS = "\"'><=;|&(:"
NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="[]\n\r")


def write_profiles(home: Path, names: list[str]) -> None:
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "credentials").write_text("".join(f"[{name}]\naws_access_key_id = x\n" for name in names))


def completion_env(home: Path, shell: str, line: str) -> dict[str, str]:
    env = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(home / "out"),
    }
    if shell == "bash":
        env["_ARGCOMPLETE_COMP_WORDBREAKS"] = WORDBREAKS
    if shell == "fish":
        env.update(_ARGCOMPLETE_IFS="\n", _ARGCOMPLETE_DFS="\t")
    return env


def both_paths(home: Path, shell: str, line: str) -> tuple[str | None, str]:
    """(fast path output or None when it declines, argcomplete's output)."""
    env = completion_env(home, shell, line)
    out = home / "out"
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith(("AWS_", "_ARGCOMPLETE", "COMP_"))]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        out.unlink(missing_ok=True)
        fast = out.read_text() if complete.fast_complete(dict(env)) else None
        out.unlink(missing_ok=True)
        complete.argcomplete_complete(complete.words_before_cursor(env), exit_method=lambda code: None)
        slow = out.read_text()
    return fast, slow


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.text(NAME_CHARS, min_size=1, max_size=12).map(str.strip).filter(bool), min_size=1, max_size=6, unique=True
    ),
    prefix_length=st.integers(0, 3),
    shell=st.sampled_from(["bash", "zsh", "fish"]),
    after_use=st.booleans(),
)
def test_fast_path_matches_argcomplete(
    tmp_path: Path, names: list[str], prefix_length: int, shell: str, after_use: bool
) -> None:
    home = tmp_path / f"h{abs(hash((tuple(names), prefix_length, shell, after_use)))}"
    write_profiles(home, names)
    line = "awsctx " + ("use " if after_use else "") + names[0][:prefix_length]
    fast, slow = both_paths(home, shell, line)
    if fast is not None:
        assert fast == slow, line


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_fast_path_answers_the_everyday_case(tmp_path: Path, shell: str) -> None:
    write_profiles(tmp_path, ["client1", "client2", "my prof", "x$(y)", "mirego"])
    fast, slow = both_paths(tmp_path, shell, "awsctx ")
    assert fast is not None
    assert fast == slow
    separator = "\n" if shell == "fish" else "\013"
    candidates = fast.split(separator)
    expected = {"bash": "my\\ prof", "zsh": "my\\ prof:", "fish": "my prof\t"}[shell]
    assert expected in candidates
    assert any(candidate.startswith("init") for candidate in candidates)


def test_fast_path_declines_quoted_words_and_flags(tmp_path: Path) -> None:
    write_profiles(tmp_path, ["my prof"])
    for line in ("awsctx 'my", 'awsctx "my', "awsctx my\\ p", "awsctx -", "awsctx client1 -r e", "awsctx init b"):
        fast, _ = both_paths(tmp_path, "bash", line)
        assert fast is None, line


def test_argcomplete_completes_regions_and_shells(tmp_path: Path) -> None:
    write_profiles(tmp_path, ["client1"])
    _, regions = both_paths(tmp_path, "fish", "awsctx client1 -r ca-")
    assert regions.split("\n") == ["ca-central-1\t", "ca-west-1\t"]
    _, shells = both_paths(tmp_path, "fish", "awsctx init ")
    assert {line.split("\t")[0] for line in shells.split("\n")} == {"bash", "zsh", "fish"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_login_offers_only_profiles_that_log_in_to_identity_center(tmp_path: Path, shell: str) -> None:
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(
        "[profile sso-legacy]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
        "[profile sso-session]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://y/start\n"
        "[profile static]\nregion = us-east-1\n"
        "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = static\n"
    )
    _, offered = both_paths(tmp_path, shell, "awsctx login ")
    separator = "\n" if shell == "fish" else "\013"
    names = {word.split("\t")[0].rstrip(":").rstrip() for word in offered.split(separator) if word}
    assert {"sso-legacy", "sso-session"} <= names
    assert not {"static", "role"} & names


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_mistyped_command_suggests_the_command(tmp_path: Path, shell: str) -> None:
    from harness import base_env, make_home, run

    result = run(shell, "awsctx whomai", base_env(make_home(tmp_path)))
    assert "did you mean the command `awsctx whoami`" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_name_holding_the_separator_is_left_out_by_both_paths(tmp_path: Path, shell: str) -> None:
    """bash and zsh split the candidates at vertical tabs: such a name would be offered in pieces."""
    write_profiles(tmp_path, ["v\x0btab", "vexed"])
    for line in ("awsctx v", "awsctx use v"):
        fast, slow = both_paths(tmp_path, shell, line)
        assert fast == slow
        separator = "\n" if shell == "fish" else "\013"
        names = [word.split("\t")[0].rstrip(":") for word in slow.split(separator)]
        assert names == (["v\x0btab", "vexed"] if shell == "fish" else ["vexed"])


# ---------------------------------------------------------------------------------------------------
# In real interactive shells
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_tab_never_offers_a_name_holding_a_vertical_tab_in_pieces(tmp_path: Path, shell: str) -> None:
    from harness import Interactive, base_env, make_home, write_aws

    home = make_home(tmp_path)
    write_aws(home, config='[profile "v\x0btab"]\n[profile vexed]\n', credentials="")
    session = Interactive(shell, dict(base_env(home), AWSCTX_NO_FZF="1"), home)
    try:
        # The one whole candidate is inserted at once; pieces `v` and `tab` would make it ambiguous.
        session.complete("awsctx v", "vexed")
        session.run("")
        assert session.run("printf '%s\\n' \"P=$AWS_PROFILE\"").splitlines()[-1] == "P=vexed"
    finally:
        session.close()


def test_zsh_lists_the_candidates_sorted_without_a_stray_separator(tmp_path: Path) -> None:
    from harness import Interactive, base_env, make_home, write_aws

    home = make_home(tmp_path)
    write_aws(home, config="[profile zeta]\n[profile alpha]\n[profile mid]\n", credentials="[beta]\n")
    session = Interactive("zsh", dict(base_env(home), AWSCTX_NO_FZF="1"), home)
    try:
        names = ["alpha", "beta", "doctor", "init", "mid", "whoami", "zeta"]
        shown = session.complete("awsctx ", names, tabs=2)
        # The list, as zsh drew it under the line, and before the line it draws again after it.
        start = shown.index("\n")
        end = shown.rfind("awsctx")
        listing = shown[start : end if end > start else len(shown)]
        places = [re.search(rf"(?<![\w-]){name}(?![\w-])", listing) for name in names]
        assert all(places), repr(shown)
        assert [place.start() for place in places if place] == sorted(place.start() for place in places if place)
        assert "--" not in listing.split()
        session.cancel_line()
        # Flags have descriptions: there `--` parts each flag from its own.
        described = session.complete("awsctx --", "print the current profile", tabs=2)
        assert "--current -- print the current profile" in " ".join(described.split()), described
    finally:
        session.close()


def test_zsh_registers_tab_when_compinit_runs_after_the_init_line(tmp_path: Path) -> None:
    from harness import Interactive, base_env, make_home

    home = make_home(tmp_path)
    env = dict(base_env(home), AWSCTX_NO_FZF="1")
    session = Interactive("zsh", env, home, compinit=False, after="autoload -Uz compinit && compinit -u")
    try:
        session.complete("awsctx client2-w", "client2-with-sso")
        session.cancel_line()
        assert "Tab does not complete" not in session.run("awsctx doctor")
    finally:
        session.close()


def test_zsh_without_compinit_doctor_says_why_tab_does_nothing(tmp_path: Path) -> None:
    from harness import Interactive, base_env, make_home

    home = make_home(tmp_path)
    session = Interactive("zsh", dict(base_env(home), AWSCTX_NO_FZF="1"), home, compinit=False)
    try:
        said = " ".join(session.run("awsctx doctor").split())
        assert "Tab does not complete awsctx in this zsh" in said
        assert "autoload -Uz compinit && compinit" in said
        # Loaded later in the same shell, it takes effect at the next prompt.
        session.run("autoload -Uz compinit && compinit -u")
        assert "Tab does not complete" not in session.run("awsctx doctor")
    finally:
        session.close()
