"""The fast path for common command lines parses exactly as the argparse grammar does."""

from __future__ import annotations

import itertools

import pytest

from awsctx import cli, main, switch
from awsctx.commands import switch as switch_command
from awsctx.errors import UsageError

TOKENS = ["client2", "my prof", "use", "init", "-", "-r", "eu-west-1", "--force", "-c", "-u", "--current", "--", "-x"]
TOKENS.append("")


def slow_request(argv: list[str]) -> switch.Request | None:
    """What argparse makes of `argv`; None when it refuses the command line."""
    parser, arguments = cli.parser_for(argv)
    try:
        namespace = parser.parse_args(arguments)
        return switch_command.request_from(namespace)
    except (UsageError, SystemExit):
        return None


HOT = [
    ([], switch.Request(switch.LIST)),
    (["client2"], switch.Request(switch.SWITCH, "client2")),
    (["use", "init"], switch.Request(switch.SWITCH, "init")),
    (["client2", "-r", "eu-west-1"], switch.Request(switch.SWITCH, "client2", "eu-west-1")),
    (["-r", "eu-west-1"], switch.Request(switch.REGION_ONLY, None, "eu-west-1")),
    (["-"], switch.Request(switch.PREVIOUS)),
    (["-u"], switch.Request(switch.UNSET)),
    (["-c"], switch.Request(switch.CURRENT)),
]


def test_fast_path_agrees_with_argparse() -> None:
    """Every list of up to four TOKENS (41,371 of them): wherever the fast path answers, argparse
    gives the same request. Where it does not answer, main() hands the line to argparse itself."""
    answered = []
    for length in range(5):
        for words in itertools.product(TOKENS, repeat=length):
            argv = list(words)
            fast = main.fast_request(argv)
            if fast is not None:
                answered.append(argv)
                assert fast == slow_request(argv), argv
    # The lines the fast path is for are among those checked.
    assert all(argv in answered for argv, _ in HOT)


@pytest.mark.parametrize(("argv", "expected"), HOT)
def test_hot_command_lines_take_the_fast_path(argv: list[str], expected: switch.Request) -> None:
    assert main.fast_request(argv) == expected


@pytest.mark.parametrize("argv", [["init"], ["init", "bash"], ["--help"], ["client2", "--force"], ["-c", "x"]])
def test_everything_else_goes_to_argparse(argv: list[str]) -> None:
    assert main.fast_request(argv) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-c", "client2"], "-c and -u take no profile"),
        (["--force"], "--force goes with -r"),
        (["-", "-r", "eu-west-1"], "restores the previous region"),
        (["use"], "required"),
        (["-c", "-u"], "not allowed with"),
    ],
)
def test_usage_errors_are_one_line_messages(argv: list[str], message: str) -> None:
    parser, arguments = cli.parser_for(argv)
    with pytest.raises(UsageError, match=message):
        switch_command.request_from(parser.parse_args(arguments))
