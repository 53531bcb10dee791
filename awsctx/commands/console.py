"""`awsctx console`: the AWS Management Console, signed in as a profile.

The federation endpoint trades a profile's temporary credentials for a sign-in token (valid 15
minutes); the login URL carrying that token opens the console. Long-term IAM user keys are first
turned into temporary ones with STS GetFederationToken, under a session policy that allows
everything: what the console may do is what the user may do, no more.

The login URL is a bearer credential. It goes to the browser, or to stdout with --print, and
nowhere else: not into a message, a log or a cache.

AWSCTX_FEDERATION_URL replaces the federation endpoint (https://signin.aws.amazon.com/federation
and its aws-cn and aws-us-gov twins) for both the token request and the login URL, for a sign-in
proxy or a test server. It must be https, or http to this machine. Ordinary HTTP(S) proxies need
no override: the request honours HTTPS_PROXY and NO_PROXY.
"""

from __future__ import annotations

import argparse
import os
import sys

from awsctx import __version__, cli, config, credentials, envvars, output, regions
from awsctx.errors import UsageError, UserError

FEDERATION_URL_VARIABLE = "AWSCTX_FEDERATION_URL"
DEFAULT_SERVICE = "console"
# Where the console points when the session ends; awsctx has no sign-in page, so it names itself.
ISSUER = "awsctx"
# Hosts per partition: (federation endpoint, console).
PARTITIONS = {
    "aws": ("signin.aws.amazon.com", "console.aws.amazon.com"),
    "aws-cn": ("signin.amazonaws.cn", "console.amazonaws.cn"),
    "aws-us-gov": ("signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
}
_DEFAULT_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
# Console session, and GetFederationToken credentials, unless the profile's duration_seconds says
# otherwise: as long as the AWS CLI's own role sessions last by default.
DEFAULT_SESSION_SECONDS = 3600
_SESSION_SECONDS = (900, 43200)  # what the federation endpoint accepts for SessionDuration
# The session policy for GetFederationToken: without one the federated user may do nothing; with
# this one, exactly what the IAM user may (the effective permissions are the intersection).
ALLOW_ALL_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
_TIMEOUT_SECONDS = 15
_MAX_ANSWER_BYTES = 64 * 1024  # a sign-in token is about a kilobyte
_LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(prog="awsctx console", description="Open the AWS Management Console signed in as a profile.")
    cli.add_profile(found)
    cli.add_region_options(found, "default: the profile's region")
    found.add_argument("--service", metavar="SERVICE", help="open this service's console, like ec2 or s3")
    found.add_argument(
        "--print", dest="print_only", action="store_true", help="print the sign-in URL (a password for 15 minutes)"
    )
    cli.add_mfa_option(found)
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    return open_console(
        namespace.profile,
        namespace.region,
        namespace.service,
        namespace.print_only,
        namespace.mfa_code,
        force=namespace.force,
    )


def open_console(
    profile: str | None,
    region: str | None,
    service: str | None,
    print_only: bool,
    mfa_code: str | None,
    force: bool = False,
) -> int:
    """Open the console signed in as `profile` (default: the active one), or print its login URL."""
    name = profile or os.environ.get(envvars.PROFILE, "")
    if not name:
        raise UserError("no profile given and none active in this shell; name one: awsctx console NAME")
    service = _checked_service(service or DEFAULT_SERVICE)
    # Mistakes in the command line or the environment fail here, before any call to STS.
    if region is not None:
        region = regions.validate(region, force)
        partition_of(region)
    federation_url("aws")
    cfg = config.load()
    settings = cfg.profile(name)
    interactive = output.can_ask()
    resolved = credentials.resolve(name, cfg, mfa_code=mfa_code, interactive=interactive)
    region = region or _profile_region(name, settings, resolved.identity.arn)
    partition = partition_of(region)
    federation = federation_url(partition)
    duration = _session_seconds(settings)

    if resolved.session_token:
        session = (resolved.access_key_id, resolved.secret_access_key, resolved.session_token)
        session_duration = duration if _may_set_session_duration(cfg, name, resolved) else None
    else:
        # Long-term keys cannot sign in; a federation token made from them can. AWS documents
        # SessionDuration for AssumeRole* credentials only: this console session lasts as long as the token.
        session = _federation_credentials(name, settings, resolved, region, duration)
        session_duration = None

    token = signin_token(federation, session, session_duration, name)
    url = login_url(federation, token, destination(region, service))
    if print_only:
        output.note(f"this URL signs in as {name} for 15 minutes: treat it as a password")
        sys.stdout.write(url + "\n")
        return 0
    if not output.open_browser(url):
        raise UserError("found no browser to open the console; set BROWSER, or print the URL with --print")
    output.success(f"opened the AWS console as {name} ({resolved.identity.account_id}) in {region}")
    return 0


def _checked_service(service: str) -> str:
    # It becomes part of the URL's path: a word of letters, digits and a few marks, nothing that moves the URL.
    word = service[:1].isalnum() and len(service) <= 64
    if not (word and all(c.isascii() and (c.isalnum() or c in "-_.") for c in service)):
        raise UsageError(f"{service!r} is not a console service name (like ec2, s3, cloudwatch)")
    return service


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith(("us-iso", "eu-iso", "eusc-")):
        raise UserError(f"region {region}: awsctx cannot sign in to the console of that partition")
    return "aws"


def _profile_region(name: str, settings: dict, arn: str) -> str:
    """The console's region when no -r is given.

    For the active profile, the shell's AWS_REGION (set by `awsctx NAME -r REGION`) wins over the
    profile's own; for another profile that variable belongs to someone else.
    """
    from_shell = os.environ.get(envvars.REGION) or os.environ.get(envvars.DEFAULT_REGION)
    region: str | None
    if from_shell and os.environ.get(envvars.PROFILE) == name:
        region = from_shell
    else:
        region = config.region_of(settings) or from_shell
    if not region:
        parts = arn.split(":")
        region = _DEFAULT_REGIONS.get(parts[1] if len(parts) > 1 else "", "us-east-1")
    return regions.validate(region, force=True)  # well-formed at least: it goes into the URL


def federation_url(partition: str) -> str:
    """The federation endpoint: the partition's own, or AWSCTX_FEDERATION_URL."""
    override = os.environ.get(FEDERATION_URL_VARIABLE)
    if not override:
        return f"https://{PARTITIONS[partition][0]}/federation"
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(override)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    local = host in _LOOPBACK_HOSTS
    if (
        parts is None
        or not host
        or parts.query
        or parts.fragment
        or not (parts.scheme == "https" or (parts.scheme == "http" and local))
    ):
        # Said without the value: a mistyped variable can hold anything.
        raise UserError(
            f"{FEDERATION_URL_VARIABLE} must be an https:// URL (http:// only to this machine) without "
            "query or fragment; fix or unset it"
        )
    return override


def destination(region: str, service: str) -> str:
    host = PARTITIONS[partition_of(region)][1]
    if host == PARTITIONS["aws"][1]:
        host = f"{region}.{host}"  # the commercial console serves each region from its own host
    return f"https://{host}/{service}/home?region={region}"


def login_url(federation: str, token: str, destination_url: str) -> str:
    from urllib.parse import quote, urlencode

    query = {"Action": "login", "Issuer": ISSUER, "Destination": destination_url, "SigninToken": token}
    return federation + "?" + urlencode(query, quote_via=quote)


def _session_seconds(settings: dict) -> int:
    value = settings.get("duration_seconds")
    try:
        seconds = int(value) if isinstance(value, str) else DEFAULT_SESSION_SECONDS
    except ValueError:
        seconds = DEFAULT_SESSION_SECONDS
    low, high = _SESSION_SECONDS
    return min(max(seconds, low), high)


def _may_set_session_duration(cfg: config.AwsConfig, name: str, resolved: credentials.Resolved) -> bool:
    """Whether the federation endpoint takes a SessionDuration for these credentials.

    AWS allows it for a role assumed with long-term credentials (AssumeRole, with or without MFA)
    or a web identity, and refuses it for role chaining: a role assumed with a role's (or an
    instance's, or an SSO session's) temporary credentials. Anything else goes without it.
    """
    kind = resolved.identity.kind
    settings = cfg.profile(name)
    if kind == "assume-role-with-web-identity":
        return True
    if kind != "assume-role" or "role_arn" not in settings:
        return False
    source = settings.get("source_profile")
    if not isinstance(source, str):
        return False  # credential_source: the environment's or an instance's credentials, maybe temporary
    source_settings = cfg.profiles.get(source, {})
    if source != name and any(
        key in source_settings for key in ("role_arn", "sso_session", "sso_start_url", "credential_process")
    ):
        return False
    return "aws_access_key_id" in source_settings and "aws_session_token" not in source_settings


def _federated_name(arn: str) -> str:
    """The federated user's name, as CloudTrail and the console show it: the IAM user's own."""
    name = arn.rsplit("/", 1)[-1] if ":user/" in arn else "awsctx"
    name = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "+=,.@-_"))[:32]
    return name if len(name) >= 2 else "awsctx"


