"""`awsctx deny [PATH]`: stop trusting a folder's `.awsctx` (awsctx/folders.py)."""

from __future__ import annotations

import argparse
import sys

from awsctx import cli, folders, output, paths
from awsctx.shells import Script


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx deny",
        description="Stop trusting a .awsctx file: entering its folder changes nothing until `awsctx allow`.",
    )
    found.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a folder or its .awsctx, which may be gone (default: the nearest .awsctx in this folder or above it)",
    )
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    path, was_allowed = folders.deny(namespace.path)
    where = paths.display(path)
    if was_allowed:
        output.success(f"Denied {where}: it changes nothing from now on")
    else:
        output.note(f"{where} was not allowed; nothing to deny")
    if shell is not None:
        script = Script(shell)
        folders.recheck(script)
        sys.stdout.write(script.render())
    return 0
