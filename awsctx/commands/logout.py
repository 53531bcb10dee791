"""`awsctx logout [NAME]`: drop the MFA sessions (with NAME: the one NAME's role uses, and NAME's
IAM Identity Center login).

What goes: the session files, the role credentials awsctx assumed with them into the AWS CLI
cache, and the refresh times the shells read (each shell finds out at its next due refresh and
stops). The next switch to such a role asks for a code again. With NAME, the cached IAM Identity
Center token of NAME's session goes too, so that the next switch logs in again.
"""

from __future__ import annotations

import argparse
import os

from awsctx import cli, config, mfasession, output, paths, refreshtime
from awsctx.errors import UserError


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx logout",
        description="Drop the MFA sessions; with a profile, its MFA session and its IAM Identity Center login.",
    )
    argument = found.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="only this profile's MFA session, and its SSO login"
    )
    argument.completer = cli.complete_profiles  # type: ignore[attr-defined]
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    profile = namespace.profile
    if not profile:
        dropped = mfasession.drop()
        refreshtime.forget_all()
        if dropped:
            output.success(f"dropped {dropped} MFA session{'s' if dropped != 1 else ''}; the next switch asks a code")
        else:
            output.note("no MFA session to drop")
        return 0
    cfg = config.load()
    cfg.profile(profile)  # an unknown name is an error of its own
    said = False
    plan = mfasession.plan_for(cfg, profile)
    if plan is not None:
        if mfasession.drop([plan]):
            output.success(f"dropped the MFA session of profile {plan.source_profile!r} ({plan.serial})")
            said = True
        refreshtime.forget_all()
    said = _drop_sso_login(cfg, profile) or said
    if not said:
        output.note(f"profile {profile!r} has no MFA session or IAM Identity Center login to drop")
    return 0


def _drop_sso_login(cfg: config.AwsConfig, profile: str) -> bool:
    """Delete the cached IAM Identity Center token of the session `profile` logs in to."""
    from awsctx import credentials

    target = credentials.sso_target(cfg, profile)
    if target is None:
        return False
    try:
        os.unlink(target.token_path)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise UserError(f"cannot delete {paths.display(target.token_path)} ({error.strerror or error})") from None
    output.success(f"logged out of {target.describe()}; the next switch to {profile!r} logs in again")
    return True
