"""Where awsctx finds the AWS files, the same way the AWS CLI does."""

from __future__ import annotations

import os


def _expand(path: str) -> str:
    if "$" in path:  # expandvars imports `re`: only when there is something to expand
        path = os.path.expandvars(path)
    return os.path.expanduser(path)


def config_file() -> str:
    return _expand(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_file() -> str:
    return _expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def display(path: str) -> str:
    """A path as a user reads it in a message: under the home folder as `~/...`."""
    home = os.path.expanduser("~")
    if home not in ("", "/") and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


def cache_dir() -> str:
    """awsctx's own cache (the AWS CLI's caches live under ~/.aws)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awsctx")
