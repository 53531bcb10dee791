"""Profile names for `awsctx sso sync`: the `--template` placeholders, and names made safe for the
INI header, every shell and `credential_process` lines, unique per account and role."""

from __future__ import annotations

from awsctx.errors import UsageError
from awsctx.sso.portal import Grant

DEFAULT_TEMPLATE = "{account_name}.{role_name}"


TEMPLATE_FIELDS = ("account_name", "account_id", "role_name", "session")


# Characters kept in profile names: nothing a shell, an INI header, shlex or bash's completion
# word breaks (`:`, `=`, `@`) would read specially. Go SDKs run credential_process with `sh -c`,
# so a name that reaches that line must be inert there too.
SAFE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def check_template(template: str) -> None:
    import string

    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as error:
        raise UsageError(f"--template {template!r}: {error}") from None
    known = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    for field in fields:
        if field not in TEMPLATE_FIELDS:
            raise UsageError(f"--template {template!r}: unknown placeholder {{{field}}}; use {known}")
    if "role_name" not in fields or not {"account_name", "account_id"} & set(fields):
        raise UsageError(
            f"--template {template!r} must name the role and the account: include {{role_name}} and "
            "{account_name} or {account_id}"
        )


def safe_name(text: str) -> str:
    """`text` as a profile name: lower case, accents dropped, spaces and every character outside
    a-z 0-9 . _ - as single dashes, no dash or dot at either end."""
    if not text.isascii():
        import unicodedata

        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    name = "".join(c if c in SAFE_CHARACTERS else "-" for c in text.lower())
    while "--" in name:
        name = name.replace("--", "-")
    return name.strip("-.")


def profile_names(grants: list[Grant], template: str, session: str) -> dict[Grant, str]:
    """The profile name of each grant: the template's, made safe; names that two grants (or a
    reserved name) share get the account id, then a hash of the role, appended. The result depends
    on the set of grants only, never on the order the server listed them in."""
    import hashlib

    def base(grant: Grant) -> str:
        values = {
            "account_name": safe_name(grant.account_name) or grant.account_id,
            "account_id": grant.account_id,
            "role_name": safe_name(grant.role_name) or grant.role_name.lower(),
            "session": safe_name(session) or "sso",
        }
        return safe_name(template.format_map(values)) or f"{grant.account_id}-{values['role_name']}"

    def role_hash(grant: Grant) -> str:
        return hashlib.sha1(f"{grant.account_id}/{grant.role_name}".encode()).hexdigest()[:8]

    ordered = sorted(grants, key=lambda grant: (grant.account_id, grant.role_name))
    names = {grant: base(grant) for grant in ordered}
    for widen in (lambda grant, name: f"{name}-{grant.account_id}", lambda grant, name: f"{name}-{role_hash(grant)}"):
        users: dict[str, int] = {}
        for name in names.values():
            users[name] = users.get(name, 0) + 1
        clashing = [grant for grant in ordered if users[names[grant]] > 1 or names[grant] in RESERVED_NAMES]
        if not clashing:
            break
        for grant in clashing:
            names[grant] = widen(grant, names[grant])
    return names


# `[profile default]` would compete with `[default]`.
RESERVED_NAMES = frozenset({"default"})
