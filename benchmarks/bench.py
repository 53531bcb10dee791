#!/usr/bin/env python3
"""How long awsctx's everyday paths take, against the cost of starting Python at all.

Every figure is taken inside one long-lived bash process that has loaded `eval "$(awsctx init bash)"`
(so bash start-up is never counted), with $EPOCHREALTIME read just before and after each call. The
baseline, `python -c pass` with the same interpreter, is timed the same way in the same rounds, the
order shuffled every round, so that machine noise weighs on both alike. Each case is compared with
that baseline: awsctx cannot cost less than one interpreter start, so the ratio is what it adds.

Throw-away homes (200 and 5,000 profiles) are written to a temporary folder removed afterwards;
HOME, XDG_CACHE_HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into them for every
command, so nothing reads the real home.

    python benchmarks/bench.py [--runs N] [--json PATH] [--python PATH] [--awsctx PATH]

Exit status 0 even when a target is missed (this is a report); 1 when a case could not run.
Standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# ---------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """One row of the report: a bash snippet timed inside the driver, in the home of `profiles` profiles.

    The snippets run inside a bash function of the driver, in this order for every timed call:
    `before` (untimed; `local` works here), `command` (timed), `check` (untimed; a non-zero status
    fails the case, and BENCH_WHY may say why). `setup` runs once, before any timing. `command` must
    succeed (status 0, pipefail on). Its stdout goes to /dev/null unless it redirects it; the last
    lines of its stderr are shown when the case fails. A failed case is not run again.

    The snippets can read, besides what the awsctx integration defines:
      BENCH_PYTHON     the interpreter of the baseline (--python)
      BENCH_AWSCTX     the awsctx program that printed the integration (--awsctx)
      BENCH_ITER       the index of this timed call (0, 1, ...; negative during warm-up)
      BENCH_OUT        a scratch file of this case
      BENCH_PROFILES   how many profile names the home holds (config and credentials merged)
      BENCH_ROLE_PROFILE / BENCH_ROLE_REGION   an assume-role (source_profile) profile and its region
      BENCH_SSO_PROFILE  / BENCH_SSO_REGION    an sso_session profile and its region
      BENCH_STATIC_PROFILE                     a profile with static keys in the credentials file
    and set BENCH_INFO to a short note shown beside the figures (e.g. how many candidates).
    HOME, XDG_CACHE_HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are set again before
    every call; a `before` snippet may override them for that call.
    """

    name: str
    profiles: int
    command: str
    setup: str = ""
    before: str = ""
    check: str = ""
    target: float | None = None  # PASS when the median is at most `target` x the baseline's median
    note: str = ""


SIZES = (200, 5000)
TAB_PREFIX = "team1"

BASELINE = Case(
    name="python -c pass",
    profiles=SIZES[0],
    command='"$BENCH_PYTHON" -c pass',
    note="the baseline",
)

# List: the shell function runs the program directly when stdout is not a terminal. Piped into
# `cat` (whose start is counted, about a millisecond): a bash builtin reader such as mapfile would
# read the pipe one byte at a time and cost more than awsctx itself.
_LIST = Case(
    name="list",
    profiles=0,
    command='awsctx | cat >"$BENCH_OUT"',
    check=(
        'mapfile -t __bench_lines <"$BENCH_OUT"\n'
        'BENCH_WHY="${#__bench_lines[@]} lines printed, $BENCH_PROFILES profiles expected"\n'
        "(( ${#__bench_lines[@]} == BENCH_PROFILES ))"
    ),
    note="piped into cat",
)

# Switch: alternate between an assume-role profile and an SSO profile, so every call changes something.
_SWITCH_BEFORE = """\
local __bench_want=$BENCH_ROLE_PROFILE __bench_region=$BENCH_ROLE_REGION
if (( BENCH_ITER % 2 )); then __bench_want=$BENCH_SSO_PROFILE __bench_region=$BENCH_SSO_REGION; fi"""
_SWITCH = Case(
    name="switch",
    profiles=0,
    before=_SWITCH_BEFORE,
    command='awsctx "$__bench_want"',
    check=(
        'BENCH_WHY="AWS_PROFILE=${AWS_PROFILE-} AWS_REGION=${AWS_REGION-}, expected $__bench_want $__bench_region"\n'
        '[[ ${AWS_PROFILE-} == "$__bench_want" && ${AWS_REGION-} == "$__bench_region" ]]'
    ),
)

# Tab: the function `complete -p awsctx` names, called as bash calls it for `awsctx team1<Tab>`.
_TAB = Case(
    name="Tab",
    profiles=0,
    setup=(
        "__bench_spec=$(complete -p awsctx 2>/dev/null) ||\n"
        "    { echo 'no completion registered for awsctx' >&2; return 1; }\n"
        '[[ $__bench_spec =~ -F\\ ([^ ]+) ]] || { echo "not a -F completion: $__bench_spec" >&2; return 1; }\n'
        "__bench_complete=${BASH_REMATCH[1]}"
    ),
    before=(
        f"local COMP_WORDS=(awsctx {TAB_PREFIX}) COMP_CWORD=1 COMP_LINE='awsctx {TAB_PREFIX}' "
        f"COMP_POINT={len('awsctx ' + TAB_PREFIX)} COMP_TYPE=9\n"
        "COMPREPLY=()"
    ),
    command=f'"$__bench_complete" awsctx {TAB_PREFIX} awsctx',
    check=(
        'BENCH_WHY="COMPREPLY holds ${#COMPREPLY[@]} words, first: ${COMPREPLY[0]-none}"\n'
        f"(( ${{#COMPREPLY[@]}} > 0 )) && [[ ${{COMPREPLY[0]}} == {TAB_PREFIX}* ]] || return 1\n"
        f'BENCH_INFO="awsctx {TAB_PREFIX}<Tab>: ${{#COMPREPLY[@]}} candidates"'
    ),
)


def _at(case: Case, profiles: int, target: float | None = None, **changes: str) -> Case:
    """A case template above (profiles=0) placed in the home of `profiles` profiles."""
    return dataclasses.replace(case, profiles=profiles, target=target, **changes)


# The report, in this order. Add new cases here (e.g. prompt render cost of 1,000 renders, a
# switch that hits the credential cache, `awsctx process` on a cache hit): a home is generated
# for every `profiles` value used; Case's docstring lists what the snippets can use.
CASES: list[Case] = [
    _at(_LIST, 200),
    _at(_LIST, 5000),
    _at(_SWITCH, 200),
    _at(_SWITCH, 5000, target=3.0),
    _at(
        _SWITCH,
        5000,
        name="switch, cold",
        before=_SWITCH_BEFORE + '\nexport XDG_CACHE_HOME="$HOME/.cache-cold"; rm -rf "$XDG_CACHE_HOME"',
        note="awsctx cache removed before each call",
    ),
    _at(_TAB, 200),
    _at(_TAB, 5000, target=3.0),
]

# ---------------------------------------------------------------------------------------------------
# Throw-away homes
# ---------------------------------------------------------------------------------------------------

_SERVICES = ("api", "data", "web", "ml", "payments", "search", "auth", "infra", "mobile", "billing")
_ENVS = ("dev", "staging", "prod", "sandbox", "qa")
_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ca-central-1")
_PROFILES_PER_TEAM = len(_SERVICES) * len(_ENVS)
# Files modified less than 2 s ago are not cached by awsctx: date them back as a user's would be.
_FILE_AGE_SECONDS = 86_400
_STATIC_PROFILES = ("default", "base", "ci-deploy", "legacy-admin")


@dataclasses.dataclass
class Home:
    profiles: int
    root: Path
    facts: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def cache_home(self) -> Path:
        return self.root / ".cache"

    def environment(self) -> dict[str, str]:
        return {
            "HOME": str(self.root),
            "XDG_CACHE_HOME": str(self.cache_home),
            "AWS_CONFIG_FILE": str(self.root / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.root / ".aws" / "credentials"),
            **self.facts,
        }


def _fake_key(index: int) -> tuple[str, str]:
    return f"AKIAEXAMPLE{index:09d}", f"{index:040d}"[-40:]


def write_home(root: Path, count: int) -> Home:
    """A home whose ~/.aws holds `count` generated profiles plus a few hand-written ones.

    Names are team<T>-<service>-<env> with 50 per team (so `team1` matches teams 1, 10-19, 100-199...).
    Four in ten assume a role from a static-key profile (prod ones with MFA), four in ten use an
    sso-session (one in ten of those the legacy sso_start_url form), two in ten set only a region.
    """
    aws = root / ".aws"
    aws.mkdir(parents=True)
    lines = [
        "# generated by benchmarks/bench.py",
        "[default]",
        "region = us-east-1",
        "output = json",
        "",
        "[profile base]",
        "region = us-east-1",
        "",
        "[sso-session corp]",
        "sso_start_url = https://corp.awsapps.com/start",
        "sso_region = us-east-1",
        "sso_registration_scopes = sso:account:access",
        "",
        "[sso-session corp-eu]",
        "sso_start_url = https://corp-eu.awsapps.com/start",
        "sso_region = eu-west-1",
        "",
    ]
    names = set(_STATIC_PROFILES)
    last: dict[str, tuple[str, str]] = {}
    for index in range(count):
        team = index // _PROFILES_PER_TEAM + 1
        service = _SERVICES[(index // len(_ENVS)) % len(_SERVICES)]
        env = _ENVS[index % len(_ENVS)]
        name = f"team{team}-{service}-{env}"
        account = f"{100_000_000_000 + index * 7919:012d}"
        region = _REGIONS[(index * 5 + team) % len(_REGIONS)]
        kind = (index * 3 + index // len(_ENVS)) % 10
        lines.append(f"[profile {name}]")
        if kind < 4:
            role = "Admin" if env != "prod" else "ReadOnly"
            lines += [f"role_arn = arn:aws:iam::{account}:role/{role}", "source_profile = base"]
            if env == "prod":
                lines.append("mfa_serial = arn:aws:iam::100000000000:mfa/user")
            if index % 3 == 0:
                lines.append("duration_seconds = 3600")
            last["ROLE"] = (name, region)
        elif kind < 8:
            if index % 10 == 4:
                lines += ["sso_start_url = https://legacy.awsapps.com/start", "sso_region = us-east-1"]
            else:
                lines.append(f"sso_session = {'corp' if index % 4 else 'corp-eu'}")
            lines += [f"sso_account_id = {account}", "sso_role_name = AdministratorAccess"]
            last["SSO"] = (name, region)
        lines += [f"region = {region}", "output = json", ""]
        names.add(name)
    (aws / "config").write_text("\n".join(lines), encoding="utf-8")

    credentials = []
    for index, name in enumerate(_STATIC_PROFILES):
        key, secret = _fake_key(index)
        credentials += [f"[{name}]", f"aws_access_key_id = {key}", f"aws_secret_access_key = {secret}", ""]
    (aws / "credentials").write_text("\n".join(credentials), encoding="utf-8")

    past = time.time() - _FILE_AGE_SECONDS
    for path in (aws / "config", aws / "credentials"):
        path.chmod(0o600)
        os.utime(path, (past, past))
    if "ROLE" not in last or "SSO" not in last:
        raise SystemExit(f"bench: {count} profiles are too few to hold both a role and an SSO profile")
    facts = {
        "BENCH_PROFILES": str(len(names)),
        "BENCH_ROLE_PROFILE": last["ROLE"][0],
        "BENCH_ROLE_REGION": last["ROLE"][1],
        "BENCH_SSO_PROFILE": last["SSO"][0],
        "BENCH_SSO_REGION": last["SSO"][1],
        "BENCH_STATIC_PROFILE": "ci-deploy",
    }
    return Home(count, root, facts)


# ---------------------------------------------------------------------------------------------------
# The bash driver
# ---------------------------------------------------------------------------------------------------

_DRIVER_HEAD = r"""
# Generated by benchmarks/bench.py. Protocol on fd 3, one line each:
#   R|W CASE ITER MICROSECONDS   a timed call (W: warm-up, not reported)
#   I CASE TEXT                  BENCH_INFO of the case's last call
#   F CASE TEXT                  the case failed (CASE -1: the driver itself)
#   E CASE TEXT                  a line of what the failed call wrote on stderr
#   N ROUND                      a round begins
exec 3>&1 1>/dev/null </dev/null
set -o pipefail
__bench_failed=()
__bench_fail() {
    (( $1 < 0 )) || __bench_failed[$1]=1
    local text="${2//$'\n'/ }"
    echo "F $1 ${text}" >&3
}
__bench_stderr() {  # the last lines the failed call of case $1 wrote on stderr
    local lines line
    mapfile -t lines <"$BENCH_SCRATCH/case$1.err"
    for line in "${lines[@]:${#lines[@]}>12?${#lines[@]}-12:0}"; do echo "E $1 $line" >&3; done
}
# Each call's stderr goes to a file of its case (opened before the clock starts), shown if it fails.
__bench_go() {
    [[ -z ${__bench_failed[$1]-} ]] || return 0
    "__bench_run_$1" "$2" 2>"$BENCH_SCRATCH/case$1.err" || __bench_stderr "$1"
}
__bench_set_up() {
    "__bench_setup_$1" 2>"$BENCH_SCRATCH/case$1.err" || { __bench_fail "$1" "its setup failed"; __bench_stderr "$1"; }
}
__bench_init=$("$BENCH_AWSCTX" init bash) || { __bench_fail -1 "\`$BENCH_AWSCTX init bash\` failed"; exit 1; }
eval "$__bench_init" || { __bench_fail -1 "the code printed by \`$BENCH_AWSCTX init bash\` failed"; exit 1; }
declare -F awsctx >/dev/null || { __bench_fail -1 "\`awsctx init bash\` defined no awsctx function"; exit 1; }
"""

_DRIVER_CASE = r"""
__bench_setup_{i}() {{
{env}
{setup}
}}
__bench_run_{i}() {{
    BENCH_ITER=$1 BENCH_INFO= BENCH_WHY=
{env}
{before}
    __bench_t0=$EPOCHREALTIME
{command}
    __bench_rc=$?
    __bench_t1=$EPOCHREALTIME
    if (( __bench_rc != 0 )); then
        __bench_fail {i} "the command exited with status $__bench_rc"
        return 1
    fi
    if ! __bench_check_{i}; then
        __bench_fail {i} "its check failed${{BENCH_WHY:+: $BENCH_WHY}}"
        return 1
    fi
    if (( $1 < 0 )); then __bench_tag=W; else __bench_tag=R; fi
    # Digits only: the same whatever the locale's decimal point.
    __bench_t0=${{__bench_t0//[!0-9]/}} __bench_t1=${{__bench_t1//[!0-9]/}}
    echo "$__bench_tag {i} $1 $(( 10#$__bench_t1 - 10#$__bench_t0 ))" >&3
    [[ -z $BENCH_INFO ]] || echo "I {i} ${{BENCH_INFO//$'\n'/ }}" >&3
}}
__bench_check_{i}() {{
{check}
}}
"""


def _indent(snippet: str) -> str:
    body = snippet.strip("\n") or ":"
    return "\n".join("    " + line for line in body.splitlines())


def _exports(variables: dict[str, str]) -> str:
    return "export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in variables.items())


def driver_script(cases: list[Case], homes: dict[int, Home], scratch: Path, runs: int, seed: int) -> str:
    parts = [_DRIVER_HEAD]
    for index, case in enumerate(cases):
        variables = {**homes[case.profiles].environment(), "BENCH_OUT": str(scratch / f"case{index}.out")}
        parts.append(
            _DRIVER_CASE.format(
                i=index,
                env=_indent(_exports(variables)),
                setup=_indent(case.setup),
                before=_indent(case.before),
                command=_indent(case.command),
                check=_indent(case.check),
            )
        )
    # Fill awsctx's parsed-config cache of every home, as any earlier call of a real user would.
    for home in homes.values():
        parts.append(
            f"( {_exports(home.environment())}; awsctx >/dev/null ) || "
            f"__bench_fail -1 'listing the {home.profiles}-profile home failed'"
        )
    for index in range(len(cases)):
        parts.append(f"__bench_set_up {index}")
    # One warm-up call of each case, then `runs` rounds, each in a new order.
    order = list(range(len(cases)))
    shuffler = random.Random(seed)
    parts.append("echo 'N -1' >&3")
    parts += [f"__bench_go {index} -1" for index in order]
    for iteration in range(runs):
        shuffler.shuffle(order)
        parts.append(f"echo 'N {iteration}' >&3")
        parts += [f"__bench_go {index} {iteration}" for index in order]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------------
# Running and reporting
# ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    case: Case
    samples_us: dict[int, int] = dataclasses.field(default_factory=dict)  # round -> microseconds
    info: str = ""
    error: str = ""
    stderr: list[str] = dataclasses.field(default_factory=list)

    def median_ms(self) -> float:
        return statistics.median(self.samples_us.values()) / 1000

    def min_ms(self) -> float:
        return min(self.samples_us.values()) / 1000

    def p90_ms(self) -> float:
        ordered = sorted(self.samples_us.values())
        return ordered[math.ceil(0.9 * len(ordered)) - 1] / 1000

    def ratio_to(self, baseline: Result) -> float:
        """The median, over rounds, of this case's time over the baseline's in the same round.

        Pairing by round cancels the machine's slow drifts (another job starting, the CPU clocking
        down) that a ratio of the two medians would keep. Both are in the --json output.
        """
        rounds = self.samples_us.keys() & baseline.samples_us.keys()
        return statistics.median(self.samples_us[r] / baseline.samples_us[r] for r in rounds)


def _driver_environment() -> dict[str, str]:
    """The caller's environment without anything that would point awsctx or bash elsewhere."""
    dropped = ("BASH_ENV", "ENV", "CDPATH", "GLOBIGNORE", "NO_COLOR")
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "AWSCTX_", "BENCH_", "COMP_", "_ARGCOMPLETE")) and name not in dropped
    }


