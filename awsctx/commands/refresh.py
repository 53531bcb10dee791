"""`awsctx refresh [NAME]`: assume again, from the MFA session, a role whose credentials near the
15 minutes in which the AWS CLI and botocore would assume it themselves (and ask for a code).

The shell integration runs it in the background, output discarded, once the time a switch exported
(AWSCTX_REFRESH_AT) has come; what it finds goes to the profile's file in awsctx/refreshtime.py's
format, which every shell switched to the profile reads at its next prompt. It never asks anything:
when only a person can help (the session ended), it says so and marks the profile done.
"""

from __future__ import annotations

import argparse
import time

from awsctx import cli, config, credentials, mfasession, output, refreshtime
from awsctx.errors import UserError, WaitExpired


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx refresh",
        description="Refresh, from the MFA session, role credentials before the AWS CLI would ask for a code.",
    )
    cli.add_profile(found)
    return found


class NeedsPerson(UserError):
    """Only a person can help (a code for a new session): the shells stop trying."""


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    profile = credentials.profile_or_current(namespace.profile, "refresh")
    known = refreshtime.read(profile)
    try:
        return _refresh(profile, known)
    except NeedsPerson:
        refreshtime.write(profile, 0, known[1] if known else 0)
        raise
    except (UserError, WaitExpired):
        # Time may cure it (the network, a config being edited): the shells try again later, not at
        # every prompt.
        refreshtime.write(profile, time.time() + refreshtime.RETRY_AFTER, known[1] if known else 0)
        raise


def _refresh(profile: str, known: tuple[int, int] | None) -> int:
    cfg = config.load()
    cfg.profile(profile)  # an unknown name is an error of its own
    plan = mfasession.plan_for(cfg, profile)
    expiration = known[1] if known else 0
    if plan is None:
        refreshtime.write(profile, 0, expiration)
        output.note(f"profile {profile!r} gets no credentials from an MFA session: nothing for awsctx to refresh")
        return 0
    if known is not None and known[0] > time.time():
        output.success(f"profile {profile!r}: good until {_clock(expiration)}; next refresh {_clock(known[0])}")
        return 0
    if mfasession.refuses(plan) or not mfasession.usable(mfasession.read(plan)):
        raise NeedsPerson(
            f"profile {profile!r}: no MFA session to refresh its credentials from; switch to it again "
            f"(awsctx {profile}) to give a code"
        )
    resolved = credentials.resolve(profile, cfg, interactive=False, open_browser=False)
    found = refreshtime.read(profile)
    output.success(
        f"profile {profile!r}: credentials good until {_clock(resolved.identity.expiration)}"
        + (f"; next refresh {_clock(found[0])}" if found and found[0] else "")
    )
    return 0


def _clock(epoch: float | None) -> str:
    return time.strftime("%H:%M", time.localtime(epoch)) if epoch else "unknown"
