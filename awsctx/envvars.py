"""The one list of environment variables awsctx sets, clears and unsets."""

from __future__ import annotations

PROFILE = "AWS_PROFILE"
REGION = "AWS_REGION"
DEFAULT_REGION = "AWS_DEFAULT_REGION"  # boto3 reads this one, the AWS CLI v2 the other: set both

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
INTEGRATION = "AWSCTX_INTEGRATION"  # set by the function for the commands it runs directly (doctor reads it)
COMPLETION = "AWSCTX_COMPLETION"  # `missing`: set by an interactive zsh's function while compinit has not run

# The `.awsctx` files whose profile this shell switched to on entering their folder, innermost last,
# each with the profile and region the shell had before: what leaving goes back to. Kept by the
# integration (awsctx/folders.py encodes it) and exported, so that a shell started inside such a
# folder knows it too. `awsctx -u` leaves it: leaving still goes back.
FOLDERS = "AWSCTX_FOLDERS"

# What the prompt shows, exported by a switch for the prompt segment and for other prompts and
# tools (never a secret): a switch exports those it knows and unsets the rest; `awsctx -u` unsets
# them all. Documented in docs/prompt.md.
FACTS_PROFILE = "AWSCTX_PROFILE"  # the profile the facts below describe; stale once AWS_PROFILE differs
ACCOUNT_ID = "AWSCTX_ACCOUNT_ID"
ACCOUNT_ALIAS = "AWSCTX_ACCOUNT_ALIAS"
EXPIRATION = "AWSCTX_EXPIRATION"  # when the credentials expire, in epoch seconds
SSO_REFRESHABLE = "AWSCTX_SSO_REFRESHABLE"  # 1: an SSO session renews them without a login
COLOR = "AWSCTX_COLOR"  # the profile's `color` (6 hex digits, as the console extension keeps it)
PROD = "AWSCTX_PROD"  # 1: the profile matches AWSCTX_PROD_PATTERNS
SEGMENT = "AWSCTX_SEGMENT"  # the segment's plain text, exported by the shell before every prompt
PROMPT = (FACTS_PROFILE, ACCOUNT_ID, ACCOUNT_ALIAS, EXPIRATION, SSO_REFRESHABLE, COLOR, PROD, SEGMENT)

# Facts of the credentials a switch checked (not secrets), beside the prompt's.
ARN = "AWSCTX_ARN"
# Set by `awsctx exec NAME` in the command's environment: the profile it runs as (as aws-vault's AWS_VAULT).
EXEC = "AWSCTX_EXEC"
# When the prompt hook refreshes, in the background, the role credentials an MFA session renews
# (epoch seconds; see awsctx/refreshtime.py). Not a secret; set only for such profiles.
REFRESH_AT = "AWSCTX_REFRESH_AT"

# Export mode (`--export`, or AWSCTX_CREDENTIALS=export): the credentials themselves, for tools that
# cannot read profiles. EXPORTED_KEYS marks that awsctx put them there, so that `-u` removes them
# and never keys a user exported by hand.
KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
KEY_EXPIRATIONS = ("AWS_SESSION_EXPIRATION", "AWS_CREDENTIAL_EXPIRATION")
EXPORTED_KEYS = "AWSCTX_EXPORTED_KEYS"
# What `awsctx -u` finds to undo: when none of these is set, it changes nothing.
SET_BY_AWSCTX = (PROFILE, REGION, DEFAULT_REGION, *PROMPT, ARN, REFRESH_AT, EXPORTED_KEYS)

# User settings.
CREDENTIALS = "AWSCTX_CREDENTIALS"  # check (the default), off, or export: what a switch does about credentials
NO_PICKER = "AWSCTX_NO_FZF"
NO_PROMPT = "AWSCTX_NO_PROMPT"  # read by `awsctx init`: leave the prompt alone (like --no-prompt)
NO_FOLDERS = "AWSCTX_NO_FOLDERS"  # read by `awsctx init`: no profile per folder (like --no-folders)
PROD_PATTERNS = "AWSCTX_PROD_PATTERNS"  # globs of production profile names, comma or space separated
DEBUG = "AWSCTX_DEBUG"  # 1: an error also prints the chain of causes behind it, with tracebacks
PROMPT_FORMAT = "AWSCTX_PROMPT_FORMAT"  # read by the shell at every prompt; placeholders in docs/prompt.md

# Other tools' settings the prompt follows, read by the shell at every prompt.
NO_COLOR = "NO_COLOR"  # any value: no colour (no-color.org)
COLORTERM = "COLORTERM"  # truecolor or 24bit: the terminal draws 24-bit colour
