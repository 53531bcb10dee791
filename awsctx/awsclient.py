"""The one boundary to botocore: how awsctx builds clients and what it makes of their errors.

Every AWS call awsctx makes goes through a client built here (timeouts, retries and user agent in
one place; unsigned clients for the SSO portal and SSO-OIDC, which take a bearer token or nothing),
and every botocore error a user can meet becomes one line here. AWS_ENDPOINT_URL_*, proxies and CA
bundles from the environment apply as botocore reads them.

botocore is imported inside the functions: importing this module costs nothing, and the paths a
user hits all day (list, switch with cached credentials, Tab, prompt) never call them.
"""

from __future__ import annotations

from awsctx import __version__
from awsctx.errors import UserError

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing would cost the modules that import this one
if TYPE_CHECKING:
    from typing import Any

# Deliberate limits: a dead network fails within seconds, throttling is retried.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
MAX_ATTEMPTS = 3
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


def client_config(**overrides: Any) -> Any:
    """botocore's Config with awsctx's timeouts, retries and user agent; `overrides` win."""
    from botocore.config import Config

    settings: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
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
        if isinstance(error, Refused) or (error is not None and is_botocore_error(error)):
            raise UserError(explain(self.subject, error)) from None
