"""Fixtures for tests that talk to the fake IAM Identity Center in `fakesso.py`.

Not a conftest.py, so pytest does not load it by itself: a test module that wants these fixtures
declares `pytest_plugins = ["conftest_sso"]`. Helpers that are not fixtures live in fakesso.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import botocore.credentials
import botocore.tokens
import pytest
from fakesso import FakeSSO, sso_cache_dir


@pytest.fixture
def aws_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An isolated AWS environment: HOME in tmp_path, no AWS_* variables, config and credentials
    files under HOME/.aws (not created). Returns HOME."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    # botocore computes its SSO token cache directory from HOME once, at import time, so a HOME
    # set now would not reach it: point both providers at the isolated one explicitly.
    cache_dir = str(sso_cache_dir(home))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache_dir)
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache_dir)
    # boto3's default session caches the configuration it saw first.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return home


@pytest.fixture
def fake_sso() -> Iterator[FakeSSO]:
    """A running fake IAM Identity Center with two accounts."""
    with FakeSSO() as server:
        server.add_account("111111111111", "dev", "dev@example.com", roles=["AdministratorAccess", "ReadOnly"])
        server.add_account("222222222222", "prod", "prod@example.com", roles=["ReadOnly"])
        yield server
        assert server.errors == [], "the fake SSO server hit a bug:\n" + "\n".join(server.errors)


@pytest.fixture
def sso_endpoints(monkeypatch: pytest.MonkeyPatch, aws_home: Path, fake_sso: FakeSSO) -> FakeSSO:
    """`fake_sso`, with AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC pointing at it, so any
    botocore client or provider in this process (or a child given this environment) uses it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", fake_sso.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", fake_sso.url)
    return fake_sso
