"""`awsctx sso sync`: a profile for every account and role an IAM Identity Center session can reach.

The profiles go into the config file between two marker comments per sso-session (the managed
block); every byte outside the blocks stays as it was. A run that changes nothing writes nothing, a
profile written by hand is never overwritten, and the previous file is kept as a backup.

Listing 1,000 accounts one call at a time takes minutes at real-world latency: the roles of each
account are listed on a bounded pool of threads while the account pages still come in.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from awsctx import __version__, config, output, paths, sso
from awsctx.errors import UsageError, UserError

DEFAULT_TEMPLATE = "{account_name}.{role_name}"
TEMPLATE_FIELDS = ("account_name", "account_id", "role_name", "session")
BACKUP_SUFFIX = ".awsctx-backup"
# With --credential-process, the profile a credential_process profile takes its credentials from.
SSO_SUFFIX = ".sso"

_BEGIN = "# >>> awsctx sso sync: sso-session {} >>>"
_END = "# <<< awsctx sso sync: sso-session {} <<<"
_BEGIN_PREFIX = "# >>> awsctx sso sync: sso-session "
_END_PREFIX = "# <<< awsctx sso sync: sso-session "
_NOTICE = "# Written by `awsctx sso sync`: edits between these two markers are replaced on the next sync."
_STALE_NOTE = "# Not granted under this name at the last sync; `awsctx sso sync --prune` removes it."

# Characters kept in profile names: nothing a shell, an INI header, shlex or bash's completion
# word breaks (`:`, `=`, `@`) would read specially. Go SDKs run credential_process with `sh -c`,
# so a name that reaches that line must be inert there too.
_SAFE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
# What IAM allows in role names; anything else from the server is not written into the file.
_ROLE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-")
# What a sync writes in a profile; nothing else in its block is kept.
_WRITTEN_KEYS = (
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
    "region",
    "aws_account_id",
    "aws_account_alias",
)
# `[profile default]` would compete with `[default]`.
_RESERVED_NAMES = frozenset({"default"})

_WORKERS = 16  # concurrent ListAccountRoles calls: fast, yet gentle on the portal's rate limits
_PAGE_SIZE = 100  # the largest page the portal serves
_BOTOCORE_ATTEMPTS = 3  # tries of each call by botocore (standard mode: throttling too), before our own backoff
_THROTTLE_ROUNDS = 5  # our own waits after botocore gave up on a throttled call, doubling each time
_THROTTLE_FIRST_WAIT = 1.0
_CONNECT_TIMEOUT = 5
_READ_TIMEOUT = 15
_PROGRESS_TERMINAL_SECONDS = 0.1
_PROGRESS_LOG_SECONDS = 10.0  # not a terminal: one line this often, so short runs print none


@dataclass(frozen=True)
class Grant:
    """One role of one account that the session may use."""

    account_id: str
    account_name: str
    role_name: str


@dataclass
class Change:
    """What a sync did, or would do, to one session's block."""

    session: str
    grants: int
    added: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # in the block, not produced by this sync, kept without --prune


def run(session: str | None, dry_run: bool, prune: bool, template: str | None, process: bool) -> int:
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
    find_blocks(_split_lines(_read_text(cfg.config_path)), cfg.config_path)
    interactive = _is_terminal(sys.stderr)
    listed: dict[str, list[Grant]] = {}
    regions: dict[str, str] = {}
    for name in names:
        target = sso.target_for_session(name, cfg)
        token = sso.ensure_token(target, interactive=interactive, open_browser=interactive)
        listed[name] = list_grants(target, token["accessToken"])
        regions[name] = _session_region(cfg.sso_sessions[name], target)

    from awsctx import locks

    # One sync at a time: two would each write a file without the other's block.
    with locks.locked(os.path.join(paths.lock_dir(), "sso-sync.lock")):
        before, sections, credential_sections = _read_config(cfg.config_path, cfg.credentials_path)
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
        _check_readable(after, cfg.config_path)
        where = paths.display(cfg.config_path)
        if dry_run:
            _print_diff(before, after, where)
        elif after != before:
            _write(cfg.config_path, before, after)
    _report(changes, where, dry_run=dry_run, changed=after != before)
    return 0


