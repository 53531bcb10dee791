"""The fake IAM Identity Center answers real botocore clients and botocore's own SSO providers."""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, TokenRetrievalError, UnauthorizedSSOTokenError
from fakesso import (
    DEVICE_CODE_GRANT,
    OIDC_ROUTES,
    PORTAL_ROUTES,
    SSO_ACCOUNT_ACCESS_SCOPE,
    FakeSSO,
    access_key_id_for,
    sso_cache_dir,
    sso_session_config,
    token_cache_key,
    write_token_cache,
)
from harness import aws_client

# Fixtures aws_home, fake_sso and sso_endpoints.
pytest_plugins = ["conftest_sso"]

REGION = "us-east-1"


# ---------------------------------------------------------------------------- helpers


def oidc_client(server: FakeSSO, **config: Any) -> Any:
    return aws_client("sso-oidc", region_name=REGION, endpoint_url=server.url, config=Config(**config))


def portal_client(server: FakeSSO, **config: Any) -> Any:
    return aws_client("sso", region_name=REGION, endpoint_url=server.url, config=Config(**config))


def register(oidc: Any, scopes: list[str] | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"clientName": "awsctx-test", "clientType": "public"}
    if scopes is not None:
        kwargs["scopes"] = scopes
    return oidc.register_client(**kwargs)


def start(oidc: Any, client: dict[str, Any], start_url: str) -> dict[str, Any]:
    return oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=start_url
    )


def poll(oidc: Any, client: dict[str, Any], device: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType=DEVICE_CODE_GRANT,
        deviceCode=device["deviceCode"],
        **extra,
    )


