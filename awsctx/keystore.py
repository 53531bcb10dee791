"""Long-term IAM user keys in the operating system's keyring, one entry per profile.

The `keyring` library (an optional extra: `pip install 'awsctx-shell[keyring]'`) reaches the macOS
Keychain, the Windows Credential Locker, a Secret Service (GNOME Keyring, KeePassXC) or KWallet.
Its fail and null backends, and the plain-text or home-made encrypted files of `keyrings.alt`, are
refused: keys that cannot go to a real keyring stay where they are, and awsctx says what to install.

A profile whose keys live here has `credential_process = /path/to/awsctx process --keyring NAME`;
importing this module costs nothing, and only that command, `awsctx keys` and `awsctx doctor` (for
such profiles) import `keyring`, which takes tens of milliseconds and a D-Bus round trip.

An entry is a JSON object: AccessKeyId, SecretAccessKey, Created (epoch seconds: IAM's CreateDate
when it was known, else when the key was added), CreatedKnown (whether it was), and, while a
rotation is under way, Pending (the new key, not yet proven to work).
"""

from __future__ import annotations

import json
import time

from awsctx.errors import UserError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SERVICE = "awsctx"
# The `credential_process` flag that marks a profile as keyring-backed.
FLAG = "--keyring"
INSTALL_HINT = "pip install 'awsctx-shell[keyring]' (or pipx inject awsctx-shell keyring)"
NO_BACKEND_HINT = (
    "no usable OS keyring: on Linux install and run a Secret Service "
    "(apt install gnome-keyring, or KeePassXC or KWallet) in your desktop or D-Bus session"
)
# Backends that would keep the secret in plain text, in a file of their own, or nowhere.
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt", "keyring.backends.chainer")


class Entry:
    """A profile's keys as kept in the keyring."""

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        created: float,
        created_known: bool,
        pending: Entry | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.created = created
        self.created_known = created_known
        self.pending = pending

    def to_json(self) -> str:
        return json.dumps(self._fields())

    def _fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Created": self.created,
            "CreatedKnown": self.created_known,
        }
        if self.pending is not None:
            fields["Pending"] = self.pending._fields()
        return fields

    @classmethod
    def from_fields(cls, fields: Any) -> Entry:
        pending = fields.get("Pending")
        return cls(
            str(fields["AccessKeyId"]),
            str(fields["SecretAccessKey"]),
            float(fields.get("Created") or time.time()),
            bool(fields.get("CreatedKnown")),
            cls.from_fields(pending) if isinstance(pending, dict) else None,
        )

    def age_days(self, now: float | None = None) -> int:
        return max(0, int(((now or time.time()) - self.created) // 86400))


def _module() -> Any:
    try:
        import keyring
    except ImportError:
        raise UserError(f"awsctx keys needs the keyring library: {INSTALL_HINT}") from None
    return keyring


def backend() -> Any:
    """The keyring backend awsctx writes to: the one keyring chose if it is a real keyring, else
    the best real one of a chain; a UserError in one line when there is none."""
    keyring = _module()
    from keyring.errors import KeyringError

    try:
        chosen = keyring.get_keyring()
    except (KeyringError, RuntimeError, ValueError) as error:
        raise UserError(f"{NO_BACKEND_HINT} ({error})") from None
    candidates = list(getattr(chosen, "backends", None) or [chosen])
    for candidate in candidates:
        module = type(candidate).__module__
        if not module.startswith(_REFUSED_MODULES) and getattr(candidate, "priority", 1) > 0:
            return candidate
    name = f"{type(chosen).__module__}.{type(chosen).__name__}"
    raise UserError(f"{NO_BACKEND_HINT}; the keyring backend {name} would not keep the keys safe, awsctx refuses it")


def _call(what: str, operation: Any, *arguments: str) -> Any:
    from keyring.errors import KeyringError

    try:
        return operation(*arguments)
    except KeyringError as error:
        detail = str(error) or type(error).__name__
        raise UserError(f"the OS keyring refused to {what} ({detail}); is it unlocked?") from None
    except Exception as error:  # D-Bus and platform errors are not KeyringErrors
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UserError(f"the OS keyring failed to {what} ({detail}); {NO_BACKEND_HINT}") from None


def read(profile: str, store: Any = None) -> Entry | None:
    """The profile's entry, or None when the keyring has none."""
    store = store or backend()
    text = _call(f"read the keys of profile {profile!r}", store.get_password, SERVICE, profile)
    if text is None:
        return None
    try:
        return Entry.from_fields(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UserError(
            f"the OS keyring's entry for profile {profile!r} (service {SERVICE!r}) is not awsctx's; "
            f"remove it with `awsctx keys rm {profile}` or your keyring's own tool"
        ) from None


def write(profile: str, entry: Entry, store: Any = None) -> None:
    """Store the entry and read it back: a keyring that accepted it but does not return it fails here."""
    store = store or backend()
    _call(f"store the keys of profile {profile!r}", store.set_password, SERVICE, profile, entry.to_json())
    back = _call(f"read back the keys of profile {profile!r}", store.get_password, SERVICE, profile)
    if back != entry.to_json():
        raise UserError(
            f"the OS keyring did not return the keys of profile {profile!r} as stored; nothing else changed"
        )


def delete(profile: str, store: Any = None) -> bool:
    """Remove the entry; False when there was none."""
    store = store or backend()
    from keyring.errors import PasswordDeleteError

    try:
        store.delete_password(SERVICE, profile)
    except PasswordDeleteError:
        return False
    except Exception:
        _call(f"delete the keys of profile {profile!r}", store.delete_password, SERVICE, profile)
    return True


def is_keyring_process(settings: dict) -> str | None:
    """The profile named by a `credential_process = awsctx process --keyring NAME` line, or None."""
    import os

    from awsctx import ini

    line = settings.get("credential_process")
    words = ini.split_words(line) if isinstance(line, str) else None
    if words and len(words) == 4 and os.path.basename(words[0]) == "awsctx" and words[1:3] == ["process", FLAG]:
        return words[3]
    return None


def process_line(profile: str) -> str:
    """The credential_process line for a keyring-backed profile: awsctx by absolute path, so that
    any SDK finds it whatever its PATH."""
    import shlex

    return " ".join(shlex.quote(word) for word in (_program(), "process", FLAG, profile))


def _program() -> str:
    import os
    import shutil
    import sys

    candidate = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.basename(candidate) == "awsctx" and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("awsctx")
    if found:
        return os.path.abspath(found)
    raise UserError("cannot find the awsctx program by absolute path; run awsctx from where it is installed")