def check_template(template: str) -> None:
    import string

    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as error:
        raise UsageError(f"--template {template!r}: {error}") from None
    known = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    for field in fields:
        if field not in TEMPLATE_FIELDS:
            raise UsageError(f"--template {template!r}: unknown placeholder {{{field}}}; use {known}")
    if "role_name" not in fields or not {"account_name", "account_id"} & set(fields):
        raise UsageError(
            f"--template {template!r} must name the role and the account: include {{role_name}} and "
            "{account_name} or {account_id}"
        )


def _session_region(settings: dict, target: sso.Target) -> str:
    """The region written into the profiles: the session's own `region` when it has one (the AWS
    SDKs ignore it there), else the region of IAM Identity Center itself."""
    region = settings.get("region")
    return region.strip() if isinstance(region, str) and region.strip() else target.region


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


# ---------------------------------------------------------------------------- listing accounts and roles


class _Throttle:
    """How many portal calls may run at once, and when the next may start.

    IAM Identity Center documents about 20 calls a second for all its APIs together, and answers
    more with TooManyRequestsException. A call throttled past botocore's own retries halves the
    number allowed at once (once per pause) and pauses every worker; each run of successes as long
    as that number raises it by one again, up to the pool's size: the sync settles at the rate the
    portal allows instead of failing, and a fast portal is used at full width.
    """

    def __init__(self, limit: int) -> None:
        self.stopped = threading.Event()  # set on failure or Ctrl-C: waiting threads give up at once
        self._condition = threading.Condition()
        self.limit = limit
        self._most = limit
        self._busy = 0
        self._until = 0.0
        self._successes = 0

    def acquire(self) -> None:
        with self._condition:
            while True:
                if self.stopped.is_set():
                    raise _Stopped
                left = self._until - time.monotonic()
                if left <= 0 and self._busy < self.limit:
                    self._busy += 1
                    return
                self._condition.wait(left if left > 0 else None)

    def release(self, throttled_for: float | None = None) -> None:
        """The call is over; `throttled_for`: it was throttled, pause that many seconds."""
        with self._condition:
            self._busy -= 1
            now = time.monotonic()
            if throttled_for is not None:
                if now >= self._until:  # the first throttled call of this pause narrows the pool
                    self.limit = max(1, self.limit // 2)
                self._until = max(self._until, now + throttled_for)
                self._successes = 0
            else:
                self._successes += 1
                if self.limit < self._most and self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            self._condition.notify_all()

    def stop(self) -> None:
        self.stopped.set()
        with self._condition:
            self._condition.notify_all()


class _Stopped(Exception):
    """Another worker failed: this one stops too."""


def _throttle_wait(attempt: int) -> float:
    """Seconds to wait after the `attempt`th (1-based) throttled round: doubling, with jitter so
    that clients throttled together do not come back together."""
    import random

    return _THROTTLE_FIRST_WAIT * 2 ** (attempt - 1) * (0.5 + random.random() / 2)


def list_grants(target: sso.Target, access_token: str) -> list[Grant]:
    """Every account and role the token can use, sorted; pages followed, roles listed concurrently."""
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    client = _portal_client(target)
    throttle = _Throttle(_WORKERS)
    progress = _Progress(target.session_name or target.start_url)
    pending: set[Future] = set()
    grants: list[Grant] = []
    skipped: list[str] = []

    def collect(done: set[Future]) -> None:
        for future in done:
            account_id, account_name, roles = future.result()
            for role in roles:
                if _valid_role(role):
                    grants.append(Grant(account_id, account_name, role))
                else:
                    skipped.append(f"role {output.printable(role)!r} of account {account_id}")
            progress.roles_done += 1
        progress.show()

    pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="awsctx-sso-sync")
    try:
        next_token: str | None = None
        while True:
            arguments = {"accessToken": access_token, "maxResults": _PAGE_SIZE}
            if next_token:
                arguments["nextToken"] = next_token
            page = _call(target, throttle, client.list_accounts, **arguments)
            for account in page.get("accountList") or []:
                account_id = account.get("accountId")
                if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
                    skipped.append(f"account {output.printable(str(account_id))!r}")
                    continue
                name = account.get("accountName")
                name = name if isinstance(name, str) and name.strip() else account_id
                progress.accounts += 1
                pending.add(pool.submit(_roles_of, target, throttle, client, access_token, account_id, name))
            # Collect what finished meanwhile: an early failure stops the listing early.
            done = {future for future in pending if future.done()}
            pending -= done
            collect(done)
            next_token = page.get("nextToken")
            if not next_token:
                break
        progress.all_accounts = True
        while pending:
            done, pending = wait(pending, timeout=_PROGRESS_TERMINAL_SECONDS, return_when=FIRST_COMPLETED)
            collect(done)
    except BaseException:
        throttle.stop()
        for future in pending:
            future.cancel()
        raise
    finally:
        pool.shutdown(wait=True)
        progress.clear()
    if skipped:
        output.note(
            f"sso-session {target.session_name}: skipped what IAM Identity Center sent that is not valid: "
            + ", ".join(skipped[:3])
            + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        )
    grants.sort(key=lambda grant: (grant.account_id, grant.role_name))
    return grants


