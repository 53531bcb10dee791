"""The AWS config and credentials files as awsctx uses them: profiles, SSO sessions, services.

It accepts and rejects exactly what the AWS CLI accepts and rejects (the syntax is `ini`'s), merges
the two files as botocore does, and caches the result keyed by both files' stat, so that list,
switch and Tab do not scan thousands of profiles on every call.
"""

from __future__ import annotations

import os
import sys

from awsctx import __version__, cachefile, paths
from awsctx.errors import UserError
from awsctx.ini import read_ini, split_words

# What botocore calls the sections that hold profiles, SSO sessions and service settings.
_PROFILE_PREFIX = "profile"
_SSO_SESSION_PREFIX = "sso-session"
_SERVICES_PREFIX = "services"


class Origin:
    """Where a section was defined, for messages that point the user at it."""

    __slots__ = ("lineno", "path")

    def __init__(self, path: str, lineno: int) -> None:
        self.path = path
        self.lineno = lineno

    def __str__(self) -> str:
        return f"{paths.display(self.path)} line {self.lineno}"


class AwsConfig:
    """Profiles (config and credentials merged), SSO sessions and service sections."""

    __slots__ = (
        "config_path",
        "credential_names",
        "credentials_path",
        "origins",
        "profiles",
        "services",
        "sso_sessions",
    )

    def __init__(self, config_path: str, credentials_path: str) -> None:
        self.config_path = config_path
        self.credentials_path = credentials_path
        self.profiles: dict[str, dict] = {}
        self.sso_sessions: dict[str, dict] = {}
        self.services: dict[str, dict] = {}
        # Where each profile was first defined: (0 for the config file or 1 for credentials, line).
        self.origins: dict[str, tuple[int, int]] = {}
        # The credentials file's sections in file order: the list shows them first.
        self.credential_names: list[str] = []

    def listing(self) -> list[str]:
        """Profile names as `awsctx` lists them: the credentials file's first, then the config's."""
        first = dict.fromkeys(self.credential_names)
        return list(first) + [name for name in self.profiles if name not in first]

    def origin(self, name: str) -> Origin | None:
        """Where profile NAME is defined, for messages."""
        found = self.origins.get(name)
        if found is None:
            return None
        return Origin((self.config_path, self.credentials_path)[found[0]], found[1])

    def profile(self, name: str) -> dict:
        """The settings of profile NAME; an error with the closest names when there is none."""
        try:
            return self.profiles[name]
        except KeyError:
            raise UnknownProfileError(name, list(self.profiles), self.config_path) from None


class UnknownProfileError(UserError):
    def __init__(self, name: str, known: list[str], config_path: str) -> None:
        import difflib  # only on this error path

        from awsctx.commands.table import COMMANDS

        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        commands = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.7)
        if commands:
            # `awsctx whomai`: most likely the command, mistyped.
            also = f" (or the profile {', '.join(close)})" if close else ""
            hint = f"did you mean the command `awsctx {commands[0]}`{also}?"
        elif close:
            hint = "did you mean " + ", ".join(close) + "?"
        else:
            hint = "run `awsctx` to list profiles"
        super().__init__(f"no profile named {name!r} in {paths.display(config_path)} or the credentials file; {hint}")
        self.name = name
        self.close = close


# Raised whenever the parsing changes, so that no cache holds what an older parser made of a file.
_CACHE_FORMAT = 4
# What the digest of profiles.marshal is made for: no other sealed file passes for it.
_CACHE_PURPOSE = b"profiles"
# Settings whose values are secrets: `load` gives `SECRET` in their place, so that no cache holds them.
SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")
# Not a value the files can hold (a NUL byte): never mistaken for a real secret.
SECRET = "\x00secret: read it with config.secret()"
# A file changed this recently may change again within the same timestamp tick unseen: not cached.
_RACY_SECONDS = 2


def load() -> AwsConfig:
    """Read the config and credentials files named by the environment, as the AWS CLI would.

    The result is cached (in awsctx's cache folder, keyed by both files' size, times and inode), so
    that list, switch and Tab read a few hundred kilobytes of marshal data instead of scanning
    thousands of profiles on every call.
    """
    config_path = paths.config_file()
    credentials_path = paths.credentials_file()
    stats = (_stat(config_path), _stat(credentials_path))
    cache_path = os.path.join(paths.cache_dir(), "profiles.marshal")
    # The Python version is part of the key because the header rule above depends on it.
    key = (__version__, _CACHE_FORMAT, sys.version_info[:2], config_path, credentials_path, stats)
    cached = _read_cache(cache_path, key)
    if cached is not None:
        return cached
    config = _parse(config_path, credentials_path)
    _write_cache(cache_path, key, config, stats)
    return config


