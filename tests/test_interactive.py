"""Interactive bash, zsh and fish in a pseudo-terminal: Tab, `awsctx -`, the list and the picker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Interactive, write_aws

ODD_PROFILES = """
[profile "my prof"]
region = eu-west-1

[profile "x$(touch {marker})"]
region = eu-west-2

[profile "it's"]
region = eu-west-3

[profile "back`touch {marker}`tick"]
region = eu-south-1

[profile café]
region = eu-central-1
"""

# Presses of Tab that show the candidates of an ambiguous word: zsh completes the common prefix
# first; fish opens its pager at once, and so does bash with show-all-if-ambiguous (set by the test rc).
LIST_TABS = {"bash": 1, "zsh": 2, "fish": 1}


@pytest.fixture
def term(shell: str, env: dict[str, str], home: Path) -> Iterator[Interactive]:
    session = Interactive(shell, dict(env, AWSCTX_NO_FZF="1"), home)
    yield session
    session.close()


def profile_in(session: Interactive) -> str:
    return session.run("printf '%s\\n' \"P=$AWS_PROFILE R=$AWS_REGION\"").strip().splitlines()[-1]


def test_tab_completes_a_unique_profile_and_enter_switches(term: Interactive) -> None:
    term.complete("awsctx client2-w", "client2-with-sso")
    term.run("")
    assert profile_in(term) == "P=client2-with-sso R=us-east-1"


def test_tab_lists_the_candidates(term: Interactive, shell: str) -> None:
    candidates = ["client1", "client2", "client2-with-sso", "client_with_direct_access"]
    shown = term.complete("awsctx cl", candidates, tabs=LIST_TABS[shell])
    shown += term.cancel_line()  # all the shell drew for the Tab: the whole list, not only its start
    assert "mirego" not in shown


def test_tab_completes_regions_after_r(term: Interactive) -> None:
    term.complete("awsctx client1 -r ca-c", "ca-central-1")
    term.run("")
    assert profile_in(term) == "P=client1 R=ca-central-1"


def test_tab_completes_subcommands_and_flags(term: Interactive) -> None:
    term.complete("awsctx ini", "init")
    term.cancel_line()
    term.complete("awsctx --cur", "--current")
    term.cancel_line()


def test_odd_names_complete_to_exactly_that_profile_and_never_run(
    term: Interactive, home: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    write_aws(home, config=ODD_PROFILES.format(marker=marker))
    # `inserted`: a part of the name that is on the terminal only once Tab has put the word in.
    for typed, inserted, name in (
        ("awsctx my", "prof", "my prof"),
        ("awsctx x", "pwned", f"x$(touch {marker})"),
        ("awsctx it", "'s", "it's"),
        ("awsctx back", "tick", f"back`touch {marker}`tick"),
        ("awsctx caf", "é", "café"),
    ):
        term.complete(typed, inserted)
        term.run("")
        assert term.run("printf '%s\\n' \"$AWS_PROFILE\"").strip().splitlines()[-1] == name
    assert not marker.exists()


def test_dash_in_an_interactive_shell(term: Interactive) -> None:
    term.run("awsctx client2")
    term.run("awsctx client1")
    term.run("awsctx -")
    assert profile_in(term) == "P=client2 R=ca-central-1"


def test_list_on_a_terminal_marks_the_current_profile(term: Interactive) -> None:
    term.run("awsctx client2")
    lines = term.run("awsctx").splitlines()
    assert "* client2" in lines
    assert "  client1" in lines


def test_fzf_picker_switches_to_the_picked_profile(shell: str, env: dict[str, str], home: Path) -> None:
    session = Interactive(shell, env, home)
    try:
        session.child.sendline("awsctx")
        session.expect_answering("client_with_direct_access")  # the picker is drawn
        session.child.send("mireg")
        session.expect_answering("1/6")  # fzf narrowed the list to one of six
        session.child.send("\r")
        session.sync()
        assert profile_in(session) == "P=mirego R="
    finally:
        session.close()


def test_picker_cancelled_changes_nothing(shell: str, env: dict[str, str], home: Path) -> None:
    session = Interactive(shell, env, home)
    try:
        session.run("awsctx client1")
        session.child.sendline("awsctx")
        session.expect_answering("client_with_direct_access")  # the picker is drawn
        session.child.sendcontrol("c")
        session.sync()
        assert profile_in(session) == "P=client1 R=us-west-2"
    finally:
        session.close()