_NOT_RUN = "not run: the driver stopped"


def run_driver(
    bash: str, script: Path, log: Path, environment: dict[str, str], results: list[Result], runs: int
) -> list[str]:
    """Run the driver, filling `results`; the driver-level errors."""
    errors: list[str] = []
    progress = sys.stderr.isatty()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [bash, "--noprofile", "--norc", str(script)],
            stdout=subprocess.PIPE,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            env=environment,
            text=True,
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                kind, _, rest = line.rstrip("\n").partition(" ")
                if kind == "N":
                    if progress:
                        round_number = int(rest) + 1
                        label = "warm-up" if round_number == 0 else f"round {round_number}/{runs}"
                        sys.stderr.write(f"\r  {label}   ")
                        sys.stderr.flush()
                    continue
                index_text, _, payload = rest.partition(" ")
                index = int(index_text)
                if kind == "F":
                    if index < 0:
                        errors.append(payload)
                    else:
                        results[index].error = payload
                elif kind == "E":
                    results[index].stderr.append(payload)
                elif kind == "I":
                    results[index].info = payload
                elif kind == "R":
                    round_text, _, microseconds = payload.partition(" ")
                    results[index].samples_us[int(round_text)] = int(microseconds)
                elif kind != "W":
                    errors.append(f"unexpected line from the driver: {line.strip()!r}")
        except BaseException:
            process.kill()
            raise
        finally:
            status = process.wait()
        if progress:
            sys.stderr.write("\r" + " " * 30 + "\r")
    if status != 0:
        errors.append(f"the bash driver exited with status {status}")
    for result in results:
        if not result.error and len(result.samples_us) != runs:
            result.error = _NOT_RUN if errors else f"{len(result.samples_us)} of {runs} calls were timed"
    return errors