def _stat(path: str) -> tuple[int, int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns)


def _read_cache(cache_path: str, key: tuple) -> AwsConfig | None:
    found = cachefile.unseal(cache_path, _CACHE_PURPOSE)
    # Sealed by this user's awsctx, so the shape is checked only as far as a bug of its own could break it.
    if not isinstance(found, tuple) or len(found) != 6 or found[0] != key:
        return None  # missing, untrusted, corrupt or stale: parse again and replace it
    _, profiles, sso_sessions, services, origins, credential_names = found
    if not (
        isinstance(profiles, dict)
        and isinstance(sso_sessions, dict)
        and isinstance(services, dict)
        and isinstance(origins, dict)
        and isinstance(credential_names, list)
    ):
        return None
    config = AwsConfig(key[3], key[4])
    config.profiles, config.sso_sessions, config.services, config.origins = profiles, sso_sessions, services, origins
    config.credential_names = credential_names
    return config


def _write_cache(cache_path: str, key: tuple, config: AwsConfig, stats: tuple) -> None:
    import time

    now = time.time_ns()
    if any(stat is not None and now - stat[0] < _RACY_SECONDS * 1_000_000_000 for stat in stats):
        return
    try:
        cachefile.seal(
            cache_path,
            _CACHE_PURPOSE,
            (key, config.profiles, config.sso_sessions, config.services, config.origins, config.credential_names),
        )
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs speed


def _parse(config_path: str, credentials_path: str, keep_secrets: bool = False) -> AwsConfig:
    config = AwsConfig(config_path, credentials_path)
    sections = read_ini(config_path)
    if sections is not None:
        for header, (settings, lineno) in sections.items():
            if header.startswith(_PROFILE_PREFIX):
                target = config.profiles
            elif header.startswith(_SSO_SESSION_PREFIX):
                target = config.sso_sessions
            elif header.startswith(_SERVICES_PREFIX):
                target = config.services
            elif header == "default":
                # `[default]` is the one profile that needs no `profile ` prefix in this file.
                config.profiles["default"] = settings
                config.origins.setdefault("default", (0, lineno))
                continue
            else:
                continue
            words = split_words(header)
            if words is None or len(words) != 2:
                continue  # botocore passes over such headers silently
            target[words[1]] = settings
            if target is config.profiles:
                config.origins.setdefault(words[1], (0, lineno))
    credentials = read_ini(credentials_path)
    if credentials is not None:
        config.credential_names = list(credentials)
        for name, (settings, lineno) in credentials.items():
            # Names in the credentials file are taken as they are, with no `profile ` prefix.
            if name in config.profiles:
                config.profiles[name].update(settings)
            else:
                config.profiles[name] = settings
                config.origins[name] = (1, lineno)
    if not keep_secrets:
        for settings in config.profiles.values():
            for name in SECRET_KEYS:
                if name in settings:
                    settings[name] = SECRET
    return config


def uses_sso(settings: dict) -> bool:
    """Whether a profile logs in to IAM Identity Center itself (a session, or a legacy start URL)."""
    return "sso_session" in settings or "sso_start_url" in settings


def secrets(cfg: AwsConfig, profile: str) -> dict[str, object]:
    """The secret settings (`SECRET_KEYS`) of `profile` with their values, read from the files now:
    `load` keeps only the fact that they are set."""
    if not any(name in cfg.profile(profile) for name in SECRET_KEYS):
        return {}
    settings = _parse(cfg.config_path, cfg.credentials_path, keep_secrets=True).profiles.get(profile, {})
    return {name: settings[name] for name in SECRET_KEYS if name in settings}


def region_of(settings: dict) -> str | None:
    region = settings.get("region")
    return region if isinstance(region, str) and region else None


def environment_config_hint() -> str:
    """Which files were read, for messages when no profile is found at all."""
    return f"{paths.display(paths.config_file())} and {paths.display(paths.credentials_file())}"
