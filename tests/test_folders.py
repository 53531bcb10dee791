"""A profile per folder (`.awsctx`), trusted like direnv's: in real bash, zsh and fish.

Most tests run a non-interactive shell that loads the integration and runs its prompt hooks by hand
(`PROMPT` below) after each `cd`, as an interactive shell does before each prompt; a few drive
interactive shells in a pseudo-terminal, to see the prompt itself and the processes a `cd` starts.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from harness import AWSCTX, SHELLS, Interactive, dump, init_line, last_status, run, strip_ansi, write_aws
from hypothesis import given
from hypothesis import strategies as st

from awsctx import folders, switch

# What each shell runs before a prompt: every prompt hook the integration registered.
PROMPT = {
    "bash": 'eval "$PROMPT_COMMAND"',
    "zsh": "for __t in $precmd_functions; do $__t; done",
    "fish": "emit fish_prompt",
}


def q(shell: str, value: object) -> str:
    """`value` as one word of `shell` (test paths hold no control character unless a test says so)."""
    text = str(value)
    if shell == "fish":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "'\\''") + "'"


def enter(shell: str, folder: object) -> str:
    """`cd` to FOLDER, then the prompt hooks, as a user's `cd` and the prompt after it."""
    return f"cd {q(shell, folder)}\n{PROMPT[shell]}"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """work/proj (client2) with proj/app/src below it, proj/app/infra (client1 in eu-west-1), and
    work/other with no file; none allowed yet."""
    work = tmp_path / "work"
    (work / "proj" / "app" / "src").mkdir(parents=True)
    (work / "proj" / "app" / "infra" / "modules").mkdir(parents=True)
    (work / "other").mkdir()
    (work / "proj" / ".awsctx").write_text("# the project's account\nprofile = client2\n")
    (work / "proj" / "app" / "infra" / ".awsctx").write_text("profile = client1\nregion = eu-west-1\n")
    return work


def allow(env: dict[str, str], *folders_: Path, cwd: Path | None = None) -> None:
    for folder in folders_:
        result = subprocess.run([str(AWSCTX), "allow", str(folder)], env=env, capture_output=True, text=True, cwd=cwd)
        assert result.returncode == 0, result.stderr


def profile_region(result_env: dict[str, str]) -> tuple[str | None, str | None]:
    return result_env.get("AWS_PROFILE"), result_env.get("AWS_REGION")


# ---------------------------------------------------------------------------------------------------
# Entering, leaving, nesting, manual switches
# ---------------------------------------------------------------------------------------------------


