"""Completion's fast path writes exactly what argcomplete writes, for every shell."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsctx import complete

WORDBREAKS = "\"'><=;|&(:"
NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="[]\n\r")


def write_profiles(home: Path, names: list[str]) -> None:
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "credentials").write_text("".join(f"[{name}]\naws_access_key_id = x\n" for name in names))


def completion_env(home: Path, shell: str, line: str) -> dict[str, str]:
    env = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(home / "out"),
    }
    if shell == "bash":
        env["_ARGCOMPLETE_COMP_WORDBREAKS"] = WORDBREAKS
    if shell == "fish":
        env.update(_ARGCOMPLETE_IFS="\n", _ARGCOMPLETE_DFS="\t")
    return env


def both_paths(home: Path, shell: str, line: str) -> tuple[str | None, str]:
    """(fast path output or None when it declines, argcomplete's output)."""
    env = completion_env(home, shell, line)
    out = home / "out"
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith(("AWS_", "_ARGCOMPLETE", "COMP_"))]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        out.unlink(missing_ok=True)
        fast = out.read_text() if complete.fast_complete(dict(env)) else None
        out.unlink(missing_ok=True)
        complete.argcomplete_complete(complete.words_before_cursor(env), exit_method=lambda code: None)
        slow = out.read_text()
    return fast, slow


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.text(NAME_CHARS, min_size=1, max_size=12).map(str.strip).filter(bool), min_size=1, max_size=6, unique=True
    ),
    prefix_length=st.integers(0, 3),
    shell=st.sampled_from(["bash", "zsh", "fish"]),
    after_use=st.booleans(),
)
def test_fast_path_matches_argcomplete(
    tmp_path: Path, names: list[str], prefix_length: int, shell: str, after_use: bool
) -> None:
    home = tmp_path / f"h{abs(hash((tuple(names), prefix_length, shell, after_use)))}"
    write_profiles(home, names)
    line = "awsctx " + ("use " if after_use else "") + names[0][:prefix_length]
    fast, slow = both_paths(home, shell, line)
    if fast is not None:
        assert fast == slow, line


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_fast_path_answers_the_everyday_case(tmp_path: Path, shell: str) -> None:
    write_profiles(tmp_path, ["client1", "client2", "my prof", "x$(y)", "mirego"])
    fast, slow = both_paths(tmp_path, shell, "awsctx ")
    assert fast is not None
    assert fast == slow
    separator = "\n" if shell == "fish" else "\013"
    candidates = fast.split(separator)
    expected = {"bash": "my\\ prof", "zsh": "my\\ prof:", "fish": "my prof\t"}[shell]
    assert expected in candidates
    assert any(candidate.startswith("init") for candidate in candidates)


def test_fast_path_declines_quoted_words_and_flags(tmp_path: Path) -> None:
    write_profiles(tmp_path, ["my prof"])
    for line in ("awsctx 'my", 'awsctx "my', "awsctx my\\ p", "awsctx -", "awsctx client1 -r e", "awsctx init b"):
        fast, _ = both_paths(tmp_path, "bash", line)
        assert fast is None, line