def _valid_role(role: object) -> bool:
    return isinstance(role, str) and 0 < len(role) <= 128 and _ROLE_CHARACTERS.issuperset(role)


def _roles_of(
    target: sso.Target, throttle: _Throttle, client: Any, access_token: str, account_id: str, account_name: str
) -> tuple[str, str, list[object]]:
    roles: list[object] = []
    next_token: str | None = None
    while True:
        arguments = {"accessToken": access_token, "accountId": account_id, "maxResults": _PAGE_SIZE}
        if next_token:
            arguments["nextToken"] = next_token
        page = _call(target, throttle, client.list_account_roles, **arguments)
        roles += [role.get("roleName") for role in page.get("roleList") or []]
        next_token = page.get("nextToken")
        if not next_token:
            return account_id, account_name, roles


def _portal_client(target: sso.Target) -> Any:
    """An SSO portal client for the session's region. The portal calls carry the bearer token and
    are not signed; AWS_ENDPOINT_URL_SSO, proxies and CA bundles apply as botocore reads them."""
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    client_config = Config(
        region_name=target.region,
        signature_version=UNSIGNED,
        connect_timeout=_CONNECT_TIMEOUT,
        read_timeout=_READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": _BOTOCORE_ATTEMPTS},
        max_pool_connections=_WORKERS,
        user_agent_extra=f"awsctx/{__version__}",
    )
    try:
        session = botocore.session.Session()
        # Whatever AWS_PROFILE names has nothing to do with this session, and a stale one would
        # make botocore refuse to create the client at all.
        session.get_component("config_store").set_config_variable("profile", None)
        return session.create_client("sso", config=client_config)
    except BotoCoreError as error:
        raise UserError(f"cannot set up IAM Identity Center for {target.describe()}: {error}") from None


def _call(target: sso.Target, throttle: _Throttle, operation: Any, **arguments: Any) -> dict:
    """One portal call, with a bounded backoff of our own on throttling; failures as UserError."""
    from botocore.exceptions import BotoCoreError, ClientError

    attempt = 0
    while True:
        throttle.acquire()
        try:
            answer = operation(**arguments)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "TooManyRequestsException" or status == 429:
                attempt += 1
                if attempt <= _THROTTLE_ROUNDS:
                    throttle.release(throttled_for=_throttle_wait(attempt))
                    continue
                throttle.release()
                raise UserError(
                    f"IAM Identity Center kept throttling the listing of {target.describe()}; "
                    "nothing was written: try again in a few minutes"
                ) from None
            throttle.release()
            message = error.response.get("Error", {}).get("Message", "") or code
            if code == "UnauthorizedException":
                raise UserError(
                    f"IAM Identity Center refused the login for {target.describe()} ({message}); "
                    f"run `{target.login_command()}` and sync again"
                ) from None
            where = f" for account {arguments['accountId']}" if "accountId" in arguments else ""
            raise UserError(
                f"IAM Identity Center refused to list {target.describe()}{where}: {code}: {message}"
            ) from None
        except BotoCoreError as error:
            throttle.release()
            raise UserError(
                f"cannot reach IAM Identity Center for {target.describe()} in {target.region}: {error}; "
                "check the network connection and sso_region"
            ) from None
        except BaseException:
            throttle.release()
            raise
        throttle.release()
        return answer


