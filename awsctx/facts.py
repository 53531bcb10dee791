"""Facts about a profile worked out from the config alone: account id and alias, colour, whether it
is production. The prompt shows them and the AWS Extend Switch Roles export writes them.

A switch exports these facts as AWSCTX_* variables (never secrets); the shell integration renders
the prompt segment from them with builtins only, so a prompt starts no process and no network call
is ever made for it. Other prompts (starship, powerlevel10k) and tools read the same variables.
Names and meanings: `envvars.PROMPT` and docs/prompt.md.
"""

from __future__ import annotations

import os

from awsctx import envvars, output
from awsctx.shells import Script

DEFAULT_PROD_PATTERNS = "*prod*"
# IAM account aliases are at most 63 characters: anything longer in a config is cut, so that no
# value in the environment grows until every command fails with "Argument list too long".
MAX_ALIAS = 63
_HEX = frozenset("0123456789abcdef")


def of_profile(
    profile_name: str,
    settings: dict,
    *,
    account_id: str | None = None,
    alias: str | None = None,
    expiration: int | None = None,
    sso_refreshable: bool = False,
) -> dict[str, str]:
    """The AWSCTX_* variables that describe PROFILE_NAME, from its settings (no network, no boto3).

    The keyword arguments are what the credentials code knows at switch time (the account and alias
    cached for static keys, when temporary credentials expire, whether an SSO session can renew
    them); they win over what the config says.
    """
    found: dict[str, str] = {}
    config_id, config_alias = account_of(settings)
    account = account_id if account_id and _is_account_id(account_id) else config_id
    if account:
        found[envvars.ACCOUNT_ID] = account
    shown_alias = alias or config_alias
    if shown_alias:
        found[envvars.ACCOUNT_ALIAS] = _bounded(output.printable(shown_alias))
    if expiration is not None:
        found[envvars.EXPIRATION] = str(int(expiration))
        if sso_refreshable:
            found[envvars.SSO_REFRESHABLE] = "1"
    color = color_of(settings)
    if color:
        found[envvars.COLOR] = color
    if is_production(profile_name):
        found[envvars.PROD] = "1"
    if found:
        # Marks whose facts these are: the prompt ignores them once AWS_PROFILE is changed by hand.
        found[envvars.FACTS_PROFILE] = profile_name
    return found


def export(script: Script, profile_name: str, settings: dict | None, **known: str | int | bool | None) -> None:
    """Export the facts of the profile a switch selects and unset the stale ones.

    `settings` is None when the profile did not change (a region-only switch): its facts still hold.
    `known` is passed on to `of_profile`.
    """
    if not profile_name:
        found: dict[str, str] = {}
    elif settings is None:
        return
    else:
        found = of_profile(profile_name, settings, **known)  # type: ignore[arg-type]
    for name, value in found.items():
        script.export(name, value)
    # The segment text is the shell's to export again at the next prompt.
    script.unset(*(name for name in envvars.PROMPT if name not in found))


def account_of(settings: dict) -> tuple[str, str]:
    """(account id, alias) the profile's own keys name; "" for what they do not."""
    account = ""
    role_arn = settings.get("role_arn")
    if isinstance(role_arn, str):
        # arn:PARTITION:iam::ACCOUNT:role/NAME: the account the calls go to.
        parts = role_arn.strip().split(":", 5)
        if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and _is_account_id(parts[4]):
            account = parts[4]
    alias = _text(settings.get("aws_account_alias"))
    for key in ("sso_account_id", "aws_account_id"):
        value = _text(settings.get(key))
        if not value:
            continue
        if _is_account_id(value):
            account = account or value
        elif key == "aws_account_id":
            # The console extension takes an account alias here for an aliased base account.
            alias = alias or value
    return account, alias


def color_of(settings: dict) -> str:
    """The profile's `color` as 6 lower-case hex digits (the console extension's key); "" if none."""
    value = _text(settings.get("color")).lower().removeprefix("#")
    return value if len(value) == 6 and _HEX.issuperset(value) else ""


def is_production(profile_name: str) -> bool:
    """Whether the name matches AWSCTX_PROD_PATTERNS (globs, any case; default: contains `prod`)."""
    setting = os.environ.get(envvars.PROD_PATTERNS)
    patterns = (DEFAULT_PROD_PATTERNS if setting is None else setting).replace(",", " ").split()
    name = profile_name.lower()
    return any(glob_match(pattern.lower(), name) for pattern in patterns)


def glob_match(pattern: str, text: str) -> bool:
    """`fnmatch.fnmatchcase` for `*` and `?`, without importing `re` on the switch path."""
    if "[" in pattern:
        import fnmatch

        return fnmatch.fnmatchcase(text, pattern)
    p = t = 0
    star = -1  # where the last `*` was in the pattern, and where its match began in the text
    resume = 0
    while t < len(text):
        if p < len(pattern) and pattern[p] in ("?", text[t]) and pattern[p] != "*":
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, resume = p, t
            p += 1
        elif star >= 0:
            # Let the last `*` take one more character and try again from there.
            resume += 1
            p, t = star + 1, resume
        else:
            return False
    return all(char == "*" for char in pattern[p:])


def _is_account_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 12


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_ALIAS else text[: MAX_ALIAS - 1] + "…"