def test_argcomplete_completes_regions_and_shells(tmp_path: Path) -> None:
    write_profiles(tmp_path, ["client1"])
    _, regions = both_paths(tmp_path, "fish", "awsctx client1 -r ca-")
    assert regions.split("\n") == ["ca-central-1\t", "ca-west-1\t"]
    _, shells = both_paths(tmp_path, "fish", "awsctx init ")
    assert {line.split("\t")[0] for line in shells.split("\n")} == {"bash", "zsh", "fish"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_login_offers_only_profiles_that_log_in_to_identity_center(tmp_path: Path, shell: str) -> None:
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(
        "[profile sso-legacy]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
        "[profile sso-session]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://y/start\n"
        "[profile static]\nregion = us-east-1\n"
        "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = static\n"
    )
    _, offered = both_paths(tmp_path, shell, "awsctx login ")
    separator = "\n" if shell == "fish" else "\013"
    names = {word.split("\t")[0].rstrip(":").rstrip() for word in offered.split(separator) if word}
    assert {"sso-legacy", "sso-session"} <= names
    assert not {"static", "role"} & names


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_mistyped_command_suggests_the_command(tmp_path: Path, shell: str) -> None:
    from harness import base_env, make_home, run

    result = run(shell, "awsctx whomai", base_env(make_home(tmp_path)))
    assert "did you mean the command `awsctx whoami`" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_name_holding_the_separator_is_left_out_by_both_paths(tmp_path: Path, shell: str) -> None:
    """bash and zsh split the candidates at vertical tabs: such a name would be offered in pieces."""
    write_profiles(tmp_path, ["v\x0btab", "vexed"])
    for line in ("awsctx v", "awsctx use v"):
        fast, slow = both_paths(tmp_path, shell, line)
        assert fast == slow
        separator = "\n" if shell == "fish" else "\013"
        names = [word.split("\t")[0].rstrip(":") for word in slow.split(separator)]
        assert names == (["v\x0btab", "vexed"] if shell == "fish" else ["vexed"])


# ---------------------------------------------------------------------------------------------------
# In real interactive shells
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_tab_never_offers_a_name_holding_a_vertical_tab_in_pieces(tmp_path: Path, shell: str) -> None:
    from harness import Interactive, base_env, make_home, write_aws

    home = make_home(tmp_path)
    write_aws(home, config='[profile "v\x0btab"]\n[profile vexed]\n', credentials="")
    session = Interactive(shell, dict(base_env(home), AWSCTX_NO_FZF="1"), home)
    try:
        # The one whole candidate is inserted at once; pieces `v` and `tab` would make it ambiguous.
        session.complete("awsctx v", "vexed")
        session.run("")
        assert session.run("printf '%s\\n' \"P=$AWS_PROFILE\"").splitlines()[-1] == "P=vexed"
    finally:
        session.close()


def test_zsh_lists_the_candidates_sorted_without_a_stray_separator(tmp_path: Path) -> None:
    from harness import Interactive, base_env, make_home, write_aws

    home = make_home(tmp_path)
    write_aws(home, config="[profile zeta]\n[profile alpha]\n[profile mid]\n", credentials="[beta]\n")
    session = Interactive("zsh", dict(base_env(home), AWSCTX_NO_FZF="1"), home)
    try:
        names = ["alpha", "beta", "doctor", "init", "mid", "whoami", "zeta"]
        shown = session.complete("awsctx ", names, tabs=2)
        # The list, as zsh drew it under the line, and before the line it draws again after it.
        start = shown.index("\n")
        end = shown.rfind("awsctx")
        listing = shown[start : end if end > start else len(shown)]
        places = [re.search(rf"(?<![\w-]){name}(?![\w-])", listing) for name in names]
        assert all(places), repr(shown)
        assert [place.start() for place in places if place] == sorted(place.start() for place in places if place)
        assert "--" not in listing.split()
        session.cancel_line()
        # Flags have descriptions: there `--` parts each flag from its own.
        described = session.complete("awsctx --", "print the current profile", tabs=2)
        assert "--current -- print the current profile" in " ".join(described.split()), described
    finally:
        session.close()


def test_zsh_registers_tab_when_compinit_runs_after_the_init_line(tmp_path: Path) -> None:
    from harness import Interactive, base_env, make_home

    home = make_home(tmp_path)
    env = dict(base_env(home), AWSCTX_NO_FZF="1")
    session = Interactive("zsh", env, home, compinit=False, after="autoload -Uz compinit && compinit -u")
    try:
        session.complete("awsctx client2-w", "client2-with-sso")
        session.cancel_line()
        assert "Tab does not complete" not in session.run("awsctx doctor")
    finally:
        session.close()


def test_zsh_without_compinit_doctor_says_why_tab_does_nothing(tmp_path: Path) -> None:
    from harness import Interactive, base_env, make_home

    home = make_home(tmp_path)
    session = Interactive("zsh", dict(base_env(home), AWSCTX_NO_FZF="1"), home, compinit=False)
    try:
        said = " ".join(session.run("awsctx doctor").split())
        assert "Tab does not complete awsctx in this zsh" in said
        assert "autoload -Uz compinit && compinit" in said
        # Loaded later in the same shell, it takes effect at the next prompt.
        session.run("autoload -Uz compinit && compinit -u")
        assert "Tab does not complete" not in session.run("awsctx doctor")
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------------
# Tab from the names file, without the program (awsctx/tabnames.py)
# ---------------------------------------------------------------------------------------------------


def tab_in(shell: str, env: dict[str, str], lines: list[str], marker: Path, native: bool = True) -> list[list[str]]:
    """What Tab offers for each line (the word before the cursor last), in one `shell`; with
    `native=False` the names file is left out, as when it is missing. The program, when Tab starts
    it, leaves a mark at `marker`."""
    from harness import run

    results = "@@TAB "
    if shell == "bash":
        script = [
            'eval "$(declare -f __awsctx_run | sed 1s/__awsctx_run/__awsctx_real_run/)"',
            '__awsctx_run() { printf x >>"$TAB_MARKER"; __awsctx_real_run "$@"; }',
        ]
        if not native:
            script.append("__awsctx_complete_names() { return 1; }")
        for line in lines:
            script += [
                f"COMP_LINE={shlex_quote(line)}; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=()",
                "__awsctx_complete awsctx x x",
                f"printf '{results}%s\\n' \"$(printf '%s\\037' \"${{COMPREPLY[@]}}\")\"",
            ]
    elif shell == "zsh":
        script = [
            "functions -c __awsctx_run __awsctx_real_run",
            '__awsctx_run() { printf x >>"$TAB_MARKER"; __awsctx_real_run "$@"; }',
            '_wanted() { __taken+=("${(@P)${@[-1]}}"); }',
            '_describe() { __taken+=("${(@P)4}"); }',
        ]
        if not native:
            script.append("__awsctx_complete_names() { return 1; }")
        for line in lines:
            words = line.split(" ")
            script += [
                "__taken=(); words=(" + " ".join(shlex_quote(word) for word in words) + f"); CURRENT={len(words)}",
                "__awsctx_complete",
                f"printf '{results}%s\\n' \"$(printf '%s\\037' \"${{__taken[@]}}\")\"",
            ]
    else:
        script = [
            "functions -c __awsctx_run __awsctx_real_run",
            "function __awsctx_run; printf x >>$TAB_MARKER; __awsctx_real_run $argv; end",
        ]
        if not native:
            script.append("function __awsctx_complete_names; return 1; end")
        for line in lines:
            script += [
                f"set -l found (complete -C {fish_quote(line)})",
                f"printf '{results}%s\\n' (string join \\x1f -- (string split -m1 \\t -- $found | string match -v '')"
                " | string collect)",
            ]
    result = run(shell, "\n".join(script), dict(env, TAB_MARKER=str(marker)))
    assert result.returncode == 0, result.stderr
    found = [line[len(results) :] for line in result.stdout.split("\n") if line.startswith(results)]
    assert len(found) == len(lines), result.stdout
    # Outside a real Tab bash cannot be told to add the space after a lone candidate: both paths add it.
    trim = (
        (lambda word: word[:-1] if word.endswith(" ") and not word.endswith("\\ ") else word)
        if shell == "bash"
        else str
    )
    return [sorted(trim(word) for word in entry.split("\x1f") if word) for entry in found]


def shlex_quote(text: str) -> str:
    """One literal word for bash and zsh (zsh expands an unquoted `=cmd`)."""
    return "'" + text.replace("'", "'\\''") + "'"


def fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def names_home(tmp_path: Path, names: list[str], config: str = "") -> tuple[Path, dict[str, str]]:
    """A home whose files hold `names` (in the credentials file), read once so that the names
    files are written."""
    from harness import base_env, make_home, write_aws

    home = make_home(tmp_path, seed=False)
    write_aws(home, config=config, credentials="".join(f"[{name}]\naws_access_key_id = x\n" for name in names))
    env = base_env(home)
    loaded = subprocess.run([str(AWSCTX_PROGRAM)], env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    return home, env


AWSCTX_PROGRAM = Path(sys.executable).with_name("awsctx")
TAB_NAME_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="[]\n\r")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.one_of(
            st.text(TAB_NAME_CHARS, min_size=1, max_size=10),
            st.sampled_from(["init", "use", "my prof", "a\tb", "v\x0bt", "x$(y)", "~root", "=ls", "é", "-x"]),
        )
        .map(str.strip)
        .filter(lambda name: name and name != "DEFAULT"),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    prefix_length=st.integers(0, 2),
)
def test_tab_from_the_names_file_offers_what_the_program_offers(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], prefix_length: int
) -> None:
    root = tmp_path_factory.mktemp("tab")
    _, env = names_home(root, names)
    # No shell holds a NUL byte, in a word typed or one offered.
    prefixes = sorted({name[:prefix_length] for name in names if "\x00" not in name[:prefix_length]} | {"", "i"})
    lines = [f"awsctx {prefix}" for prefix in prefixes] + [f"awsctx use {prefix}" for prefix in prefixes]
    for shell in ("bash", "zsh", "fish"):
        marker = root / f"program-{shell}"
        native = tab_in(shell, env, lines, marker)
        started = marker.exists()
        marker.unlink(missing_ok=True)
        program = tab_in(shell, env, lines, marker, native=False)
        assert marker.exists()
        assert native == program, (shell, lines)
        # Lines of plain words ending in a name being typed are answered from the file alone.
        if all(answered_from_the_file(shell, line) for line in lines):
            assert not started, shell