class _Progress:
    """`accounts done of total` on stderr: redrawn in place on a terminal, otherwise a line now and
    then, and only for runs long enough to need one."""

    def __init__(self, session: str) -> None:
        self.session = session
        self.accounts = 0
        self.all_accounts = False
        self.roles_done = 0
        self.terminal = _is_terminal(sys.stderr)
        self.started = time.monotonic()
        self.last = self.started
        self.drawn = False

    def show(self) -> None:
        now = time.monotonic()
        interval = _PROGRESS_TERMINAL_SECONDS if self.terminal else _PROGRESS_LOG_SECONDS
        if now - self.last < interval:
            return
        self.last = now
        total = f"{self.accounts}" if self.all_accounts else f"{self.accounts}+"
        text = f"sso-session {output.printable(self.session)}: roles listed for {self.roles_done} of {total} accounts"
        if self.terminal:
            sys.stderr.write(f"\r  {text} \033[K")
            self.drawn = True
        else:
            sys.stderr.write(f"  {text}\n")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# ---------------------------------------------------------------------------- names


def safe_name(text: str) -> str:
    """`text` as a profile name: lower case, accents dropped, spaces and every character outside
    a-z 0-9 . _ - as single dashes, no dash or dot at either end."""
    if not text.isascii():
        import unicodedata

        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    name = "".join(c if c in _SAFE_CHARACTERS else "-" for c in text.lower())
    while "--" in name:
        name = name.replace("--", "-")
    return name.strip("-.")


def profile_names(grants: list[Grant], template: str, session: str) -> dict[Grant, str]:
    """The profile name of each grant: the template's, made safe; names that two grants (or a
    reserved name) share get the account id, then a hash of the role, appended. The result depends
    on the set of grants only, never on the order the server listed them in."""
    import hashlib

    def base(grant: Grant) -> str:
        values = {
            "account_name": safe_name(grant.account_name) or grant.account_id,
            "account_id": grant.account_id,
            "role_name": safe_name(grant.role_name) or grant.role_name.lower(),
            "session": safe_name(session) or "sso",
        }
        return safe_name(template.format_map(values)) or f"{grant.account_id}-{values['role_name']}"

    def role_hash(grant: Grant) -> str:
        return hashlib.sha1(f"{grant.account_id}/{grant.role_name}".encode()).hexdigest()[:8]

    ordered = sorted(grants, key=lambda grant: (grant.account_id, grant.role_name))
    names = {grant: base(grant) for grant in ordered}
    for widen in (lambda grant, name: f"{name}-{grant.account_id}", lambda grant, name: f"{name}-{role_hash(grant)}"):
        users: dict[str, int] = {}
        for name in names.values():
            users[name] = users.get(name, 0) + 1
        clashing = [grant for grant in ordered if users[names[grant]] > 1 or names[grant] in _RESERVED_NAMES]
        if not clashing:
            break
        for grant in clashing:
            names[grant] = widen(grant, names[grant])
    return names


# ---------------------------------------------------------------------------- the config file


@dataclass
class _Block:
    session: str
    begin: int  # index of the begin marker line
    end: int  # index of the end marker line


