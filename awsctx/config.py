"""The AWS config and credentials files as awsctx uses them: profiles, SSO sessions, services.

It accepts and rejects exactly what the AWS CLI accepts and rejects (the syntax is `ini`'s), merges
the two files as botocore does, and caches the result keyed by both files' stat, so that list,
switch and Tab do not scan thousands of profiles on every call.
"""

from __future__ import annotations

import os
import sys

from awsctx import __version__, paths, profilecache
from awsctx.errors import UserError


class Origin:
    """Where a section was defined, for messages that point the user at it."""

    __slots__ = ("lineno", "path")

    def __init__(self, path: str, lineno: int) -> None:
        self.path = path
        self.lineno = lineno

    def __str__(self) -> str:
        return f"{paths.display(self.path)} line {self.lineno}"


class AwsConfig:
    """Profiles (config and credentials merged), SSO sessions and service sections.

    Loaded from the cache, nothing is unpacked until asked for: a switch unpacks the one profile it
    needs, not thousands; `profiles` unpacks them all.
    """

    __slots__ = ("_profiles", "_sections", "_store", "config_path", "credentials_path")

    def __init__(self, config_path: str, credentials_path: str, store: profilecache.Profiles) -> None:
        self.config_path = config_path
        self.credentials_path = credentials_path
        self._store = store
        self._profiles: dict[str, dict] | None = None
        self._sections: tuple[dict, dict] | None = None

    def _reread(self) -> None:
        """The cache changed under this process (or on the disk): read the files themselves."""
        self._store = _parse(self.config_path, self.credentials_path)[0]

    @property
    def profiles(self) -> dict[str, dict]:
        """Every profile's settings, by name, in the order botocore lists them."""
        if self._profiles is None:
            try:
                self._profiles = self._store.all()
            except profilecache.Unreadable:
                self._reread()
                self._profiles = self._store.all()
        return self._profiles

    @property
    def sso_sessions(self) -> dict[str, dict]:
        return self._both_sections()[0]

    @property
    def services(self) -> dict[str, dict]:
        return self._both_sections()[1]

    def _both_sections(self) -> tuple[dict, dict]:
        if self._sections is None:
            try:
                self._sections = self._store.sections()
            except profilecache.Unreadable:
                self._reread()
                self._sections = self._store.sections()
        return self._sections

    @property
    def credential_names(self) -> list[str]:
        """The credentials file's sections in file order: the list shows them first."""
        try:
            return self._store.credential_names()
        except profilecache.Unreadable:
            self._reread()
            return self._store.credential_names()

    def names(self) -> list[str]:
        """Profile names, in the order botocore lists them."""
        try:
            return self._store.names()
        except profilecache.Unreadable:
            self._reread()
            return self._store.names()

    def listing(self) -> list[str]:
        """Profile names as `awsctx` lists them: the credentials file's first, then the config's."""
        first = dict.fromkeys(self.credential_names)
        return list(first) + [name for name in self.names() if name not in first]

    def origin(self, name: str) -> Origin | None:
        """Where profile NAME is defined, for messages."""
        try:
            index = self._store.index(name)
            found = None if index is None else self._store.origin(index)
        except profilecache.Unreadable:
            self._reread()
            return self.origin(name)
        if found is None:
            return None
        return Origin((self.config_path, self.credentials_path)[found[0]], found[1])

    def profile(self, name: str) -> dict:
        """The settings of profile NAME; an error with the closest names when there is none."""
        if self._profiles is not None:
            found = self._profiles.get(name)
        else:
            try:
                index = self._store.index(name)
                found = None if index is None else self._store.settings(index)
            except profilecache.Unreadable:
                self._reread()
                return self.profile(name)
        if found is None:
            raise UnknownProfileError(name, self.names(), self.config_path)
        return found


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


# Settings whose values are secrets: `load` gives `SECRET` in their place, so that no cache holds them.
SECRET_KEYS = profilecache.SECRET_KEYS
SECRET = profilecache.SECRET


def load() -> AwsConfig:
    """Read the config and credentials files named by the environment, as the AWS CLI would.

    The result is cached (in awsctx's cache folder, keyed by both files' size, times and inode), so
    that list, switch and Tab read a few hundred kilobytes of marshal data instead of scanning
    thousands of profiles on every call; after an edit, only the sections it changed are parsed
    again (`profilecache`).
    """
    config_path = paths.config_file()
    credentials_path = paths.credentials_file()
    stats = (_stat(config_path), _stat(credentials_path))
    cache_path = os.path.join(paths.cache_dir(), "profiles.marshal")
    # The Python version is part of the key because the header rule of `ini` depends on it.
    key = (__version__, profilecache.FORMAT, sys.version_info[:2], config_path, credentials_path, stats)
    cached = profilecache.cached(cache_path)
    if cached is not None and cached.key == key:
        return AwsConfig(config_path, credentials_path, cached)
    # Stale or missing: read the files, what has not changed since taken from the stale cache.
    profiles, parts = _parse(config_path, credentials_path, key, cached)
    if profilecache.write(cache_path, parts, stats):
        from awsctx import tabnames

        tabnames.write(config_path, credentials_path, stats, profiles.tab_names())
    return AwsConfig(config_path, credentials_path, profiles)


def keep_tab_names(cfg: AwsConfig) -> None:
    """Write the names file the shells complete from, unless it is up to date: for Tab, which asked
    the program because it was not."""
    from awsctx import tabnames

    stats = cfg._store.key[5] if len(cfg._store.key) > 5 else None
    if stats is None or not profilecache.settled(stats):
        return
    if not tabnames.current(cfg.config_path, cfg.credentials_path, stats):
        try:
            tabnames.write(cfg.config_path, cfg.credentials_path, stats, cfg._store.tab_names())
        except profilecache.Unreadable:
            pass


def _stat(path: str) -> tuple[int, int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino, status.st_ctime_ns)


def _parse(
    config_path: str,
    credentials_path: str,
    key: tuple = (),
    old: profilecache.Profiles | None = None,
    keep_secrets: bool = False,
) -> tuple[profilecache.Profiles, list]:
    """(the profiles, profiles.marshal's parts): the files read now."""
    return profilecache.parse(config_path, credentials_path, key, old, keep_secrets)


def uses_sso(settings: dict) -> bool:
    """Whether a profile logs in to IAM Identity Center itself (a session, or a legacy start URL)."""
    return "sso_session" in settings or "sso_start_url" in settings


def secrets(cfg: AwsConfig, profile: str) -> dict[str, object]:
    """The secret settings (`SECRET_KEYS`) of `profile` with their values, read from the files now:
    `load` keeps only the fact that they are set."""
    if not any(name in cfg.profile(profile) for name in SECRET_KEYS):
        return {}
    parsed = _parse(cfg.config_path, cfg.credentials_path, keep_secrets=True)[0]
    index = parsed.index(profile)
    settings = {} if index is None else parsed.settings(index)
    return {name: settings[name] for name in SECRET_KEYS if name in settings}


def region_of(settings: dict) -> str | None:
    region = settings.get("region")
    return region if isinstance(region, str) and region else None


def environment_config_hint() -> str:
    """Which files were read, for messages when no profile is found at all."""
    return f"{paths.display(paths.config_file())} and {paths.display(paths.credentials_file())}"
