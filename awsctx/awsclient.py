"""The one boundary to botocore: how awsctx builds clients and what it makes of their errors.

Every AWS call awsctx makes goes through a client built here (timeouts, retries and user agent in
one place; unsigned clients for the SSO portal and SSO-OIDC, which take a bearer token or nothing),
and every botocore error a user can meet becomes one line here. AWS_ENDPOINT_URL_*, proxies and CA
bundles from the environment apply as botocore reads them.

botocore is imported inside the functions: importing this module costs nothing, and the paths a
user hits all day (list, switch with cached credentials, Tab, prompt) never call them.
"""

from __future__ import annotations

import os

from awsctx import __version__
from awsctx.errors import UserError, WaitExpired

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing would cost the modules that import this one
if TYPE_CHECKING:
    from typing import Any

# Deliberate limits: a dead network fails within seconds, throttling is retried. Each attempt has
# its own connect and read timeouts; TIMEOUT_VARIABLE bounds all the time one command waits for AWS,
# every call and retry together (botocore has no such bound: 3 attempts of 5 + 15 s would be a
# minute in silence, and a switch that assumes a role and then checks it makes two calls).
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
MAX_ATTEMPTS = 3
TIMEOUT_VARIABLE = "AWSCTX_TIMEOUT"
DEFAULT_TIMEOUT = 20.0
# After this long without an answer, say on stderr what awsctx is waiting for.
NOTICE_AFTER = 1.0
# Error codes that mean "these credentials are not (or no longer) good", whatever the service.
_REJECTED_CREDENTIALS = (
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
)
_ACCESS_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")


class Refused(Exception):
    """The service answered with an error (as opposed to not answering at all)."""

    def __init__(self, code: str, message: str, status: int | None = None, operation: str = "") -> None:
        super().__init__(f"{code}: {message}" if message and message != code else code)
        self.code = code
        self.message = message
        self.status = status
        self.operation = operation


def timeout() -> float:
    """The longest one awsctx command waits for AWS, all its calls and retries together:
    AWSCTX_TIMEOUT seconds."""
    text = os.environ.get(TIMEOUT_VARIABLE, "")
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 1e6:
        raise UserError(f"{TIMEOUT_VARIABLE}={text!r} is not a number of seconds above 0")
    return seconds