def _split_lines(text: str) -> list[str]:
    """Lines with their endings, split where the config reader splits them (\\r\\n, \\r, \\n only)."""
    lines: list[str] = []
    start = 0
    length = len(text)
    while start < length:
        newline = text.find("\n", start)
        carriage = text.find("\r", start, newline if newline >= 0 else length)
        if carriage >= 0 and carriage + 1 != newline:
            stop = carriage + 1
        elif newline >= 0:
            stop = newline + 1
        else:
            stop = length
        lines.append(text[start:stop])
        start = stop
    return lines


def _marker_session(line: str, prefix: str, suffix: str) -> str | None:
    text = line.rstrip("\r\n").rstrip()
    if text.startswith(prefix) and text.endswith(suffix) and len(text) > len(prefix) + len(suffix):
        return text[len(prefix) : -len(suffix)]
    return None


def find_blocks(lines: list[str], path: str) -> list[_Block]:
    """The managed blocks of every session; markers that do not pair up are an error naming the line."""
    blocks: list[_Block] = []
    open_block: _Block | None = None
    for index, line in enumerate(lines):
        if not line.startswith("# "):
            continue
        begin = _marker_session(line, _BEGIN_PREFIX, " >>>")
        end = _marker_session(line, _END_PREFIX, " <<<")
        if begin is not None:
            if open_block is not None:
                raise config.ConfigError(
                    path,
                    index + 1,
                    f"an awsctx sso sync block starts inside the one for {open_block.session!r} "
                    f"(begun at line {open_block.begin + 1})",
                    "remove the stray marker line",
                )
            if any(block.session == begin for block in blocks):
                raise config.ConfigError(
                    path, index + 1, f"a second awsctx sso sync block for {begin!r}", "remove one of the two blocks"
                )
            open_block = _Block(begin, index, -1)
        elif end is not None:
            if open_block is None or end != open_block.session:
                raise config.ConfigError(
                    path,
                    index + 1,
                    f"the end of an awsctx sso sync block for {end!r} that never began",
                    "remove the stray marker line",
                )
            open_block.end = index
            blocks.append(open_block)
            open_block = None
    if open_block is not None:
        raise config.ConfigError(
            path,
            open_block.begin + 1,
            f"the awsctx sso sync block for {open_block.session!r} has no end marker",
            f"add the line {_END.format(open_block.session)!r} after its last profile, or remove the block",
        )
    return blocks


def _profile_name_of(header: str) -> str | None:
    """The profile a config-file section header defines, as the config reader names it."""
    if header == "default":
        return "default"
    if not header.startswith("profile"):
        return None
    # As botocore names them: any header starting with "profile" that shlex splits into two words.
    words = config.split_words(header)
    return words[1] if words is not None and len(words) == 2 else None


