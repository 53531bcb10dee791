"""The switching half of awsctx: list, switch, previous, region, unset, current.

When the shell integration calls, the program prints shell code on stdout (applied by the shell
function only if the program succeeds) and messages on stderr. Nothing here imports boto3/botocore.
"""

from __future__ import annotations

import os
import sys

from awsctx import config, envvars, facts, output, refreshtime, regions
from awsctx.errors import UserError
from awsctx.shells import Script

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs more than a whole switch
if TYPE_CHECKING:
    from awsctx import credentials

LIST, SWITCH, PREVIOUS, UNSET, CURRENT, REGION_ONLY = "list", "switch", "previous", "unset", "current", "region"
# Back to the profile and region a request names, as `-` goes back to the previous ones: what
# leaving a folder's tree does (awsctx/folders.py). An empty profile unsets.
RESTORE = "restore"


class Request:
    """One switching command line, parsed (by the fast path or by argparse: the same result)."""

    __slots__ = ("action", "credential_mode", "force", "mfa_code", "profile", "region")

    def __init__(
        self,
        action: str,
        profile: str | None = None,
        region: str | None = None,
        force: bool = False,
        credential_mode: str | None = None,
        mfa_code: str | None = None,
    ):
        self.action = action
        self.profile = profile
        self.region = region
        self.force = force
        self.credential_mode = credential_mode  # check, off or export; None: the AWSCTX_CREDENTIALS setting
        self.mfa_code = mfa_code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Request) and all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    def __repr__(self) -> str:
        return "Request(" + ", ".join(f"{s}={getattr(self, s)!r}" for s in self.__slots__) + ")"


class State:
    """Where a shell points: the profile and region awsctx manages ("" for unset)."""

    __slots__ = ("profile", "region")

    def __init__(self, profile: str, region: str) -> None:
        self.profile = profile
        self.region = region

    @classmethod
    def current(cls) -> State:
        env = os.environ
        return cls(env.get(envvars.PROFILE, ""), env.get(envvars.REGION) or env.get(envvars.DEFAULT_REGION, ""))

    @classmethod
    def previous(cls) -> State | None:
        """This shell's previous state, kept by the integration in a shell variable of its own."""
        encoded = os.environ.get(envvars.PREVIOUS, "")
        profile, newline, region = encoded.partition("\n")
        if not newline:
            return None
        return cls(profile, region)

    def encodable(self) -> bool:
        """Whether `encode` can keep this state: a hand-set AWS_PROFILE may hold a newline, which
        would be read back as the region."""
        return "\n" not in self.profile and "\n" not in self.region

    def encode(self) -> str:
        # Profile names from INI section headers and validated regions hold no newline.
        return f"{self.profile}\n{self.region}"


def run(request: Request, shell: str | None, interactive: bool, because: str = "") -> int:
    """Carry out `request`; `shell` is the calling integration's shell, None when run directly.
    `because` ends the message that says what changed ("for ~/project")."""
    if request.action == CURRENT:
        profile = os.environ.get(envvars.PROFILE, "")
        if not profile:
            output.error("no profile is active in this shell")
            return 1
        sys.stdout.write(profile + "\n")
        return 0
    if request.action == LIST:
        return list_profiles(shell, interactive)
    if shell is None:
        raise IntegrationMissing()
    script = Script(shell)
    before = State.current()
    settings: dict | None = None  # the new profile's, for the prompt facts; None: the profile stays
    if request.action == SWITCH:
        assert request.profile is not None
        cfg = config.load()
        settings = cfg.profile(request.profile)
        region = (
            regions.validate(request.region, request.force) if request.region else _config_region(cfg, request.profile)
        )
        after = State(request.profile, region or "")
    elif request.action == REGION_ONLY:
        assert request.region is not None
        after = State(before.profile, regions.validate(request.region, request.force))
    elif request.action in (PREVIOUS, RESTORE):
        restore = State(request.profile or "", request.region or "")
        previous = restore if request.action == RESTORE else State.previous()
        if previous is None:
            raise UserError("no previous profile in this shell yet; switch with `awsctx NAME` first")
        if previous.profile:
            settings = config.load().profile(previous.profile)  # still there?
        after = previous
    else:  # UNSET
        if not any(os.environ.get(name) for name in envvars.SET_BY_AWSCTX):
            # Nothing to undo: the shell, and the history `awsctx -` goes back to, stay as they are.
            output.note("nothing to unset: no profile or region is set in this shell")
            return 0
        after = State("", "")
    identity, keys = None, None
    if settings is not None and after.profile:
        # Before anything is printed: a profile without working credentials changes nothing.
        identity, keys = _credentials(request, after.profile, settings, interactive, after.region)
    region_only = request.action == REGION_ONLY
    _apply(script, before, after, settings, identity, keys, region_only=region_only)
    sys.stdout.write(script.render())
    _announce(before, after, identity, region_only, because)
    return 0


def _config_region(cfg: config.AwsConfig, profile: str) -> str | None:
    """The profile's region, checked as a `-r` value is: it goes into the environment."""
    region = config.region_of(cfg.profile(profile))
    if region is None:
        return None
    try:
        return regions.validate(region, force=True)
    except UserError:
        where = cfg.origin(profile)
        raise UserError(
            f"profile {profile!r}{f' ({where})' if where else ''} has region = {output.printable(region[:40])!r}, "
            "which is not a region name; fix it in the config"
        ) from None


CREDENTIAL_MODES = ("check", "off", "export")


def credential_mode(request: Request) -> str:
    mode = request.credential_mode or os.environ.get(envvars.CREDENTIALS) or "check"
    if mode not in CREDENTIAL_MODES:
        raise UserError(f"{envvars.CREDENTIALS}={mode!r} is not one of {', '.join(CREDENTIAL_MODES)}")
    return mode


