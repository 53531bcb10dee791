"""Drive real bash, zsh and fish processes with the awsctx integration loaded."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pexpect

SHELLS = ("bash", "zsh", "fish")
VENV_BIN = Path(sys.executable).parent
AWSCTX = VENV_BIN / "awsctx"
DUMPENV = Path(__file__).with_name("dumpenv.py")
SEED = Path(__file__).resolve().parent / "fixtures" / "seed" / ".aws"
PAST = time.time() - 3600  # file times an hour old: awsctx caches only files that have settled


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens: a port the system gave out, then closed.

    Not a fixed "unused" port: any port can be in use on some machine.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def aws_client(service: str, **kwargs: Any) -> Any:
    """A botocore client that reads nothing from the machine: no profile, no config or credentials
    file, whatever AWS_PROFILE, AWS_CONFIG_FILE or HOME say. Region, endpoint and keys come from
    `kwargs`."""
    import botocore.session

    session = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    return session.create_client(service, **kwargs)


def require_shell(shell: str) -> str:
    """The shell's path; a missing shell fails the run (it is never skipped)."""
    path = shutil.which(shell)
    assert path, f"{shell} is not installed: .ci/run installs it"
    return path


def init_line(shell: str) -> str:
    if shell == "fish":
        return "awsctx init fish | source"
    return f'eval "$(awsctx init {shell})"'


def dump(label: str) -> str:
    """A shell command printing the exported environment as JSON (same syntax in the three shells)."""
    return f"'{sys.executable}' '{DUMPENV}' {label}"


def last_status(shell: str) -> str:
    """The last command's exit status, in the shell's own syntax."""
    return "$status" if shell == "fish" else "$?"


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: no AWS variables from the machine, HOME in the test's folder."""
    return {
        "HOME": str(home),
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "USER": "tester",
        # Switching itself is tested without STS; tests of credentials turn this back on.
        "AWSCTX_CREDENTIALS": "off",
    }


def make_home(root: Path, seed: bool = True) -> Path:
    home = root / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    if seed:
        for name in ("config", "credentials"):
            target = home / ".aws" / name
            target.write_text((SEED / name).read_text())
            os.utime(target, (PAST, PAST))
    return home


def write_aws(home: Path, config: str | None = None, credentials: str | None = None) -> None:
    for name, text in (("config", config), ("credentials", credentials)):
        if text is not None:
            target = home / ".aws" / name
            target.write_text(text)
            os.utime(target, (PAST, PAST))


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    envs: dict[str, dict[str, str]] = field(default_factory=dict)

    def aws(self, label: str) -> dict[str, str]:
        """The AWS_* and AWSCTX_* variables exported at `label`."""
        return {k: v for k, v in self.envs[label].items() if k.startswith(("AWS_", "AWSCTX_"))}

    def aws_only(self, label: str) -> dict[str, str]:
        """The AWS_* variables (the SDK's own) exported at `label`."""
        return {k: v for k, v in self.envs[label].items() if k.startswith("AWS_")}

    @property
    def output(self) -> str:
        """stdout without the environment dumps."""
        return "".join(line for line in self.stdout.splitlines(keepends=True) if not line.startswith("@@ENV "))


def run(shell: str, script: str, env: dict[str, str], init: bool = True, strict: bool = False) -> Result:
    """Run `script` in a non-interactive `shell` started without rc files."""
    path = require_shell(shell)
    prelude = []
    if strict and shell != "fish":
        prelude.append("set -euo pipefail")
    if init:
        prelude.append(init_line(shell))
    # A last no-op so that bash and zsh never exec the final command in place (which changes SHLVL).
    text = "\n".join([*prelude, script, "" if shell == "fish" else "\\builtin :"]) + "\n"
    if shell == "bash":
        argv = [path, "--norc", "--noprofile", "-c", text]
    elif shell == "zsh":
        argv = [path, "-f", "-c", text]
    else:
        argv = [path, "--no-config", "--private", "-c", text]
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    result = Result(completed.returncode, completed.stdout, completed.stderr)
    for line in completed.stdout.splitlines():
        if line.startswith("@@ENV "):
            record = json.loads(line[6:])
            result.envs[record["label"]] = record["env"]
    return result


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]|[\x07\x08]|\r")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