def render_config(
    text: str,
    sections: dict[str, tuple[dict, int]],
    credential_sections: dict[str, tuple[dict, int]],
    listed: dict[str, list[Grant]],
    regions: dict[str, str],
    *,
    template: str,
    prune: bool,
    process: bool,
    config_path: str = "",
    credentials_path: str = "",
) -> tuple[str, list[Change]]:
    """The config file's new text, with the block of each session in `listed` written afresh."""
    config_path = config_path or paths.config_file()
    credentials_path = credentials_path or paths.credentials_file()
    lines = _split_lines(text)
    blocks = {block.session: block for block in find_blocks(lines, config_path)}
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"

    # Every profile section of the file: which block (if any) holds it, and where.
    owners: dict[str, tuple[str | None, int]] = {}
    for header, (_, lineno) in sections.items():
        name = _profile_name_of(header)
        if name is None:
            continue
        owner = next((b.session for b in blocks.values() if b.begin < lineno - 1 < b.end), None)
        owners.setdefault(name, (owner, lineno))

    replacements: dict[str, str] = {}
    changes: list[Change] = []
    claimed: dict[str, str] = {}  # names written by the sessions synced before, in this run
    for session in sorted(listed):
        fresh = _fresh_profiles(listed[session], session, regions[session], template, process)
        _check_conflicts(fresh, session, owners, claimed, credential_sections, config_path, credentials_path)
        claimed.update(dict.fromkeys(fresh, session))
        previous = {
            name: _written(sections[header][0])
            for header in sections
            if (name := _profile_name_of(header)) is not None and owners.get(name, (None, 0))[0] == session
        }
        change = Change(session, len(listed[session]))
        profiles: dict[str, list[str]] = {}
        for name, settings in fresh.items():
            profiles[name] = _section(name, settings, newline)
            if name not in previous:
                change.added += 1
            elif _settings_lines(previous[name]) != _settings_lines(settings):
                change.updated += 1
        for name, settings in previous.items():
            if name in fresh:
                continue
            if prune or not _is_safe(name):
                change.removed += 1
            else:
                change.kept += 1
                profiles[name] = [_STALE_NOTE + newline, *_section(name, settings, newline)]
        body = [_BEGIN.format(session) + newline, _NOTICE + newline]
        for name in sorted(profiles):
            body += [newline, *profiles[name]]
        body.append(_END.format(session) + newline)
        replacements[session] = "".join(body)
        changes.append(change)

    pieces: list[str] = []
    index = 0
    for block in sorted(blocks.values(), key=lambda b: b.begin):
        if block.session not in replacements:
            continue
        pieces += lines[index : block.begin]
        pieces.append(replacements.pop(block.session))
        index = block.end + 1
    pieces += lines[index:]
    result = "".join(pieces)
    for session in sorted(replacements):
        # A new block goes last, after a blank line: what comes before it is left as it was.
        if result and not result.endswith(("\n", "\r")):
            result += newline
        if result and not result.endswith(("\n\n", "\r\n\r\n", "\r\r")):
            result += newline
        result += replacements[session]
    return result, changes


def _is_safe(name: str) -> bool:
    return bool(name) and _SAFE_CHARACTERS.issuperset(name) and name not in _RESERVED_NAMES


def _fresh_profiles(
    grants: list[Grant], session: str, region: str, template: str, process: bool
) -> dict[str, dict[str, str]]:
    """The profiles this sync writes for one session: {name: settings in the order written}."""
    profiles: dict[str, dict[str, str]] = {}
    for grant, name in profile_names(grants, template, session).items():
        alias = _value(grant.account_name)
        sso_settings = {
            "sso_session": session,
            "sso_account_id": grant.account_id,
            "sso_role_name": grant.role_name,
            "region": region,
            "aws_account_alias": alias,
        }
        if not process:
            profiles[name] = sso_settings
            continue
        backing = name + SSO_SUFFIX
        profiles[backing] = sso_settings
        # Named profiles only: credential_process is split by shlex (or run by `sh -c` in the Go SDKs).
        profiles[name] = {
            "credential_process": f"awsctx process {backing}",
            "region": region,
            # Not sso_account_id: any sso_* key makes the SDKs treat the profile as an SSO one.
            "aws_account_id": grant.account_id,
            "aws_account_alias": alias,
        }
    names = list(profiles)
    if len(names) != len(set(names)):  # a backing name equal to a generated one: only a template can cause it
        raise UserError(f"the profile names for sso-session {session!r} clash; choose others with --template")
    return profiles


