#!/usr/bin/env python3
"""What the awsctx prompt segment adds to every prompt, in bash, zsh and fish.

One long-lived shell per language loads `awsctx init SHELL` and times, with its own clock, batches
of renders: "none" expands the user's prompt alone (the shell without the segment); "segment" runs
the segment's prompt hook and expands the prompt that holds it, as the shell does before each
prompt. The batches alternate, round after round, so that machine noise weighs on both alike.
What the segment adds per render: the median over the rounds of (segment - none) / renders, timed
as the batches' time running (the wall clock less the time the shell waited for a CPU, from the
kernel's scheduler statistics), which other work on a shared machine does not inflate; the wall
clock alone is shown beside it. "hook" calls the integration's prompt hook directly rather than as
the shell does (one hook in both: the per-folder profile, the MFA refresh, then the segment).
"update" is the render after a change (a switch, a new minute of time left): the hook's full path,
timed by making every render see a change; informative. No render may start a process
(tests/test_prompt.py proves it with strace); this measures the builtins' cost.

"cd, 12 deep" is a `cd` between two folders 12 levels deep with no `.awsctx` above them, then the
prompt: "none" without the integration's hooks, "segment" with them (the folder hook walks up the 13
folders looking for a `.awsctx`, with builtins); "prompt, 12 deep" is a prompt there without a `cd`.

The variables a switch exports are set by hand (client2 of the seed set-up), so no Python runs
while timing. fish has no clock of its own: its figure comes from whole `fish -c` runs and is
coarser. Standard library only; bench.py runs it after its own table.

    python benchmarks/prompt_bench.py [--renders N] [--rounds N] [--shells bash,zsh,fish] [--json PATH] [--strict]

A shell asked for but not installed is reported as a miss. Exit status 0 even when a target is
missed (this is a report); 3 with --strict on any miss; 2 for bad options.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Per render in bash and zsh: every hook of the integration together.
TARGET_US = 20.0
# Per `cd` and the prompt after it, where the folder hook looks for a .awsctx in 13 folders: no
# process, and a small fraction of the millisecond or more that starting any process costs.
CD_TARGET_US = 200.0

# What `awsctx client2` exports for the seed set-up, and what the credentials work adds.
ACTIVE = {
    "AWS_PROFILE": "client2",
    "AWS_REGION": "ca-central-1",
    "AWS_DEFAULT_REGION": "ca-central-1",
    "AWSCTX_PROFILE": "client2",
    "AWSCTX_ACCOUNT_ID": "123456",
}
EVERYTHING = {
    **ACTIVE,
    "AWSCTX_ACCOUNT_ALIAS": "acme-prod",
    "AWSCTX_EXPIRATION": str(int(time.time()) + 3000),
    "AWSCTX_COLOR": "ffaa22",
    "AWSCTX_PROD": "1",
}
# A role whose credentials an MFA session renews: due for a refresh in 50 minutes (the file the
# refresh writes, which the driver names, says the same).
REFRESH_AT = int(time.time()) + 3000
MFA_ROLE = {**ACTIVE, "AWSCTX_EXPIRATION": str(REFRESH_AT + 1500), "AWSCTX_REFRESH_AT": str(REFRESH_AT)}
# (label, exported variables): no profile (the segment is empty), a profile, every path of the render,
# and the MFA refresh's comparison.
STATES = [
    ("no profile", {}),
    ("client2", ACTIVE),
    ("client2, expiry+colour+prod", EVERYTHING),
    ("client2, MFA session", MFA_ROLE),
]
# Rows of the folder hook (client2 active): a `cd` and a prompt, DEPTH folders down, no .awsctx above.
DEPTH = 12
FOLDER_ROWS = {"cd": f"cd, {DEPTH} deep, no .awsctx", "deep": f"prompt, {DEPTH} deep"}

USER_PS1 = {"bash": r"\u@\h:\w\$ ", "zsh": "%n@%m:%~%# "}

# Each driver prints one line a batch: `R STATE KIND ROUND WALL_US WAITED_US`, KIND being none, segment
# or update (followed by :MODE in zsh, whose prompt_subst changes how PS1 is expanded).
_BASH = r"""
set -o pipefail
PROMPT_COMMAND=
eval "$("$BENCH_AWSCTX" init bash)" || exit 1
__awsctx_refresh_file=$BENCH_REFRESH_FILE
# Wall clock, and time spent waiting for a CPU while runnable (kernel scheduler statistics, exact
# as of the last time this shell got the CPU back), in us.
__bench_clock() {
    local cpu waited=-1000 rest
    [[ ! -r /proc/$$/schedstat ]] || read -r cpu waited rest </proc/$$/schedstat
    __bench_wall=${EPOCHREALTIME/[.,]/} __bench_waited=$((waited / 1000))
}
__bench_report() {  # $1 state, $2 kind, $3 round; prints the batch's wall time and its time waited
    local t0=$__bench_wall w0=$__bench_waited
    __bench_clock
    echo "R $1 $2 $3 $((__bench_wall - t0)) $((w0 < 0 ? -1 : __bench_waited - w0))"
}
__bench_batch() {  # $1 state, $2 round; the caller exported the variables of state $1
    local i __x
    PS1=$__bench_user_ps1
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __x=${PS1@P}; done
    __bench_report "$1" none "$2"
    eval "$PROMPT_COMMAND"  # places the segment in PS1, as the first prompt does
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do eval "$PROMPT_COMMAND"; __x=${PS1@P}; done
    __bench_report "$1" segment "$2"
    [[ $__x == *"${AWS_PROFILE-}"* ]] || { echo "F $1 the prompt lacks the profile: $__x"; exit 1; }
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __awsctx_prompt_hook; __x=${PS1@P}; done
    __bench_report "$1" hook "$2"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __awsctx_prompt_key=''; eval "$PROMPT_COMMAND"; __x=${PS1@P}; done
    __bench_report "$1" update "$2"
}
__bench_cd_batch() {  # $1 round: cd back and forth between two deep folders, then a prompt there
    local i __x
    PS1=$__bench_user_ps1
    cd "$BENCH_DEEP_B" && eval "$PROMPT_COMMAND"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i += 2)); do
        cd "$BENCH_DEEP_A"; __x=${PS1@P}; cd "$BENCH_DEEP_B"; __x=${PS1@P}
    done
    __bench_report cd none "$1"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i += 2)); do
        cd "$BENCH_DEEP_A"; eval "$PROMPT_COMMAND"; __x=${PS1@P}
        cd "$BENCH_DEEP_B"; eval "$PROMPT_COMMAND"; __x=${PS1@P}
    done
    __bench_report cd segment "$1"
    [[ -z $__awsctx_folders_on || $__awsctx_folder_pwd == "$PWD" ]] || { echo "F cd the hook did not run"; exit 1; }
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __x=${PS1@P}; done
    __bench_report deep none "$1"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do eval "$PROMPT_COMMAND"; __x=${PS1@P}; done
    __bench_report deep segment "$1"
}
"""

_ZSH = r"""
zmodload zsh/datetime zsh/mathfunc
compdef() { : }  # as after compinit: the integration registers its completion at once, not at a prompt
eval "$("$BENCH_AWSCTX" init zsh)" || exit 1
__awsctx_refresh_file=$BENCH_REFRESH_FILE
# What zsh runs before a prompt: every precmd function (the integration's hooks), each called as
# zsh calls it, directly. An alias, so that timing it adds no function call of the benchmark's own.
(( ${#precmd_functions} )) || { echo "F init registered no precmd function"; exit 1 }
alias __bench_hooks="${(j:; :)precmd_functions}"

# Wall clock, and time spent waiting for a CPU while runnable (kernel scheduler statistics, exact
# as of the last time this shell got the CPU back), in us.
__bench_clock() {
    local cpu waited=-1000 rest
    [[ ! -r /proc/$$/schedstat ]] || read -r cpu waited rest </proc/$$/schedstat
    __bench_wall=$(( int(EPOCHREALTIME * 1000000) )) __bench_waited=$((waited / 1000))
}
__bench_report() {  # $1 state, $2 kind, $3 round; prints the batch's wall time and its time waited
    local t0=$__bench_wall w0=$__bench_waited
    __bench_clock
    echo "R $1 $2 $3 $((__bench_wall - t0)) $((w0 < 0 ? -1 : __bench_waited - w0))"
}
__bench_batch() {  # $1 state, $2 round, $3 prompt_subst or no_prompt_subst
    local i __x mode=$3
    setopt $mode
    PS1=$__bench_user_ps1
    __bench_clock
    if [[ $mode == prompt_subst ]]; then
        for ((i = 0; i < BENCH_RENDERS; i++)); do __x=${(%)${(e)PS1}}; done
    else
        for ((i = 0; i < BENCH_RENDERS; i++)); do __x=${(%)PS1}; done
    fi
    __bench_report "$1" none:$mode "$2"
    __bench_hooks  # places the segment in PS1, as the first prompt does
    __bench_clock
    if [[ $mode == prompt_subst ]]; then
        for ((i = 0; i < BENCH_RENDERS; i++)); do __bench_hooks; __x=${(%)${(e)PS1}}; done
    else
        for ((i = 0; i < BENCH_RENDERS; i++)); do __bench_hooks; __x=${(%)PS1}; done
    fi
    __bench_report "$1" segment:$mode "$2"
    [[ $__x == *"${AWS_PROFILE-}"* ]] || { echo "F $1 the prompt lacks the profile: $__x"; exit 1; }
    __bench_clock
    if [[ $mode == prompt_subst ]]; then
        for ((i = 0; i < BENCH_RENDERS; i++)); do __awsctx_prompt_hook; __x=${(%)${(e)PS1}}; done
    else
        for ((i = 0; i < BENCH_RENDERS; i++)); do __awsctx_prompt_hook; __x=${(%)PS1}; done
    fi
    __bench_report "$1" hook:$mode "$2"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __awsctx_prompt_key=''; __bench_hooks; __x=${(%)PS1}; done
    __bench_report "$1" update:$mode "$2"
}
__bench_cd_batch() {  # $1 round: cd back and forth between two deep folders, then a prompt there
    local i __x
    setopt no_prompt_subst
    PS1=$__bench_user_ps1
    cd "$BENCH_DEEP_B" && __bench_hooks
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i += 2)); do
        cd "$BENCH_DEEP_A"; __x=${(%)PS1}; cd "$BENCH_DEEP_B"; __x=${(%)PS1}
    done
    __bench_report cd none "$1"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i += 2)); do
        cd "$BENCH_DEEP_A"; __bench_hooks; __x=${(%)PS1}
        cd "$BENCH_DEEP_B"; __bench_hooks; __x=${(%)PS1}
    done
    __bench_report cd segment "$1"
    [[ -z $__awsctx_folders_on || $__awsctx_folder_pwd == "$PWD" ]] || { echo "F cd the hook did not run"; exit 1; }
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __x=${(%)PS1}; done
    __bench_report deep none "$1"
    __bench_clock
    for ((i = 0; i < BENCH_RENDERS; i++)); do __bench_hooks; __x=${(%)PS1}; done
    __bench_report deep segment "$1"
}
"""


def _exports(variables: dict[str, str]) -> str:
    """Shell code giving the environment of one state (the same in bash and zsh)."""
    unset = f"unset {' '.join(EVERYTHING | MFA_ROLE)}"
    sets = " ".join(f"{name}='{value}'" for name, value in variables.items())
    return unset + (f"; export {sets}" if sets else "")


def driver(shell: str, rounds: int) -> str:
    parts = [_BASH if shell == "bash" else _ZSH, f"__bench_user_ps1='{USER_PS1[shell]}'"]
    modes = [""] if shell == "bash" else ["no_prompt_subst", "prompt_subst"]
    for round_number in range(-1, rounds):  # round -1 warms up
        for index, (_, variables) in enumerate(STATES):
            for mode in modes:
                parts.append(f"{_exports(variables)}; __bench_batch {index} {round_number} {mode}".rstrip())
        parts.append(f"{_exports(ACTIVE)}; __bench_cd_batch {round_number}; cd /")
    return "\n".join(parts) + "\n"


def deep_folders(root: Path) -> tuple[Path, Path]:
    """Two folders DEPTH levels below / (their paths have DEPTH parts), under ROOT, no .awsctx above."""
    made = []
    for side in ("a", "b"):
        folder = root / side
        while len(folder.parts) - 1 < DEPTH:
            folder = folder / f"{len(folder.parts)}"
        if len(folder.parts) - 1 != DEPTH:
            raise SystemExit(f"prompt benchmark: {root} is more than {DEPTH} folders deep")
        folder.mkdir(parents=True)
        made.append(folder)
    for parent in made[0].parents:
        if (parent / ".awsctx").exists():
            raise SystemExit(f"prompt benchmark: {parent / '.awsctx'} would make the cd rows time a switch")
    return made[0], made[1]


class Row:
    """The batches of one state (and zsh mode): (wall, running) microseconds per batch, by kind and round."""

    def __init__(self, shell: str, label: str, renders: int) -> None:
        self.shell, self.label, self.renders = shell, label, renders
        self.batches: dict[str, dict[int, tuple[int, int]]] = {"none": {}, "segment": {}, "hook": {}, "update": {}}

    @property
    def clock(self) -> int:
        """1 (time running) when every batch has it, else 0 (the wall clock)."""
        return int(all(running >= 0 for batches in self.batches.values() for _, running in batches.values()))

    def per_render(self, kind: str, clock: int | None = None) -> float:
        clock = self.clock if clock is None else clock
        return statistics.median(times[clock] for times in self.batches[kind].values()) / self.renders

    def added(self, kind: str = "segment", clock: int | None = None) -> float:
        """The median over the rounds of (KIND's batch - none's batch) / renders."""
        clock = self.clock if clock is None else clock
        none, other = self.batches["none"], self.batches[kind]
        return statistics.median((other[r][clock] - none[r][clock]) / self.renders for r in other.keys() & none.keys())


def run_shell(shell: str, awsctx: str, renders: int, rounds: int, folder: Path) -> list[Row]:
    deep_a, deep_b = deep_folders(folder / f"deep-{shell}")
    script = folder / f"driver.{shell}"
    script.write_text(driver(shell, rounds), encoding="utf-8")
    refresh_file = folder / "refresh-state"
    refresh_file.write_text(f"{MFA_ROLE['AWSCTX_REFRESH_AT']} {MFA_ROLE['AWSCTX_EXPIRATION']}\n", encoding="utf-8")
    argv = [shell, "--noprofile", "--norc", str(script)] if shell == "bash" else [shell, "-f", str(script)]
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "BENCH_AWSCTX": awsctx,
        "BENCH_RENDERS": str(renders),
        "BENCH_DEEP_A": str(deep_a),
        "BENCH_DEEP_B": str(deep_b),
        "BENCH_REFRESH_FILE": str(refresh_file),
    }
    completed = subprocess.run(argv, capture_output=True, text=True, env=environment, timeout=900)
    rows: dict[str, Row] = {}
    for line in completed.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind != "R":
            raise SystemExit(f"prompt benchmark: {shell}: {line}")
        state, batch, round_text, wall, waited = rest.split(" ")
        if int(round_text) < 0:
            continue
        batch_kind, _, mode = batch.partition(":")
        name = FOLDER_ROWS[state] if state in FOLDER_ROWS else STATES[int(state)][0]
        label = name + (f" ({mode.replace('_', ' ')})" if mode else "")
        row = rows.setdefault(label, Row(shell, label, renders))
        # Time running: the wall clock less the time the shell waited for a CPU (-1: not known).
        running = int(wall) - int(waited) if int(waited) >= 0 else -1
        row.batches[batch_kind][int(round_text)] = (int(wall), running)
    if completed.returncode != 0 or not rows:
        raise SystemExit(f"prompt benchmark: the {shell} driver failed: {completed.stderr.strip()[-2000:]}")
    return list(rows.values())


def run_fish(awsctx: str, renders: int, rounds: int, folder: Path) -> list[Row]:
    """fish: whole `fish -c` runs with and without the renders; their difference per render."""
    fish = shutil.which("fish")
    assert fish, "main() leaves out a shell that is not installed"
    load = f"'{awsctx}' init fish | source; function __bench_user; printf '%s@%s ' $USER $hostname; end"
    loop = f"for i in (seq {renders});"
    scripts = {
        "none": f"{load}; {loop} __bench_user >/dev/null; end",
        "segment": f"{load}; {loop} emit fish_prompt; __awsctx_prompt_print >/dev/null; __bench_user >/dev/null; end",
        "update": f"{load}; {loop} set __awsctx_prompt_key; emit fish_prompt; __awsctx_prompt_print >/dev/null; "
        "__bench_user >/dev/null; end",
    }
    rows = []
    for label, variables in STATES:
        row = Row("fish", label, renders)
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), **variables}
        for round_number in range(rounds):
            for kind, script in scripts.items():
                started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([fish, "--no-config", "--private", "-c", script], env=environment, check=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                # A whole process: its CPU time stands for the time running.
                cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                row.batches[kind][round_number] = (int((time.perf_counter() - started) * 1e6), int(cpu * 1e6))
        rows.append(row)
    deep_a, deep_b = deep_folders(folder / "deep-fish")
    half = f"for i in (seq {renders // 2});"
    cd_scripts = {
        "none": f"{load}; {half} cd '{deep_a}'; __bench_user >/dev/null; cd '{deep_b}'; __bench_user >/dev/null; end",
        "segment": f"{load}; {half} cd '{deep_a}'; emit fish_prompt; __awsctx_prompt_print >/dev/null; "
        f"__bench_user >/dev/null; cd '{deep_b}'; emit fish_prompt; __awsctx_prompt_print >/dev/null; "
        "__bench_user >/dev/null; end",
    }
    row = Row("fish", FOLDER_ROWS["cd"], renders)
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), **ACTIVE}
    for round_number in range(rounds):
        for kind, script in cd_scripts.items():
            started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([fish, "--no-config", "--private", "-c", script], env=environment, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            row.batches[kind][round_number] = (int((time.perf_counter() - started) * 1e6), int(cpu * 1e6))
    rows.append(row)
    return rows


def verdict_of(row: Row) -> str:
    """PASS or MISS against the targets in bash and zsh; fish's coarse figure is informative."""
    if row.shell not in ("bash", "zsh"):
        return ""
    if row.label == FOLDER_ROWS["cd"]:
        return "PASS" if row.added() <= CD_TARGET_US else "MISS"
    return "PASS" if row.added() <= TARGET_US else "MISS"


