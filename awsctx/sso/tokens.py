"""The SSO token cache shared with the AWS CLI v2 and botocore: ~/.aws/sso/cache/<sha1>.json, read
and written in their exact format (times included), so one login serves every tool."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from typing import Any

from awsctx import cachefile, paths
from awsctx.errors import UserError
from awsctx.sso.sessions import Target

# The format botocore and the AWS CLI v2 write times in, in the token and registration files.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# botocore refreshes a token with less than 15 minutes left and the CLI calls it expired: with the
# same margin, a token awsctx calls good is one they use as it is.
EXPIRY_MARGIN = 15 * 60


def read_token(target: Target) -> dict[str, Any] | None:
    """The cached token for `target`, fresh or not; None when there is none that could serve it.

    A file that is missing, unreadable, truncated or not a token is a miss: the next login replaces it.
    """
    token = read_json(target.token_path)
    if token is None:
        return None
    access_token = token.get("accessToken")
    if not isinstance(access_token, str) or not access_token or expires_at(token) is None:
        return None
    # The same session name pointed at another start URL or region: that token is someone else's.
    if token.get("startUrl", target.start_url) != target.start_url:
        return None
    if token.get("region", target.region) != target.region:
        return None
    return token


def expires_at(token: dict[str, Any]) -> float | None:
    """When a cached token expires, as a Unix time; None when it does not say."""
    return parse_time(token.get("expiresAt"))


def is_fresh(token: dict[str, Any], margin: float = EXPIRY_MARGIN, now: float | None = None) -> bool:
    expiry = expires_at(token)
    return expiry is not None and expiry - (time.time() if now is None else now) > margin


def parse_time(value: object) -> float | None:
    """A timestamp from a cache file (`...Z`, `...UTC` from old CLIs, `+00:00`, fractions of any
    length) as a Unix time; None when it cannot be read."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif text.endswith("UTC"):
        text = text[:-3] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # fromisoformat before Python 3.11 takes 3 or 6 digits of fraction only
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + (rest[:digits] + "000000")[:6] + rest[digits:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(TIME_FORMAT)


def read_json(path: str) -> dict[str, Any] | None:
    """A token or registration file as a dict, bounded as every cache read is; None when it is not one."""
    return cachefile.load_json(path)


def write_json(path: str, data: dict[str, Any]) -> None:
    folder = os.path.dirname(path)
    try:
        cachefile.ensure_private_dir(folder)
        cachefile.write_atomic(path, json.dumps(data).encode("utf-8"))
    except OSError as error:
        raise UserError(
            f"cannot write {paths.display(path)} ({error.strerror or error}); check that {paths.display(folder)} "
            "is a folder you can write to"
        ) from None
