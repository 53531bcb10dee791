"""The profiles as configuration for the AWS Extend Switch Roles browser extension.

The extension lifts the console's limit of five remembered roles. It reads text in the form of
~/.aws/config: a section per profile, with `aws_account_id` and `role_name` for a role to switch to,
and optional `color` (hex, no '#'), `region` (switched to with the role) and `aws_account_alias`.
A *base account* is the identity the console is signed in as; a role whose `source_profile` names
one is listed only while signed in to it, a role without one always. The extension picks the first
base whose account (id or alias) matches the console's and whose `role_name`, when it has one,
names the role, permission set or IAM user signed in.

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
- several bases in one account: each profile with long-term keys (in the credentials file or the
  OS keyring) gets its IAM user's name as role_name, as the extension documents, when awsctx has
  learnt it; bases it cannot tell apart are written as one, with a comment that says why; those
  with a role_name come first, so that one without cannot hide them.

The extension's parser reads ';' and '#' anywhere as the start of a comment, and splits each line
at its first '=' and keeps only what lies between it and the next '=': no line is written that it
would read otherwise. A role whose name or values hold one of those is left out with a comment
(its role name cut short, the extension would switch to another role); a base whose name holds one
is written under a name the extension reads as it is, with a comment (the name only links it to
its roles, which the extension looks up by it).
"""

from __future__ import annotations

from dataclasses import dataclass

from awsctx import config, credentials, facts, keystore, output

_COMMENT_MARKS = (";", "#")
_CUT = "="  # where the extension splits a line; what follows a second one is dropped


@dataclass
class _Base:
    """A profile that roles are assumed from, as the extension's base account."""

    name: str
    accounts: set[str]  # the account id and alias the console may show
    keys: list[tuple[str, str]]  # the account's keys: aws_account_id, and aws_account_alias if known
    color: str = ""
    role_name: str = ""  # the permission set (SSO), or the IAM user when needed to tell bases apart
    user: str = ""  # the IAM user of long-term keys, when awsctx has learnt it
    same_as: str = ""  # another base the extension cannot tell this one from: its roles go there


def render(cfg: config.AwsConfig) -> str:
    """The extension's configuration for the profiles of `cfg`, in the order `awsctx` lists them."""
    roles: list[tuple[str, list[tuple[str, str]], str]] = []  # (name, keys, base or "")
    bases: dict[str, _Base | None] = {}  # source profile -> its base, None: not one the extension can use
    skipped: list[str] = []
    for name in cfg.listing():
        settings = cfg.profiles[name]
        role_arn = settings.get("role_arn")
        if not isinstance(role_arn, str):
            continue
        account, role_name = _split_role_arn(role_arn)
        if not account:
            skipped.append(f"left out {output.printable(name)}: role_arn is not an IAM role ARN")
            continue
        keys = [("aws_account_id", account), ("role_name", role_name), *_display_keys(settings)]
        problem = _unwritable(name, keys)
        if problem:
            skipped.append(f"left out {output.printable(name)}: {problem}")
            continue
        source = settings.get("source_profile")
        linked = ""
        if isinstance(source, str) and source != name and source in cfg.profiles:
            if source not in bases:
                bases[source] = _base(cfg, source, skipped)
            linked = source if bases[source] is not None else ""
        roles.append((name, keys, linked))
    found = [base for base in bases.values() if base is not None]
    _tell_apart(found, skipped)
    written = _written_names(found, {name for name, _, _ in roles}, skipped)
    sections = []
    for name, keys, source in roles:
        if source:
            owner = bases[source]
            assert owner is not None
            keys = [*keys, ("source_profile", written[owner.same_as or owner.name])]
        sections.append(_section(name, keys))
    # Base accounts after their roles: the extension links them by name, in any order.
    for kept in _in_matching_order([base for base in found if not base.same_as]):
        named = [("role_name", kept.role_name)] if kept.role_name else []
        color = [("color", kept.color)] if kept.color else []
        sections.append(_section(written[kept.name], [*kept.keys, *named, *color]))
    notes = [f"; {reason}\n" for reason in skipped]
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


