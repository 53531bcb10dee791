from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import base_env, make_home
from stsproxy import StsProxy


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