class Interactive:
    """An interactive shell in a pseudo-terminal, as a user has it."""

    def __init__(
        self,
        shell: str,
        env: dict[str, str],
        home: Path,
        rc: str = "",
        init: bool = True,
        prefix: tuple[str, ...] = (),
        init_options: str = "",
        after: str = "",
        compinit: bool = True,
    ) -> None:
        """`prefix`: words to run the shell under (e.g. strace); `init_options`: for `awsctx init SHELL`;
        `after`: rc lines after the init line; `compinit`: zsh's rc starts by loading its completion
        system (else `after` may load it)."""
        path = require_shell(shell)
        env = dict(env, TERM="xterm-256color")
        self.shell = shell
        self.counter = 0
        lines = [rc]
        if init:
            lines.append(init_line(shell).replace(f"init {shell}", f"init {shell} {init_options}".rstrip()))
        lines.append(after)
        if shell == "bash":
            rcfile = home / ".test_bashrc"
            rcfile.write_text(
                "\n".join(["PS1='$ '", "bind 'set bell-style none'", "bind 'set show-all-if-ambiguous on'", *lines])
                + "\n"
            )
            argv = ["--noprofile", "--rcfile", str(rcfile), "-i"]
        elif shell == "zsh":
            zdotdir = home / ".zdot"
            zdotdir.mkdir(exist_ok=True)
            first = ["autoload -Uz compinit && compinit -u"] if compinit else []
            (zdotdir / ".zshrc").write_text("\n".join([*first, "PS1='%% '", "unsetopt beep", *lines]) + "\n")
            env["ZDOTDIR"] = str(zdotdir)
            argv = ["-i"]
        else:
            confdir = home / ".config" / "fish"
            confdir.mkdir(parents=True, exist_ok=True)
            (confdir / "config.fish").write_text(
                "\n".join(["set -g fish_greeting ''", "function fish_title; end", *lines]) + "\n"
            )
            argv = ["-i"]
        if prefix:
            path, argv = prefix[0], [*prefix[1:], path, *argv]
        self.child = pexpect.spawn(path, argv, env=env, dimensions=(50, 200), encoding="utf-8", timeout=30)
        self.sync()

    def sync(self) -> str:
        """Wait until the shell has run everything typed so far; return what it printed meanwhile."""
        self.counter += 1
        token = f"SYNC{self.counter}"
        # Typed as two words so that the echo of the typed line does not match the output.
        self.child.sendline(f"echo {token[:2]}''{token[2:]}")
        self.child.expect(f"{token}\r\n")
        # Drop the echo of the typed sync line.
        lines = strip_ansi(self.child.before).split("\n")
        return "\n".join(line for line in lines if "SY''NC" not in line)

    def run(self, command: str) -> str:
        """Run one command line and return its output, without the echo of the typed line."""
        self.child.sendline(command)
        lines = self.sync().split("\n")
        if command:
            lines = [line for line in lines if not line.rstrip().endswith(command)]
        return "\n".join(line for line in lines if line.strip())

    def complete(self, text: str, expected: str | list[str], tabs: int = 1) -> str:
        """Type `text`, press Tab `tabs` times, and return what the terminal showed (escape sequences
        removed) up to the moment all of `expected` is on it; fails if it never is.

        The shell reads keys in order, so a line typed next finds the completion done. What the
        shell draws later (the rest of a list) is in what the next `sync` returns.
        """
        self.child.send(text + "\t" * tabs)
        return self._shown_until([expected] if isinstance(expected, str) else expected)

    def _shown_until(self, wanted: list[str]) -> str:
        """Read the terminal until each of `wanted` is on it; what it showed, escape sequences removed."""
        drawn = ""
        while not all(piece in strip_ansi(drawn) for piece in wanted):
            try:
                drawn += self.child.read_nonblocking(1_000_000, timeout=self.child.timeout)
            except pexpect.TIMEOUT:
                raise AssertionError(f"never shown: {wanted!r}; the terminal showed {strip_ansi(drawn)!r}") from None
        return strip_ansi(drawn)

    def expect_answering(self, pattern: str) -> None:
        """Wait for `pattern`, replying to cursor-position queries (ESC [ 6 n) as a terminal would."""
        while self.child.expect(["\x1b\\[6n", pattern]) == 0:
            self.child.send("\x1b[1;1R")

    def prompt(self, end: str) -> str:
        """The next prompt as the terminal receives it (escape sequences included), up to `end`.

        `end` is text the prompt ends with (the test's own PS1 or fish_prompt), so that what the
        line editor draws after the prompt is left out.
        """
        marks = []
        for _ in range(2):
            self.counter += 1
            marks.append(f"PROMPT{self.counter}")
            self.child.sendline(f"echo {marks[-1][:2]}''{marks[-1][2:]}")
            self.child.expect(f"{marks[-1]}\r\n")
        # Between the two marks: the prompt, then the echo of the second command line.
        drawn = self.child.before
        drawn = drawn[: drawn.rfind(end, 0, drawn.find(f"{marks[-1][:2]}''")) + len(end)]
        # Before the prompt: output of prompt hooks, and the line zsh and fish draw for output that
        # lacks a final newline, ended by \r.
        return drawn[max(drawn.rfind("\r"), drawn.rfind("\n")) + 1 :]

    def cancel_line(self) -> str:
        """Drop the line being typed; return what the terminal showed until then."""
        # With keys (start of line, kill to its end), not Ctrl-C: a signal is not queued behind the
        # keys typed before it, and the flush that comes with it can eat the keys typed after it.
        self.child.sendcontrol("a")
        self.child.sendcontrol("k")
        return self.sync()

    def close(self) -> None:
        self.child.close(force=True)
