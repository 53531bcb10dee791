"""`awsctx allow [PATH]`: trust a folder's `.awsctx`, as it is now (awsctx/folders.py)."""

from __future__ import annotations

import argparse
import sys

from awsctx import cli, folders, output, paths
from awsctx.shells import Script


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx allow",
        description=(
            "Trust a .awsctx file, as it is now: entering its folder then switches to the profile it names. "
            "Editing the file revokes the trust; `awsctx deny` drops it."
        ),
    )
    found.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a folder or its .awsctx (default: the nearest .awsctx in this folder or above it)",
    )
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    path, choice = folders.allow(namespace.path)
    where = paths.display(path)
    output.success(f"Allowed {where} ({choice.describe()})")
    if shell is not None:
        script = Script(shell)
        folders.recheck(script)
        sys.stdout.write(script.render())
    return 0
