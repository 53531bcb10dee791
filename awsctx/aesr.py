"""The profiles as configuration for the AWS Extend Switch Roles browser extension.

The extension lifts the console's limit of five remembered roles. It reads text in the form of
~/.aws/config: a section per profile, with `aws_account_id` and `role_name` for a role to switch to,
and optional `color` (hex, no '#'), `region` (switched to with the role) and `aws_account_alias`.
A *base account* is the identity the console is signed in as; a role whose `source_profile` names
one is listed only while signed in to it, a role without one always.

What each profile becomes:
- a role (role_arn) assumed from long-term keys or from an SSO profile: a role under that source
  as base account, when the source's account is known (its aws_account_id or aws_account_alias,
  its SSO account, or the account awsctx learnt when it last resolved it); otherwise a role
  listed always.
- a role chained from another role, or with credential_source or a web identity: a role listed
  always, since the extension has no base accounts under base accounts.
- a profile roles are assumed from: their base account. For an SSO profile, its permission set is
  the base's role_name, which is how the extension recognises an SSO console session. An SSO
  profile is never a role to switch to: the console cannot switch into a permission set's role.
The extension reads ';' and '#' anywhere as the start of a comment: a profile whose name or values
hold one is left out, and a comment says so.
"""

from __future__ import annotations

from awsctx import config, credentials, facts, output

_COMMENT_MARKS = (";", "#")


def render(cfg: config.AwsConfig) -> str:
    """The extension's configuration for the profiles of `cfg`, in the order `awsctx` lists them."""
    names = cfg.listing()
    bases: dict[str, list[tuple[str, str]] | None] = {}  # source profile -> its section, None: unknown account
    sections: list[str] = []
    skipped: list[str] = []
    for name in names:
        settings = cfg.profiles[name]
        role_arn = settings.get("role_arn")
        if not isinstance(role_arn, str):
            continue
        account, role_name = _split_role_arn(role_arn)
        if not account:
            skipped.append(f"{output.printable(name)}: role_arn is not an IAM role ARN")
            continue
        keys = [("aws_account_id", account), ("role_name", role_name), *_display_keys(settings)]
        source = settings.get("source_profile")
        if isinstance(source, str) and source != name and source in cfg.profiles:
            if source not in bases:
                bases[source] = _base_keys(cfg, source)
            if bases[source] is not None:
                keys.append(("source_profile", source))
        _add(sections, skipped, name, keys)
    # Base accounts after their roles: the extension links them by name, in any order.
    for source, base_keys in bases.items():
        if base_keys is not None:
            _add(sections, skipped, source, base_keys)
    notes = [f"; left out {reason}\n" for reason in skipped]
    return "".join(notes) + ("\n" if notes and sections else "") + "\n".join(sections)


def _split_role_arn(role_arn: str) -> tuple[str, str]:
    """(account, role name with its path) of arn:PARTITION:iam::ACCOUNT:role/PATH/NAME; "" when not one."""
    parts = role_arn.strip().split(":", 5)
    account, _ = facts.account_of({"role_arn": role_arn})
    if not account or len(parts) != 6 or not parts[5].startswith("role/") or len(parts[5]) <= len("role/"):
        return "", ""
    # With its path, as the console's switch-role form takes it.
    return account, parts[5][len("role/") :]


def _display_keys(settings: dict) -> list[tuple[str, str]]:
    keys = []
    _, alias = facts.account_of(settings)
    if alias:
        keys.append(("aws_account_alias", alias))
    region = config.region_of(settings)
    if region:
        keys.append(("region", region.strip()))
    color = facts.color_of(settings)
    if color:
        keys.append(("color", color))
    return keys


def _base_keys(cfg: config.AwsConfig, source: str) -> list[tuple[str, str]] | None:
    """The base-account section for a role's source profile; None when its account is unknown."""
    settings = cfg.profiles[source]
    if "role_arn" in settings or "credential_process" in settings:
        return None  # a chain, or credentials of unknown origin: no console sign-in to match
    sso = "sso_session" in settings or "sso_start_url" in settings
    account, alias = facts.account_of(settings)
    if not account and not sso and "aws_access_key_id" in settings:
        known = credentials.cached_identity(source, settings)
        account = known.account_id if known is not None else ""
    if not (account or alias):
        return None
    # An aliased account signs in under its alias: the extension matches either.
    keys = [("aws_account_id", account or alias)]
    if alias and account:
        keys.append(("aws_account_alias", alias))
    role_name = settings.get("sso_role_name")
    if sso and isinstance(role_name, str) and role_name.strip():
        keys.append(("role_name", role_name.strip()))
    color = facts.color_of(settings)
    if color:
        keys.append(("color", color))
    return keys


def _add(sections: list[str], skipped: list[str], name: str, keys: list[tuple[str, str]]) -> None:
    texts = [name, *(value for _, value in keys)]
    if any(mark in text for text in texts for mark in _COMMENT_MARKS) or not all(t.isprintable() for t in texts):
        skipped.append(f"{output.printable(name)}: the extension would read part of it as a comment")
        return
    sections.append(f"[profile {name}]\n" + "".join(f"{key} = {value}\n" for key, value in keys))