def _base(cfg: config.AwsConfig, source: str, skipped: list[str]) -> _Base | None:
    """The base account for a role's source profile; None when its account is unknown or cannot be
    written (its roles are then listed always)."""
    settings = cfg.profiles[source]
    in_keyring = keystore.is_keyring_process(settings) == source
    if "role_arn" in settings or ("credential_process" in settings and not in_keyring):
        return None  # a chain, or credentials of unknown origin: no console sign-in to match
    sso = config.uses_sso(settings)
    account, alias = facts.account_of(settings)
    user = ""
    if not sso and ("aws_access_key_id" in settings or in_keyring):
        known = credentials.cached_identity(source, settings)
        if known is not None:
            account = account or known.account_id
            user = _user_name(known.arn, known.account_id)
    if not (account or alias):
        return None
    # An aliased account signs in under its alias: the extension matches either.
    keys = [("aws_account_id", account or alias)]
    if alias and account:
        keys.append(("aws_account_alias", alias))
    role_name = settings.get("sso_role_name")
    role_name = role_name.strip() if sso and isinstance(role_name, str) else ""
    problem = _unwritable("", [*keys, ("role_name", role_name)] if role_name else keys)
    if problem:
        skipped.append(f"{output.printable(source)} is no base account: {problem}; its roles are listed always")
        return None
    accounts = {value for value in (account, alias) if value}
    return _Base(source, accounts, keys, facts.color_of(settings), role_name, user)


def _user_name(arn: str, account: str) -> str:
    """The IAM user's name in arn:PARTITION:iam::ACCOUNT:user/PATH/NAME, as the console shows the
    user signed in; "" for any other ARN or a name the extension would not read as it is."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or parts[4] != account or not parts[5].startswith("user/"):
        return ""
    name = parts[5].rsplit("/", 1)[-1]
    return name if name and not _unwritable("", [("role_name", name)]) else ""


def _tell_apart(bases: list[_Base], skipped: list[str]) -> None:
    """Give bases that share an account what the extension tells them apart by: the IAM user of
    long-term keys as role_name. Those it still cannot tell apart go into the first of them."""
    for base in bases:
        shared = any(other is not base and other.accounts & base.accounts for other in bases)
        if shared and not base.role_name and base.user:
            base.role_name = base.user
    for index, base in enumerate(bases):
        for earlier in bases[:index]:
            if earlier.same_as or not earlier.accounts & base.accounts or earlier.role_name != base.role_name:
                continue
            base.same_as = earlier.name
            account = sorted(base.accounts)[0]
            if base.role_name:
                why = f"signs in as {base.role_name} in account {account}, as {output.printable(earlier.name)} does"
            else:
                why = (
                    f"is in account {account} with {output.printable(earlier.name)}, and awsctx does not know which "
                    f"IAM user each signs in as (switch to each once, then export again)"
                )
            skipped.append(
                f"base {output.printable(base.name)} {why}: its roles are listed under {output.printable(earlier.name)}"
            )
            break


def _in_matching_order(bases: list[_Base]) -> list[_Base]:
    """The bases in the order found, except that one without a role_name comes after the others of
    its account: the extension takes the first base that matches the console, and one without a
    role_name matches whoever is signed in."""
    catch_all = [
        base
        for base in bases
        if not base.role_name and any(other.role_name and other.accounts & base.accounts for other in bases)
    ]
    return [base for base in bases if base not in catch_all] + catch_all


def _written_names(bases: list[_Base], taken: set[str], skipped: list[str]) -> dict[str, str]:
    """The name each base is written under: its own, or one the extension reads as it is."""

    def readable(name: str) -> bool:
        return not _unwritable(name, []) and not _unwritable("", [("source_profile", name)])

    written = {}
    bases = [base for base in bases if not base.same_as]  # written as the base they are the same as
    used = set(taken) | {base.name for base in bases if readable(base.name)}
    for base in bases:
        if readable(base.name):
            written[base.name] = base.name
            continue
        stem = "".join(c if c.isprintable() and c not in (*_COMMENT_MARKS, _CUT) else "-" for c in base.name)
        stem = stem.strip() or "base"
        candidate, number = stem, 1
        while candidate in used:
            number += 1
            candidate = f"{stem}-{number}"
        used.add(candidate)
        written[base.name] = candidate
        skipped.append(
            f"base {output.printable(base.name)} is written as {candidate}: the extension would read its name otherwise"
        )
    return written


def _unwritable(name: str, keys: list[tuple[str, str]]) -> str:
    """Why the extension would read a section named `name` with `keys` otherwise; "" when it would not."""
    for text in [name, *(value for _, value in keys)]:
        if any(mark in text for mark in _COMMENT_MARKS):
            return "the extension would read part of it as a comment"
        if not text.isprintable() or text != text.strip():
            return "the extension would read it without its odd characters"
    for key, value in keys:
        if not value:
            return f"its {key} is empty"
        if _CUT in value:
            what = "role name" if key == "role_name" else key
            return f"its {what} holds '{_CUT}', where the extension would cut it short"
    return ""


def _section(name: str, keys: list[tuple[str, str]]) -> str:
    return f"[profile {name}]\n" + "".join(f"{key} = {value}\n" for key, value in keys)
