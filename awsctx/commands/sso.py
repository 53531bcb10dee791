"""`awsctx sso sync`: a profile for every account and role an IAM Identity Center session can reach.

Logs in (once per session), lists what the session grants (`sso.portal`), names the profiles
(`sso.names`) and rewrites the managed block of the config file (`sso.managed`).
"""

from __future__ import annotations

import argparse
import os
import sys

from awsctx import cli, config, output, paths
from awsctx.errors import UserError
from awsctx.sso import oidc, sessions
from awsctx.sso.managed import (
    BACKUP_SUFFIX,
    Change,
    check_readable,
    find_blocks,
    print_diff,
    read_config,
    read_text,
    render_config,
    split_lines,
    write_config,
)
from awsctx.sso.names import DEFAULT_TEMPLATE, check_template
from awsctx.sso.portal import Grant, list_grants


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(prog="awsctx sso", description="IAM Identity Center (SSO) commands.")
    commands = found.add_subparsers(dest="sso_command", metavar="COMMAND", required=True)
    sync_parser = commands.add_parser(
        "sync",
        help="write a profile for every account and role an SSO session can reach",
        description="Write a profile for every account and role an SSO session can reach, in a managed block.",
    )
    sync_parser.add_argument(
        "session", nargs="?", metavar="SESSION", help="default: every [sso-session]"
    ).completer = _complete_sso_sessions  # type: ignore[attr-defined]
    sync_parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    sync_parser.add_argument("--prune", action="store_true", help="remove profiles for access that is gone")
    sync_parser.add_argument(
        "--template",
        metavar="T",
        help="profile names: {account_name} {account_id} {role_name} {session} (default {account_name}.{role_name})",
    )
    sync_parser.add_argument(
        "--credential-process",
        action="store_true",
        help="profiles that use `credential_process = awsctx process NAME`",
    )
    return found


def _complete_sso_sessions(prefix: str, **_: object) -> list[str]:
    try:
        return [name for name in config.load().sso_sessions if name.startswith(prefix)]
    except UserError:
        return []


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    return sync(namespace.session, namespace.dry_run, namespace.prune, namespace.template, namespace.credential_process)


def sync(session: str | None, dry_run: bool, prune: bool, template: str | None, process: bool) -> int:
    """`awsctx sso sync [SESSION] [--dry-run] [--prune] [--template T] [--credential-process]`."""
    template = template if template is not None else DEFAULT_TEMPLATE
    check_template(template)
    cfg = config.load()
    names = [session] if session else list(cfg.sso_sessions)
    if not names:
        raise UserError(
            f"{paths.display(cfg.config_path)} has no [sso-session NAME] section; add one with sso_start_url "
            "and sso_region (or run `aws configure sso-session`), then sync again"
        )
    # Broken markers are reported before any login or listing, which can take minutes.
    find_blocks(split_lines(read_text(cfg.config_path)), cfg.config_path)
    interactive = output.is_terminal(sys.stderr)
    listed: dict[str, list[Grant]] = {}
    regions: dict[str, str] = {}
    for name in names:
        target = sessions.target_for_session(name, cfg)
        listed[name] = _grants(target, interactive)
        regions[name] = _session_region(cfg.sso_sessions[name], target)

    from awsctx import locks

    # One sync at a time: two would each write a file without the other's block.
    with locks.locked(os.path.join(paths.lock_dir(), "sso-sync.lock")):
        before, sections, credential_sections = read_config(cfg.config_path, cfg.credentials_path)
        after, changes = render_config(
            before,
            sections,
            credential_sections,
            listed,
            regions,
            template=template,
            prune=prune,
            process=process,
            config_path=cfg.config_path,
            credentials_path=cfg.credentials_path,
        )
        check_readable(after, cfg.config_path)
        where = paths.display(cfg.config_path)
        if dry_run:
            print_diff(before, after, where)
        elif after != before:
            write_config(cfg.config_path, before, after)
    _report(changes, where, dry_run=dry_run, changed=after != before)
    return 0


def _grants(target: sessions.Target, interactive: bool) -> list[Grant]:
    """What the session grants. A login the portal no longer accepts is marked expired; on a
    terminal awsctx logs in again and lists once more, elsewhere the error names the login command."""
    retried = False
    while True:
        token = oidc.ensure_token(target, interactive=interactive, open_browser=interactive)
        try:
            return list_grants(target, token["accessToken"])
        except sessions.LoginRejectedError:
            oidc.reject(target, token)
            if retried or not interactive:
                raise
        retried = True
        output.note(f"IAM Identity Center no longer accepts the login for {target.describe()}; logging in again")


def _session_region(settings: dict, target: sessions.Target) -> str:
    """The region written into the profiles: the session's own `region` when it has one (the AWS
    SDKs ignore it there), else the region of IAM Identity Center itself."""
    region = settings.get("region")
    return region.strip() if isinstance(region, str) and region.strip() else target.region


def _report(changes: list[Change], where: str, *, dry_run: bool, changed: bool) -> None:
    say = output.note if dry_run else output.success
    for change in changes:
        parts = [f"{change.added} added", f"{change.updated} updated", f"{change.removed} removed"]
        if change.kept:
            parts.append(f"{change.kept} kept that this sync no longer produces (--prune removes them)")
        say(f"sso-session {change.session}: {change.grants} roles; " + ", ".join(parts))
    if dry_run:
        output.note(f"dry run: {where} left as it is" + ("" if changed else "; it is already up to date"))
    elif changed:
        output.success(f"wrote {where}; the previous version is in {where}{BACKUP_SUFFIX}")
    else:
        output.success(f"{where} is already up to date")
