"""`awsctx doctor`: check the config files, every profile, the caches and the shell integration."""

from __future__ import annotations

import argparse
import os
import stat
import sys

from awsctx import cli, config, envvars, mfasession, output, paths
from awsctx.errors import UserError


class Report:
    def __init__(self) -> None:
        self.problems = 0
        self.warnings = 0

    def ok(self, text: str) -> None:
        output.success(text)

    def warn(self, text: str) -> None:
        """Something that works but should not stay so (plain-text or old keys): no failure status."""
        self.warnings += 1
        sys.stderr.write(f"! {output.printable(text)}\n")

    def problem(self, text: str) -> None:
        self.problems += 1
        sys.stderr.write(f"✘ {output.printable(text)}\n")


def parser() -> argparse.ArgumentParser:
    return cli.Parser(
        prog="awsctx doctor",
        description="Check the config files, every profile, the caches and the shell integration.",
    )


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    report = Report()
    cfg = _check_config(report)
    if cfg is not None:
        _check_profiles(report, cfg)
        _check_keys(report, cfg)
    for folder, label in (
        (paths.cli_cache_dir(), "AWS CLI credential cache"),
        (paths.sso_cache_dir(), "SSO token cache"),
        (paths.cache_dir(), "awsctx cache"),
        (mfasession.folder(), "MFA session cache"),
    ):
        _check_cache(report, folder, label)
    _check_folders(report)
    _check_integration(report)
    if report.warnings:
        sys.stderr.write(f"{report.warnings} warning{'s' if report.warnings > 1 else ''}\n")
    if report.problems:
        sys.stderr.write(f"{report.problems} problem{'s' if report.problems > 1 else ''} found\n")
        return 1
    return 0


def _check_config(report: Report) -> config.AwsConfig | None:
    try:
        cfg = config.load()
    except UserError as error:
        report.problem(str(error))
        return None
    config_path = paths.config_file()
    if not os.path.isfile(config_path):
        if os.environ.get("AWS_CONFIG_FILE"):
            report.problem(f"AWS_CONFIG_FILE names {paths.display(config_path)}, which does not exist; fix or unset it")
        else:
            report.problem(f"{paths.display(config_path)} does not exist; create it, e.g. with `aws configure`")
    count = len(cfg.profiles)
    if count == 0:
        report.problem(f"no profiles in {config.environment_config_hint()}; add one, e.g. with `aws configure`")
        return cfg
    report.ok(f"{count} profile{'s' if count != 1 else ''} in {config.environment_config_hint()}")
    return cfg


def _check_profiles(report: Report, cfg: config.AwsConfig) -> None:
    from awsctx import credentials

    bad = 0
    for name in cfg.listing():
        try:
            credentials.check_profile(cfg, name)
        except UserError as error:
            bad += 1
            report.problem(str(error))
        bad += _check_process_program(report, cfg, name)
    if not bad:
        report.ok("every profile has a complete credential set-up")


def _check_process_program(report: Report, cfg: config.AwsConfig, name: str) -> int:
    """A credential_process naming a program that is gone fails in every SDK: 1 when it does."""
    import shutil

    from awsctx import ini

    line = cfg.profile(name).get("credential_process")
    words = ini.split_words(line) if isinstance(line, str) else None
    if not words:
        return 0
    program = words[0]
    found = os.access(program, os.X_OK) if os.path.sep in program else shutil.which(program) is not None
    if found:
        return 0
    report.problem(
        f"profile {name!r}: credential_process runs {program!r}, which "
        + ("does not exist or is not executable" if os.path.sep in program else "is not on PATH")
        + "; fix the path (SDKs run it with their own PATH)"
    )
    return 1


def _check_keys(report: Report, cfg: config.AwsConfig) -> None:
    """Long-term keys in plain text, and keys in the keyring older than keys.MAX_AGE_DAYS. Offline:
    the age is the one the keyring entry holds (IAM's CreateDate when `keys add` could ask it)."""
    from awsctx import keystore
    from awsctx.commands import keys

    in_keyring, plain = keys.long_term_profiles(cfg)
    for name in plain:
        where = cfg.origin(name)
        report.warn(
            f"profile {name!r} keeps a long-term secret key in plain text"
            f"{f' ({where})' if where else ''}; move it to the OS keyring: awsctx keys add {name} --from-credentials"
        )
    if not in_keyring:
        return
    try:
        store = keystore.backend()
        entries = {name: keystore.read(name, store) for name in in_keyring}
    except UserError as error:
        report.problem(f"profiles {', '.join(in_keyring)} read their keys from the OS keyring, but: {error}")
        return
    for name, entry in entries.items():
        if entry is None:
            report.problem(f"profile {name!r} reads its keys from the OS keyring, holding none: awsctx keys add {name}")
        elif entry.age_days() > keys.MAX_AGE_DAYS:
            report.warn(
                f"the access key of profile {name!r} is {entry.age_days()} days old; "
                f"rotate it: awsctx keys rotate {name}"
            )
    fresh = [name for name, entry in entries.items() if entry is not None and entry.age_days() <= keys.MAX_AGE_DAYS]
    if fresh:
        report.ok(f"{len(fresh)} profile{'s' if len(fresh) != 1 else ''} with keys in the OS keyring, none overdue")