def answered_from_the_file(shell: str, line: str) -> bool:
    from awsctx import tabnames

    if not all(char.isascii() and char.isprintable() for char in line):
        return False
    if any(char in line for char in "'\"\\#$`"):
        return False
    prefix = line.split(" ")[-1]
    if prefix.startswith("-"):
        return False
    return shell != "bash" or not any(char in prefix for char in tabnames.BASH_SPECIAL + tabnames.EXTRA_SPECIAL)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_tab_from_the_names_file_starts_no_process(tmp_path: Path, shell: str) -> None:
    from harness import require_shell

    home, env = names_home(tmp_path, ["client1", "client2", "my prof", "prod-eu"])
    folder = home / ".cache" / "awsctx"
    assert {path.name for path in folder.iterdir()} >= {"names", "names.bash"}
    for name in ("names", "names.bash"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    strace = shutil.which("strace")
    assert strace, "strace is not installed: scripts/test installs it"
    line = {"bash": "COMP_LINE='awsctx cl'; COMP_POINT=9; __awsctx_complete awsctx cl awsctx; echo ${COMPREPLY[*]}"}
    line["zsh"] = "_wanted() { echo ${(@P)${@[-1]}}; }; words=(awsctx cl); CURRENT=2; __awsctx_complete"
    line["fish"] = "complete -C 'awsctx cl'"
    init = {
        "bash": 'eval "$(awsctx init bash)"',
        "zsh": 'eval "$(awsctx init zsh)"',
        "fish": "awsctx init fish | source",
    }
    flags = {"bash": ["--norc", "--noprofile"], "zsh": ["-f"], "fish": ["--no-config", "--private"]}
    trace = tmp_path / "trace"
    # The init line runs the program; the Tab after the mark must start nothing.
    script = f"{init[shell]}\necho TAB-STARTS >/dev/null\n{line[shell]}"
    result = subprocess.run(
        [
            strace,
            "-f",
            "-qq",
            "-e",
            "trace=execve,clone,clone3,fork,vfork,write",
            "-o",
            str(trace),
            require_shell(shell),
            *flags[shell],
            "-c",
            script,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "client1" in result.stdout and "client2" in result.stdout, result.stdout
    after = trace.read_text().split("TAB-STARTS", 1)[1]
    # A new process, not a thread (fish completes on a thread of its own).
    started = [call for call in after.splitlines() if "execve(" in call or "fork(" in call or "clone" in call]
    assert not [call for call in started if "CLONE_THREAD" not in call], after


STALE = ["edited since", "an older copy put back", "the credentials file removed", "a config file created"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("change", STALE)
def test_tab_never_offers_the_names_of_files_changed_since(tmp_path: Path, shell: str, change: str) -> None:
    """The names file holds while both files keep the modification times it was made with, to the
    nanosecond; any other time (later, earlier, a file gone or new) sends Tab to the program,
    which writes the file anew."""
    from harness import PAST

    home, env = names_home(tmp_path, ["gone", "kept"])
    credentials = home / ".aws" / "credentials"
    config = home / ".aws" / "config"
    if change == "a config file created":
        config.unlink()
        home, env = names_home(tmp_path / "again", ["gone", "kept"])
        credentials, config = home / ".aws" / "credentials", home / ".aws" / "config"
        config.unlink()
        subprocess.run([str(AWSCTX_PROGRAM)], env=env, capture_output=True, check=True)
        config.write_text("[profile fresh]\n")
        os.utime(config, (PAST, PAST))
        expected = ["fresh", "gone", "kept"]
    elif change == "the credentials file removed":
        config.write_text("[profile fresh]\n")
        os.utime(config, (PAST, PAST))
        subprocess.run([str(AWSCTX_PROGRAM)], env=env, capture_output=True, check=True)
        credentials.unlink()
        expected = ["fresh"]
    else:
        # The same size, another name: only the time tells.
        credentials.write_text("[kept]\naws_access_key_id = x\n[gone]\naws_access_key_id = x\n".replace("gone", "new1"))
        when = PAST + 60 if change == "edited since" else PAST - 60
        os.utime(credentials, (when, when))
        expected = ["kept", "new1"]
    marker = tmp_path / "program"
    (offered,) = tab_in(shell, env, ["awsctx use "], marker)
    assert offered == expected
    assert marker.exists()
    marker.unlink()
    # The program wrote the names anew: the next Tab needs no program.
    assert tab_in(shell, env, ["awsctx use "], marker) == [expected]
    assert not marker.exists()


UNTRUSTED = ["owned by another user", "a symbolic link", "a FIFO", "not awsctx's", "in a folder of another user"]


@pytest.mark.parametrize(
    ("shell", "kind"),
    # bash and fish have no builtin that reads a file's mode: zsh alone refuses a file others may write to.
    [(shell, kind) for shell in ("bash", "zsh", "fish") for kind in UNTRUSTED] + [("zsh", "writable by others")],
)
def test_tab_refuses_a_names_file_it_cannot_trust(tmp_path: Path, shell: str, kind: str) -> None:
    """A names file listing a profile that does not exist, made untrustworthy: Tab asks the program,
    and offers what the files hold, never the planted name; and the program writes it anew."""
    home, env = names_home(tmp_path, ["real"])
    folder = home / ".cache" / "awsctx"
    path = folder / ("names.bash" if shell == "bash" else "names")
    first = path.read_bytes().split(b"\n", 1)[0]
    planted = b"#c 0\n#l 0\n#p 1\nplanted\n#b 0\n" if shell == "bash" else b"pplanted\n"
    path.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(first + b"\n" + planted)
    elsewhere.chmod(0o600)
    if kind == "a symbolic link":
        path.symlink_to(elsewhere)
    elif kind == "a FIFO":
        os.mkfifo(path)
    elif kind == "not awsctx's":
        path.write_bytes(b"awsctx-names 0\n" + planted)
    else:
        path.write_bytes(elsewhere.read_bytes())
        path.chmod(0o666 if kind == "writable by others" else 0o600)
    if kind == "owned by another user":
        os.chown(path, 4242, 4242)
    if kind == "in a folder of another user":
        os.chown(folder, 4242, 4242)
    try:
        marker = tmp_path / "program"
        (offered,) = tab_in(shell, env, ["awsctx use "], marker)
        assert offered == ["real"]
        assert marker.exists()
        marker.unlink()
        if kind != "in a folder of another user":  # where awsctx writes nothing
            assert tab_in(shell, env, ["awsctx use "], marker) == [["real"]]
            assert not marker.exists()
    finally:
        os.chown(folder, os.getuid(), os.getgid())


def test_the_names_files_wait_until_the_files_have_settled(tmp_path: Path) -> None:
    """As the profile cache: a file changed in the last two seconds may change again within the
    same tick of the clock unseen, so no names file is written for it yet."""
    from harness import base_env, make_home, write_aws

    home = make_home(tmp_path, seed=False)
    write_aws(home, config="[profile a]\n", credentials="")
    os.utime(home / ".aws" / "config")  # now
    subprocess.run([str(AWSCTX_PROGRAM)], env=base_env(home), capture_output=True, check=True)
    folder = home / ".cache" / "awsctx"
    assert not (folder / "names").exists() and not (folder / "names.bash").exists()
    from harness import PAST

    os.utime(home / ".aws" / "config", (PAST, PAST))
    subprocess.run([str(AWSCTX_PROGRAM)], env=base_env(home), capture_output=True, check=True)
    assert (folder / "names").exists() and (folder / "names.bash").exists()
    stamps = sorted(path.name for path in folder.glob("mtime.*"))
    assert (
        stamps
        == [
            f"mtime.{(home / '.aws' / 'config').stat().st_mtime_ns}",
            f"mtime.{(home / '.aws' / 'credentials').stat().st_mtime_ns}",
        ]
        or len(stamps) == 1
    )


def test_bash_with_nocasematch_leaves_tab_to_the_program(tmp_path: Path) -> None:
    """The names file is sorted and matched with case; nocasematch would make bash match without."""
    _, env = names_home(tmp_path, ["Team-a", "team-b"])
    marker = tmp_path / "program"
    from harness import run

    script = (
        'eval "$(declare -f __awsctx_run | sed 1s/__awsctx_run/__awsctx_real_run/)"\n'
        '__awsctx_run() { printf x >>"$TAB_MARKER"; __awsctx_real_run "$@"; }\n'
        "shopt -s nocasematch\n"
        "COMP_LINE='awsctx team'; COMP_POINT=11; __awsctx_complete awsctx team awsctx\n"
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = run("bash", script, dict(env, TAB_MARKER=str(marker)))
    assert result.stdout.split() == ["team-b"]
    assert marker.exists()