def _ms(value: float) -> str:
    return f"{value:.1f}"


def verdict(result: Result, baseline: Result) -> tuple[float | None, str]:
    if result.error:
        return None, "FAILED"
    if baseline.error or not baseline.samples_us:
        return None, ""
    ratio = result.ratio_to(baseline)
    if result.case.target is None:
        return ratio, ""
    return ratio, "PASS" if ratio <= result.case.target else "MISS"


def table(results: list[Result], baseline: Result) -> str:
    header = ("case", "profiles", "median ms", "min ms", "p90 ms", "x base", "target", "result", "notes")
    rows: list[tuple[str, ...]] = []
    for result in results:
        case = result.case
        ratio, status = verdict(result, baseline)
        notes = "; ".join(part for part in (case.note, result.info) if part) if not result.error else "see below"
        timed = bool(result.samples_us) and not result.error
        rows.append(
            (
                case.name,
                "-" if case is BASELINE else f"{case.profiles:,}",
                _ms(result.median_ms()) if timed else "-",
                _ms(result.min_ms()) if timed else "-",
                _ms(result.p90_ms()) if timed else "-",
                f"{ratio:.2f}" if ratio is not None else "-",
                f"<= {case.target:g}x" if case.target is not None else "",
                status,
                notes,
            )
        )
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    right = {1, 2, 3, 4, 5}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths[:-1])
    return "\n".join([line(header), rule, *[line(row) for row in rows]])