def report(rows: list[Row], renders: int, rounds: int) -> str:
    header = ("shell", "state", "clock", "none us", "added us", "added us (wall)", "hook us", "update us", "result")
    lines = []
    for row in rows:
        added = row.added()
        verdict = verdict_of(row)
        lines.append(
            (
                row.shell,
                row.label,
                ("wall", "running")[row.clock],
                f"{row.per_render('none'):.1f}" if row.shell != "fish" else "-",
                f"{added:.1f}",
                f"{row.added(clock=0):.1f}",
                f"{row.added('hook'):.1f}" if row.batches["hook"] else "-",
                f"{row.added('update'):.1f}" if row.batches["update"] else "-",
                verdict,
            )
        )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def format_line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) if i < 3 else cell.rjust(width) for i, (cell, width) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join(
        [
            f"Prompt segment: what it adds per render (median of {rounds} rounds of {renders:,} renders)",
            "",
            format_line(header),
            "  ".join("-" * width for width in widths),
            *(format_line(line) for line in lines),
            "",
            f"Target, per render in bash and zsh: at most {TARGET_US:g} us for every hook of the integration"
            f" (added us; {CD_TARGET_US:g} us",
            "for a cd and its prompt); fish is informative (whole runs). added us: every hook the shell runs",
            "before a prompt, as it runs them; hook us: __awsctx_prompt_hook called directly.",
            "running: the wall clock less the time the shell waited for a CPU (/proc/PID/schedstat), which other",
            "work on the machine would add; wall: the wall clock alone. update: a render after a change (a",
            "switch, a new minute of time left).",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the awsctx prompt segment against the prompt alone.")
    parser.add_argument("--renders", type=int, default=1000, help="renders per batch (default 1000)")
    parser.add_argument("--rounds", type=int, default=15, help="batches of each kind (default 15)")
    parser.add_argument("--awsctx", help="the awsctx program (default: beside this Python, else on PATH)")
    parser.add_argument("--json", metavar="PATH", help="also write the batches' times to PATH")
    parser.add_argument("--shells", default="bash,zsh,fish", help="comma-separated (default bash,zsh,fish)")
    parser.add_argument(
        "--strict", action="store_true", help="exit 3 on any miss: a target missed or a shell not installed"
    )
    arguments = parser.parse_args(argv)
    beside = Path(sys.executable).parent / "awsctx"
    awsctx = arguments.awsctx or (str(beside) if beside.exists() else shutil.which("awsctx"))
    if not awsctx:
        parser.error("no awsctx program found beside this Python or on PATH; name it with --awsctx")
    shells = arguments.shells.split(",")
    unknown = sorted(set(shells) - {"bash", "zsh", "fish"})
    if unknown:
        parser.error(f"--shells: not one of bash, zsh, fish: {', '.join(unknown)}")
    # A shell asked for but not installed is reported, never silently left out.
    missing = [shell for shell in shells if not shutil.which(shell)]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="awsctx-prompt-bench-") as scratch:
        folder = Path(scratch)
        for shell in ("bash", "zsh"):
            if shell in shells and shell not in missing:
                rows += run_shell(shell, awsctx, arguments.renders, arguments.rounds, folder)
        if "fish" in shells and "fish" not in missing:
            rows += run_fish(awsctx, arguments.renders, max(3, arguments.rounds // 3), folder)
    print(report(rows, arguments.renders, arguments.rounds))
    for shell in missing:
        print(f"MISS {shell}: not measured, {shell} is not installed")
    if arguments.json:
        data = [
            {"shell": row.shell, "state": row.label, "renders": row.renders, "wall_running_us": row.batches}
            for row in rows
        ]
        Path(arguments.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    # A report: a miss is shown, not an error (as bench.py), unless --strict; a failed run exited above.
    missed = [f"{row.shell} {row.label}" for row in rows if verdict_of(row) == "MISS"] + missing
    if arguments.strict and missed:
        print(f"--strict: missed: {', '.join(missed)}")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