def client_config(**overrides: Any) -> Any:
    """botocore's Config with awsctx's timeouts, retries and user agent; `overrides` win."""
    from botocore.config import Config

    bound = timeout()
    settings: dict[str, Any] = {
        "connect_timeout": min(CONNECT_TIMEOUT, bound),
        "read_timeout": min(READ_TIMEOUT, bound),
        "retries": {"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        "user_agent_extra": f"awsctx/{__version__}",
    }
    settings.update(overrides)
    return Config(**settings)


def session(profile: str | None = None) -> Any:
    """A botocore session for `profile`; for None, one that ignores whatever AWS_PROFILE names (a
    stale AWS_PROFILE would make botocore refuse to create any client)."""
    import botocore.session

    found = botocore.session.Session(profile=profile)
    if profile is None:
        found.get_component("config_store").set_config_variable("profile", None)
    found.set_default_client_config(client_config())
    _watch.register(found)
    return found


def client(
    service: str,
    region: str,
    *,
    keys: tuple[str, str, str | None] | None = None,
    profile: str | None = None,
    from_session: Any = None,
    **config_overrides: Any,
) -> Any:
    """A client for `service` in `region`, signed with `keys` (access key id, secret, session token)."""
    active = from_session if from_session is not None else session(profile)
    credentials: dict[str, Any] = {}
    if keys is not None:
        credentials = {"aws_access_key_id": keys[0], "aws_secret_access_key": keys[1], "aws_session_token": keys[2]}
    return active.create_client(service, region_name=region, config=client_config(**config_overrides), **credentials)


class NotAws(UserError):
    """An answer that is not AWS's: a captive portal's page, a proxy's error, an empty body."""


_SERVICE_NAMES = {
    "sts": ("STS", "AWS_ENDPOINT_URL_STS"),
    "iam": ("IAM", "AWS_ENDPOINT_URL_IAM"),
    "sso": ("the IAM Identity Center portal", "AWS_ENDPOINT_URL_SSO"),
    "sso-oidc": ("IAM Identity Center's SSO-OIDC", "AWS_ENDPOINT_URL_SSO_OIDC"),
}


def _service_words(model: Any) -> tuple[str, str]:
    name = model.service_model.service_name
    found = _SERVICE_NAMES.get(name)
    if found is not None:
        return found
    return name, "AWS_ENDPOINT_URL_" + name.upper().replace("-", "_")


def _describe_body(body: bytes, content_type: str) -> str:
    text = body.lstrip()[:512].lower()
    if not text:
        return "an empty body"
    if b"<html" in text or b"<!doctype html" in text or "html" in content_type:
        return "an HTML page"
    return "a body that is not AWS's (" + (content_type or "no content type") + ")"


def looks_like_aws(protocol: str, status: int, body: bytes, headers: Any, model: Any) -> bool:
    """Whether an HTTP answer has the shape AWS gives for this protocol (success or error)."""
    stripped = body.strip()
    if protocol in ("query", "ec2"):
        if not stripped:
            return False
        import xml.etree.ElementTree as ElementTree

        try:
            root = ElementTree.fromstring(stripped)
        except ElementTree.ParseError:
            return False
        tag = root.tag.rsplit("}", 1)[-1]
        return tag.endswith("Response") or tag in ("Error", "Errors")
    if protocol in ("json", "rest-json"):
        if not stripped:
            # An empty success is AWS's answer only for an operation that returns nothing.
            output = model.output_shape
            return status < 300 and (output is None or not output.members)
        import json

        try:
            document = json.loads(stripped)
        except ValueError:
            return False
        if not isinstance(document, dict):
            return False
        if status >= 300:
            return bool(headers.get("x-amzn-errortype")) or any(
                key in document for key in ("__type", "code", "Code", "error", "message", "Message")
            )
        return True
    return True  # other protocols: botocore's parser decides


_CREDENTIALS = ("Credentials.AccessKeyId", "Credentials.SecretAccessKey", "Credentials.SessionToken")
# What awsctx and botocore's credential providers read from each successful answer, by (service,
# operation): an answer without it is not AWS's. `[]` stands for every item of a list.
_ANSWER_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("sts", "AssumeRole"): (*_CREDENTIALS, "Credentials.Expiration"),
    ("sts", "AssumeRoleWithWebIdentity"): (*_CREDENTIALS, "Credentials.Expiration"),
    ("sts", "AssumeRoleWithSAML"): (*_CREDENTIALS, "Credentials.Expiration"),
    ("sts", "GetFederationToken"): (*_CREDENTIALS, "Credentials.Expiration"),
    ("sts", "GetSessionToken"): (*_CREDENTIALS, "Credentials.Expiration"),
    ("sts", "GetCallerIdentity"): ("Account", "Arn"),
    ("sso", "GetRoleCredentials"): (
        "roleCredentials.accessKeyId",
        "roleCredentials.secretAccessKey",
        "roleCredentials.sessionToken",
        "roleCredentials.expiration",
    ),
    ("sso", "ListAccounts"): ("accountList",),
    ("sso", "ListAccountRoles"): ("roleList",),
    ("sso-oidc", "RegisterClient"): ("clientId", "clientSecret"),
    ("sso-oidc", "StartDeviceAuthorization"): ("deviceCode", "userCode", "verificationUri"),
    ("sso-oidc", "CreateToken"): ("accessToken", "expiresIn"),
    ("iam", "ListAccountAliases"): ("AccountAliases",),
    ("iam", "ListAccessKeys"): ("AccessKeyMetadata[].AccessKeyId",),
    ("iam", "CreateAccessKey"): ("AccessKey.AccessKeyId", "AccessKey.SecretAccessKey"),
}


