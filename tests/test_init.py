"""`awsctx init`: detection, linters over every rendered integration, templates in the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from harness import AWSCTX, require_shell

ROOT = Path(__file__).resolve().parents[1]


def init(shell: str, env: dict[str, str]) -> str:
    result = subprocess.run([str(AWSCTX), "init", shell], env=env, capture_output=True, text=True, check=True)
    return result.stdout


def test_bash_output_is_shellcheck_clean(env: dict[str, str]) -> None:
    assert shutil.which("shellcheck"), ".ci/run installs shellcheck"
    result = subprocess.run(["shellcheck", "-s", "bash", "-"], input=init("bash", env), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_zsh_output_parses(env: dict[str, str]) -> None:
    result = subprocess.run([require_shell("zsh"), "-n"], input=init("zsh", env), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_fish_output_parses_and_is_fish_indent_clean(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "awsctx.fish"
    script.write_text(init("fish", env))
    parsed = subprocess.run([require_shell("fish"), "--no-execute", str(script)], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    indented = subprocess.run(["fish_indent", "--check", str(script)], capture_output=True, text=True)
    assert indented.returncode == 0, indented.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_init_detects_the_calling_shell(shell: str, env: dict[str, str]) -> None:
    """Without an argument, shellingham finds the shell that runs awsctx."""
    flag = {"bash": "--norc", "zsh": "-f", "fish": "--no-config"}[shell]
    # `; :` keeps bash and zsh from exec-ing awsctx in their own place (then its parent is no shell).
    script = f"'{AWSCTX}' init; :"
    result = subprocess.run([require_shell(shell), flag, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    head = result.stdout.splitlines()[:2]
    assert any(line.startswith(f"# awsctx shell integration for {shell},") for line in head), head


def test_init_refuses_a_shell_it_does_not_support(env: dict[str, str]) -> None:
    result = subprocess.run([str(AWSCTX), "init", "tcsh"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice: 'tcsh'" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_without_a_detectable_shell_says_how_to_name_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    from awsctx import shellinit
    from awsctx.errors import UserError

    def undetectable() -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure

    monkeypatch.setattr(shellingham, "detect_shell", undetectable)
    with pytest.raises(UserError, match=r"awsctx init bash\|zsh\|fish"):
        shellinit.detect_shell(strict=True)


def test_init_names_an_unsupported_detected_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    from awsctx import shellinit
    from awsctx.errors import UserError

    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("tcsh", "/bin/tcsh"))
    with pytest.raises(UserError, match="not 'tcsh'"):
        shellinit.detect_shell(strict=True)


def test_the_integration_calls_this_installation_by_absolute_path(env: dict[str, str]) -> None:
    assert sys.executable in init("bash", env)


def test_wheel_ships_the_templates(tmp_path: Path) -> None:
    """A normal (non-editable) install finds the templates: they are inside the wheel."""
    # Built with the test environment's setuptools (the `test` extra), never one from a package index.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("awsctx_shell-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shell in ("bash", "zsh", "fish"):
        assert f"awsctx/shell/awsctx.{shell}" in names