def _credentials(
    request: Request, profile: str, settings: dict, interactive: bool, region: str = ""
) -> tuple[credentials.Identity | None, credentials.Resolved | None]:
    """(Identity, Resolved for export mode) of the profile's working credentials; (None, None) when
    the user switched them off. From awsctx's index when still good (no botocore, no network)."""
    mode = credential_mode(request)
    if mode == "off":
        return None, None
    from awsctx import credentials

    if mode == "check":
        identity = credentials.cached_identity(profile, settings)
        if identity is not None:
            return identity, None
    resolved = credentials.resolve(
        profile, config.load(), mfa_code=request.mfa_code, interactive=interactive, region=region or None
    )
    return resolved.identity, resolved if mode == "export" else None


def _apply(
    script: Script,
    before: State,
    after: State,
    settings: dict | None = None,
    identity: credentials.Identity | None = None,
    keys: credentials.Resolved | None = None,
    region_only: bool = False,
) -> None:
    """The statements that take the shell from `before` to `after`. A region-only change touches
    no credential variable: keys exported for the profile stay with it."""
    if after.profile:
        script.export(envvars.PROFILE, after.profile)
    else:
        script.unset(envvars.PROFILE)
    if after.region:
        script.export(envvars.REGION, after.region)
        script.export(envvars.DEFAULT_REGION, after.region)
    else:
        script.unset(envvars.REGION, envvars.DEFAULT_REGION)
    exported_before = bool(os.environ.get(envvars.EXPORTED_KEYS))
    if region_only:
        script.set_local("__awsctx_previous", before.encode())
        return
    if after.profile or exported_before:
        script.unset(*envvars.SHADOWING)
    if exported_before and keys is None:
        script.unset(*envvars.KEY_EXPIRATIONS, envvars.EXPORTED_KEYS)
    if keys is not None:
        from awsctx import credentials

        for name, value in credentials.credential_variables({}, keys).items():
            script.export(name, value)
        script.export(envvars.EXPORTED_KEYS, "1")
    if identity is not None:
        facts.export(
            script,
            after.profile,
            settings,
            account_id=identity.account_id,
            expiration=identity.expiration,
            sso_refreshable=identity.sso_refreshable,
        )
        script.export(envvars.ARN, identity.arn)
    else:
        facts.export(script, after.profile, settings)
        if settings is not None or not after.profile:
            script.unset(envvars.ARN)
    if settings is not None or not after.profile:
        refreshtime.export(script, after.profile, identity)
    if before.encodable():
        script.set_local("__awsctx_previous", before.encode())


def _announce(
    before: State,
    after: State,
    identity: credentials.Identity | None = None,
    region_only: bool = False,
    because: str = "",
) -> None:
    ending = f" {because}" if because else ""
    if not after.profile and not after.region:
        output.success(f"Unset AWS_PROFILE and AWS_REGION{ending}")
        return
    region = after.region or "no region"
    if region_only:
        owner = f"profile {after.profile!r}" if after.profile else "no profile"
        output.success(f"Region set to {region} ({owner})")
        return
    if after.profile:
        account = f", account {identity.account_id}" if identity is not None else ""
        output.success(f"Switched to profile {after.profile!r} ({region}{account}){ending}")
    else:
        output.success(f"Region set to {region} (no profile){ending}")
    if after.profile:
        shadowing = [name for name in envvars.SHADOWING if name in os.environ]
        if shadowing:
            output.note("cleared " + ", ".join(shadowing) + " so that they do not override the profile")


def list_profiles(shell: str | None, interactive: bool) -> int:
    names = config.load().listing()
    if not names:
        output.error(f"no profiles in {config.environment_config_hint()}; add one with `aws configure --profile NAME`")
        return 1
    current = os.environ.get(envvars.PROFILE, "")
    if shell is not None and interactive and picker_available():
        picked = _pick(names, current)
        if picked is None:
            return 130
        return run(Request(SWITCH, picked), shell, interactive)
    marked = interactive if shell is not None else sys.stdout.isatty()
    lines = [output.mark_current(name, name == current) for name in names] if marked else names
    if shell is None:
        sys.stdout.write("".join(line + "\n" for line in lines))
    else:
        script = Script(shell)
        for line in lines:
            script.echo(line)
        sys.stdout.write(script.render())
    return 0


def picker_available() -> bool:
    if os.environ.get(envvars.NO_PICKER):
        return False
    from shutil import which

    return which("fzf") is not None


def _pick(names: list[str], current: str) -> str | None:
    """Let the user pick a profile with fzf on the terminal; None when cancelled."""
    import subprocess

    command = ["fzf", "--height=40%", "--reverse", "--no-multi", "--prompt=profile> "]
    if current:
        command.append(f"--header=current: {output.printable(current)}")
    try:
        result = subprocess.run(command, input="".join(n + "\n" for n in names), stdout=subprocess.PIPE, text=True)
    except OSError as error:
        raise UserError(
            f"could not start fzf ({error.strerror}); set {envvars.NO_PICKER}=1 to list without it"
        ) from None
    picked = result.stdout.rstrip("\n")
    if result.returncode != 0 or picked not in names:
        return None
    return picked


class IntegrationMissing(UserError):
    exit_code = 2

    def __init__(self) -> None:
        from awsctx.shellinit import detect_shell, rc_line

        shell = detect_shell(strict=False) or "bash"
        super().__init__(
            "the shell integration is not loaded, so awsctx cannot change this shell's environment; "
            f"add this line to your {'~/.config/fish/config.fish' if shell == 'fish' else '~/.' + shell + 'rc'} "
            f"and open a new shell:  {rc_line(shell)}"
        )