def _unreadable(protocol: str, response: Any, model: Any, status: int) -> str:
    """What is wrong with an answer that has AWS's form but not what is read from it; "" when nothing.

    botocore parses the answer here first: a body it cannot parse, or a successful one without the
    fields the caller reads (or with a value of another type), would otherwise end in a KeyError or
    an AttributeError somewhere in botocore or awsctx.
    """
    from botocore import parsers

    try:
        parsed = parsers.create_parser(protocol).parse(dict(response), model.output_shape)
    except Exception as error:
        return f"a body botocore cannot read ({type(error).__name__})"
    if status >= 300:
        return ""
    kind = "JSON" if protocol in ("json", "rest-json") else "XML"
    for path in _ANSWER_FIELDS.get((model.service_model.service_name, model.name), ()):
        if not _holds(parsed, path.split("."), model.output_shape):
            return f"{kind} without {path}"
    return ""


def _holds(value: Any, names: list[str], shape: Any) -> bool:
    """Whether `value` (parsed by botocore for `shape`) has a usable value at the path `names`."""
    if not names:
        return _fits(value, shape)
    name, each = names[0].removesuffix("[]"), names[0].endswith("[]")
    if not isinstance(value, dict):
        return False
    members = getattr(shape, "members", None) or {}
    member = members.get(name)
    found = value.get(name)
    if not each:
        return _holds(found, names[1:], member)
    if not isinstance(found, list):
        return False
    item = getattr(member, "member", None)
    return all(_holds(entry, names[1:], item) for entry in found)


def _fits(value: Any, shape: Any) -> bool:
    if value is None:
        return False
    kind = getattr(shape, "type_name", "")
    if kind == "string":
        return isinstance(value, str) and bool(value.strip())
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "timestamp":
        import datetime

        return isinstance(value, datetime.datetime)
    if kind == "list":
        return isinstance(value, list)
    if kind == "structure":
        return isinstance(value, dict)
    return True


