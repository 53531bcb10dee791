"""When the role credentials an MFA session renews are refreshed next, for the shell's prompt hook.

The AWS CLI and botocore take a cached role's credentials as they are while more than 15 minutes
are left, and assume the role again themselves after that: with `mfa_serial`, by asking for a
code. awsctx refreshes the credentials it wrote to the AWS CLI cache before that window (REFRESH_AHEAD
before they expire), from the MFA session, so that `aws`, boto3 scripts and terraform in a
switched shell never ask.

What the shell needs for that is one number: a switch exports AWSCTX_REFRESH_AT (epoch seconds),
and the prompt hook compares it with the clock, a process starting only once it is due (a quiet
`awsctx refresh` in the background). What the refresh finds is left in one small file per profile,
"REFRESH_AT EXPIRATION" (REFRESH_AT 0: nothing more to do without a person), which the hook reads
with the shell's own `read`, so that every shell switched to the profile picks it up. On the
switch path: no botocore, no json.
"""

from __future__ import annotations

import os

from awsctx import cachefile, envvars, paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from awsctx import credentials
    from awsctx.shells import Script

# The AWS CLI's and botocore's own window is 15 minutes; 10 more leave room for a shell whose
# prompt was not drawn when the refresh came due.
REFRESH_AHEAD = 25 * 60
# After a refresh that failed for a reason time may cure (the network), the next try.
RETRY_AFTER = 5 * 60
# The shell variable naming the file of the profile a shell is switched to (never exported).
FILE_VARIABLE = "__awsctx_refresh_file"
_FOLDER = "refresh"


def path(profile: str) -> str:
    """The file of `profile` (named by the name's bytes in hex: no hashing on the switch path)."""
    name = profile.encode("utf-8", "surrogateescape").hex()
    if len(name) > 200:
        import hashlib

        name = "sha1-" + hashlib.sha1(profile.encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(paths.cache_dir(), _FOLDER, name)


def window(duration_seconds: int) -> int:
    """How long before their expiry role credentials of this length are assumed again."""
    return min(REFRESH_AHEAD, duration_seconds // 2)


def due(entry_expiry: float, now: float) -> int:
    """When to refresh credentials that expire at `entry_expiry`: REFRESH_AHEAD before, or halfway
    through credentials too short for that."""
    return int(max(entry_expiry - REFRESH_AHEAD, now + (entry_expiry - now) / 2))


def read(profile: str) -> tuple[int, int] | None:
    """(refresh at, expiration) as last written for `profile`; None when unknown, or when the file
    is not one awsctx would have written (read bounded, in a folder only the user may write to)."""
    where = path(profile)
    if not cachefile.trusted_dir(os.path.dirname(where)):
        return None
    try:
        words = cachefile.read_bounded(where, 64).split()
    except OSError:
        return None
    if len(words) != 2 or not all(word.isdigit() and len(word) <= 12 for word in words):
        return None
    return int(words[0]), int(words[1])


def write(profile: str, refresh_at: float, expiration: float | None) -> None:
    where = path(profile)
    if not cachefile.may_use_dir(os.path.dirname(where)):
        return  # a folder others may write to: no refresh time is read there either
    try:
        cachefile.write_atomic(where, f"{int(refresh_at)} {int(expiration or 0)}\n".encode())
    except OSError:
        pass  # without the file a shell starts one refresh more, which writes it again


def forget_all() -> None:
    """Every profile's file: after `awsctx logout`, the next due refresh of each shell finds out."""
    folder = os.path.join(paths.cache_dir(), _FOLDER)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def export(script: Script, profile: str, identity: credentials.Identity | None) -> None:
    """AWSCTX_REFRESH_AT for a switch to `profile` whose credentials an MFA session renews; unset
    for any other."""
    found = read(profile) if profile and identity is not None and identity.expiration else None
    if found is None or found[0] <= 0:
        script.unset(envvars.REFRESH_AT)
        return
    script.export(envvars.REFRESH_AT, str(found[0]))
    script.set_local(FILE_VARIABLE, path(profile))
