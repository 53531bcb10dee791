"""What the shell function evaluates: the code the program prints for it, and nothing else.

Help, version and errors are for the person: with the integration loaded they reach the terminal
and are never run as shell code, whatever arguments are given. A call that fails changes nothing.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from harness import dump, last_status, run

from awsctx.shells import quote

# Words a user (or a slip of the fingers) may give, the ones the issue tracker reproduced among them.
TOKENS = [
    "client1",
    "client2",
    "nosuch",
    "use",
    "-",
    "-r",
    "eu-west-1",
    "us-eats-1",
    "-h",
    "--help",
    "--version",
    "-n",
    "-u",
    "-c",
    "--",
    "--export",
    "--force",
    "garbage!",
    "$(touch pwned)",
    "x;y",
    "",
]
REPRODUCED = [
    ["client2", "--help"],
    ["-r", "eu-west-1", "--help"],
    ["use", "-h"],
    ["-", "--help"],
    ["-u", "--help"],
    ["-n", "--version"],
    ["client1", "--version"],
    ["use", "--version"],
]
# What a shell says when it was handed something that is not code.
NOT_CODE = ("syntax error", "parse error", "no matches found", "command not found", "Unknown command", "usage:")
HOOKS = {
    "bash": "command_not_found_handle() {{ : > {mark}; return 127; }}",
    "zsh": "command_not_found_handler() {{ : > {mark}; return 127; }}",
    "fish": "function fish_command_not_found; touch {mark}; end",
}


def _cases() -> list[list[str]]:
    rng = random.Random(20261130)  # the same lists every run: a failure can be run again
    drawn = [[rng.choice(TOKENS) for _ in range(rng.randint(1, 4))] for _ in range(30)]
    return REPRODUCED + drawn


def test_only_the_code_block_is_ever_evaluated(shell: str, env: dict[str, str], tmp_path: Path) -> None:
    mark = tmp_path / "evaluated"
    cases = _cases()
    lines = [HOOKS[shell].format(mark=quote(shell, str(mark)))]
    for index, words in enumerate(cases):
        call = " ".join(["awsctx", *(quote(shell, word) for word in words)])
        lines += [
            dump(f"before{index}"),
            f"{call} 2>>{quote(shell, str(tmp_path / f'err{index}'))}",
            f"echo @@STATUS {index} {last_status(shell)}",
            dump(f"after{index}"),
        ]
    result = run(shell, "\n".join(lines), env)
    assert not mark.exists(), "the function ran text that is not a command"
    assert not (tmp_path / "pwned").exists() and not Path(env["HOME"], "pwned").exists()
    statuses = dict(line.split()[1:3] for line in result.output.splitlines() if line.startswith("@@STATUS "))
    assert len(statuses) == len(cases), result.stderr
    for index, words in enumerate(cases):
        shown = (tmp_path / f"err{index}").read_text()
        assert not any(sign in line for line in shown.splitlines() for sign in NOT_CODE[:-1]), (words, shown)
        failed = statuses[str(index)] != "0"
        for_the_person = {"-h", "--help", "--version"} & set(words)
        if failed or for_the_person:
            assert result.aws(f"after{index}") == result.aws(f"before{index}"), (words, shown)


@pytest.mark.parametrize("words", [["client2", "--help"], ["use", "-h"], ["-u", "--help"]])
def test_help_in_shell_mode_is_shown_on_the_terminal(shell: str, env: dict[str, str], words: list[str]) -> None:
    call = " ".join(["awsctx", *(quote(shell, word) for word in words)])
    result = run(shell, f"{call}\necho @@STATUS {last_status(shell)}", env)
    assert "@@STATUS 0" in result.output
    assert "usage: awsctx" in result.stderr
    assert "usage:" not in result.output


def test_version_in_shell_mode_is_shown_not_run(shell: str, env: dict[str, str]) -> None:
    result = run(shell, f"awsctx -n --version\necho @@STATUS {last_status(shell)}\n{dump('after')}", env)
    assert "@@STATUS 0" in result.output
    assert result.stderr.startswith("awsctx ")
    assert "no profile named" not in result.stderr
    assert result.aws("after") == {"AWSCTX_CREDENTIALS": "off"}