def _value(text: str) -> str:
    """Server text as an INI value: one line, no leading or trailing blanks (which the reader drops)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _written(settings: dict) -> dict[str, str]:
    """The keys a sync writes, of a profile in its block: what [DEFAULT] adds to every section, or
    an edit inside the block, is not carried over."""
    return {key: value for key, value in settings.items() if key in _WRITTEN_KEYS and isinstance(value, str)}


def _check_conflicts(
    fresh: dict[str, dict[str, str]],
    session: str,
    owners: dict[str, tuple[str | None, int]],
    claimed: dict[str, str],
    credential_sections: dict[str, tuple[dict, int]],
    config_path: str,
    credentials_path: str,
) -> None:
    clashes: list[str] = []
    for name in sorted(fresh):
        if name in claimed:
            clashes.append(f"profile {name!r} would be written for sso-session {claimed[name]!r} too")
        owner, lineno = owners.get(name, (session, 0))
        if owner is None:
            clashes.append(f"{paths.display(config_path)} line {lineno} already defines profile {name!r} by hand")
        elif owner != session:
            clashes.append(
                f"profile {name!r} is already in the awsctx block of sso-session {owner!r} "
                f"({paths.display(config_path)} line {lineno})"
            )
        if name in credential_sections:
            clashes.append(
                f"{paths.display(credentials_path)} line {credential_sections[name][1]} already defines "
                f"profile {name!r}"
            )
    if clashes:
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        raise UserError(
            f"sso-session {session!r}: {clashes[0]}{more}; nothing was written: rename or remove that profile, "
            "or choose other names with --template"
        )


def _settings_lines(settings: dict) -> list[str]:
    lines: list[str] = []
    for key, value in settings.items():
        if isinstance(value, dict):
            lines.append(f"{key} =")
            lines += [f"  {inner} = {setting}" for inner, setting in value.items()]
        else:
            lines.append(f"{key} = {value}")
    return lines


def _section(name: str, settings: dict, newline: str) -> list[str]:
    return [f"[profile {name}]{newline}", *(line + newline for line in _settings_lines(settings))]


def _read_config(config_path: str, credentials_path: str) -> tuple[str, dict, dict]:
    """The config file's text and sections, read as the config reader reads them, and the
    credentials file's sections. A file changed while it was read is read again."""
    for _ in range(3):
        data = _read_text(config_path)
        sections = config.read_ini(config_path) or {}
        if _read_text(config_path) == data:
            return data, sections, config.read_ini(credentials_path) or {}
    raise UserError(f"{paths.display(config_path)} keeps changing; run the sync again once nothing else edits it")


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise UserError(f"cannot read {paths.display(path)} ({error.strerror or error})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        config.read_ini(path)  # says where, as for any reader of the file
        raise


def _check_readable(text: str, config_path: str) -> None:
    """Refuse to write a file the config reader (and so the AWS CLI) would not read."""
    import tempfile

    folder = paths.cache_dir()
    from awsctx import cachefile

    cachefile.ensure_private_dir(folder)
    descriptor, scratch = tempfile.mkstemp(prefix="sso-sync-", suffix=".ini", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(text.encode("utf-8"))
        try:
            config.read_ini(scratch)
        except config.ConfigError as error:
            # A bug of awsctx's, or a file the reader refuses anyway: either way, nothing is written.
            problem = str(error).split(": ", 1)[-1]
            where = f" at line {error.lineno}" if error.lineno else ""
            raise UserError(
                f"the synced {paths.display(config_path)} would not be readable{where} ({problem}); nothing was written"
            ) from None
    finally:
        os.unlink(scratch)


def _write(config_path: str, before: str, after: str) -> None:
    """Keep the previous file as a backup, then replace the file in one step, its mode kept. A
    symbolic link (dotfiles) keeps pointing at the file, which is what gets replaced."""
    real = os.path.realpath(config_path)
    try:
        mode = os.stat(real).st_mode & 0o7777
        _replace(config_path + BACKUP_SUFFIX, before, mode)
        _replace(real, after, mode)
    except OSError as error:
        raise UserError(
            f"cannot write {paths.display(error.filename or config_path)} ({error.strerror or error}); "
            "check its permissions"
        ) from None


def _replace(path: str, text: str, mode: int) -> None:
    from awsctx import cachefile

    folder = os.path.dirname(path)
    folder_mode = os.stat(folder).st_mode & 0o7777
    cachefile.write_atomic(path, text.encode("utf-8"))
    # write_atomic makes awsctx's own files 0600 in 0700 folders: the user's modes are put back.
    os.chmod(path, mode)
    if os.stat(folder).st_mode & 0o7777 != folder_mode:
        os.chmod(folder, folder_mode)


def _print_diff(before: str, after: str, where: str) -> None:
    import difflib

    sys.stdout.writelines(
        difflib.unified_diff(
            _split_lines(before), _split_lines(after), fromfile=f"{where} (now)", tofile=f"{where} (after sync)"
        )
    )
    sys.stdout.flush()


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
