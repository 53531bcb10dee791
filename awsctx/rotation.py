"""`awsctx keys rotate`: a new access key for the profile's IAM user, proven, then the old one deleted.

The order keeps a working key stored at every step, whatever fails:
1. CreateAccessKey (signed with the old key). Fails: nothing changed.
2. Keyring: the new key is stored beside the old one as Pending (a crash from here on leaves both
   stored, and the next `rotate` resumes). File: the new key is held in memory only.
3. GetCallerIdentity with the new key, retried while IAM propagates it, for a bounded time. Fails:
   the old key stays in use, and the new one is deleted from IAM again (or the message says how).
4. The new key replaces the old one where it is stored (the keyring entry, or the two values in
   the file, edited in place). Fails: the old key still works and stays stored.
5. DeleteAccessKey of the old key (signed with the new one). Fails: the new key is in use and the
   message gives the command that deletes the old one.
"""

from __future__ import annotations

import time

from awsctx import awsclient, config, keyfiles, keystore, output, paths
from awsctx.errors import UserError

# IAM allows two access keys per user: rotation needs a free slot for the new one.
_MAX_KEYS = 2


class _Keys:
    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id = key_id
        self.secret = secret

    @property
    def signing(self) -> tuple[str, str, None]:
        return (self.key_id, self.secret, None)


def shown(key_id: str) -> str:
    """An access key id as messages show it: its last four characters."""
    return f"…{key_id[-4:]}"


def rotate(profile: str, verify_seconds: float) -> None:
    cfg = config.load()
    settings = cfg.profile(profile)
    region = config.region_of(settings) or "us-east-1"
    if keystore.is_keyring_process(settings) == profile:
        _rotate_keyring(profile, region, verify_seconds)
        return
    for path, in_config in ((paths.credentials_file(), False), (paths.config_file(), True)):
        edit = keyfiles.Edit(path, in_config)
        values = edit.values(profile)
        if values.get(keyfiles.KEY_ID) and values.get(keyfiles.SECRET):
            if values.get("aws_session_token") or values.get("aws_security_token"):
                break
            _rotate_file(profile, region, verify_seconds, edit, values)
            return
    raise UserError(
        f"profile {profile!r} holds no long-term access key (in the OS keyring or the credentials file) to rotate"
    )


def _user_and_keys(old: _Keys, region: str, profile: str) -> tuple[str, list[str]]:
    """The IAM user the key belongs to and the ids of all its keys, in one ListAccessKeys (which
    rotation needs anyway; without UserName IAM answers for the user who signs)."""
    iam = awsclient.client("iam", region, keys=old.signing)
    with awsclient.Explained(f"profile {profile!r}"):
        listed = awsclient.call(iam.list_access_keys, "cannot reach IAM")["AccessKeyMetadata"]
    users = {key.get("UserName") for key in listed if key.get("AccessKeyId") == old.key_id}
    user = users.pop() if len(users) == 1 else None
    if not user:
        raise UserError(
            f"profile {profile!r}: IAM lists no user for key {shown(old.key_id)} (root or federated keys?); "
            "rotate it in the AWS console"
        )
    return user, [key["AccessKeyId"] for key in listed]


def _create(old: _Keys, region: str, profile: str, pending: str | None) -> tuple[str, _Keys, float]:
    user, listed = _user_and_keys(old, region, profile)
    others = [key for key in listed if key not in (old.key_id, pending)]
    if len(listed) >= _MAX_KEYS and others:
        raise UserError(
            f"IAM user {user!r} already has {len(listed)} access keys; delete the one not in use "
            f"({', '.join(others)}): {_delete_command(user, others[0])}"
        )
    iam = awsclient.client("iam", region, keys=old.signing)
    with awsclient.Explained(f"profile {profile!r}: IAM unchanged"):
        made = awsclient.call(iam.create_access_key, "cannot reach IAM", UserName=user)["AccessKey"]
    created = made.get("CreateDate")
    return user, _Keys(made["AccessKeyId"], made["SecretAccessKey"]), created.timestamp() if created else time.time()


def _verify(new: _Keys, region: str, seconds: float) -> str | None:
    """None once the new key works; else why it did not, after retrying for `seconds`."""
    sts = awsclient.client("sts", region, keys=new.signing)
    deadline = time.monotonic() + seconds
    delay = 1.0
    while True:
        try:
            awsclient.call(sts.get_caller_identity, "cannot reach STS")
            return None
        except (awsclient.Refused, UserError) as error:
            why = str(error)
        if time.monotonic() + delay > deadline:
            return why
        time.sleep(delay)
        delay = min(delay * 2, 5.0)


