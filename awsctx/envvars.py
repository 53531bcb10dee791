"""The one list of environment variables awsctx sets, clears and unsets."""

from __future__ import annotations

PROFILE = "AWS_PROFILE"
REGION = "AWS_REGION"
DEFAULT_REGION = "AWS_DEFAULT_REGION"  # boto3 reads this one, the AWS CLI v2 the other: set both

# Set by a switch, removed by `awsctx -u`.
SWITCHED = (PROFILE, REGION, DEFAULT_REGION)

# Would shadow the profile a switch selects: botocore prefers keys in the environment to AWS_PROFILE,
# and AWS_DEFAULT_PROFILE to AWS_PROFILE.
SHADOWING = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_DEFAULT_PROFILE",
)

# Told to the program by the shell function; never exported into the user's environment.
SHELL_MODE = "AWSCTX_SHELL"  # the integration is calling: print code for this shell
PREVIOUS = "AWSCTX_PREVIOUS"  # this shell's previous profile and region, for `awsctx -`
INTERACTIVE = "AWSCTX_INTERACTIVE"  # the function's stdout is a terminal (the program's is captured)

# User settings.
NO_PICKER = "AWSCTX_NO_FZF"
