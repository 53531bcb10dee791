"""Hostile profile names and regions are data, never code: in switch and completion, in every shell.

Each case writes a profile whose name holds shell syntax (command substitution, quotes, globs,
comments, tilde, zsh's `=cmd` and `%` escapes, ANSI bytes), then in bash, zsh and fish: switches
to it by name, switches to it again by the word Tab would insert (Tab answered from the names file
with the program out of reach, then by the program with the file removed), and tries a hostile region. Every
fragment is tried once in a name and once in a region; Hypothesis then mixes fragments with
ordinary text. The payloads all create one marker file, which must never appear.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from harness import SHELLS, base_env, dump, make_home, run, write_aws
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FRAGMENTS = [
    "$(touch {marker})",
    "`touch {marker}`",
    ";touch {marker};",
    "|touch {marker}",
    "&& touch {marker}",
    "$HOME",
    "${{HOME}}",
    "'",
    '"',
    "\\",
    "\\n",
    "%F{{red}}",
    "%",
    "*",
    "?",
    "~",
    "~root",
    "{{a,b}}",
    "!",
    "!!",
    "#",
    "=ls",
    "^",
    " ",
    "\t",
    "\x1b[31m",
    "é",
    "日本",
    "@",
    "+",
    ".",
    "/",
    ":",
    "=",
]
PLAIN = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="[]"), max_size=4)


def hostile_name(marker: Path) -> st.SearchStrategy[str]:
    pieces = st.lists(st.one_of(st.sampled_from(FRAGMENTS).map(lambda f: f.format(marker=marker)), PLAIN), min_size=1)
    return (
        pieces.map("".join)
        # What an INI section header can hold as a name (the credentials file takes names literally).
        .filter(lambda name: name == name.strip() and name and name != "DEFAULT" and not name.startswith("-"))
    )


def completion_then_switch(shell: str) -> str:
    """Ask the shell's completion for `awsctx use <Tab>`, then run the line as Enter would."""
    if shell == "bash":
        return (
            'COMP_LINE="awsctx use "; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(awsctx use ""); COMP_CWORD=2\n'
            "__awsctx_complete awsctx '' use\n"
            '[ "${#COMPREPLY[@]}" -eq 1 ] || echo "candidates: ${#COMPREPLY[@]}"\n'
            'eval "awsctx use ${COMPREPLY[0]}"'
        )
    if shell == "zsh":
        # Outside a completion widget `_wanted` and `_describe` do not exist: stand in for them and
        # take the names the glue hands compadd, which inserts them quoted as `(q)` quotes.
        return (
            "__taken=()\n"
            '_wanted() { __taken+=("${(@P)${@[-1]}}"); }\n'
            '_describe() { __taken+=("${(@P)4}"); }\n'
            "words=(awsctx use ''); CURRENT=3\n"
            "__awsctx_complete\n"
            '(( ${#__taken} == 1 )) || echo "candidates: ${#__taken}"\n'
            'eval "awsctx use ${(q)__taken[1]}"'
        )
    # fish hides candidates that start with `.` until one is typed (as with dotfiles).
    return (
        "set -l typed ''; string match -q '.*' -- $HOSTILE; and set typed .\n"
        'set -l found (complete -C "awsctx use $typed")\n'
        'test (count $found) -eq 1; or echo "candidates: "(count $found)\n'
        "set -l word (string split -m1 \\t -- $found[1])[1]\n"
        'eval "awsctx use "(string escape -- $word)'
    )


def without_the_program(shell: str, script: str) -> str:
    """`script` with the program replaced by one that leaves a mark: Tab must not start it."""
    if shell == "bash":
        return "\n".join(
            [
                "__saved_run=$(declare -f __awsctx_run)",
                '__awsctx_run() { printf x >>"$TAB_MARKER"; return 1; }',
                script.replace("\neval ", '\neval "$__saved_run"\neval ', 1),
            ]
        )
    if shell == "zsh":
        return "\n".join(
            [
                "functions -c __awsctx_run __saved_run",
                '__awsctx_run() { printf x >>"$TAB_MARKER"; return 1; }',
                script.replace("\neval ", "\nfunctions -c __saved_run __awsctx_run\neval ", 1),
            ]
        )
    return "\n".join(
        [
            "functions -c __awsctx_run __saved_run",
            "function __awsctx_run; printf x >>$TAB_MARKER; return 1; end",
            script.replace("\neval ", "\nfunctions -e __awsctx_run; functions -c __saved_run __awsctx_run\neval ", 1),
        ]
    )