def test_entering_switches_and_leaving_goes_back_to_what_the_shell_had(
    shell: str, env: dict[str, str], tree: Path
) -> None:
    allow(env, tree / "proj")
    script = "\n".join(
        [
            "awsctx client1 -r us-east-2",
            enter(shell, tree / "proj"),
            dump("in"),
            enter(shell, tree / "proj" / "app" / "src"),
            dump("below"),
            enter(shell, tree / "other"),
            dump("out"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert profile_region(result.envs["in"]) == ("client2", "ca-central-1")
    assert result.aws("below") == result.aws("in")
    assert profile_region(result.envs["out"]) == ("client1", "us-east-2")
    assert "AWSCTX_FOLDERS" not in result.envs["out"]
    assert f"Switched to profile 'client2' (ca-central-1) for {tree / 'proj'}" in result.stderr
    assert f"Switched to profile 'client1' (us-east-2) on leaving {tree / 'proj'}" in result.stderr


def test_nested_trees_enter_and_leave_one_at_a_time(shell: str, env: dict[str, str], tree: Path) -> None:
    infra = tree / "proj" / "app" / "infra"
    allow(env, tree / "proj", infra)
    script = "\n".join(
        [
            enter(shell, tree / "proj"),
            dump("outer"),
            enter(shell, infra / "modules"),
            dump("inner"),
            enter(shell, tree / "proj" / "app" / "src"),
            dump("back_in_outer"),
            enter(shell, tree),
            dump("out"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert profile_region(result.envs["outer"]) == ("client2", "ca-central-1")
    assert profile_region(result.envs["inner"]) == ("client1", "eu-west-1")
    assert profile_region(result.envs["back_in_outer"]) == ("client2", "ca-central-1")
    assert profile_region(result.envs["out"]) == (None, None)


def test_leaving_two_trees_at_once_goes_back_to_before_the_outer_one(
    shell: str, env: dict[str, str], tree: Path
) -> None:
    infra = tree / "proj" / "app" / "infra"
    allow(env, tree / "proj", infra)
    script = "\n".join(
        ["awsctx mirego", enter(shell, tree / "proj"), enter(shell, infra), dump("inner"), enter(shell, tree / "other")]
    )
    result = run(shell, script + "\n" + dump("out"), env)
    assert profile_region(result.envs["inner"]) == ("client1", "eu-west-1")
    assert profile_region(result.envs["out"]) == ("mirego", None)


def test_moving_straight_from_one_tree_to_another_switches_once(shell: str, env: dict[str, str], tree: Path) -> None:
    (tree / "other" / ".awsctx").write_text("profile = mirego\n")
    allow(env, tree / "proj", tree / "other")
    steps = ["awsctx client1", enter(shell, tree / "proj"), enter(shell, tree / "other"), dump("other")]
    script = "\n".join([*steps, enter(shell, tree), dump("out")])
    result = run(shell, script, env)
    assert profile_region(result.envs["other"]) == ("mirego", None)
    # Leaving `other` goes back to what the shell had before either tree.
    assert profile_region(result.envs["out"]) == ("client1", "us-west-2")
    assert result.stderr.count("Switched to profile") == 4, result.stderr


def test_a_manual_switch_inside_the_tree_wins_until_the_tree_is_left(
    shell: str, env: dict[str, str], tree: Path
) -> None:
    allow(env, tree / "proj")
    script = "\n".join(
        [
            "awsctx client1",
            enter(shell, tree / "proj"),
            "awsctx mirego",
            enter(shell, tree / "proj" / "app" / "src"),
            enter(shell, tree / "proj" / "app"),
            dump("manual"),
            enter(shell, tree / "other"),
            dump("out"),
            enter(shell, tree / "proj"),
            dump("again"),
        ]
    )
    result = run(shell, script, env)
    assert profile_region(result.envs["manual"]) == ("mirego", None)
    assert profile_region(result.envs["out"]) == ("client1", "us-west-2")
    assert profile_region(result.envs["again"]) == ("client2", "ca-central-1")


def test_pushd_and_popd_enter_and_leave(shell: str, env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    script = "\n".join(
        [
            f"cd {q(shell, tree / 'other')}",
            PROMPT[shell],
            f"pushd {q(shell, tree / 'proj' / 'app')} >/dev/null",
            PROMPT[shell],
            dump("pushed"),
            "popd >/dev/null",
            PROMPT[shell],
            dump("popped"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert profile_region(result.envs["pushed"]) == ("client2", "ca-central-1")
    assert profile_region(result.envs["popped"]) == (None, None)


def test_a_shell_started_inside_the_tree_switches_and_knows_what_leaving_goes_back_to(
    shell: str, env: dict[str, str], tree: Path
) -> None:
    """Started below the tree with the folder's profile inherited from the shell that entered it:
    it switches nothing, and leaving goes back to what the first shell had before entering."""
    allow(env, tree / "proj")
    inner = "\n".join([PROMPT[shell], dump("child_in"), enter(shell, tree / "other"), dump("child_out")])
    start = {
        "bash": "bash --norc --noprofile -c",
        "zsh": "zsh -f -c",
        "fish": "fish --no-config --private -c",
    }[shell]
    child = f"{start} {q(shell, init_line(shell) + chr(10) + inner)}"
    script = "\n".join(["awsctx client1", enter(shell, tree / "proj" / "app"), "cd src", child])
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert profile_region(result.envs["child_in"]) == ("client2", "ca-central-1")
    assert profile_region(result.envs["child_out"]) == ("client1", "us-west-2")
    assert result.stderr.count("Switched to profile 'client2'") == 1, result.stderr
    # A fresh shell started inside the tree, inheriting nothing, switches at its first prompt.
    fresh = run(shell, f"cd {q(shell, tree / 'proj' / 'app')}\n{PROMPT[shell]}\n{dump('fresh')}", env)
    assert profile_region(fresh.envs["fresh"]) == ("client2", "ca-central-1")


def test_awsctx_dash_after_entering_goes_back_to_before_it(shell: str, env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    script = "\n".join(["awsctx client1", enter(shell, tree / "proj"), "awsctx -", dump("dash")])
    result = run(shell, script, env)
    assert profile_region(result.envs["dash"]) == ("client1", "us-west-2")


# ---------------------------------------------------------------------------------------------------
# Trust: nothing happens until `awsctx allow`; an edit revokes it; `awsctx deny` drops it
# ---------------------------------------------------------------------------------------------------


def test_an_untrusted_file_changes_nothing_and_says_so_once(shell: str, env: dict[str, str], tree: Path) -> None:
    script = "\n".join(
        [
            "awsctx client1",
            PROMPT[shell],
            dump("before"),
            enter(shell, tree / "proj"),
            enter(shell, tree / "proj" / "app" / "src"),
            enter(shell, tree / "proj" / "app"),
            dump("inside"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert result.aws("inside") == result.aws("before")
    lines = [line for line in result.stderr.splitlines() if ".awsctx" in line]
    assert lines == [
        f"• {tree / 'proj' / '.awsctx'} is not allowed, so it changes nothing; read it, then run: awsctx allow"
    ]


def test_allow_in_the_folder_takes_effect_at_the_next_prompt(shell: str, env: dict[str, str], tree: Path) -> None:
    script = "\n".join(
        [
            enter(shell, tree / "proj" / "app" / "src"),
            "awsctx allow",
            f"echo allowed={last_status(shell)}",
            dump("allowed"),
            PROMPT[shell],
            dump("prompt"),
        ]
    )
    result = run(shell, script, env)
    assert "allowed=0" in result.output
    assert f"Allowed {tree / 'proj' / '.awsctx'} (profile 'client2')" in result.stderr
    assert "AWS_PROFILE" not in result.envs["allowed"]
    assert profile_region(result.envs["prompt"]) == ("client2", "ca-central-1")


def test_editing_the_file_revokes_the_trust(shell: str, env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    script = "\n".join(
        [
            enter(shell, tree / "proj"),
            dump("trusted"),
            enter(shell, tree / "other"),
            f"echo 'profile = mirego' >> {q(shell, tree / 'proj' / '.awsctx')}",
            enter(shell, tree / "proj"),
            dump("edited"),
        ]
    )
    result = run(shell, script, env)
    assert profile_region(result.envs["trusted"]) == ("client2", "ca-central-1")
    assert profile_region(result.envs["edited"]) == (None, None)
    assert f"{tree / 'proj' / '.awsctx'} is not allowed" in result.stderr


def test_allowing_an_edited_file_from_inside_applies_what_it_says_now(
    shell: str, env: dict[str, str], tree: Path
) -> None:
    allow(env, tree / "proj")
    script = "\n".join(
        [
            "awsctx client1",
            enter(shell, tree / "proj" / "app"),
            dump("first"),
            f"echo 'profile = mirego' > {q(shell, tree / 'proj' / '.awsctx')}",
            "awsctx allow",
            PROMPT[shell],
            dump("edited"),
            enter(shell, tree),
            dump("out"),
        ]
    )
    result = run(shell, script, env)
    assert profile_region(result.envs["first"]) == ("client2", "ca-central-1")
    assert profile_region(result.envs["edited"]) == ("mirego", None)
    assert profile_region(result.envs["out"]) == ("client1", "us-west-2")


def test_deny_inside_the_tree_goes_back_at_the_next_prompt(shell: str, env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    script = "\n".join(
        [
            "awsctx mirego",
            enter(shell, tree / "proj" / "app"),
            dump("in"),
            "awsctx deny",
            PROMPT[shell],
            dump("denied"),
            enter(shell, tree / "proj"),
            dump("still"),
        ]
    )
    result = run(shell, script, env)
    assert profile_region(result.envs["in"]) == ("client2", "ca-central-1")
    assert f"Denied {tree / 'proj' / '.awsctx'}" in result.stderr
    assert profile_region(result.envs["denied"]) == ("mirego", None)
    assert profile_region(result.envs["still"]) == ("mirego", None)


def test_trust_is_per_path_a_copy_elsewhere_is_not_trusted(env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    shutil.copy(tree / "proj" / ".awsctx", tree / "other" / ".awsctx")
    result = run("bash", f"{enter('bash', tree / 'other')}\n{dump('copy')}", env)
    assert "AWS_PROFILE" not in result.envs["copy"]
    assert "is not allowed" in result.stderr


def test_a_link_to_an_allowed_file_is_not_trusted_in_another_folder(env: dict[str, str], tree: Path) -> None:
    """A cloned repository can hold `.awsctx -> /path/of/an/allowed/file`: trust belongs to the folder."""
    allow(env, tree / "proj")
    (tree / "other" / ".awsctx").symlink_to(tree / "proj" / ".awsctx")
    result = run("bash", f"{enter('bash', tree / 'other')}\n{dump('linked')}", env)
    assert "AWS_PROFILE" not in result.envs["linked"]
    assert "is not allowed" in result.stderr


def test_a_folder_reached_through_a_link_is_the_same_folder(env: dict[str, str], tree: Path, tmp_path: Path) -> None:
    allow(env, tree / "proj")
    (tmp_path / "shortcut").symlink_to(tree / "proj")
    result = run("bash", f"{enter('bash', tmp_path / 'shortcut' / 'app')}\n{dump('via_link')}", env)
    assert profile_region(result.envs["via_link"]) == ("client2", "ca-central-1")


def test_the_trust_store_is_private_atomic_and_outlives_the_cache(env: dict[str, str], tree: Path, home: Path) -> None:
    allow(env, tree / "proj")
    state = home / ".local" / "state" / "awsctx"
    store = state / "allowed.marshal"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert not [p.name for p in state.iterdir() if p.name.endswith(".tmp")]
    shutil.rmtree(home / ".cache", ignore_errors=True)
    result = run("bash", f"{enter('bash', tree / 'proj')}\n{dump('after_wipe')}", env)
    assert profile_region(result.envs["after_wipe"]) == ("client2", "ca-central-1")
    # XDG_STATE_HOME moves it; a relative one is ignored.
    allow(dict(env, XDG_STATE_HOME=str(home / "state")), tree / "proj")
    assert (home / "state" / "awsctx" / "allowed.marshal").exists()
    allow(dict(env, XDG_STATE_HOME="relative"), tree / "proj", cwd=tree)
    assert not (tree / "relative").exists()


def test_allow_refuses_a_state_folder_others_may_write_to(env: dict[str, str], tree: Path, home: Path) -> None:
    state = home / ".local" / "state" / "awsctx"
    allow(env, tree / "proj")
    state.chmod(0o777)
    refused = subprocess.run([str(AWSCTX), "allow", str(tree / "proj")], env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "not a private folder" in refused.stderr
    # And what it holds is no longer believed.
    result = run("bash", f"{enter('bash', tree / 'proj')}\n{dump('open')}", env)
    assert "AWS_PROFILE" not in result.envs["open"]
    assert "is not allowed" in result.stderr
    doctor = subprocess.run([str(AWSCTX), "doctor"], env=env, capture_output=True, text=True)
    assert "allowed.marshal is corrupt, was not written by awsctx, or sits in a folder others" in doctor.stderr


def test_allow_refuses_a_file_it_could_not_use(env: dict[str, str], tree: Path) -> None:
    (tree / "other" / ".awsctx").write_text("profile = nosuchprofile\n")
    result = subprocess.run([str(AWSCTX), "allow", str(tree / "other")], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"awsctx: error: {tree / 'other' / '.awsctx'} line 1: no profile named")
    assert not (Path(env["HOME"]) / ".local" / "state" / "awsctx" / "allowed.marshal").exists()


def test_allow_and_deny_say_what_they_need(env: dict[str, str], tree: Path) -> None:
    nothing = subprocess.run([str(AWSCTX), "allow"], env=env, capture_output=True, text=True, cwd=tree / "other")
    assert nothing.returncode == 1 and "no .awsctx in this folder or any above it" in nothing.stderr
    never = subprocess.run([str(AWSCTX), "deny", str(tree / "proj")], env=env, capture_output=True, text=True)
    assert never.returncode == 0 and "was not allowed" in never.stderr
    # A file that is gone can still be denied by its path.
    allow(env, tree / "proj")
    (tree / "proj" / ".awsctx").unlink()
    gone = subprocess.run([str(AWSCTX), "deny", str(tree / "proj")], env=env, capture_output=True, text=True)
    assert gone.returncode == 0 and "Denied" in gone.stderr


# ---------------------------------------------------------------------------------------------------
# Bad and hostile files and folder names
# ---------------------------------------------------------------------------------------------------

MARKER = "pwned"


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"profile = nosuchprofile\n", 1, "no profile named 'nosuchprofile'"),
        (b"# comment\nprofile = client2\nregion = us-eats-1\n", 3, "'us-eats-1' is not a region awsctx knows"),
        (b"profile = client2\nthis is not a setting\n", 2, "'this is not a setting' is not `profile = NAME`"),
        (b"profile = client2\nprofile = client1\n", 2, "a second profile (the first is on line 1)"),
        (b"region = eu-west-1\n", None, "names no profile"),
        (b"profile =\n", 1, "profile has no value"),
        (b"profile = client2\n\xff\xfe\x00 garbage\n", 2, "is not UTF-8 text"),
        (f"profile = x$(touch {MARKER})\n".encode(), 1, f"no profile named 'x$(touch {MARKER})'"),
        (b"profile = client2\nregion = $(touch pwned)`touch pwned`\n", 2, "is not a region awsctx knows"),
        (b"profile = client1\nregion = eu-west-1\nclient2\n", 3, "'client2' is not `profile = NAME`"),
        (b"profile = client1\x1b[31m\n", 1, "no profile named 'client1\\x1b[31m'"),
    ],
    ids=[
        "unknown-profile",
        "bad-region",
        "garbage-line",
        "duplicate",
        "no-profile",
        "empty",
        "not-utf8",
        "substitution",
        "region-substitution",
        "newline",
        "escape-sequence",
    ],
)
def test_a_bad_file_gives_one_line_naming_it_and_changes_nothing(
    shell: str, env: dict[str, str], tree: Path, content: bytes, line: int | None, message: str
) -> None:
    target = tree / "other" / ".awsctx"
    target.write_bytes(content)
    (tree / "other" / "below").mkdir()
    # Trusted as it is (`awsctx allow` refuses a bad file): what is checked is what awsctx makes of it.
    _trust_as_it_is(env, target)
    script = "\n".join(
        [
            "awsctx client1",
            PROMPT[shell],
            dump("before"),
            enter(shell, tree / "other"),
            dump("after"),
            enter(shell, tree / "other" / "below"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert result.aws("after") == result.aws("before")
    where = f"{target}" + (f" line {line}" if line is not None else "")
    said = [text for text in result.stderr.splitlines() if ".awsctx" in text]
    assert len(said) == 1, said  # once: moving below it says nothing more
    assert said[0].startswith(f"awsctx: error: {where}: "), said
    assert message in said[0]
    assert "\x1b" not in result.stderr
    assert not list(tree.rglob(MARKER)) and not Path(MARKER).exists()


def _trust_as_it_is(env: dict[str, str], path: Path) -> None:
    """Put PATH, as it is now, in the trust store of ENV's home, as `awsctx allow` would a sound file."""
    code = (
        "import sys;from awsctx import folders;p=sys.argv[1]\n"
        "with folders._TrustUpdate() as entries: entries[folders.trust_key(p)] = (folders.digest(folders.read(p)), 0)"
    )
    subprocess.run([str(AWSCTX.parent / "python"), "-c", code, str(path)], env=env, check=True, cwd="/")


def test_a_profile_named_like_code_is_switched_to_by_name_and_never_run(
    shell: str, env: dict[str, str], home: Path, tree: Path
) -> None:
    name = f"x$(touch {MARKER})`touch {MARKER}`|touch {MARKER}"
    config = (home / ".aws" / "config").read_text() + f'\n[profile "{name}"]\nregion = eu-west-3\n'
    write_aws(home, config=config)
    (tree / "other" / ".awsctx").write_text(f"profile = {name}\n")
    allow(env, tree / "other")
    result = run(shell, f"cd {q(shell, tree / 'other')}\n{PROMPT[shell]}\n{dump('in')}", env)
    assert result.returncode == 0, result.stderr
    assert profile_region(result.envs["in"]) == (name, "eu-west-3")
    assert not list(tree.rglob(MARKER)) and not (home / MARKER).exists()


HOSTILE_FOLDERS = [
    f"$(touch {MARKER})",
    f"`touch {MARKER}`",
    'it\'s "quoted"',
    "new\nline",
    "trailing newline\n",
    "*?[a]",
    "back\\slash",
    "-dash",
    "%F{red}%~",
    "日本",
    "\x1b[31mred",
    "semi;colon & amp|pipe",
]


@pytest.mark.parametrize("name", HOSTILE_FOLDERS, ids=range(len(HOSTILE_FOLDERS)))
def test_hostile_folder_names_enter_and_leave(shell: str, env: dict[str, str], tree: Path, name: str) -> None:
    folder = tree / name
    (folder / "below").mkdir(parents=True)
    (folder / ".awsctx").write_text("profile = client1\n")
    allow(env, folder)
    script = "\n".join(
        [
            "awsctx mirego",
            enter(shell, folder / "below"),
            dump("in"),
            enter(shell, folder),
            enter(shell, tree / "other"),
            dump("out"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert profile_region(result.envs["in"]) == ("client1", "us-west-2")
    assert profile_region(result.envs["out"]) == ("mirego", None)
    assert not list(tree.rglob(MARKER))
    assert result.stderr.count("Switched to profile 'client1'") == 1, result.stderr


def test_a_huge_file_is_refused_unread(shell: str, env: dict[str, str], tree: Path) -> None:
    target = tree / "other" / ".awsctx"
    with target.open("wb") as file:
        file.write(b"profile = client2\n")
        file.truncate(50 * 1024 * 1024)  # sparse: 50 MiB to read, were it read
    result = run(shell, f"{enter(shell, tree / 'other')}\n{dump('after')}", env)
    assert "AWS_PROFILE" not in result.envs["after"]
    assert f"awsctx: error: {target}: is larger than 4096 bytes" in result.stderr
    refused = subprocess.run([str(AWSCTX), "allow", str(tree / "other")], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "is larger than 4096 bytes" in refused.stderr


def test_a_fifo_or_a_folder_named_awsctx_is_no_file_and_never_blocks(
    shell: str, env: dict[str, str], tree: Path
) -> None:
    """The shell's `-f` test passes over them: no process, no message; `allow` refuses them at once."""
    os.mkfifo(tree / "other" / ".awsctx")
    (tree / "proj" / "app" / "src" / ".awsctx").mkdir()
    allow(env, tree / "proj")
    script = "\n".join(
        [enter(shell, tree / "other"), dump("fifo"), enter(shell, tree / "proj" / "app" / "src"), dump("dir")]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE" not in result.envs["fifo"]
    # The folder named .awsctx is not the nearest file: the project's is.
    assert profile_region(result.envs["dir"]) == ("client2", "ca-central-1")
    assert "other" not in result.stderr
    refused = subprocess.run(
        [str(AWSCTX), "allow", str(tree / "other" / ".awsctx")], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 1 and "is not a regular file" in refused.stderr


def test_a_file_swapped_for_a_fifo_after_the_shell_looked_never_blocks(env: dict[str, str], tree: Path) -> None:
    """The program reads without blocking whatever the shell found: a FIFO put there meanwhile is refused."""
    os.mkfifo(tree / "other" / ".awsctx")
    result = run(
        "bash",
        f"cd {q('bash', tree / 'other')}\n\\awsctx --folder-hook {q('bash', tree / 'other' / '.awsctx')}\n{dump('a')}",
        env,
    )
    assert "AWS_PROFILE" not in result.envs["a"]
    assert "is not a regular file" in result.stderr


def test_leaving_when_the_earlier_profile_is_gone_unsets_rather_than_keep_the_folders(
    shell: str, env: dict[str, str], home: Path, tree: Path
) -> None:
    config = (home / ".aws" / "config").read_text() + "\n[profile temporary]\nregion = eu-north-1\n"
    write_aws(home, config=config)
    allow(env, tree / "proj")
    removed = config.replace("[profile temporary]\nregion = eu-north-1\n", "")
    script = "\n".join(
        [
            "awsctx temporary",
            enter(shell, tree / "proj"),
            f"printf '%s' {q(shell, removed)} > {q(shell, home / '.aws' / 'config')}",
            enter(shell, tree / "other"),
            dump("out"),
        ]
    )
    result = run(shell, script, env)
    assert profile_region(result.envs["out"]) == (None, None)
    assert f"on leaving {tree / 'proj'}, could not go back to profile 'temporary'" in result.stderr


def test_a_profile_whose_credentials_fail_leaves_the_shell_as_it_was(
    shell: str, env: dict[str, str], home: Path, tree: Path
) -> None:
    config = (home / ".aws" / "config").read_text() + (
        "\n[profile orphan]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = nowhere\n"
    )
    write_aws(home, config=config)
    (tree / "other" / ".awsctx").write_text("profile = orphan\n")
    allow(env, tree / "other")
    checked = dict(env, AWSCTX_CREDENTIALS="check")
    script = "\n".join(
        ["awsctx -n client1", PROMPT[shell], dump("before"), enter(shell, tree / "other"), dump("after")]
    )
    result = run(shell, script, checked)
    assert result.returncode == 0, result.stderr
    assert result.aws("after") == result.aws("before")
    said = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(said) == 1 and said[0].startswith(f"awsctx: error: {tree / 'other' / '.awsctx'}: "), said
    assert "nowhere" in said[0]


# ---------------------------------------------------------------------------------------------------
# Switched off, and loaded under strict options
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["--no-folders", "AWSCTX_NO_FOLDERS=1", "reloaded"])
def test_no_folders_turns_it_off(shell: str, env: dict[str, str], tree: Path, how: str) -> None:
    allow(env, tree / "proj")
    init = {
        "bash": 'eval "$(awsctx init bash{})"',
        "zsh": 'eval "$(awsctx init zsh{})"',
        "fish": "awsctx init fish{} | source",
    }[shell]
    if how == "AWSCTX_NO_FOLDERS=1":
        env = dict(env, AWSCTX_NO_FOLDERS="1")
    lines = [init.format("" if how != "--no-folders" else " --no-folders")]
    if how == "reloaded":
        lines.append(init.format(" --no-folders"))
    result = run(shell, "\n".join([*lines, enter(shell, tree / "proj"), dump("in")]), env, init=False)
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE" not in result.envs["in"]
    assert result.stderr == ""


def test_loading_twice_registers_the_hooks_once(shell: str, env: dict[str, str]) -> None:
    show = {
        "bash": "printf '%s\\n' \"$PROMPT_COMMAND\"",
        "zsh": "print -l $precmd_functions -- $chpwd_functions",
        "fish": "functions --handlers-type generic | string match -r '__awsctx_\\S+'",
    }[shell]
    result = run(shell, f"{init_line(shell)}\n{init_line(shell)}\n{show}", env)
    hooks = [line for line in result.output.split() if ("__awsctx" in line and "register" not in line) or line == "--"]
    if shell == "fish":
        assert sorted(hooks) == [
            "__awsctx_folder_hook",
            "__awsctx_prompt_hook",
            "__awsctx_refresh_hook",
            "__awsctx_refresh_preexec",
        ]
    elif shell == "zsh":
        # One precmd function (the folder and MFA refresh checks, then the segment); a `cd` at the
        # prompt looks for the folder's file at once, in chpwd.
        assert hooks == ["__awsctx_prompt_hook", "--", "__awsctx_folder_chpwd"]
    else:
        # Nothing else before each prompt: one hook does it all.
        assert hooks == ["__awsctx_prompt_hook"]


# An earlier version's hooks, in the string form it left them in.
EARLIER = "__awsctx_folder_hook\n__awsctx_refresh_hook\nhistory -a\n__awsctx_prompt_hook"


@pytest.mark.parametrize(
    ("before", "shown", "mine"),
    [
        ("PROMPT_COMMAND='history -a'", '"$PROMPT_COMMAND"', ["history -a"]),
        ("PROMPT_COMMAND=('history -a' 'mine')", '"${PROMPT_COMMAND[@]}"', ["history -a", "mine"]),
        ("__bp_imported=defined; precmd_functions=(mine)", '"${precmd_functions[@]}"', ["mine"]),
        (f"PROMPT_COMMAND=$'{EARLIER}'", '"$PROMPT_COMMAND"', ["history -a"]),
        ("PROMPT_COMMAND=", '"$PROMPT_COMMAND"', []),
    ],
    ids=["string", "array", "bash-preexec", "earlier-version", "nothing-else"],
)
def test_bash_runs_the_checks_first_and_the_segment_last_in_every_form_of_prompt_command(
    env: dict[str, str], before: str, shown: str, mine: list[str]
) -> None:
    """Loaded twice: once each; the checks first only when something else runs before a prompt;
    loaded again with --no-folders: the same (the MFA refresh is checked there too)."""
    show = f"printf '%s\\n' {shown}; echo --"
    again = init_line("bash").replace("init bash", "init bash --no-folders")
    script = "\n".join([before, init_line("bash"), init_line("bash"), show, again, show])
    result = run("bash", script, env, init=False)
    assert result.returncode == 0, result.stderr
    loaded, off, _ = result.output.split("--\n")
    expected = ["__awsctx_first_hook", *mine, "__awsctx_prompt_hook"] if mine else ["__awsctx_prompt_hook"]
    assert loaded.splitlines() == expected
    assert off.splitlines() == expected


def test_zsh_keeps_one_precmd_function_and_drops_an_earlier_versions(env: dict[str, str]) -> None:
    # compdef as after compinit: the completion's own one-time precmd function is not registered.
    before = "compdef() { : }; precmd_functions=(__awsctx_folder_hook __awsctx_refresh_hook mine __awsctx_prompt_hook)"
    show = "print -r -- $precmd_functions; print -r -- $chpwd_functions"
    again = init_line("zsh").replace("init zsh", "init zsh --no-folders")
    script = "\n".join([before, init_line("zsh"), show, again, show])
    result = run("zsh", script, env, init=False)
    assert result.returncode == 0, result.stderr
    assert result.output.splitlines() == [
        "mine __awsctx_prompt_hook",
        "__awsctx_folder_chpwd",
        "mine __awsctx_prompt_hook",
        "",
    ]


def test_the_hooks_run_silently_under_strict_options(env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    for shell in ("bash", "zsh"):
        script = "\n".join([enter(shell, tree / "other"), enter(shell, tree / "proj"), dump("in")])
        result = run(shell, script, env, strict=True)
        assert result.returncode == 0, (shell, result.stderr)
        assert profile_region(result.envs["in"]) == ("client2", "ca-central-1")


# ---------------------------------------------------------------------------------------------------
# In a terminal: the prompt, and what a `cd` costs
# ---------------------------------------------------------------------------------------------------

USER_PROMPT = {"bash": "PS1='END$ '", "zsh": "PS1='END%# '", "fish": "function fish_prompt; printf 'END> '; end"}


def traced(shell: str, env: dict[str, str], home: Path, log: Path, calls: str) -> Interactive:
    """An interactive SHELL with the user's prompt, under `strace -f` writing its CALLS to LOG."""
    prefix = ("strace", "--seccomp-bpf", "-f", "-e", f"trace={calls}", "-o", str(log))
    return Interactive(shell, env, home, rc=USER_PROMPT[shell], prefix=prefix)


def prompt_after(session: Interactive, command: str) -> str:
    """The prompt drawn right after COMMAND ran (the folder hook's messages left out)."""
    session.counter += 1
    mark = f"MARK{session.counter}"
    session.child.sendline(f"{command}; echo {mark[:2]}''{mark[2:]}")
    session.child.expect(f"{mark}\r\n")
    session.child.expect("END")
    drawn = session.child.before
    session.sync()
    return strip_ansi(drawn[max(drawn.rfind("\r"), drawn.rfind("\n")) + 1 :])


def test_the_first_prompt_after_cd_shows_the_folders_profile(
    shell: str, env: dict[str, str], home: Path, tree: Path
) -> None:
    allow(env, tree / "proj")
    rc = USER_PROMPT[shell] + f"\ncd {q(shell, tree / 'proj')}"
    session = Interactive(shell, dict(env, NO_COLOR="1"), home, rc=rc)
    try:
        # Started inside the tree: switched before its first prompt.
        assert strip_ansi(session.prompt("END")) == "aws:client2 123456 ca-central-1 END"
        assert prompt_after(session, f"cd {q(shell, tree / 'other')}") == ""
        assert prompt_after(session, f"cd {q(shell, tree / 'proj' / 'app')}") == "aws:client2 123456 ca-central-1 "
        assert prompt_after(session, "awsctx mirego") == "aws:mirego "
        assert prompt_after(session, "cd ..") == "aws:mirego "
        assert prompt_after(session, "cd ..") == ""
    finally:
        session.close()


# A theme's prompt command that shows the profile (a prompt program's, say): before or after the
# init line. bash runs the integration's checks before it; zsh's `cd` looks for the file in chpwd,
# before any precmd function.
THEME = {
    "bash": ('theme() { echo "THEME:${AWS_PROFILE-none}"; }', "PROMPT_COMMAND=theme", "PROMPT_COMMAND+=$'\\n'theme"),
    "zsh": (
        'theme() { print -r -- "THEME:${AWS_PROFILE-none}" }',
        "precmd_functions+=(theme)",
        "precmd_functions+=(theme)",
    ),
}


@pytest.mark.parametrize("order", ["before", "after"])
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_themes_prompt_command_sees_the_folders_profile_at_once(
    shell: str, env: dict[str, str], home: Path, tree: Path, order: str
) -> None:
    allow(env, tree / "proj")
    define, before, after = THEME[shell]
    rc = "\n".join([USER_PROMPT[shell], define, before if order == "before" else ""])
    session = Interactive(shell, dict(env, NO_COLOR="1"), home, rc=rc, after=after if order == "after" else "")
    try:
        assert "THEME:none" in session.run("true")
        session.child.sendline(f"cd {q(shell, tree / 'proj')}; echo MA''RK")
        session.child.expect("MARK\r\n")
        session.child.expect("END")
        between = strip_ansi(session.child.before)
        session.sync()
    finally:
        session.close()
    # What the theme printed for the prompt right after the `cd`.
    assert "THEME:client2" in between and "THEME:none" not in between, between


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_cd_in_a_subshell_or_a_function_that_comes_back_starts_nothing(
    shell: str, env: dict[str, str], home: Path, tree: Path
) -> None:
    """Only where the shell stays counts: zsh's chpwd leaves a `cd` in a subshell or a function to
    the prompt hook, which finds the folder unchanged; the test after it shows a `cd` that stays does
    start the program."""
    allow(env, tree / "proj")
    log = home.parent / "strace.log"
    proj = q(shell, tree / "proj")
    session = traced(shell, env, home, log, "execve")
    try:
        session.run(f"( cd {proj} && /bin/true in-subshell )")
        session.run(f"there_and_back() {{ cd {proj}; cd - >/dev/null; }}; there_and_back")
        assert session.run("echo ${AWS_PROFILE-none}") == "none"
        session.run("/bin/true awsctx-end")
    finally:
        session.close()
    text = log.read_text()
    assert "in-subshell" in text and "awsctx-end" in text
    assert "--folder-hook" not in text


def _deep(root: Path, depth: int) -> Path:
    folder = root
    for index in range(depth):
        folder = folder / f"level{index}"
    folder.mkdir(parents=True)
    return folder


def test_a_cd_where_no_file_is_above_starts_no_process(
    shell: str, env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    """Twelve folders deep, back and forth: strace -f sees no exec and no fork between the markers."""
    assert shutil.which("strace"), "strace is not installed: scripts/test installs it"
    deep_a = _deep(tmp_path / "a", 12)
    deep_b = _deep(tmp_path / "b", 12)
    log = tmp_path / "strace.log"
    session = traced(shell, env, home, log, "execve,fork,vfork,clone,clone3")
    try:
        session.run("/bin/true awsctx-start")
        for index in range(10):
            session.child.sendline(f"cd {q(shell, deep_a if index % 2 else deep_b)}")
        session.run("/bin/true awsctx-end")
        session.run("pwd")
    finally:
        session.close()
    lines = log.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "awsctx-start" in line and "execve(" in line)
    end = next(i for i, line in enumerate(lines) if "awsctx-end" in line and "execve(" in line)
    window = lines[start + 1 : end]
    created = [line for line in window if re.search(r"\b(clone3?|v?fork)\(", line) and "CLONE_THREAD" not in line]
    assert [line for line in window if "execve(" in line] == []
    assert len(created) == 1, created  # the shell's fork of the end marker


def test_a_cd_into_a_tree_does_start_the_program(shell: str, env: dict[str, str], home: Path, tree: Path) -> None:
    """The same count where a file is above: the test above can fail."""
    log = home.parent / "strace.log"
    session = traced(shell, env, home, log, "execve")
    try:
        session.run(f"cd {q(shell, tree / 'proj')}")
        session.run("/bin/true awsctx-end")
    finally:
        session.close()
    assert "--folder-hook" in log.read_text()


# ---------------------------------------------------------------------------------------------------
# doctor
# ---------------------------------------------------------------------------------------------------


def test_doctor_lists_the_allowed_files_and_flags_stale_ones(env: dict[str, str], tree: Path) -> None:
    infra = tree / "proj" / "app" / "infra"
    (tree / "other" / ".awsctx").write_text("profile = mirego\n")
    allow(env, tree / "proj", infra, tree / "other")
    (infra / ".awsctx").write_text("profile = client2\n")
    (tree / "other" / ".awsctx").unlink()
    result = subprocess.run([str(AWSCTX), "doctor"], env=env, capture_output=True, text=True)
    lines = result.stderr.splitlines()
    assert f"✔ allowed: {tree / 'proj' / '.awsctx'} (profile 'client2')" in lines
    changed = [line for line in lines if str(infra / ".awsctx") in line]
    assert len(changed) == 1 and changed[0].startswith("! ") and "changed since it was allowed" in changed[0]
    gone = [line for line in lines if str(tree / "other" / ".awsctx") in line]
    assert len(gone) == 1 and gone[0].startswith("! ") and "is gone" in gone[0]
    assert f"awsctx deny {tree / 'other'}" in gone[0]


def test_doctor_names_an_allowed_file_that_no_longer_works(env: dict[str, str], home: Path, tree: Path) -> None:
    (tree / "other" / ".awsctx").write_text("profile = temporary\n")
    config = (home / ".aws" / "config").read_text()
    write_aws(home, config=config + "\n[profile temporary]\n")
    allow(env, tree / "other")
    write_aws(home, config=config)
    result = subprocess.run([str(AWSCTX), "doctor"], env=env, capture_output=True, text=True)
    assert f"✘ {tree / 'other' / '.awsctx'} line 1: no profile named 'temporary'" in result.stderr
    assert result.returncode == 1


# ---------------------------------------------------------------------------------------------------
# The program's side, directly
# ---------------------------------------------------------------------------------------------------


def test_the_format_allows_comments_blank_lines_spaces_and_crlf(tmp_path: Path) -> None:
    data = b"# which account\r\n\r\n  ; another comment\r\nprofile=client2\r\n   region   =   eu-west-1   \r\n"
    choice = folders.parse(str(tmp_path / ".awsctx"), data)
    assert (choice.profile, choice.profile_line, choice.region, choice.region_line) == ("client2", 4, "eu-west-1", 5)


FIELD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@given(st.lists(st.tuples(FIELD, FIELD, FIELD, FIELD)))
def test_the_folder_stack_survives_any_names(entries: list[tuple[str, str, str, str]]) -> None:
    stack = [folders.Entry(f"/{name}/.awsctx", d, switch.State(p, r)) for name, d, p, r in entries]
    decoded = folders.decode(folders.encode(stack))

    def fields(entry: folders.Entry) -> tuple[str, ...]:
        return (entry.file, entry.digest, entry.before.profile, entry.before.region)

    assert [fields(e) for e in decoded] == [fields(e) for e in stack]


def test_the_hook_is_the_integrations_own(env: dict[str, str]) -> None:
    result = subprocess.run([str(AWSCTX), "--folder-hook", "/x/.awsctx"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "shell integration's own" in result.stderr
    odd = dict(env, AWSCTX_SHELL="bash")
    for argument in ("relative/.awsctx", "/etc/passwd"):
        refused = subprocess.run([str(AWSCTX), "--folder-hook", argument], env=odd, capture_output=True, text=True)
        assert refused.returncode == 2 and refused.stdout == "", refused.stderr


def test_the_hook_prints_only_quoted_data(env: dict[str, str], tree: Path) -> None:
    """What the shell evaluates is assignments of quoted words, whatever the paths hold."""
    folder = tree / f"$(touch {MARKER})'\n"
    folder.mkdir()
    (folder / ".awsctx").write_text("profile = client1\n")
    allow(env, folder)
    for shell in SHELLS:
        result = subprocess.run(
            [str(AWSCTX), "--folder-hook", str(folder / ".awsctx")],
            env=dict(env, AWSCTX_SHELL=shell),
            capture_output=True,
            text=True,
            cwd=folder,
        )
        assert result.returncode == 0, result.stderr
        assert "AWSCTX_FOLDERS" in result.stdout and "__awsctx_folder_top" in result.stdout
        assert not list(tree.rglob(MARKER))


def test_the_hook_imports_nothing_a_switch_does_not(env: dict[str, str], tree: Path) -> None:
    allow(env, tree / "proj")
    bootstrap = "import sys;from awsctx.main import main;sys.exit(main())"
    result = subprocess.run(
        [
            str(AWSCTX.parent / "python"),
            "-X",
            "importtime",
            "-c",
            bootstrap,
            "--folder-hook",
            str(tree / "proj" / ".awsctx"),
        ],
        env=dict(env, AWSCTX_SHELL="bash"),
        capture_output=True,
        text=True,
        cwd=tree / "proj",
    )
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE=client2" in result.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "import time:" in line]
    assert "awsctx.folders" in imported
    heavy = ("botocore", "boto3", "configparser", "argparse", "re", "typing", "json", "hashlib")
    assert not [name for name in imported if name.split(".")[0] in heavy]
