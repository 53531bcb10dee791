"""`awsctx init`: detection, linters over every rendered integration, templates in the wheel."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import AWSCTX, require_shell

ROOT = Path(__file__).resolve().parents[1]


def init(shell: str, env: dict[str, str]) -> str:
    result = subprocess.run([str(AWSCTX), "init", shell], env=env, capture_output=True, text=True, check=True)
    return result.stdout


# Every option combination, rendered and loaded as a user's rc file would, in shells started without
# rc files under strict options: nothing may print, fail or stop on an unset variable.
LINTERS = {
    "bash": [["shellcheck", "-s", "bash"], ["bash", "-n"]],
    "zsh": [["zsh", "-n"]],  # shellcheck reads no zsh
    "fish": [["fish", "--no-execute"], ["fish_indent", "--check"]],
}
STRICT = {
    "bash": ["--noprofile", "--norc", "-c", "set -euo pipefail; source \"$1\"; PS1='$ '; awsctx_prompt", "bash"],
    "zsh": ["-f", "-c", "set -euo pipefail; source \"$1\"; PS1='$ '; awsctx_prompt", "zsh"],
    "fish": ["--no-config", "--private", "-c", "source $argv[1]; and emit fish_prompt"],
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("flag", [[], ["--no-prompt"]], ids=["flag-none", "--no-prompt"])
@pytest.mark.parametrize("variable", [None, "1"], ids=["env-none", "AWSCTX_NO_PROMPT=1"])
@pytest.mark.parametrize("folders", [None, "--no-folders", "AWSCTX_NO_FOLDERS=1"], ids=str)
def test_every_rendering_is_lint_clean_and_loads_silently_under_strict_options(
    shell: str, flag: list[str], variable: str | None, folders: str | None, env: dict[str, str], tmp_path: Path
) -> None:
    if variable is not None:
        env = dict(env, AWSCTX_NO_PROMPT=variable)
    if folders == "AWSCTX_NO_FOLDERS=1":
        env = dict(env, AWSCTX_NO_FOLDERS="1")
    elif folders is not None:
        flag = [*flag, folders]
    rendered = subprocess.run([str(AWSCTX), "init", shell, *flag], env=env, capture_output=True, text=True)
    assert (rendered.returncode, rendered.stderr) == (0, "")
    code = rendered.stdout
    assert "@AWSCTX_" not in code
    assert not [line for line in code.splitlines() if line.lstrip().startswith("#@")]
    place = re.findall(r"__awsctx_prompt_place[= ](1|'')$", code, re.MULTILINE)
    assert place == (["''"] if "--no-prompt" in flag or variable else ["1"])
    folders_on = re.findall(r"__awsctx_folders_on[= ](1|'')$", code, re.MULTILINE)
    assert folders_on == (["''"] if folders else ["1"])
    script = tmp_path / f"awsctx.{shell}"
    script.write_text(code)
    for linter in LINTERS[shell]:
        assert shutil.which(linter[0]), f"{linter[0]} is not installed: scripts/test installs it"
        linted = subprocess.run([*linter, str(script)], capture_output=True, text=True)
        assert linted.returncode == 0, (linter, linted.stdout, linted.stderr)
    # Loaded, then one prompt's hook run with a profile active: every path of the render but the clock's.
    active = dict(env, AWS_PROFILE="client2", AWS_REGION="ca-central-1", AWSCTX_ACCOUNT_ID="123456")
    loaded = subprocess.run(
        [require_shell(shell), *STRICT[shell], str(script)], env=active, capture_output=True, text=True
    )
    assert (loaded.returncode, loaded.stdout, loaded.stderr) == (0, "", "")


def _broken_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, edit: Callable[[str], str]) -> None:
    """This installation's templates, copied to TMP_PATH, with NAME edited; init reads those."""
    from awsctx import shellinit

    for template in shellinit.TEMPLATES:
        text = Path(shellinit.template_path(template)).read_text()
        (tmp_path / template).write_text(edit(text) if template == name else text)
    monkeypatch.setattr(shellinit, "template_path", lambda template: str(tmp_path / template))