def _version(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (completed.stdout or completed.stderr).strip().splitlines()[0]


def _default_awsctx(python: str) -> str | None:
    beside = Path(python).parent / "awsctx"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("awsctx")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time awsctx's list, switch and Tab inside bash, against `python -c pass`."
    )
    parser.add_argument("--runs", type=int, default=30, help="timed calls of each case (default 30)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter of the baseline (default: the one running this)"
    )
    parser.add_argument("--awsctx", help="the awsctx program (default: beside --python, else on PATH)")
    parser.add_argument("--bash", default=shutil.which("bash") or "bash", help="bash to run the driver with")
    parser.add_argument("--seed", type=int, default=1, help="seed of the order of calls within a round")
    parser.add_argument("--keep", action="store_true", help="keep the generated homes and driver; print where")
    arguments = parser.parse_args(argv)
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    arguments.awsctx = arguments.awsctx or _default_awsctx(arguments.python)
    if not arguments.awsctx:
        parser.error("no awsctx program found beside --python or on PATH; name it with --awsctx")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    cases = [BASELINE, *CASES]
    results = [Result(case) for case in cases]
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="awsctx-bench-"))
    try:
        homes = {size: write_home(folder / f"home{size}", size) for size in sorted({c.profiles for c in cases})}
        scratch = folder / "scratch"
        scratch.mkdir()
        script = folder / "driver.bash"
        script.write_text(driver_script(cases, homes, scratch, arguments.runs, arguments.seed), encoding="utf-8")
        environment = {
            **_driver_environment(),
            "BENCH_PYTHON": arguments.python,
            "BENCH_AWSCTX": arguments.awsctx,
            "BENCH_SCRATCH": str(scratch),
        }
        log = folder / "driver.log"
        print(f"awsctx benchmark: {arguments.runs} rounds of {len(cases)} calls in one bash driver", file=sys.stderr)
        errors = run_driver(arguments.bash, script, log, environment, results, arguments.runs)
        cold_homes = [str(h.profiles) for h in homes.values() if not any((h.cache_home / "awsctx").glob("*"))]
        log_tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
    finally:
        if arguments.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    elapsed = time.monotonic() - started

    baseline = results[0]
    interpreter = _version([arguments.python, "-c", "import sys; print(sys.version.split()[0])"])
    bash_version = _version([arguments.bash, "-c", 'echo "$BASH_VERSION"'])
    awsctx_version = _version([arguments.awsctx, "--version"])
    print(f"{awsctx_version} ({arguments.awsctx}) | Python {interpreter} ({arguments.python}) | bash {bash_version}")
    print(f"{os.cpu_count()} CPUs | {arguments.runs} runs | {elapsed:.0f} s")
    print()
    print(table(results, baseline))
    print()
    print("x base: median over the rounds of (the case's time / the time of `python -c pass` in that round).")
    print("PASS when x base <= target.")
    if cold_homes and not errors:
        print(f"warning: awsctx cached nothing for the {', '.join(cold_homes)}-profile home(s): warm figures are cold")
    failed = any(result.error for result in results) or bool(errors)
    for result in results:
        if result.error and result.error != _NOT_RUN:
            print(f"FAILED {result.case.name} ({result.case.profiles:,} profiles): {result.error}")
            print("".join(f"  | {line}\n" for line in result.stderr), end="")
    for error in errors:
        print(f"error: {error}")
    if errors and log_tail:
        print("last lines of the driver's stderr:")
        print("".join(f"  | {line}\n" for line in log_tail), end="")

    if arguments.json:
        report = {
            "awsctx": arguments.awsctx,
            "python": arguments.python,
            "python_version": interpreter,
            "bash_version": bash_version,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "runs": arguments.runs,
            "seed": arguments.seed,
            "seconds": round(elapsed, 1),
            "errors": errors,
            "cases": [],
        }
        for result in results:
            ratio, status = verdict(result, baseline)
            timed = bool(result.samples_us)
            plain_ratio = result.median_ms() / baseline.median_ms() if timed and baseline.samples_us else None
            report["cases"].append(
                {
                    "name": result.case.name,
                    "baseline": result.case is BASELINE,
                    "profiles": result.case.profiles,
                    "median_ms": round(result.median_ms(), 3) if timed else None,
                    "min_ms": round(result.min_ms(), 3) if timed else None,
                    "p90_ms": round(result.p90_ms(), 3) if timed else None,
                    "ratio": round(ratio, 3) if ratio is not None else None,
                    "ratio_of_medians": round(plain_ratio, 3) if plain_ratio is not None else None,
                    "target": result.case.target,
                    "status": status or None,
                    "info": result.info or None,
                    "error": result.error or None,
                    "stderr": result.stderr or None,
                    "samples_us": [result.samples_us[r] for r in sorted(result.samples_us)],
                }
            )
        Path(arguments.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
