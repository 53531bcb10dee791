"""`awsctx keys add|list|rotate|rm`: long-term IAM user keys in the OS keyring instead of plain text.

`add` stores the keys in the keyring (`keystore`), reads them back, and only then edits the files
(`keyfiles`): the profile gets `credential_process = /path/to/awsctx process --keyring NAME` in the
config file, and with `--from-credentials` its two key lines leave the credentials file. At every
moment the keys are in the keyring, the file, or both, never neither.
"""

from __future__ import annotations

import argparse
import sys
import time

from awsctx import cli, config, keyfiles, keystore, output, paths
from awsctx.errors import UserError

# IAM's own advice: rotate access keys every 90 days.
MAX_AGE_DAYS = 90
_TEMPORARY_PREFIX = "ASIA"


def parser() -> argparse.ArgumentParser:
    found = cli.Parser(
        prog="awsctx keys", description="Long-term access keys in the OS keyring; rotation that never loses both."
    )
    commands = found.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)
    add = commands.add_parser(
        "add",
        help="store a profile's access key in the OS keyring",
        description="Store a profile's access key in the OS keyring (asked on the terminal, never echoed).",
    )
    cli.add_profile(add, optional=False)
    add.add_argument(
        "--from-credentials", action="store_true", help="move the profile's keys out of the credentials file"
    )
    commands.add_parser("list", help="profiles with long-term keys: where, which key, how old")
    rotate = commands.add_parser(
        "rotate",
        help="replace the profile's access key with a new one",
        description="Create a new access key, prove it works, store it, then delete the old one.",
    )
    cli.add_profile(rotate, optional=False)
    rotate.add_argument(
        "--verify-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="how long to wait for IAM to accept the new key (default 60)",
    )
    remove = commands.add_parser("rm", help="delete a profile's keys from the OS keyring")
    cli.add_profile(remove, optional=False)
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask")
    return found


def run(namespace: argparse.Namespace, shell: str | None, interactive: bool) -> int:
    command = namespace.keys_command
    if command == "add":
        add(namespace.profile, namespace.from_credentials)
    elif command == "list":
        list_keys()
    elif command == "rotate":
        from awsctx import rotation

        rotation.rotate(namespace.profile, namespace.verify_seconds)
    else:
        remove(namespace.profile, namespace.yes)
    return 0


# ---------------------------------------------------------------------------- add


def _ask_keys(profile: str) -> tuple[str, str]:
    """The key id and secret from the terminal (never echoed), or two lines of stdin when it is not one."""
    if output.can_ask():
        import getpass

        try:
            key_id = getpass.getpass(f"Access key id for {profile!r}: ").strip()
            secret = getpass.getpass("Secret access key: ").strip()
        except EOFError:
            raise UserError("no key entered; nothing changed") from None
    else:
        key_id = sys.stdin.readline().strip()
        secret = sys.stdin.readline().strip()
    return key_id, secret


def _check_keys(key_id: str, secret: str, profile: str) -> None:
    if not key_id or not secret:
        raise UserError(f"profile {profile!r}: an access key id and a secret access key are both needed")
    if key_id.startswith(_TEMPORARY_PREFIX):
        raise UserError(f"profile {profile!r}: {key_id[:4]}… is a temporary key; only long-term keys (AKIA…) are kept")
    if not key_id.isalnum() or not 16 <= len(key_id) <= 128 or any(c.isspace() for c in secret):
        raise UserError(f"profile {profile!r}: that does not look like an access key id and secret; nothing changed")


def _created_date(key_id: str, secret: str, region: str) -> float | None:
    """When IAM created the key, asked with the key itself; None when IAM cannot be asked."""
    from awsctx import awsclient

    try:
        iam = awsclient.client("iam", region, keys=(key_id, secret, None), connect_timeout=3, read_timeout=5)
        listed = awsclient.call(iam.list_access_keys, "cannot reach IAM")["AccessKeyMetadata"]
    except (UserError, awsclient.Refused):
        return None
    for key in listed:
        if key.get("AccessKeyId") == key_id and key.get("CreateDate"):
            return key["CreateDate"].timestamp()
    return None