@pytest.mark.parametrize(
    ("shell", "name", "edit", "message"),
    [
        ("bash", "awsctx.bash", lambda t: t + "@AWSCTX_NOT_A_TOKEN@\n", "leaves @AWSCTX_NOT_A_TOKEN@ unfilled"),
        ("zsh", "prompt.sh", lambda t: t.replace("#@zsh\n", "#@zsh\n@AWSCTX_ZSH_ONLY@\n", 1), "@AWSCTX_ZSH_ONLY@"),
        # Filled for bash and zsh only.
        ("fish", "awsctx.fish", lambda t: t + "@AWSCTX_PROMPT_CODE@\n", "leaves @AWSCTX_PROMPT_CODE@ unfilled"),
        ("fish", "awsctx.fish", lambda t: t.replace("@AWSCTX_PROGRAM@", "@AWSCTX_PROGRAM"), "'@AWSCTX_PROGRAM'"),
        ("bash", "awsctx.bash", lambda t: t.replace("@AWSCTX_DIRECT@", "@AWSCTX_direct@"), "'@AWSCTX_direct@)'"),
        ("bash", "prompt.sh", lambda t: t + "#@bash\n", "block has no #@end"),
        ("zsh", "prompt.sh", lambda t: t + "#@end\n", "#@end is out of place"),
        ("zsh", "folders.sh", lambda t: t + "@AWSCTX_FOLDER_NOPE@\n", "leaves @AWSCTX_FOLDER_NOPE@ unfilled"),
    ],
)
def test_a_template_token_left_unfilled_fails_init_in_one_line(
    shell: str,
    name: str,
    edit: Callable[[str], str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from awsctx import shellinit
    from awsctx.errors import UserError
    from awsctx.main import main

    _broken_templates(tmp_path, monkeypatch, name, edit)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NO_COLOR", "1")
    with pytest.raises(UserError, match=re.escape(message)) as raised:
        shellinit.render(shell)
    assert name in str(raised.value)
    assert main(["init", shell]) == 1
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.count("\n") == 1 and message in printed.err, printed.err
    assert "Traceback" not in printed.err


def test_the_unedited_copies_render_as_the_installation_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The copies the test above breaks are otherwise whole: what fails there is the one edit."""
    from awsctx import shellinit

    expected = {shell: shellinit.render(shell) for shell in ("bash", "zsh", "fish")}
    _broken_templates(tmp_path, monkeypatch, "", lambda text: text)
    assert {shell: shellinit.render(shell) for shell in expected} == expected


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
    from awsctx import shellinit

    for template in shellinit.TEMPLATES:
        assert f"awsctx/shell/{template}" in names


def test_the_integration_starts_python_isolated_with_this_installations_folders(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`python -I -S`: no `site` to run, and neither PYTHONPATH nor the current folder can put
    another `awsctx` (or anything it imports) in place of this installation's."""
    from awsctx import shellinit

    command = shellinit.program_command()
    assert command[:4] == [sys.executable, "-I", "-S", "-c"]
    assert shellinit.code_folders() == [str(Path(shellinit.__file__).parents[1])]
    planted = tmp_path / "planted" / "awsctx"
    planted.mkdir(parents=True)
    marker = tmp_path / "imported"
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (planted / "main.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    from harness import base_env, make_home, run

    home = make_home(tmp_path)
    for shell in ("bash", "zsh", "fish"):
        # After the init line (whose `awsctx` is the console script, which does read PYTHONPATH).
        folder = shellinit.shells.quote(shell, str(planted.parent))
        plant = f"set -gx PYTHONPATH {folder}" if shell == "fish" else f"export PYTHONPATH={folder}"
        script = f"{plant}\ncd {folder}\nawsctx client1\nawsctx whoami --help >/dev/null\nawsctx -c"
        result = run(shell, script, base_env(home))
        assert result.stdout.strip().splitlines()[-1] == "client1", (shell, result.stderr)
    assert not marker.exists()


def test_without_folders_it_can_vouch_for_the_integration_runs_python_as_the_console_script_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from importlib import machinery

    from awsctx import shellinit

    # A dependency the isolated interpreter would not find where this one does (an editable install).
    monkeypatch.setattr(machinery.PathFinder, "find_spec", classmethod(lambda cls, name, path=None, target=None: None))
    assert shellinit.code_folders() is None
    command = shellinit.program_command()
    assert command[:2] == [sys.executable, "-c"]
    assert "-I" not in command and "-S" not in command
