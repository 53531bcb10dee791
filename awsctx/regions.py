"""Known AWS regions, for validating `-r` and completing it, without importing botocore."""

from __future__ import annotations

from awsctx.errors import UsageError

KNOWN = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
    "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
    "us-west-1", "us-west-2",
    # Other partitions.
    "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1", "us-iso-east-1", "us-iso-west-1",
    "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1", "us-isof-east-1", "us-isof-south-1",
    "eusc-de-east-1",
)  # fmt: skip


def _botocore_regions() -> set[str]:
    """Regions of the installed botocore's endpoint data, which knows regions newer than this list.

    Read from the data file without importing botocore; only on the path where a region is unknown.
    """
    import importlib.util
    import json
    import os

    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return set()
    data = os.path.join(next(iter(spec.submodule_search_locations)), "data", "endpoints.json")
    try:
        with open(data, encoding="utf-8") as file:
            partitions = json.load(file)["partitions"]
        return {region for partition in partitions for region in partition.get("regions", {})}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _well_formed(region: str) -> bool:
    return bool(region) and len(region) <= 64 and all(c.isascii() and (c.isalnum() or c == "-") for c in region)


def validate(region: str, force: bool = False) -> str:
    """`region` when AWS knows it (or `force` and it is at least a plausible name), else an error."""
    if region in KNOWN:
        return region
    if not _well_formed(region):
        raise UsageError(f"{region!r} is not a region name (letters, digits and '-' only)")
    if force or region in _botocore_regions():
        return region
    import difflib

    close = difflib.get_close_matches(region, KNOWN, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UsageError(f"unknown region {region!r}; {hint}add --force to use it anyway")