class _Watch:
    """Hooks on every botocore session awsctx makes: the calls are watched while they run.

    The time the command's calls spend waiting for AWS adds up against one bound, `timeout()`
    seconds (retries included): after NOTICE_AFTER seconds without an answer it says on stderr what
    it waits for; when the command's waits reach the bound it gives up with WaitExpired, and a later
    call gives up at once. A SIGALRM timer, armed only in the main thread and only while a call
    runs: time a person spends at a prompt or in a browser is never counted. An answer that is not
    AWS's, or that lacks what awsctx reads from it, becomes NotAws before botocore parses it
    (botocore would raise a KeyError or report an `Unknown` error with no content).
    """

    def __init__(self) -> None:
        self.spent = 0.0  # seconds this process's finished calls waited for AWS
        self.started = 0.0
        self.bound = 0.0
        self.noticed = False
        self.what = ""
        self.previous: Any = None
        self.depth = 0  # calls running in the main thread: botocore may call inside a call
        import threading

        self.local = threading.local()  # the host each thread's call went to

    def register(self, found: Any) -> None:
        found.register("before-call", self.before_call)
        found.register("before-send", self.before_send)
        found.register("before-parse", self.before_parse)
        found.register("after-call", self.after_call)
        found.register("after-call-error", self.after_call)

    def left(self) -> float:
        """Seconds of waiting this command has left."""
        return timeout() - self.spent

    def begin(self, what: str) -> bool:
        """A wait for AWS starts; False when it is not counted (a thread, or inside another wait)."""
        import signal
        import threading
        import time

        if threading.current_thread() is not threading.main_thread():
            return False
        self.depth += 1
        if self.depth > 1:
            return False
        self.what = what
        self.local.host = ""
        self.bound = timeout()
        left = self.bound - self.spent
        if left <= 0:
            self.depth = 0
            raise WaitExpired(
                f"gave up before {what}: this command has already waited {self.spent:.1f} s for AWS, "
                f"the time it may wait in all; check the network, any proxy (HTTPS_PROXY, NO_PROXY) and "
                f"AWS_ENDPOINT_URL_* variables; {TIMEOUT_VARIABLE} sets the bound"
            )
        self.started = time.monotonic()
        self.noticed = False
        self.previous = signal.signal(signal.SIGALRM, self._alarm)
        signal.setitimer(signal.ITIMER_REAL, min(NOTICE_AFTER, left))
        return True

    def end(self) -> None:
        """The wait `begin` started is over (an answer, an error, or a call inside another ended)."""
        import threading

        if threading.current_thread() is not threading.main_thread() or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            self._disarm()

    def _disarm(self) -> None:
        import signal
        import time

        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)
        self.spent += time.monotonic() - self.started
        self.depth = 0

    def host(self) -> str:
        return str(getattr(self.local, "host", ""))

    def before_call(self, model: Any, params: Any, **_: Any) -> None:
        self.begin(_doing(model, params))

    def before_send(self, request: Any, **_: Any) -> None:
        import urllib.parse

        self.local.host = urllib.parse.urlsplit(request.url).netloc

    def after_call(self, **_: Any) -> None:
        self.end()

    def _alarm(self, _signal: int, _frame: Any) -> None:
        import signal
        import time

        left = self.bound - self.spent - (time.monotonic() - self.started)
        if not self.noticed and left > 0.05:
            self.noticed = True
            from awsctx import output

            via = f" via {self.host()}" if self.host() else ""
            output.note(
                f"waiting for AWS: {self.what}{via}… (gives up after {self.bound:g} s of waiting in all; "
                f"{TIMEOUT_VARIABLE})"
            )
            signal.setitimer(signal.ITIMER_REAL, left)
            return
        earlier = self.spent
        self._disarm()
        raise WaitExpired(self._expired_message(earlier))

    def _expired_message(self, earlier: float) -> str:
        where = self.host() or "AWS"
        spent = f" ({earlier:.1f} s of it on earlier calls)" if earlier >= 0.05 else ""
        return (
            f"no answer from {where} ({self.what}) within {self.bound:g} s, the time this command may wait for "
            f"AWS in all{spent}; check the network, any proxy (HTTPS_PROXY, NO_PROXY) and AWS_ENDPOINT_URL_* "
            f"variables; {TIMEOUT_VARIABLE} sets the bound"
        )

    def before_parse(self, operation_model: Any, response_dict: Any, **_: Any) -> None:
        body = response_dict.get("body") or b""
        if not isinstance(body, bytes):
            return  # a stream: botocore reads it itself
        status = int(response_dict.get("status_code") or 0)
        headers = response_dict.get("headers") or {}
        protocol = operation_model.service_model.resolved_protocol
        content_type = str(headers.get("content-type") or "")
        if not looks_like_aws(protocol, status, body, headers, operation_model):
            problem = _describe_body(body, content_type)
        else:
            problem = _unreadable(protocol, response_dict, operation_model, status)
            if not problem:
                return
        # botocore's after-call-error event ends the wait (its handler is `after_call`).
        service, variable = _service_words(operation_model)
        where = f" at {self.host()}" if self.host() else ""
        raise NotAws(
            f"{service}{where} answered {operation_model.name} with HTTP {status} and {problem}, not an AWS "
            f"answer; a proxy or captive portal may be in the way: check the network, HTTPS_PROXY/NO_PROXY "
            f"and {variable}"
        )


_watch = _Watch()


class Waiting:
    """`with Waiting(what) as left:` a wait for AWS outside botocore (the sign-in endpoint), counted
    against the same bound as every call; `left`: the seconds this command may still wait."""

    def __init__(self, what: str, host: str) -> None:
        self.what = what
        self.host = host
        self.counted = False

    def __enter__(self) -> float:
        self.counted = _watch.begin(self.what)
        _watch.local.host = self.host
        return max(_watch.left(), 0.001)

    def __exit__(self, *_: object) -> None:
        if self.counted:
            _watch.end()


def _doing(model: Any, params: Any) -> str:
    """What a call does, in words: "assuming admin in 123456789012"."""
    body = params.get("body") if isinstance(params, dict) else None
    arguments = body if isinstance(body, dict) else {}
    name = model.name
    role_arn = str(arguments.get("RoleArn") or "")
    if name.startswith("AssumeRole") and role_arn.count(":") >= 5:
        account = role_arn.split(":")[4]
        return f"assuming {role_arn.rsplit('/', 1)[-1]} in {account}"
    words = {
        "GetCallerIdentity": "checking the credentials",
        "GetRoleCredentials": "getting role credentials from IAM Identity Center",
        "CreateToken": "IAM Identity Center login token",
        "RegisterClient": "registering with IAM Identity Center",
        "StartDeviceAuthorization": "starting the IAM Identity Center login",
        "ListAccounts": "listing IAM Identity Center accounts",
        "ListAccountRoles": "listing IAM Identity Center roles",
        "GetFederationToken": "getting a federation token",
        "ListAccountAliases": "reading the account alias",
    }
    return words.get(name, name)