def _check_cache(report: Report, folder: str, label: str) -> None:
    from awsctx import cachefile

    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return
    except OSError as error:
        report.problem(f"{label} {paths.display(folder)} cannot be read ({error.strerror})")
        return
    status = os.stat(folder)
    folder_mode = stat.S_IMODE(status.st_mode)
    problems_before = report.problems
    if status.st_uid != os.geteuid():
        report.problem(
            f"{label} folder {paths.display(folder)} belongs to another user (uid {status.st_uid}); "
            "awsctx does not use caches there: delete it or point XDG_CACHE_HOME elsewhere"
        )
    if folder_mode & 0o077:
        report.problem(f"{label} folder {paths.display(folder)} is mode {folder_mode:o}; run: chmod 700 {folder}")
    for name in names:
        path = os.path.join(folder, name)
        try:
            entry = os.lstat(path)
        except OSError:
            continue  # gone meanwhile
        if stat.S_ISDIR(entry.st_mode) or name.endswith(".lock"):
            continue
        if not stat.S_ISREG(entry.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(entry.st_mode) else "not a regular file"
            report.problem(f"{paths.display(path)} is {kind}, which awsctx does not read; delete it")
            continue
        if name.endswith(".tmp"):
            continue
        mode = stat.S_IMODE(entry.st_mode)
        if mode & 0o077:
            report.problem(f"{paths.display(path)} is readable by others (mode {mode:o}); run: chmod 600 {path}")
        if name.endswith(".json"):
            problem = cachefile.json_problem(path)
            if problem is not None:
                report.problem(f"{paths.display(path)} is corrupt ({problem}); delete it (it is only a cache)")
        # Each of awsctx's sealed files is sealed for the purpose its name starts with.
        elif name.endswith(".marshal") and not cachefile.is_sealed(path, name.split(".")[0].encode()):
            report.problem(
                f"{paths.display(path)} is corrupt or was not written by awsctx; delete it (it is only a cache)"
            )
    if report.problems == problems_before:
        report.ok(f"{label} {paths.display(folder)} is private and readable")


def _check_folders(report: Report) -> None:
    """Each allowed .awsctx: still there, unchanged since it was allowed, and still usable."""
    from awsctx import folders

    problem = folders.store_problem()
    if problem is not None:
        report.problem(problem)
        return
    for key in sorted(folders.trusted()):
        where = paths.display(key)
        folder = os.path.dirname(key)
        try:
            data = folders.read(key)
        except UserError as error:
            if not os.path.lexists(key):
                report.warn(f"{where} was allowed but is gone; drop it: awsctx deny {folder}")
            else:
                report.problem(str(error))
            continue
        if not folders.is_trusted(key, data):
            report.warn(
                f"{where} changed since it was allowed, so it changes nothing; read it, then: awsctx allow {folder}"
            )
            continue
        try:
            choice = folders.check(key, data)
        except UserError as error:
            report.problem(str(error))
            continue
        report.ok(f"allowed: {where} ({choice.describe()})")


def _check_integration(report: Report) -> None:
    from awsctx.shellinit import detect_shell, rc_line

    loaded = os.environ.get(envvars.INTEGRATION)
    if loaded:
        report.ok(f"shell integration loaded ({loaded})")
        if os.environ.get(envvars.COMPLETION) == "missing":
            report.problem(
                "Tab does not complete awsctx in this zsh: its completion system is not loaded; add"
                " `autoload -Uz compinit && compinit` to ~/.zshrc (before or after the awsctx line)"
            )
        return
    shell = detect_shell(strict=False) or "bash"
    report.problem(f"the shell integration is not loaded in this shell; add to your rc file: {rc_line(shell)}")
    if os.environ.get(envvars.PROFILE):
        output.note(f"AWS_PROFILE={os.environ[envvars.PROFILE]} is set, but not by awsctx in this shell")
