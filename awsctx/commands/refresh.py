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
    found.add_argument("--force", action="store_true", help="refresh even when the credentials are not due")
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    profile = credentials.profile_or_current(namespace.profile, "refresh")
    cfg = config.load()
    cfg.profile(profile)  # an unknown name is an error of its own
    plan = mfasession.plan_for(cfg, profile)
    known = refreshtime.read(profile)
    expiration = known[1] if known else 0
    now = time.time()
    if plan is None:
        refreshtime.write(profile, 0, expiration)
        output.note(f"profile {profile!r} gets no credentials from an MFA session: nothing for awsctx to refresh")
        return 0
    if known is not None and known[0] > now and not namespace.force:
        output.success(f"profile {profile!r}: good until {_clock(expiration)}; next refresh {_clock(known[0])}")
        return 0
    if mfasession.refuses(plan) or not mfasession.usable(mfasession.read(plan)):
        refreshtime.write(profile, 0, expiration)
        raise UserError(
            f"profile {profile!r}: no MFA session to refresh its credentials from; switch to it again "
            f"(awsctx {profile}) to give a code"
        )
    try:
        resolved = credentials.resolve(profile, cfg, interactive=False, open_browser=False)
    except (UserError, WaitExpired):
        refreshtime.write(profile, now + refreshtime.RETRY_AFTER, expiration)
        raise
    found = refreshtime.read(profile)
    until = resolved.identity.expiration
    output.success(
        f"profile {profile!r}: credentials good until {_clock(until)}"
        + (f"; next refresh {_clock(found[0])}" if found and found[0] else "")
    )
    return 0


def _clock(epoch: float | None) -> str:
    return time.strftime("%H:%M", time.localtime(epoch)) if epoch else "unknown"