def device_login(server: FakeSSO, scopes: list[str] | None = None) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Full device flow with the test approving; returns (oidc client, registration, token)."""
    oidc = oidc_client(server)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE] if scopes is None else scopes)
    device = start(oidc, client, server.start_url)
    server.approve(device["userCode"])
    return oidc, client, poll(oidc, client, device)


def load_model(service: str) -> dict[str, Any]:
    path = Path(botocore.__file__).parent / "data" / service / "2019-06-10" / "service-2.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


# ---------------------------------------------------------------------------- wire format


def test_routes_are_the_models_and_do_not_collide() -> None:
    for service, routes in (("sso-oidc", OIDC_ROUTES), ("sso", PORTAL_ROUTES)):
        model = load_model(service)
        assert model["metadata"]["protocol"] == "rest-json"
        modelled = {
            (op["http"]["method"], op["http"]["requestUri"]): name
            for name, op in model["operations"].items()
            if name != "CreateTokenWithIAM"  # IAM-authenticated variant for apps, not for users
        }
        assert modelled == routes
    assert not {path for _, path in OIDC_ROUTES} & {path for _, path in PORTAL_ROUTES}


def test_unknown_path_is_an_error_not_a_hang(fake_sso: FakeSSO) -> None:
    request = urllib.request.Request(f"{fake_sso.url}/nope", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    assert info.value.code == 404
    assert info.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"


# ---------------------------------------------------------------------------- SSO-OIDC


def test_device_flow_pending_then_approved(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    assert client["clientId"] in fake_sso.clients
    assert client["clientSecretExpiresAt"] - client["clientIdIssuedAt"] == fake_sso.client_registration_ttl

    device = start(oidc, client, fake_sso.start_url)
    assert device["verificationUri"] == f"{fake_sso.url}/device"
    assert device["verificationUriComplete"] == f"{fake_sso.url}/device?user_code={device['userCode']}"
    assert device["expiresIn"] == 600
    assert device["interval"] == 1
    assert fake_sso.last_device_authorization is not None
    assert fake_sso.last_device_authorization.start_url == fake_sso.start_url

    for _ in range(2):
        with pytest.raises(oidc.exceptions.AuthorizationPendingException) as pending:
            poll(oidc, client, device)
    assert pending.value.response["error"] == "authorization_pending"
    assert pending.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    assert fake_sso.approve(device["userCode"]) == 1
    token = poll(oidc, client, device)
    assert token["tokenType"] == "Bearer"
    assert token["expiresIn"] == fake_sso.access_token_ttl
    assert token["accessToken"] in fake_sso.valid_access_tokens()
    assert token["refreshToken"] in fake_sso.refresh_tokens

    # A device code is good for one token only.
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        poll(oidc, client, device)
    assert fake_sso.calls["RegisterClient"] == 1
    assert fake_sso.calls["StartDeviceAuthorization"] == 1
    assert fake_sso.calls["CreateToken"] == 4
    assert fake_sso.last_device_authorization.polls == 4


def test_approve_by_device_code_and_all_pending(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    first, second, third = (start(oidc, client, fake_sso.start_url) for _ in range(3))
    assert fake_sso.approve(first["deviceCode"]) == 1
    assert fake_sso.approve() == 2
    for device in (first, second, third):
        assert poll(oidc, client, device)["accessToken"] in fake_sso.valid_access_tokens()
    with pytest.raises(KeyError):
        fake_sso.approve("NOPE-NOPE")


def test_refresh_token_only_with_account_access_scope(fake_sso: FakeSSO) -> None:
    _, _, legacy = device_login(fake_sso, scopes=[])
    assert "refreshToken" not in legacy

    # The scope may also be asked for in CreateToken itself.
    oidc = oidc_client(fake_sso)
    client = register(oidc, [])
    device = start(oidc, client, fake_sso.start_url)
    fake_sso.approve(device["userCode"])
    assert "refreshToken" in poll(oidc, client, device, scope=[SSO_ACCOUNT_ACCESS_SCOPE])


def test_slow_down_then_success(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    device = start(oidc, client, fake_sso.start_url)
    fake_sso.approve(device["userCode"])
    fake_sso.slow_down_next(2)
    for _ in range(2):
        with pytest.raises(oidc.exceptions.SlowDownException) as slow:
            poll(oidc, client, device)
        # botocore does not retry SlowDownException: the caller must back off itself.
        assert slow.value.response["ResponseMetadata"]["RetryAttempts"] == 0
        assert slow.value.response["error"] == "slow_down"
    assert poll(oidc, client, device)["accessToken"] in fake_sso.valid_access_tokens()
    assert fake_sso.calls["CreateToken"] == 3


def test_enforced_poll_interval(fake_sso: FakeSSO) -> None:
    fake_sso.enforce_poll_interval = True
    fake_sso.poll_interval = 5
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    device = start(oidc, client, fake_sso.start_url)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, client, device)
    with pytest.raises(oidc.exceptions.SlowDownException):
        poll(oidc, client, device)
    fake_sso.advance(5)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, client, device)


def test_device_code_expires(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    device = start(oidc, client, fake_sso.start_url)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, client, device)
    fake_sso.advance(fake_sso.device_code_ttl + 1)
    fake_sso.approve(device["userCode"])  # too late: the code is already expired
    with pytest.raises(oidc.exceptions.ExpiredTokenException) as expired:
        poll(oidc, client, device)
    assert expired.value.response["error"] == "expired_token"

    other = start(oidc, client, fake_sso.start_url)
    assert fake_sso.expire_device_code(other["userCode"]) == 1
    with pytest.raises(oidc.exceptions.ExpiredTokenException):
        poll(oidc, client, other)


def test_denied(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    device = start(oidc, client, fake_sso.start_url)
    fake_sso.deny(device["userCode"])
    with pytest.raises(oidc.exceptions.AccessDeniedException) as denied:
        poll(oidc, client, device)
    assert denied.value.response["error"] == "access_denied"
    assert fake_sso.valid_access_tokens() == []


def test_auto_approve_after_first_poll(fake_sso: FakeSSO) -> None:
    fake_sso.auto_approve_after_polls = 1
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    device = start(oidc, client, fake_sso.start_url)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, client, device)
    assert poll(oidc, client, device)["accessToken"] in fake_sso.valid_access_tokens()


def test_visiting_verification_uri_can_approve(fake_sso: FakeSSO) -> None:
    fake_sso.approve_on_visit = True
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    device = start(oidc, client, fake_sso.start_url)
    with urllib.request.urlopen(device["verificationUriComplete"]) as page:
        assert b"(approved)" in page.read()
    assert poll(oidc, client, device)["accessToken"] in fake_sso.valid_access_tokens()
    assert fake_sso.calls["VerificationPage"] == 1


def test_login_in_another_thread_waits_for_approval(fake_sso: FakeSSO) -> None:
    result: dict[str, Any] = {}

    def login() -> None:
        oidc = oidc_client(fake_sso)
        client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
        device = start(oidc, client, fake_sso.start_url)
        while True:
            try:
                result["token"] = poll(oidc, client, device)
                return
            except oidc.exceptions.AuthorizationPendingException:
                time.sleep(0.01)

    worker = threading.Thread(target=login)
    worker.start()
    pending = fake_sso.wait_for_device_authorization()
    fake_sso.approve(pending.user_code)
    worker.join()
    assert result["token"]["accessToken"] in fake_sso.valid_access_tokens()
    assert fake_sso.calls["StartDeviceAuthorization"] == 1


def test_bad_client_credentials(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc, [SSO_ACCOUNT_ACCESS_SCOPE])
    with pytest.raises(oidc.exceptions.InvalidClientException) as bad:
        start(oidc, {**client, "clientSecret": "wrong"}, fake_sso.start_url)
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    fake_sso.advance(fake_sso.client_registration_ttl + 1)
    with pytest.raises(oidc.exceptions.InvalidClientException):
        start(oidc, client, fake_sso.start_url)


def test_unsupported_grant_type(fake_sso: FakeSSO) -> None:
    oidc = oidc_client(fake_sso)
    client = register(oidc)
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"], grantType="password")


def test_refresh_token_grant(fake_sso: FakeSSO) -> None:
    oidc, client, token = device_login(fake_sso)
    refreshed = oidc.create_token(
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        grantType="refresh_token",
        refreshToken=token["refreshToken"],
    )
    assert refreshed["accessToken"] != token["accessToken"]
    assert refreshed["expiresIn"] == fake_sso.access_token_ttl
    assert refreshed["refreshToken"] != token["refreshToken"]
    assert refreshed["refreshToken"] in fake_sso.refresh_tokens
    portal = portal_client(fake_sso)
    assert portal.list_accounts(accessToken=refreshed["accessToken"])["accountList"]

    with pytest.raises(oidc.exceptions.InvalidGrantException) as garbage:
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken="not-a-refresh-token",
        )
    assert garbage.value.response["error"] == "invalid_grant"

    fake_sso.revoke_refresh_tokens()
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken=refreshed["refreshToken"],
        )


def test_strict_refresh_token_rotation(fake_sso: FakeSSO) -> None:
    fake_sso.reuse_refresh_tokens = False
    oidc, client, token = device_login(fake_sso)
    kwargs = {
        "clientId": client["clientId"],
        "clientSecret": client["clientSecret"],
        "grantType": "refresh_token",
        "refreshToken": token["refreshToken"],
    }
    assert oidc.create_token(**kwargs)["accessToken"] in fake_sso.valid_access_tokens()
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(**kwargs)


def test_injected_error(fake_sso: FakeSSO) -> None:
    oidc, client, token = device_login(fake_sso)
    fake_sso.fail_next("CreateToken", "ExpiredTokenException")
    kwargs = {
        "clientId": client["clientId"],
        "clientSecret": client["clientSecret"],
        "grantType": "refresh_token",
        "refreshToken": token["refreshToken"],
    }
    with pytest.raises(oidc.exceptions.ExpiredTokenException):
        oidc.create_token(**kwargs)
    assert oidc.create_token(**kwargs)["accessToken"] in fake_sso.valid_access_tokens()  # only the next failed


# ---------------------------------------------------------------------------- SSO portal


def test_get_role_credentials(fake_sso: FakeSSO) -> None:
    _, _, token = device_login(fake_sso)
    portal = portal_client(fake_sso)
    before_ms = time.time() * 1000
    creds = portal.get_role_credentials(
        accountId="111111111111", roleName="ReadOnly", accessToken=token["accessToken"]
    )["roleCredentials"]
    assert creds["accessKeyId"] == access_key_id_for("111111111111", "ReadOnly")
    assert creds["accessKeyId"].startswith("ASIA111111111111")
    assert len(creds["accessKeyId"]) == 20
    assert (creds["accessKeyId"], creds["secretAccessKey"]) == fake_sso.credentials_for("111111111111", "ReadOnly")
    assert fake_sso.role_for_access_key(creds["accessKeyId"]) == ("111111111111", "ReadOnly")
    assert creds["accessKeyId"] != access_key_id_for("111111111111", "AdministratorAccess")
    # Epoch milliseconds, role_credentials_ttl ahead.
    assert before_ms + 3500_000 < creds["expiration"] < before_ms + 3700_000
    assert fake_sso.issued_credentials[-1]["accessToken"] == token["accessToken"]

    with pytest.raises(portal.exceptions.UnauthorizedException) as bad:
        portal.get_role_credentials(accountId="111111111111", roleName="ReadOnly", accessToken="bogus")
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401

    # A role the user is not assigned: the real service answers 403 ForbiddenException "No access",
    # an error the model does not list, so botocore raises a plain ClientError.
    with pytest.raises(ClientError) as forbidden:
        portal.get_role_credentials(
            accountId="222222222222", roleName="AdministratorAccess", accessToken=token["accessToken"]
        )
    assert forbidden.value.response["Error"] == {"Code": "ForbiddenException", "Message": "No access"}
    assert forbidden.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_expired_access_token_is_unauthorized(fake_sso: FakeSSO) -> None:
    _, _, token = device_login(fake_sso)
    portal = portal_client(fake_sso)
    other = fake_sso.issue_token()["accessToken"]
    fake_sso.expire_access_tokens()
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=other)
    assert fake_sso.valid_access_tokens() == []

    fake_sso.advance(fake_sso.access_token_ttl + 1)
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=token["accessToken"])


def test_logout_ends_the_session(fake_sso: FakeSSO) -> None:
    oidc, client, token = device_login(fake_sso)
    portal = portal_client(fake_sso)
    portal.logout(accessToken=token["accessToken"])
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=token["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken=token["refreshToken"],
        )
    assert fake_sso.calls["Logout"] == 1


def test_revoking_a_session_ends_its_tokens_and_no_other(fake_sso: FakeSSO) -> None:
    oidc, client, token = device_login(fake_sso)
    other = fake_sso.issue_token()
    portal = portal_client(fake_sso)
    assert fake_sso.revoke_sessions(token["accessToken"]) == 1
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=token["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken=token["refreshToken"],
        )
    assert fake_sso.valid_access_tokens() == [other["accessToken"]]
    assert fake_sso.revoke_sessions() == 2
    assert fake_sso.valid_access_tokens() == []
    assert fake_sso.calls["Logout"] == 0


def test_list_accounts_pagination_over_250_accounts() -> None:
    with FakeSSO() as server:
        ids = server.add_accounts(250, roles=["ReadOnly"])
        token = server.issue_token()["accessToken"]
        portal = portal_client(server)

        pages = list(
            portal.get_paginator("list_accounts").paginate(accessToken=token, PaginationConfig={"PageSize": 100})
        )
        assert [len(p["accountList"]) for p in pages] == [100, 100, 50]
        assert [a["accountId"] for p in pages for a in p["accountList"]] == ids
        assert server.calls["ListAccounts"] == 3

        # By hand, with page sizes that leave 0, 1 and several accounts for the last page.
        for size in (1, 7, 83, 100):
            seen: list[str] = []
            calls = 0
            kwargs: dict[str, Any] = {"accessToken": token, "maxResults": size}
            while True:
                page = portal.list_accounts(**kwargs)
                calls += 1
                assert 0 < len(page["accountList"]) <= size
                seen += [a["accountId"] for a in page["accountList"]]
                if "nextToken" not in page:
                    break
                kwargs["nextToken"] = page["nextToken"]
            assert seen == ids
            assert calls == -(-250 // size)

        # Without maxResults the service picks a page size.
        assert len(portal.list_accounts(accessToken=token)["accountList"]) == server.default_page_size

        with pytest.raises(portal.exceptions.InvalidRequestException):
            portal.list_accounts(accessToken=token, maxResults=101)  # botocore does not check the max
        with pytest.raises(portal.exceptions.InvalidRequestException):
            portal.list_accounts(accessToken=token, nextToken="garbage")


def test_list_account_roles_pagination(fake_sso: FakeSSO) -> None:
    roles = [f"Role{i:02d}" for i in range(25)]
    fake_sso.add_account("333333333333", "many-roles", roles=roles)
    token = fake_sso.issue_token()["accessToken"]
    portal = portal_client(fake_sso)
    pages = list(
        portal.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId="333333333333", PaginationConfig={"PageSize": 10}
        )
    )
    assert [len(p["roleList"]) for p in pages] == [10, 10, 5]
    exact = list(
        portal.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId="333333333333", PaginationConfig={"PageSize": 25}
        )
    )
    assert [len(p["roleList"]) for p in exact] == [25]  # no empty trailing page
    assert [r["roleName"] for p in pages for r in p["roleList"]] == roles
    assert {r["accountId"] for p in pages for r in p["roleList"]} == {"333333333333"}

    listed = portal.list_account_roles(accessToken=token, accountId="111111111111")["roleList"]
    assert listed == [
        {"roleName": "AdministratorAccess", "accountId": "111111111111"},
        {"roleName": "ReadOnly", "accountId": "111111111111"},
    ]
    # A token from one listing is refused by another.
    first = portal.list_account_roles(accessToken=token, accountId="333333333333", maxResults=10)
    with pytest.raises(portal.exceptions.InvalidRequestException):
        portal.list_account_roles(accessToken=token, accountId="111111111111", nextToken=first["nextToken"])
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_account_roles(accessToken="bogus", accountId="111111111111")


def test_throttling_is_429_and_retried_in_standard_mode(fake_sso: FakeSSO) -> None:
    token = fake_sso.issue_token()["accessToken"]
    fake_sso.throttle_next(1)
    portal = portal_client(fake_sso, retries={"mode": "standard", "max_attempts": 3})
    page = portal.list_accounts(accessToken=token)
    assert len(page["accountList"]) == 2
    assert page["ResponseMetadata"]["RetryAttempts"] == 1
    assert fake_sso.calls["ListAccounts"] == 2

    fake_sso.throttle_next(5)
    no_retry = portal_client(fake_sso, retries={"mode": "standard", "max_attempts": 1})
    with pytest.raises(no_retry.exceptions.TooManyRequestsException) as throttled:
        no_retry.get_role_credentials(accountId="111111111111", roleName="ReadOnly", accessToken=token)
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    fake_sso.clear_faults()  # the four throttles left are dropped
    fake_sso.reset_counters()
    assert portal.list_accounts(accessToken=token)["ResponseMetadata"]["RetryAttempts"] == 0
    assert fake_sso.calls == {"ListAccounts": 1}


def test_parallel_callers_are_all_counted(fake_sso: FakeSSO) -> None:
    token = fake_sso.issue_token()["accessToken"]
    fake_sso.latency = 0.02  # keeps the requests in flight together
    barrier = threading.Barrier(10)
    keys: list[str] = []

    def fetch(role: str) -> None:
        portal = portal_client(fake_sso)
        barrier.wait()
        creds = portal.get_role_credentials(accountId="111111111111", roleName=role, accessToken=token)
        keys.append(creds["roleCredentials"]["accessKeyId"])

    workers = [threading.Thread(target=fetch, args=(("ReadOnly", "AdministratorAccess")[i % 2],)) for i in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert fake_sso.calls["GetRoleCredentials"] == 10
    assert len(fake_sso.requests) == 10
    assert sorted(set(keys)) == sorted(
        {access_key_id_for("111111111111", "ReadOnly"), access_key_id_for("111111111111", "AdministratorAccess")}
    )
    assert len({c["sessionToken"] for c in fake_sso.issued_credentials}) == 10


def test_latency_is_added(fake_sso: FakeSSO) -> None:
    token = fake_sso.issue_token()["accessToken"]
    portal = portal_client(fake_sso)
    portal.list_accounts(accessToken=token)  # connection and client set-up out of the way
    fake_sso.latency = 0.05
    began = time.perf_counter()
    portal.list_accounts(accessToken=token)
    assert time.perf_counter() - began >= 0.05


def test_role_credentials_are_the_ones_the_fake_recorded(fake_sso: FakeSSO) -> None:
    """What the client receives is, field for field, what the fake says it issued (its record is
    what other tests check awsctx's exports against)."""
    token = fake_sso.issue_token()["accessToken"]
    portal = portal_client(fake_sso)
    for role in ("AdministratorAccess", "ReadOnly", "AdministratorAccess"):
        creds = portal.get_role_credentials(accountId="111111111111", roleName=role, accessToken=token)[
            "roleCredentials"
        ]
        record = fake_sso.issued_credentials[-1]
        assert creds == {k: record[k] for k in ("accessKeyId", "secretAccessKey", "sessionToken", "expiration")}
        assert (record["accountId"], record["roleName"], record["accessToken"]) == ("111111111111", role, token)
    assert len({c["sessionToken"] for c in fake_sso.issued_credentials}) == 3


def test_stop_refuses_further_calls() -> None:
    server = FakeSSO()
    server.add_account("111111111111", roles=["ReadOnly"])
    token = server.issue_token()["accessToken"]
    portal = portal_client(server, retries={"mode": "standard", "max_attempts": 1})
    assert portal.list_accounts(accessToken=token)["accountList"]
    server.stop()
    with pytest.raises(EndpointConnectionError):
        portal.list_accounts(accessToken=token)


# ---------------------------------------------------------------------------- botocore's own providers


def write_profile(home: Path, server: FakeSSO, role: str = "ReadOnly") -> None:
    (home / ".aws" / "config").write_text(
        sso_session_config(
            profile="dev",
            session_name="corp",
            start_url=server.start_url,
            account_id="111111111111",
            role_name=role,
        )
    )


def test_botocore_sso_session_profile_resolves_credentials(aws_home: Path, sso_endpoints: FakeSSO) -> None:
    write_profile(aws_home, sso_endpoints)
    cached = sso_endpoints.issue_token()
    path = write_token_cache(sso_cache_dir(aws_home), "corp", cached)
    assert path.name == f"{token_cache_key('corp')}.json"

    creds = boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert creds.access_key == access_key_id_for("111111111111", "ReadOnly")
    assert creds.secret_key == sso_endpoints.credentials_for("111111111111", "ReadOnly")[1]
    assert creds.token.startswith("FakeSSOSession/111111111111/ReadOnly/")
    assert sso_endpoints.issued_credentials[-1]["accessToken"] == cached["accessToken"]
    # A token with hours left is used as is: no refresh.
    assert sso_endpoints.calls["GetRoleCredentials"] == 1
    assert sso_endpoints.calls["CreateToken"] == 0
    assert json.loads(path.read_text()) == cached


def test_botocore_refreshes_a_token_close_to_expiry(aws_home: Path, sso_endpoints: FakeSSO) -> None:
    write_profile(aws_home, sso_endpoints, role="AdministratorAccess")
    cached = sso_endpoints.issue_token(expires_in=5 * 60)  # inside botocore's 15-minute window
    path = write_token_cache(sso_cache_dir(aws_home), "corp", cached)

    creds = boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert creds.access_key == access_key_id_for("111111111111", "AdministratorAccess")
    assert sso_endpoints.calls["CreateToken"] == 1
    assert sso_endpoints.requests[0].body["grantType"] == "refresh_token"
    assert "scope" not in sso_endpoints.requests[0].body

    rewritten = json.loads(path.read_text())
    assert rewritten["accessToken"] != cached["accessToken"]
    assert rewritten["refreshToken"] != cached["refreshToken"]  # botocore keeps the rotated one
    assert sso_endpoints.issued_credentials[-1]["accessToken"] == rewritten["accessToken"]
    assert rewritten["expiresAt"].endswith("Z")
    expires = datetime.strptime(rewritten["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert expires.timestamp() > time.time() + sso_endpoints.access_token_ttl - 120
    assert {k: rewritten[k] for k in ("clientId", "clientSecret", "registrationExpiresAt", "startUrl", "region")} == {
        k: cached[k] for k in ("clientId", "clientSecret", "registrationExpiresAt", "startUrl", "region")
    }


def test_botocore_gives_up_when_refresh_is_refused(aws_home: Path, sso_endpoints: FakeSSO) -> None:
    write_profile(aws_home, sso_endpoints)
    cached = sso_endpoints.issue_token()
    cached["expiresAt"] = "2020-01-01T00:00:00Z"
    write_token_cache(sso_cache_dir(aws_home), "corp", cached)
    sso_endpoints.revoke_refresh_tokens()

    credentials = boto3.Session(profile_name="dev").get_credentials()
    with pytest.raises(TokenRetrievalError):
        credentials.get_frozen_credentials()
    assert sso_endpoints.calls["CreateToken"] == 1
    assert sso_endpoints.calls["GetRoleCredentials"] == 0


def test_botocore_maps_unauthorized_to_its_sso_error(aws_home: Path, sso_endpoints: FakeSSO) -> None:
    write_profile(aws_home, sso_endpoints)
    cached = sso_endpoints.issue_token()
    write_token_cache(sso_cache_dir(aws_home), "corp", cached)
    sso_endpoints.revoke_access_token(cached["accessToken"])  # e.g. logged out elsewhere

    with pytest.raises(UnauthorizedSSOTokenError):
        boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert sso_endpoints.calls["GetRoleCredentials"] == 1


def test_botocore_legacy_profile_uses_start_url_cache_key(aws_home: Path, sso_endpoints: FakeSSO) -> None:
    (aws_home / ".aws" / "config").write_text(
        "[profile legacy]\n"
        f"sso_start_url = {sso_endpoints.start_url}\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = ReadOnly\n"
    )
    cached = sso_endpoints.issue_token(scopes=[])
    assert "refreshToken" not in cached
    write_token_cache(sso_cache_dir(aws_home), sso_endpoints.start_url, cached)

    creds = boto3.Session(profile_name="legacy").get_credentials().get_frozen_credentials()
    assert creds.access_key == access_key_id_for("222222222222", "ReadOnly")
    assert sso_endpoints.calls["GetRoleCredentials"] == 1
