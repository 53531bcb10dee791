"""Errors a user can cause: reported as one line on stderr, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; `str(error)` says what and how."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong."""

    exit_code = 2
