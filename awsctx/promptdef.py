"""What the prompt segment is made of, defined once for its three renderers and for docs/prompt.md.

`awsctx init` writes these into the shell code (shell/prompt.sh for bash and zsh, shell/awsctx.fish)
through template tokens, so that the shells cannot disagree on a placeholder, its mark or the
variables a prompt watches; tests/test_prompt.py holds docs/prompt.md to the same lists. Loaded by
`awsctx init` only: a prompt runs the rendered shell code, never Python.
"""

from __future__ import annotations

from awsctx import envvars


class Placeholder:
    """`{name}` in AWSCTX_PROMPT_FORMAT, filled from the renderer's variable `__awsctx_<source>`."""

    __slots__ = ("mark", "name", "source")

    def __init__(self, name: str, source: str, mark: str) -> None:
        self.name, self.source, self.mark = name, source, mark


# In the order the renderers fill them in. While the values go in, each placeholder is a control
# character (its mark): the renderers replace every control character of a value and of the format
# with `?` first, so a value holding `{region}` stays itself. \037 is kept apart: the bash and zsh
# renderers part the segment's text from the rest of their key with it.
PLACEHOLDERS = tuple(
    Placeholder(name, source, chr(0o21 + index))
    for index, (name, source) in enumerate(
        (
            ("profile", "profile"),
            ("account", "account"),  # the alias when one is known, else the id
            ("account_id", "id"),
            ("alias", "alias"),
            ("region", "region"),
            ("expiry", "expiry"),
        )
    )
)

# What a prompt compares with the last render's to know whether to render anew: everything the
# segment shows but the clock. The segment's own text (AWSCTX_SEGMENT) comes first, apart.
WATCHED = (
    envvars.PROFILE,
    envvars.REGION,
    envvars.DEFAULT_REGION,
    envvars.FACTS_PROFILE,
    envvars.ACCOUNT_ID,
    envvars.ACCOUNT_ALIAS,
    envvars.EXPIRATION,
    envvars.SSO_REFRESHABLE,
    envvars.COLOR,
    envvars.PROD,
    envvars.PROMPT_FORMAT,
    envvars.NO_COLOR,
    envvars.COLORTERM,
)

# The controls of bidirectional text: each would show what follows it reordered (a profile name
# reading as another), so the renderers show them as `?`, as they do control characters: the
# Arabic letter mark, the left-to-right and right-to-left marks, embeddings and overrides (U+202A
# to U+202E) and isolates (U+2066 to U+2069).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
