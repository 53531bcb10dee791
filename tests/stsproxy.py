"""moto's STS and IAM behind a counting, fault-injecting proxy, all on loopback.

moto answers the real protocol; the proxy in front counts each Action (so a test can assert "one
AssumeRole for ten shells"), can answer the next calls with throttling or access denied, and can
answer an Action late or never. It also records who signed each call and when what it issued
expires, shortens durations, and can insist on the MFA code on AssumeRole.
"""

from __future__ import annotations

import collections
import http.client
import re
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.server import ThreadedMotoServer

_ERROR = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"""
STALL_SECONDS = 120  # the longest a stalled request is held


class StsProxy:
    def __init__(self) -> None:
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        self.moto_host, self.moto_port = self.moto.get_host_and_port()
        self.calls: collections.Counter[str] = collections.Counter()
        self.faults: list[tuple[str | None, int, str, str]] = []  # (action or None, status, code, message)
        self.regions: list[str] = []  # the region each request was signed for
        self.delays: dict[str, float] = {}  # Action -> seconds before it is answered
        self.stalled: set[str] = set()  # Actions never answered (until reset or stop)
        self.released = threading.Event()
        # Action -> DurationSeconds put into its requests: credentials shorter than botocore lets
        # a client ask for (900 s), which moto grants as asked.
        self.durations: dict[str, int] = {}
        # Roles whose policy wants the MFA code on AssumeRole itself: without TokenCode, AccessDenied.
        self.requires_code: set[str] = set()
        # (time, action, access key id, session token) of every request, and the expiry of every
        # session token STS handed out: what a test needs to prove no call used expired credentials.
        self.signed: list[tuple[float, str, str, str]] = []
        self.issued_tokens: dict[str, float] = {}
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                action = form.get("Action", ["?"])[0]
                authorization = self.headers.get("Authorization") or ""
                scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", authorization)
                key = re.search(r"Credential=([^/]+)/", authorization)
                with proxy.lock:
                    proxy.calls[action] += 1
                    if scope:
                        proxy.regions.append(scope.group(1))
                    proxy.signed.append(
                        (time.time(), action, key.group(1) if key else "", self.headers.get("X-Amz-Security-Token", ""))
                    )
                    fault = next((f for f in proxy.faults if f[0] in (None, action)), None)
                    if fault:
                        proxy.faults.remove(fault)
                    elif form.get("RoleArn", [""])[0] in proxy.requires_code and "TokenCode" not in form:
                        fault = (action, 403, "AccessDenied", "MultiFactorAuthentication required on AssumeRole")
                    if action in proxy.durations:
                        form["DurationSeconds"] = [str(proxy.durations[action])]
                        body = urllib.parse.urlencode(form, doseq=True).encode()
                    stalled, delay, released = action in proxy.stalled, proxy.delays.get(action), proxy.released
                if stalled:
                    released.wait(STALL_SECONDS)
                    self.close_connection = True
                    return
                if delay:
                    time.sleep(delay)
                if fault and fault[1] == 0:
                    self.close_connection = True  # status 0: drop the connection without an answer
                    return
                if fault:
                    payload = _ERROR.format(code=fault[2], message=fault[3]).encode()
                    self.send_response(fault[1])
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection(proxy.moto_host, proxy.moto_port, timeout=30)
                dropped = ("host", "connection", "content-length")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
                upstream.request("POST", self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                issued = re.search(rb"<SessionToken>([^<]+)</SessionToken>.*?<Expiration>([^<]+)<", payload, re.S)
                if issued:
                    with proxy.lock:
                        proxy.issued_tokens[issued.group(1).decode()] = _epoch(issued.group(2).decode())
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, count: int, code: str, message: str, status: int = 400, action: str | None = None) -> None:
        """Answer the next `count` calls (of `action`, or any) with this error; status 0 drops them."""
        with self.lock:
            self.faults.extend([(action, status, code, message)] * count)

    def issued(self, access_key_id: str) -> dict[str, object] | None:
        """What moto's STS recorded issuing by AssumeRole under `access_key_id` (secret, session
        token, expiry in epoch seconds, ARN); None for a key it never issued. moto runs in this
        process, so its own record can be read."""
        from moto.sts.models import sts_backends

        for account in list(sts_backends.values()):
            for backend in list(account.values()):
                for role in list(backend.assumed_roles):
                    if role.access_key_id == access_key_id:
                        return {
                            "secret": role.secret_access_key,
                            "token": role.session_token,
                            "expiration": role.expiration.replace(tzinfo=timezone.utc).timestamp(),
                            "arn": role.arn,
                        }
        return None

    def used_after_expiry(self, issued: dict[str, float] | None = None) -> list[tuple[float, str, str]]:
        """Calls signed with a session token after it expired: (time, action, key id) of each.
        `issued` adds the expiries of tokens other services handed out (IAM Identity Center)."""
        with self.lock:
            known = {**self.issued_tokens, **(issued or {})}
            return [(at, act, key) for at, act, key, token in self.signed if token in known and at >= known[token]]

    def answer_late(self, action: str, seconds: float) -> None:
        """Answer `action` only after `seconds`."""
        with self.lock:
            self.delays[action] = seconds

    def stall(self, action: str) -> None:
        """Never answer `action` (the connection stays open until reset, stop or STALL_SECONDS)."""
        with self.lock:
            self.stalled.add(action)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.faults.clear()
            self.regions.clear()
            self.delays.clear()
            self.stalled.clear()
            self.durations.clear()
            self.requires_code.clear()
            self.signed.clear()
            self.issued_tokens.clear()
            self.released.set()
            self.released = threading.Event()

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.moto.stop()


def _epoch(text: str) -> float:
    """An STS Expiration (ISO 8601, `Z` or an offset, with or without fractions) in epoch seconds."""
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
