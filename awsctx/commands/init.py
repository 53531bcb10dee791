"""`awsctx init [SHELL] [--no-prompt] [--no-folders]`: print the integration a shell loads from its rc file."""

from __future__ import annotations

import argparse
import sys

from awsctx import cli, shellinit, shells


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx init", description="Print the shell integration; load it from your shell's rc file."
    )
    found.add_argument("shell", nargs="?", choices=shells.SUPPORTED, help="detected when omitted")
    found.add_argument(
        "--no-prompt",
        action="store_true",
        help="leave the prompt alone (also AWSCTX_NO_PROMPT=1); place the awsctx_prompt segment yourself",
    )
    found.add_argument(
        "--no-folders",
        action="store_true",
        help="no profile per folder: never look for .awsctx files (also AWSCTX_NO_FOLDERS=1)",
    )
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    target = namespace.shell or shellinit.detect_shell(strict=True)
    assert target is not None  # strict detection raises rather than answer None
    sys.stdout.write(shellinit.render(target, place_prompt=not namespace.no_prompt, folders=not namespace.no_folders))
    return 0
