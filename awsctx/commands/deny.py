"""`awsctx deny [PATH]`: stop trusting a folder's `.awsctx` (awsctx/folders.py)."""

from __future__ import annotations

import argparse
import sys

from awsctx import cli, folders, output, paths


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx deny",
        description="Stop trusting a .awsctx file: entering its folder changes nothing until `awsctx allow`.",
    )
    cli.add_folder_path(found, "a folder or its .awsctx, which may be gone")
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    path, was_allowed = folders.deny(namespace.path)
    where = paths.display(path)
    if was_allowed:
        output.success(f"Denied {where}: it changes nothing from now on")
    else:
        output.note(f"{where} was not allowed; nothing to deny")
    if shell is not None:
        sys.stdout.write(folders.recheck(shell))
    return 0
