from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from harness import base_env, make_home
from stsproxy import StsProxy


@pytest.fixture(autouse=True)
def no_machine_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the machine's AWS set-up: HOME and both AWS files in the test's folder, no
    AWS_* or AWSCTX_* variables from outside (scripts/test sets AWS_PROFILE to prove it)."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "AWSCTX_")):
            monkeypatch.delenv(name)
    isolated = tmp_path / "home"
    monkeypatch.setenv("HOME", str(isolated))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(isolated / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(isolated / ".aws" / "credentials"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(isolated / ".cache"))
    # boto3's default session keeps the configuration it saw first.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home folder holding a copy of the seed set-up, never the real one."""
    return make_home(tmp_path)


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return base_env(home)


@pytest.fixture(params=["bash", "zsh", "fish"])
def shell(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def sts() -> Iterator[StsProxy]:
    """moto's STS and IAM behind a counting proxy, one per test module (tests reset its counters)."""
    proxy = StsProxy()
    yield proxy
    proxy.stop()


@pytest.fixture(autouse=True)
def fresh_wait_bound() -> None:
    """A test is one command: the bound on the time awsctx waits for AWS starts afresh in this
    process (awsctx's own commands are one process each)."""
    from awsctx import awsclient

    awsclient._watch.spent = 0.0
