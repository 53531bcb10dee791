"""`awsctx allow [PATH]`: trust a folder's `.awsctx`, as it is now (awsctx/folders.py)."""

from __future__ import annotations

import argparse
import sys

from awsctx import cli, folders, output, paths


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx allow",
        description=(
            "Trust a .awsctx file, as it is now: entering its folder then switches to the profile it names. "
            "Editing the file revokes the trust; `awsctx deny` drops it."
        ),
    )
    cli.add_folder_path(found, "a folder or its .awsctx")
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    path, choice = folders.allow(namespace.path)
    where = paths.display(path)
    output.success(f"Allowed {where} ({choice.describe()})")
    if shell is not None:
        sys.stdout.write(folders.recheck(shell))
    return 0
