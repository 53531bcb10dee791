from __future__ import annotations

from pathlib import Path

import pytest
from harness import base_env, make_home


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
