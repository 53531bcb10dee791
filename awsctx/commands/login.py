"""`awsctx login [NAME | --sso-session S] [--no-browser] [--force]`: IAM Identity Center login."""

from __future__ import annotations

import argparse
import os
import sys
import time

from awsctx import cli, config, output
from awsctx.errors import UsageError
from awsctx.sso.oidc import ensure, reject
from awsctx.sso.portal import accepts
from awsctx.sso.sessions import Target, target_for_profile, target_for_session
from awsctx.sso.tokens import expires_at


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx login", description="Log in to IAM Identity Center (SSO) with the device-code flow."
    )
    target = found.add_mutually_exclusive_group()
    target.add_argument(
        "profile", nargs="?", metavar="PROFILE", help="default: the active profile"
    ).completer = _complete_sso_profiles  # type: ignore[attr-defined]
    target.add_argument("--sso-session", metavar="NAME", help="log in to this [sso-session] directly")
    found.add_argument("--no-browser", action="store_true", help="only print the URL and code")
    found.add_argument("--force", action="store_true", help="log in again even with a valid token")
    return found


def _complete_sso_profiles(prefix: str, **_: object) -> list[str]:
    from awsctx import profilenames

    return profilenames.matching(prefix, with_commands=False, sso_only=True)


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    return run_login(namespace.profile, namespace.sso_session, not namespace.no_browser, force=namespace.force)


def run_login(profile: str | None, sso_session: str | None, open_browser: bool, *, force: bool = False) -> int:
    """`awsctx login [NAME | --sso-session S] [--no-browser] [--force]`: the exit code; messages on stderr.

    NAME defaults to AWS_PROFILE, then to the default profile. A login still valid is kept unless
    `force`, once IAM Identity Center has said it still accepts it (one call); one it no longer
    accepts is marked expired. One that can be renewed is renewed without a browser.
    """
    target = _login_target(profile, sso_session)
    try:
        token, how = ensure(target, interactive=True, open_browser=open_browser, sleep=time.sleep, force=force)
        if how == "cached" and not accepts(target, token["accessToken"]):
            # In date, but the session was ended at IAM Identity Center: not a login to keep.
            reject(target, token)
            output.note(
                f"IAM Identity Center no longer accepts the login for {target.describe()} "
                "(the session was ended there); logging in again"
            )
            token, how = ensure(target, interactive=True, open_browser=open_browser, sleep=time.sleep, force=False)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        output.note("login cancelled")
        return 130
    expiry = expires_at(token)
    until = time.strftime("%Y-%m-%d %H:%M", time.localtime(expiry)) if expiry is not None else "unknown"
    if how == "cached":
        output.success(
            f"already logged in to {target.describe()}, until {until}; IAM Identity Center accepts it "
            "(--force logs in anew)"
        )
    elif how == "refreshed":
        output.success(f"renewed the login to {target.describe()}, until {until}")
    else:
        output.success(f"logged in to {target.describe()}, until {until}")
    return 0


def _login_target(profile: str | None, sso_session: str | None) -> Target:
    if profile and sso_session:
        raise UsageError("name a profile or --sso-session, not both")
    aws_config = config.load()
    if sso_session:
        return target_for_session(sso_session, aws_config)
    name = profile or os.environ.get("AWS_PROFILE") or None
    if name is None:
        if "default" not in aws_config.profiles:
            raise UsageError(
                "which login? name a profile (`awsctx login NAME`) or a session (`awsctx login --sso-session NAME`); "
                "AWS_PROFILE is not set"
            )
        name = "default"
    return target_for_profile(name, aws_config)