def add(profile: str, from_credentials: bool) -> None:
    cfg = config.load()
    settings = cfg.profiles.get(profile, {})
    if keystore.is_keyring_process(settings) == profile:
        raise UserError(
            f"profile {profile!r} already reads its keys from the OS keyring; `awsctx keys rotate {profile}`"
        )
    credentials_edit = keyfiles.Edit(paths.credentials_file(), in_config=False)
    config_edit = keyfiles.Edit(paths.config_file(), in_config=True)
    file_values = credentials_edit.values(profile)
    config_values = config_edit.values(profile)
    other = [key for key in ("role_arn", "sso_session", "sso_start_url", "credential_process") if key in settings]
    if other:
        raise UserError(
            f"profile {profile!r} gets its credentials through {other[0]}, not long-term keys; nothing changed"
        )
    if "aws_session_token" in settings or "aws_security_token" in settings:
        raise UserError(f"profile {profile!r} holds temporary credentials (a session token); nothing changed")
    if from_credentials:
        source = file_values if file_values.get(keyfiles.KEY_ID) else config_values
        key_id, secret = source.get(keyfiles.KEY_ID, ""), source.get(keyfiles.SECRET, "")
        if not key_id or not secret:
            raise UserError(
                f"profile {profile!r} has no aws_access_key_id and aws_secret_access_key in "
                f"{paths.display(paths.credentials_file())} to move; `awsctx keys add {profile}` asks for them"
            )
    else:
        if keyfiles.KEY_ID in settings:
            raise UserError(
                f"profile {profile!r} has keys in plain text already; move them: "
                f"awsctx keys add {profile} --from-credentials"
            )
        key_id, secret = _ask_keys(profile)
    _check_keys(key_id, secret, profile)
    store = keystore.backend()
    if keystore.read(profile, store) is not None:
        raise UserError(f"the OS keyring already holds keys for profile {profile!r}; `awsctx keys rm {profile}` first")
    created = _created_date(key_id, secret, config.region_of(settings) or "us-east-1")
    entry = keystore.Entry(key_id, secret, created or time.time(), created is not None)
    # The keyring first, read back: from here on the keys are safe whatever happens to the files.
    keystore.write(profile, entry, store)
    try:
        config_edit.remove(profile, (keyfiles.KEY_ID, keyfiles.SECRET))
        config_edit.set(profile, keyfiles.PROCESS, keystore.process_line(profile))
        credentials_edit.remove(profile, (keyfiles.KEY_ID, keyfiles.SECRET))
        # The config file first: should the credentials file then fail, its keys still win over
        # credential_process, and both places hold the same keys.
        config_edit.write()
        credentials_edit.write()
    except UserError as error:
        raise UserError(
            f"{error}; the keys are in the OS keyring and still in the files: remove them from the keyring "
            f"(awsctx keys rm {profile} --yes) or edit the files by hand"
        ) from None
    moved = " moved out of the credentials file" if from_credentials else ""
    output.success(f"Keys of profile {profile!r} ({_last_four(key_id)}) are in the OS keyring{moved}")


# ---------------------------------------------------------------------------- list and rm


def _last_four(key_id: str) -> str:
    return f"…{key_id[-4:]}"


def long_term_profiles(cfg: config.AwsConfig) -> tuple[list[str], list[str]]:
    """(profiles whose keys are in the keyring, profiles whose long-term keys are in plain text)."""
    in_keyring, plain = [], []
    for name in cfg.listing():
        settings = cfg.profiles[name]
        if keystore.is_keyring_process(settings) == name:
            in_keyring.append(name)
        elif (
            settings.get(keyfiles.KEY_ID)
            and settings.get(keyfiles.SECRET)
            and not settings.get("aws_session_token")
            and not settings.get("aws_security_token")
        ):
            plain.append(name)
    return in_keyring, plain


def list_keys() -> None:
    cfg = config.load()
    in_keyring, plain = long_term_profiles(cfg)
    rows = []
    if in_keyring:
        store = keystore.backend()
        for name in in_keyring:
            entry = keystore.read(name, store)
            if entry is None:
                rows.append((name, "-", "-", "keyring: missing, `awsctx keys add` it again"))
                continue
            age = f"{entry.age_days()} days" + ("" if entry.created_known else " (since added)")
            rows.append((name, _last_four(entry.access_key_id), age, "keyring"))
    for name in plain:
        rows.append((name, _last_four(cfg.profiles[name][keyfiles.KEY_ID]), "-", "plain text"))
    if not rows:
        output.note("no profile has long-term keys")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        line = "  ".join(output.printable(value).ljust(widths[i]) for i, value in enumerate(row[:3]))
        sys.stdout.write(f"{line}  {row[3]}\n")


def remove(profile: str, yes: bool) -> None:
    cfg = config.load()
    settings = cfg.profiles.get(profile, {})
    store = keystore.backend()
    entry = keystore.read(profile, store)
    if entry is None and keystore.is_keyring_process(settings) != profile:
        raise UserError(f"the OS keyring holds no keys for profile {profile!r}")
    if not yes:
        if not output.can_ask():
            raise UserError(f"deleting the keys of profile {profile!r} cannot be undone; add --yes")
        sys.stderr.write(f"Delete the keys of profile {profile!r} from the OS keyring (IAM keeps them)? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            raise UserError("nothing deleted")
    if keystore.is_keyring_process(settings) == profile:
        edit = keyfiles.Edit(paths.config_file(), in_config=True)
        edit.remove(profile, (keyfiles.PROCESS,))
        edit.write()
    keystore.delete(profile, store)
    output.success(f"Deleted the keys of profile {profile!r} from the OS keyring")
