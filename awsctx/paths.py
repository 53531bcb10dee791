"""Where awsctx finds the AWS files, the same way the AWS CLI does."""

from __future__ import annotations

import os


def _expand(path: str) -> str:
    if "$" in path:  # expandvars imports `re`: only when there is something to expand
        path = os.path.expandvars(path)
    return os.path.expanduser(path)


# Set but empty means "no such file" to botocore, not "the default": the same here.
def config_file() -> str:
    return _expand(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"))


def credentials_file() -> str:
    return _expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"))


def display(path: str) -> str:
    """A path as a user reads it in a message: under the home folder as `~/...`."""
    home = os.path.expanduser("~")
    if home not in ("", "/") and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


def cache_dir() -> str:
    """awsctx's own cache (the AWS CLI's caches live under ~/.aws). A relative XDG_CACHE_HOME is
    ignored, as the XDG specification says: it would put the caches in whatever folder awsctx runs in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "awsctx")


def state_dir() -> str:
    """awsctx's own state, which must outlive a cache wipe: the `.awsctx` files the user allowed.
    XDG_STATE_HOME (~/.local/state) rather than XDG_DATA_HOME, where scripts/install puts awsctx
    itself; a relative XDG_STATE_HOME is ignored, as for the cache."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "awsctx")


# The per-folder profile file (awsctx/folders.py); the shell integration looks for it by this name.
FOLDER_FILE = ".awsctx"


def sso_cache_dir() -> str:
    """Where the AWS CLI v2 and botocore keep IAM Identity Center tokens, shared with them."""
    return os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")


def lock_dir() -> str:
    """Lock files that keep parallel awsctx processes from logging in or fetching credentials twice."""
    return os.path.join(cache_dir(), "locks")


def cli_cache_dir() -> str:
    """The AWS CLI's cache of assumed-role and SSO role credentials, shared with it and botocore."""
    return os.path.join(os.path.expanduser("~"), ".aws", "cli", "cache")