def unsigned_client(service: str, region: str, what: str, profile: str | None = None, **config_overrides: Any) -> Any:
    """A client whose calls are not signed (SSO-OIDC, and the SSO portal, which takes a bearer
    token): no credentials are looked for. `what` names the service in a message."""
    from botocore import UNSIGNED
    from botocore.exceptions import BotoCoreError

    try:
        return client(service, region, profile=profile, signature_version=UNSIGNED, **config_overrides)
    except BotoCoreError as error:
        raise UserError(f"cannot set up {what}: {error}") from None


def refusal(error: BaseException) -> Refused | None:
    """The service's answer in a botocore ClientError, as a Refused; None for any other error."""
    from botocore.exceptions import ClientError

    if isinstance(error, Refused):
        return error
    if not isinstance(error, ClientError):
        return None
    response = error.response or {}
    details = response.get("Error", {}) or {}
    # OAuth-style services (SSO-OIDC) put `error` and `error_description` at the top level.
    code = details.get("Code") or str(response.get("error") or "") or "UnknownError"
    message = details.get("Message") or str(response.get("error_description") or "")
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return Refused(code, message, status, getattr(error, "operation_name", "") or "")


def call(
    operation: Any, unreachable: str, hint: str = "check the network connection and try again", **arguments: Any
) -> dict[str, Any]:
    """`operation(**arguments)`. A service's error answer raises Refused, for the caller to judge;
    no answer at all raises a UserError: `unreachable`, botocore's reason, then `hint`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return operation(**arguments)
    except ClientError as error:
        refused = refusal(error)
        assert refused is not None
        raise refused from None
    except BotoCoreError as error:
        raise UserError(f"{unreachable}: {error}; {hint}") from None


def is_botocore_error(error: BaseException) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(error, (BotoCoreError, ClientError))


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` means AWS did not answer (or something else did), as opposed to a refusal."""
    from botocore.exceptions import BotoCoreError

    return isinstance(error, (NotAws, WaitExpired, BotoCoreError))


def explain(subject: str, error: BaseException) -> str:
    """One line that says what went wrong for `subject` (like "profile 'dev'") and what to do."""
    import botocore.exceptions as errors

    refused = refusal(error)
    if refused is not None:
        operation = refused.operation or "the call"
        if refused.code in _ACCESS_DENIED:
            return f"{subject}: access denied in {operation}: {refused.message or refused.code}"
        if refused.code in _REJECTED_CREDENTIALS:
            return f"{subject}: AWS rejected the credentials ({refused}); check the keys"
        return f"{subject}: {operation} failed: {refused.code}: {refused.message}"
    if isinstance(error, (errors.EndpointConnectionError, errors.ConnectTimeoutError, errors.ReadTimeoutError)):
        return f"{subject}: cannot reach AWS ({error}); check the network and try again"
    if isinstance(error, errors.InfiniteLoopConfigError):
        return f"{subject}: source_profile loops ({error})"
    return f"{subject}: {error}"


class Explained:
    """`with Explained(subject):` turns any botocore error raised in the block into a UserError of
    one line (`explain`); Ctrl-C into "cancelled". Other exceptions pass as they are."""

    def __init__(self, subject: str) -> None:
        self.subject = subject

    def __enter__(self) -> Explained:
        return self

    def __exit__(self, kind: object, error: BaseException | None, _traceback: object) -> None:
        if isinstance(error, KeyboardInterrupt):
            raise UserError("cancelled") from None
        if isinstance(error, NotAws):
            raise NotAws(f"{self.subject}: {error}") from None
        if isinstance(error, Refused) or (error is not None and is_botocore_error(error)):
            raise UserError(explain(self.subject, error)) from None
