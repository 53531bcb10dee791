"""What plugin managers load (awsctx.plugin.zsh; fisher's conf.d/ and functions/) gives the shell
exactly what the init line gives: the same functions, hooks and variables, in a real zsh and fish."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from harness import dump, require_shell, run

ROOT = Path(__file__).resolve().parents[1]
ZSH_PLUGIN = ROOT / "awsctx.plugin.zsh"
FISHER_DIRS = ("conf.d", "functions")

# Everything the integration leaves in a zsh: every function's text, the prompt hooks, and the
# integration's variables with their values.
ZSH_STATE = r"""
functions
print -r -- "precmd: $precmd_functions"
print -r -- "chpwd: $chpwd_functions"
typeset -m '__awsctx*'
typeset -m 'awsctx*'
"""

# The same in fish: the integration's functions (their text without the line saying where each was
# defined), the event handlers, and its variables.
FISH_STATE = r"""
for name in (functions --all --names | string match -e awsctx)
    echo "function $name"
    functions $name | string match -v -r '^# Defined'
end
functions --handlers-type generic | string match -e awsctx
set --names | string match -e awsctx | while read -l name
    set -S $name | string match -v -r 'originally inherited|exported'
end
true
"""


def zsh(env: dict[str, str], script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([require_shell("zsh"), "-f", "-c", script], env=env, capture_output=True, text=True)


def fish(env: dict[str, str], script: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_shell("fish"), "--private", *flags, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def test_the_plugin_files_sit_where_the_managers_look() -> None:
    """oh-my-zsh sources plugins/NAME/NAME.plugin.zsh, zinit and antidote *.plugin.zsh at the top of
    the repository; fisher copies the top-level functions/, conf.d/ and completions/."""
    assert ZSH_PLUGIN.is_file()
    assert (ROOT / "conf.d" / "awsctx.fish").is_file()
    assert (ROOT / "functions" / "awsctx.fish").is_file()
    assert not list(ROOT.glob("*.plugin.zsh"))[1:], "one zsh plugin file: managers would pick either"


@pytest.mark.parametrize(
    "how",
    [
        # oh-my-zsh and antidote's static file: `source` at the top level of the rc file.
        f"source '{ZSH_PLUGIN}'",
        # zinit: from inside a function.
        f"() {{ builtin source '{ZSH_PLUGIN}' }}",
    ],
    ids=["top-level", "inside-a-function"],
)
def test_the_zsh_plugin_gives_what_the_init_line_gives(env: dict[str, str], how: str) -> None:
    expected = zsh(env, 'eval "$(awsctx init zsh)"\n' + ZSH_STATE)
    loaded = zsh(env, how + "\n" + ZSH_STATE)
    assert (expected.returncode, expected.stderr) == (0, "")
    assert (loaded.returncode, loaded.stderr) == (0, "")
    assert "awsctx () {" in expected.stdout and "chpwd: __awsctx_folder_chpwd" in expected.stdout
    assert loaded.stdout == expected.stdout


def test_the_zsh_plugin_switches_and_takes_the_settings(env: dict[str, str]) -> None:
    result = run("zsh", f"source '{ZSH_PLUGIN}'\nawsctx client2\n{dump('after')}", env, init=False)
    assert result.returncode == 0, result.stderr
    assert result.aws_only("after")["AWS_PROFILE"] == "client2"
    off = zsh(
        dict(env, AWSCTX_NO_FOLDERS="1"), f"source '{ZSH_PLUGIN}'\nprint -r -- $precmd_functions $chpwd_functions"
    )
    assert "__awsctx_folder_chpwd" not in off.stdout and "__awsctx_prompt_hook" in off.stdout


def test_without_the_program_the_zsh_plugin_is_silent_and_loads_nothing(env: dict[str, str], tmp_path: Path) -> None:
    bare = dict(env, PATH="/usr/bin:/bin")
    assert shutil.which("awsctx", path=bare["PATH"]) is None
    result = zsh(bare, f"source '{ZSH_PLUGIN}'\nprint -r -- ${{+functions[awsctx]}}")
    assert (result.returncode, result.stdout, result.stderr) == (0, "0\n", "")


def _fisher_install(home: Path) -> Path:
    """The repository's fish files copied into the fish configuration, as `fisher install` does."""
    config = home / ".config" / "fish"
    for folder in FISHER_DIRS:
        (config / folder).mkdir(parents=True, exist_ok=True)
        for path in (ROOT / folder).glob("*.fish"):
            shutil.copy(path, config / folder / path.name)
    return config


def test_the_fisher_plugin_gives_an_interactive_fish_what_the_init_line_gives(env: dict[str, str], home: Path) -> None:
    expected = fish(env, "awsctx init fish | source\n" + FISH_STATE, "--no-config", "-i")
    _fisher_install(home)
    loaded = fish(env, FISH_STATE, "-i")
    assert (expected.returncode, expected.stderr) == (0, "")
    assert (loaded.returncode, loaded.stderr) == (0, "")
    assert "function __awsctx_folder_hook" in expected.stdout and "function awsctx" in expected.stdout
    assert loaded.stdout == expected.stdout


def test_a_fish_script_loads_the_integration_on_first_use(env: dict[str, str], home: Path) -> None:
    """Non-interactive fish starts no program at start-up; functions/awsctx.fish loads it when needed."""
    _fisher_install(home)
    untouched = fish(env, "functions -q __awsctx_run; and echo loaded; or echo not loaded")
    assert untouched.stdout == "not loaded\n"
    used = fish(env, "awsctx client2\necho status=$status\nawsctx -c")
    assert "status=0" in used.stdout, used.stderr
    assert used.stdout.rstrip().endswith("client2")
    assert "Switched to profile 'client2'" in used.stderr


def test_without_the_program_fisher_files_are_silent_until_used(env: dict[str, str], home: Path) -> None:
    _fisher_install(home)
    bare = dict(env, PATH="/usr/bin:/bin")
    started = fish(bare, "true", "-i")
    assert (started.returncode, started.stdout, started.stderr) == (0, "", "")
    used = fish(bare, "awsctx client2; echo status=$status")
    assert used.stdout == "status=127\n"
    assert used.stderr == "awsctx: the awsctx program is not on PATH; install it, then open a new shell\n"