def _delete(key_id: str, user: str, signer: _Keys, region: str) -> str | None:
    """Delete `key_id` from IAM; None when done, else why not."""
    iam = awsclient.client("iam", region, keys=signer.signing)
    for attempt in range(3):
        try:
            awsclient.call(iam.delete_access_key, "cannot reach IAM", UserName=user, AccessKeyId=key_id)
            return None
        except awsclient.Refused as error:
            if error.code == "NoSuchEntity":
                return None
            why = str(error)
        except UserError as error:
            why = str(error)
        time.sleep(attempt + 1)
    return why


def _delete_command(user: str, key_id: str) -> str:
    return f"aws iam delete-access-key --user-name {user} --access-key-id {key_id}"


def _undo_new(new: _Keys, old: _Keys, user: str, region: str, what_failed: str) -> UserError:
    """The error for a rotation that stopped before the new key was in use: the old key stays."""
    why = _delete(new.key_id, user, old, region)
    if why is None:
        state = f"IAM: the new key {shown(new.key_id)} was deleted again, only the old key {shown(old.key_id)} exists"
    else:
        state = (
            f"IAM: the new key {new.key_id} could not be deleted ({why}), delete it: "
            f"{_delete_command(user, new.key_id)}"
        )
    return UserError(f"{what_failed}; the old key {shown(old.key_id)} stays in use. {state}")


def _rotate_keyring(profile: str, region: str, verify_seconds: float) -> None:
    store = keystore.backend()
    entry = keystore.read(profile, store)
    if entry is None:
        raise UserError(f"the OS keyring holds no keys for profile {profile!r}; add them: awsctx keys add {profile}")
    old = _Keys(entry.access_key_id, entry.secret_access_key)
    if entry.pending is not None:
        # An earlier rotation stopped after creating its key: finish it with that key.
        output.note(f"resuming the rotation to {shown(entry.pending.access_key_id)} that stopped before")
        user = _user_and_keys(old, region, profile)[0]
        new, created = _Keys(entry.pending.access_key_id, entry.pending.secret_access_key), entry.pending.created
    else:
        user, new, created = _create(old, region, profile, None)
        entry.pending = keystore.Entry(new.key_id, new.secret, created, True)
        try:
            keystore.write(profile, entry, store)
        except UserError as error:
            raise _undo_new(new, old, user, region, f"cannot store the new key ({error})") from None
    why = _verify(new, region, verify_seconds)
    if why is not None:
        entry.pending = None
        try:
            keystore.write(profile, entry, store)
        except UserError:
            pass  # the old key is still the entry's own; a stale Pending is retried or replaced later
        raise _undo_new(new, old, user, region, f"the new key did not work within {verify_seconds:g} s ({why})")
    try:
        keystore.write(profile, keystore.Entry(new.key_id, new.secret, created, True), store)
    except UserError as error:
        raise UserError(
            f"{error}; both keys work and both are in the keyring entry: run `awsctx keys rotate {profile}` again"
        ) from None
    _finish(profile, old, new, user, region)


def _rotate_file(profile: str, region: str, verify_seconds: float, edit: keyfiles.Edit, values: dict) -> None:
    old = _Keys(values[keyfiles.KEY_ID], values[keyfiles.SECRET])
    user, new, _ = _create(old, region, profile, None)
    why = _verify(new, region, verify_seconds)
    if why is not None:
        raise _undo_new(new, old, user, region, f"the new key did not work within {verify_seconds:g} s ({why})")
    try:
        edit.set(profile, keyfiles.KEY_ID, new.key_id)
        edit.set(profile, keyfiles.SECRET, new.secret)
        edit.write()
    except UserError as error:
        raise _undo_new(new, old, user, region, f"cannot write the new key ({error})") from None
    _finish(profile, old, new, user, region)


def _finish(profile: str, old: _Keys, new: _Keys, user: str, region: str) -> None:
    why = _delete(old.key_id, user, new, region)
    if why is not None:
        raise UserError(
            f"profile {profile!r} now uses the new key {shown(new.key_id)}, but the old key {old.key_id} "
            f"could not be deleted ({why}); delete it: {_delete_command(user, old.key_id)}"
        )
    output.success(
        f"Rotated the key of profile {profile!r}: {shown(new.key_id)} replaces {shown(old.key_id)}, "
        "which IAM has deleted"
    )