def _federation_credentials(
    name: str, settings: dict, resolved: credentials.Resolved, region: str, duration: int
) -> tuple[str, str, str]:
    from awsctx import awsclient

    keys = (resolved.access_key_id, resolved.secret_access_key, None)
    with awsclient.Explained(f"profile {name!r}"):
        sts = awsclient.client("sts", config.region_of(settings) or region, keys=keys, profile=name)
        try:
            answer = awsclient.call(
                sts.get_federation_token,
                f"profile {name!r}: cannot reach AWS STS",
                Name=_federated_name(resolved.identity.arn),
                Policy=ALLOW_ALL_POLICY,
                DurationSeconds=duration,
            )
        except awsclient.Refused as refused:
            if refused.code != "AccessDenied":
                raise
            raise UserError(
                f"profile {name!r}: access denied in GetFederationToken: {refused.message or refused.code}; "
                "long-term keys need sts:GetFederationToken to open the console, or use a role profile"
            ) from None
    found = answer["Credentials"]
    return found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"]


def signin_token(federation: str, session: tuple[str, str, str], session_duration: int | None, name: str) -> str:
    """The federation endpoint's sign-in token for these temporary credentials."""
    import http.client
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    from awsctx import awsclient

    access_key_id, secret_access_key, session_token = session
    query = {"Action": "getSigninToken"}
    if session_duration is not None:
        query["SessionDuration"] = str(session_duration)
    query["Session"] = json.dumps(
        {"sessionId": access_key_id, "sessionKey": secret_access_key, "sessionToken": session_token}
    )
    request = urllib.request.Request(
        federation + "?" + urllib.parse.urlencode(query), headers={"User-Agent": f"awsctx/{__version__}"}
    )
    # Messages name the endpoint by its host only: the full URL holds the credentials.
    host = urllib.parse.urlsplit(federation).netloc
    secrets = (secret_access_key, session_token)
    try:
        waiting = awsclient.Waiting("getting a console sign-in token", host)
        # A second past the bound: the bound's own message (WaitExpired) comes first.
        with waiting as left, urllib.request.urlopen(request, timeout=min(_TIMEOUT_SECONDS, left + 1)) as response:
            body = response.read(_MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        error.close()
        raise UserError(
            f"profile {name!r}: the AWS sign-in endpoint {host} refused its credentials (HTTP {error.code}); "
            "they may have expired: try again, or run `awsctx whoami " + name + "`"
        ) from None
    except urllib.error.URLError as error:
        reason = _scrub(str(getattr(error.reason, "strerror", None) or error.reason), secrets)
        raise UserError(
            f"cannot reach the AWS sign-in endpoint {host} ({reason}); check the network or {FEDERATION_URL_VARIABLE}"
        ) from None
    except (OSError, http.client.HTTPException) as error:
        reason = _scrub(str(getattr(error, "strerror", None) or type(error).__name__), secrets)
        raise UserError(f"the AWS sign-in endpoint {host} failed ({reason}); try again") from None
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        token = None
    if not isinstance(token, str) or not token:
        raise UserError(f"the AWS sign-in endpoint {host} answered without a sign-in token; try again")
    return token


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "...")
    return text
