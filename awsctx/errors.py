"""Errors a user can cause: reported as one line on stderr, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; `str(error)` says what and how."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong."""

    exit_code = 2


class WaitExpired(BaseException):
    """No answer within the bound (AWSCTX_TIMEOUT). A BaseException, like KeyboardInterrupt: raised
    from a timer in the middle of botocore, it must pass every `except Exception` on its way out."""

    exit_code = 1