def without_the_names_files(shell: str) -> str:
    """Tab then asks the program, as it does whenever the files are missing or stale."""
    files = '"$XDG_CACHE_HOME"/awsctx/names "$XDG_CACHE_HOME"/awsctx/names.bash'
    return f"command rm -f {files.replace(chr(34), '') if shell == 'fish' else files}"


def assert_data_in_every_shell(root: Path, marker: Path, name: str, region: str) -> None:
    """In bash, zsh and fish: switch to `name` by name, then by the word Tab would insert, then try
    `region`; nothing runs, the profile is switched to literally, the region is refused."""
    home = make_home(root, seed=False)
    write_aws(home, config="", credentials=f"[{name}]\naws_access_key_id = AKIAEXAMPLE\n")
    env = dict(base_env(home), HOSTILE=name, HOSTILE_REGION=region)
    for shell in SHELLS:
        by_name = 'awsctx use -- "$HOSTILE"' if shell != "fish" else "awsctx use -- $HOSTILE"
        bad_region = 'awsctx -r "$HOSTILE_REGION" --force' if shell != "fish" else "awsctx -r $HOSTILE_REGION --force"
        script = "\n".join(
            [
                by_name,
                dump("switched"),
                "awsctx -u",
                # From the names file awsctx wrote when it read the config: no program starts.
                without_the_program(shell, completion_then_switch(shell)),
                dump("completed"),
                "awsctx -u",
                # And from the program, when the names file is missing.
                without_the_names_files(shell),
                completion_then_switch(shell),
                dump("by-the-program"),
                bad_region,
                dump("region"),
            ]
        )
        tab_marker = root / f"tab-started-the-program-{shell}"
        result = run(shell, script, dict(env, TAB_MARKER=str(tab_marker)))
        assert not marker.exists(), (shell, name)
        assert not tab_marker.exists(), (shell, "Tab on a profile name started the program", result.stderr)
        assert result.aws("switched").get("AWS_PROFILE") == name, (shell, result.stderr)
        if shell == "fish" and "\t" in name:
            # fish cannot insert a tab from a completion (it starts a description): no candidate
            # at all beats a candidate cut short.
            assert result.output.count("candidates: 0") == 2
        else:
            assert "candidates:" not in result.output, (shell, result.output)
            assert result.aws("completed").get("AWS_PROFILE") == name, (shell, result.stderr)
            assert result.aws("by-the-program").get("AWS_PROFILE") == name, (shell, result.stderr)
        assert "not a region name" in result.stderr, (shell, region)
        assert result.envs["region"] == result.envs["by-the-program"]


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=[ascii(f) for f in FRAGMENTS])
def test_every_fragment_is_data_in_a_name_and_in_a_region(tmp_path: Path, fragment: str) -> None:
    """Each fragment once, at both ends of a name (where `~`, `=`, `#` mean most) and after a region."""
    marker = tmp_path / "pwned"
    payload = fragment.format(marker=marker)
    # Blanks cannot end a name (section headers are stripped): those go in the middle.
    name = f"{payload}x{payload}" if payload.strip() == payload else f"x{payload}x"
    assert_data_in_every_shell(tmp_path, marker, name, "us-east-1" + payload)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_names_are_data_in_every_shell(tmp_path_factory, data: st.DataObject) -> None:
    """Fragments and plain text combined, as no fixed list would."""
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "pwned"
    name = data.draw(hostile_name(marker), label="name")
    region = data.draw(st.sampled_from(FRAGMENTS).map(lambda f: "us-east-1" + f.format(marker=marker)), label="region")
    assert_data_in_every_shell(root, marker, name, region)
    shutil.rmtree(root)


def test_a_profile_named_like_a_payload_switches_literally(tmp_path: Path) -> None:
    """One fixed example, readable on failure, through the config file's quoted-name syntax."""
    marker = tmp_path / "pwned"
    home = make_home(tmp_path, seed=False)
    name = f"x$(touch {marker}) `touch {marker}` it's"
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    write_aws(home, config=f'[profile "{escaped}"]\nregion = eu-west-1\n', credentials="")
    env = dict(base_env(home), HOSTILE=name)
    for shell in SHELLS:
        switch = 'awsctx use -- "$HOSTILE"' if shell != "fish" else "awsctx use -- $HOSTILE"
        result = run(shell, f"{switch}\n{dump('after')}", env)
        assert result.aws("after").get("AWS_PROFILE") == name, result.stderr
        assert result.aws("after").get("AWS_REGION") == "eu-west-1"
    assert not marker.exists()
