"""The IAM Identity Center portal's listing of accounts and roles for `awsctx sso sync`.

Listing 1,000 accounts one call at a time takes minutes at real-world latency: the roles of each
account are listed on a bounded pool of threads while the account pages still come in, with a
backoff of our own when the portal throttles.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from awsctx import output
from awsctx.errors import UserError
from awsctx.sso import sessions

# What IAM allows in role names; anything else from the server is not written into the file.
_ROLE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-")


_WORKERS = 16  # concurrent ListAccountRoles calls: fast, yet gentle on the portal's rate limits


_PAGE_SIZE = 100  # the largest page the portal serves


_BOTOCORE_ATTEMPTS = 3  # tries of each call by botocore (standard mode: throttling too), before our own backoff


_THROTTLE_ROUNDS = 5  # our own waits after botocore gave up on a throttled call, doubling each time


_THROTTLE_FIRST_WAIT = 1.0


_PROGRESS_TERMINAL_SECONDS = 0.1


_PROGRESS_LOG_SECONDS = 10.0  # not a terminal: one line this often, so short runs print none


@dataclass(frozen=True)
class Grant:
    """One role of one account that the session may use."""

    account_id: str
    account_name: str
    role_name: str


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


def list_grants(target: sessions.Target, access_token: str) -> list[Grant]:
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


def accepts(target: sessions.Target, access_token: str) -> bool:
    """Whether the portal still takes `access_token`: False when it answers UnauthorizedException
    (the session was ended there while the token was in date). One call, listing one account."""
    from awsctx import awsclient

    try:
        awsclient.call(
            _portal_client(target).list_accounts,
            f"cannot reach IAM Identity Center for {target.describe()} in {target.region} to check the login",
            "check the network connection and sso_region",
            accessToken=access_token,
            maxResults=1,
        )
    except awsclient.Refused as refused:
        if refused.code == "UnauthorizedException":
            return False
        raise UserError(
            f"IAM Identity Center refused to check the login for {target.describe()}: "
            f"{refused.code}: {refused.message or refused.code}"
        ) from None
    return True


def _valid_role(role: object) -> bool:
    return isinstance(role, str) and 0 < len(role) <= 128 and _ROLE_CHARACTERS.issuperset(role)


def _roles_of(
    target: sessions.Target, throttle: _Throttle, client: Any, access_token: str, account_id: str, account_name: str
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


def _portal_client(target: sessions.Target) -> Any:
    """An SSO portal client for the session's region: its calls carry the bearer token, unsigned."""
    from awsctx import awsclient

    return awsclient.unsigned_client(
        "sso",
        target.region,
        f"IAM Identity Center for {target.describe()}",
        retries={"mode": "standard", "total_max_attempts": _BOTOCORE_ATTEMPTS},
        max_pool_connections=_WORKERS,
    )


def _call(target: sessions.Target, throttle: _Throttle, operation: Any, **arguments: Any) -> dict:
    """One portal call, with a bounded backoff of our own on throttling; failures as UserError."""
    from awsctx import awsclient

    attempt = 0
    while True:
        throttle.acquire()
        try:
            answer = awsclient.call(
                operation,
                f"cannot reach IAM Identity Center for {target.describe()} in {target.region}",
                "check the network connection and sso_region",
                **arguments,
            )
        except awsclient.Refused as refused:
            if refused.code == "TooManyRequestsException" or refused.status == 429:
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
            message = refused.message or refused.code
            if refused.code == "UnauthorizedException":
                raise sessions.LoginRejectedError(target, " and sync again") from None
            where = f" for account {arguments['accountId']}" if "accountId" in arguments else ""
            raise UserError(
                f"IAM Identity Center refused to list {target.describe()}{where}: {refused.code}: {message}"
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
        self.terminal = output.is_terminal(sys.stderr)
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
