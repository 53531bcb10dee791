"""awsctx.config held to botocore: whatever the AWS CLI reads from ~/.aws, awsctx must read the same way."""

from __future__ import annotations

import contextlib
import marshal
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import botocore.configloader
import botocore.session
import pytest
from botocore.exceptions import ConfigNotFound, ConfigParseError
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from awsctx import config, ini

SEED = Path(__file__).resolve().parent / "fixtures" / "seed" / ".aws"
SEED_PROFILES = ["default", "client1", "client2-with-sso", "client2", "mirego", "client_with_direct_access"]
# Profiles, SSO sessions and services; None where the files are refused.
View = tuple[dict, dict, dict] | None


@contextlib.contextmanager
def aws_home(root: Path) -> Iterator[Path]:
    """HOME, both AWS files and the cache under `root` (never the real home); yields the .aws folder."""
    aws = root / "home" / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(root / "home"))
        patch.setenv("AWS_CONFIG_FILE", str(aws / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(aws / "credentials"))
        patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            patch.delenv(name, raising=False)
        yield aws


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[Path]:
    with aws_home(tmp_path) as folder:
        yield folder


def cache_file() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "awsctx" / "profiles.marshal"


def age(*files: Path, seconds: float = 3600) -> None:
    """Set the files' times into the past, so that load() may cache them."""
    for file in files:
        when = time.time() - seconds
        os.utime(file, (when, when))


def botocore_view() -> View:
    """What the AWS CLI sees: profiles, SSO sessions, services; None where it refuses the files."""
    session = botocore.session.Session()  # a fresh one: a Session keeps full_config once read
    try:
        full = session.full_config
    except ConfigParseError:
        return None
    # Without a config file botocore's full_config has only "profiles".
    return full["profiles"], full.get("sso_sessions", {}), full.get("services", {})


def awsctx_view() -> View:
    try:
        loaded = config.load()
    except ini.ConfigError as error:
        assert_one_line(str(error))
        return None
    return with_secrets(loaded), loaded.sso_sessions, loaded.services


def with_secrets(loaded: config.AwsConfig) -> dict:
    """The profiles with their secret values read back: load() itself, and so its cache, holds none."""
    profiles = {}
    for name, found in loaded.profiles.items():
        for key in config.SECRET_KEYS:
            assert found.get(key, config.SECRET) == config.SECRET, f"{name}: {key} holds its value"
        profiles[name] = {**found, **config.secrets(loaded, name)}
    return profiles


def assert_one_line(message: str) -> None:
    assert message and len(message.splitlines()) == 1, repr(message)
    assert "Traceback" not in message


def ini_sections(path: Path) -> dict | None:
    """awsctx's reading of one INI file, shaped as botocore's raw_config_parse returns it."""
    sections = ini.read_ini(str(path))
    return None if sections is None else {header: settings for header, (settings, _) in sections.items()}


def botocore_sections(path: Path) -> dict | None:
    try:
        return botocore.configloader.raw_config_parse(str(path))
    except ConfigNotFound:
        return None


# --- 1. profile names are split as shlex.split splits them --------------------------------------------------

# Whatever shlex treats specially (quotes, backslash, its four whitespace characters) and whitespace it does not.
SHLEX_ALPHABET = st.one_of(
    st.sampled_from(list(" \t\r\n\x0b\x0c\x1c\x85\xa0\u2028\u3000'\"\\#;=ab")),
    st.characters(),
)


@settings(max_examples=1500, deadline=None)
@given(st.text(SHLEX_ALPHABET, max_size=24))
@example("profile my-name")
@example('profile "my name"')
@example("profile 'a b' c")
@example('profile "a\\"b"')
@example('profile "a\\xb"')
@example("profile a\\ b")
@example("profile ''")
@example('""')
@example("profile 'unclosed")
@example("profile trailing\\")
@example('profile "x\\')
@example("profile\tname\r\n")
@example("profile\xa0name")
@example("profile café 日本")
def test_split_words_is_shlex_split(text: str) -> None:
    try:
        expected = shlex.split(text)
    except ValueError:
        expected = None
    assert ini.split_words(text) == expected


# --- 2. parity with botocore on generated files -------------------------------------------------------------

# Characters that matter to configparser or shlex, and some that matter to neither.
TRICKY = " \t\x0b\x0c\x1c\x85\xa0\u2028\u3000'\"\\#;=:[]./@+-_éßΩİ日"
NAME_TEXT = st.text(st.sampled_from(list("abzAZ09" + TRICKY)), max_size=8)
PROFILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "default",
            "client1",
            "a b",
            '"a b"',
            "'a b'",
            "my.profile",
            "team/dev",
            "me@corp",
            "a+b",
            "café",
            "日本",
            "x y z",
        ]
    ),
    NAME_TEXT,
    NAME_TEXT.map(lambda name: f'"{name}"'),
    NAME_TEXT.map(lambda name: f"'{name}'"),
)
HEADERS = st.one_of(
    st.builds(
        lambda kind, space, name: f"[{kind}{space}{name}]",
        st.sampled_from(["profile", "profile", "sso-session", "services", "profiles", "profilex"]),
        st.sampled_from([" ", " ", "  ", "\t", "", "\xa0"]),
        PROFILE_NAMES,
    ),
    st.sampled_from(
        [
            "[default]",
            "[DEFAULT]",
            "[preview]",
            "[sso-session x]",
            "[services y]",
            "[profile default]",
            "[Default]",
            "[ default ]",
            "[profile a] trailing",
            "[a]b]",
            " [default]",
        ]
    ),
)
# The credentials file names profiles literally, with no "profile " prefix.
CREDENTIAL_HEADERS = st.one_of(
    PROFILE_NAMES.map(lambda name: f"[{name}]"),
    st.sampled_from(["[default]", "[DEFAULT]", "[profile client1]", "[client1]", "[mirego]"]),
)
KEYS = st.one_of(
    st.sampled_from(["region", "Region", "REGION", "output", "s3", "sso_session", "role_arn", "key with space", "k"]),
    st.text(st.sampled_from(list("aK_ .é[\tİΣ\x85")), min_size=1, max_size=4),
)
DELIMITERS = st.sampled_from(["=", " = ", ": ", ":", " :", "= ", "=\t", " = = "])
VALUES = st.text(st.sampled_from(list("ab1 =:#;[]'\"\\\t\x0b\x1e\x85\u2028é/-")), max_size=10)
INDENTS = st.sampled_from([" ", "  ", "\t", "    ", "\x0c", "\xa0", " \x1c", "\u3000"])
KEY_LINES = st.builds(
    lambda indent, key, delimiter, value: f"{indent}{key}{delimiter}{value}",
    st.sampled_from(["", "", "", " "]),
    KEYS,
    DELIMITERS,
    VALUES,
)
NESTED_LINES = st.one_of(
    st.sampled_from(["addressing_style = path", "signature_version = s3v4", "Max_Attempts=3", "x", "[profile inside]"]),
    KEY_LINES.map(str.strip),
    VALUES,
)
LINES = st.one_of(
    HEADERS,
    KEY_LINES,
    st.builds(str.__add__, INDENTS, NESTED_LINES),  # a continuation line, or a stray indented one
    st.builds(
        lambda indent, mark, text: indent + mark + text, st.sampled_from(["", "  "]), st.sampled_from("#;"), VALUES
    ),
    st.sampled_from(["", " ", "\t", " \x0c"]),
    st.sampled_from(["default]", "[", "[]", "= x", ": x", "foo", "[profile", "]", "s3 ="]),
    st.text(max_size=12),  # anything at all, line breaks included
)
ENCODINGS = st.sampled_from(["utf-8"] * 20 + ["bom", "latin-1", "stray byte"])


@st.composite
def aws_files(draw: st.DrawFn, headers: st.SearchStrategy[str]) -> bytes | None:
    """An AWS file: mostly well-formed sections (so that botocore often accepts it), plus stray lines."""
    if draw(st.integers(0, 9)) == 0:
        return None  # no such file
    lines: list[str] = []
    for header in draw(st.lists(headers, max_size=4)):
        lines.append(header)
        for key in draw(st.lists(KEYS, max_size=3, unique_by=lambda key: key.strip().lower())):
            lines.append(f"{key}{draw(DELIMITERS)}{draw(VALUES)}")
            if draw(st.integers(0, 4)) == 0:  # a nested block such as `s3 =`, maybe with blanks and comments
                block = draw(st.lists(st.one_of(NESTED_LINES, st.just(""), st.just("# note")), min_size=1, max_size=3))
                lines.extend(draw(INDENTS) + line if line else line for line in block)
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# comment", "; comment", "  "])))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        lines.insert(draw(st.integers(0, len(lines))), draw(LINES))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    text = ""
    for line in lines:
        text += line + (draw(st.sampled_from(["\n", "\r\n", "\r"])) if ending == "mixed" else ending)
    if lines and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line end after the last line
    encoding = draw(ENCODINGS)
    if encoding == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if encoding == "latin-1":
        return text.encode("latin-1", errors="replace")
    data = text.encode()
    if encoding == "stray byte":
        where = draw(st.integers(0, len(data)))
        return data[:where] + b"\xff" + data[where:]
    return data


@settings(max_examples=300, deadline=None)
@given(config_data=aws_files(HEADERS), credentials_data=aws_files(CREDENTIAL_HEADERS))
@example(  # a [DEFAULT] block botocore cannot split is harmless where no section inherits it
    config_data=b"[DEFAULT]\ns3 =\n  no equals sign\n[default]\ns3 = own value\n", credentials_data=None
)
@example(config_data=b"[DEFAULT]\ns3 =\n  no equals sign\n", credentials_data=None)
@example(config_data=b"[DEFAULT]\ns3 =\n  no equals sign\n[default]\nregion = x\n", credentials_data=None)
@example(config_data=b"[DEFAULT]\ns3 =\n  a = 1\n[default]\n[profile b]\n", credentials_data=b"[DEFAULT]\nk=v\n[c]\n")
@example(config_data=b"[default]\ns3 =\n\n  a = 1\n# c\n\n  b = 2\n\n", credentials_data=b"[default]\nx = 1\n")
@example(config_data=b'[profile "a b"]\r\nregion: x\r\n[profile a b]\r\n', credentials_data=b"[a b]\ny=1\n")
def test_load_matches_botocore(config_data: bytes | None, credentials_data: bytes | None) -> None:
    with tempfile.TemporaryDirectory() as root, aws_home(Path(root)) as folder:
        for name, data in (("config", config_data), ("credentials", credentials_data)):
            if data is not None:
                (folder / name).write_bytes(data)
        expected = botocore_view()
        event("botocore accepts" if expected is not None else "botocore refuses")
        assert awsctx_view() == expected
        # Each file on its own, every section included ([preview], [DEFAULT] inherited), as botocore reads it.
        for name in ("config", "credentials"):
            try:
                sections = ini_sections(folder / name)
            except ini.ConfigError as error:
                assert_one_line(str(error))
                sections = "error"
            try:
                reference = botocore_sections(folder / name)
            except ConfigParseError:
                reference = "error"
            assert sections == reference
        if expected is None:
            return
        # The order `awsctx` lists them in is the order of the files, as the AWS CLI has them.
        assert list(config.load().profiles) == list(expected[0])
        # And the same again from the cache, once the files are old enough to be cached.
        age(*folder.iterdir())
        config.load()
        assert cache_file().exists()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(config, "_parse", _no_parse)
            assert awsctx_view() == expected


def _no_parse(*_: object) -> config.AwsConfig:
    raise AssertionError("parsed although the cache was valid")


# --- 3. errors name the file and line and say what to do ---------------------------------------------------

ERRORS = {
    "malformed line": (b"[default]\nregion = x\nthis is not a setting\n", 3, "fix or remove that line"),
    "key before any section": (b"# settings\nregion = x\n[default]\n", 2, "put it under a [profile NAME]"),
    "duplicate section": (b"[profile a]\nregion = x\n\n[profile a]\n", 4, "merge the two sections"),
    "duplicate key": (b"[default]\nregion = x\nRegion = y\n", 3, "keep one of the two lines"),
    "non-UTF-8": (b"[default]\r\n\r\nregion = caf\xe9\r\n", 3, "save the file as UTF-8"),
    "non-UTF-8 after lone CRs": (b"[default]\r\rregion = caf\xe9\r", 3, "save the file as UTF-8"),
    "BOM": (b"\xef\xbb\xbf[default]\nregion = x\n", 1, "without BOM"),
    "nested line without =": (b"[default]\ns3 =\n  addressing_style = path\n\n  oops\n", 5, "key = value"),
    "inherited [DEFAULT] line without =": (b"[DEFAULT]\ns3 =\n  oops\n[default]\n", 3, "key = value"),
    "control characters": (b"[prof\x0bile]\nregion = x\n[prof\x0bile]\n", 3, "merge the two sections"),
}


@pytest.mark.parametrize("name", ["config", "credentials"])
@pytest.mark.parametrize("case", list(ERRORS))
def test_error_names_file_line_and_fix(aws: Path, case: str, name: str) -> None:
    data, lineno, fix = ERRORS[case]
    (aws / name).write_bytes(data)
    assert botocore_view() is None  # the AWS CLI refuses the file as well
    with pytest.raises(ini.ConfigError) as raised:
        config.load()
    message = str(raised.value)
    assert_one_line(message)
    assert message.startswith(f"~/.aws/{name} line {lineno}: ")
    assert fix in message.rpartition("; ")[2], message  # the problem, then what to do about it
    assert raised.value.lineno == lineno


def test_error_outside_home_shows_the_full_path(aws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("region = x\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(elsewhere))
    with pytest.raises(ini.ConfigError, match=rf"^{elsewhere} line 1: "):
        config.load()


def test_config_path_that_is_a_folder(aws: Path) -> None:
    # The AWS CLI silently reads nothing from a folder; awsctx says so instead of listing no profiles.
    (aws / "config").mkdir()
    with pytest.raises(ini.ConfigError) as raised:
        config.load()
    message = str(raised.value)
    assert_one_line(message)
    assert message.startswith("~/.aws/config: is a folder")
    assert "point AWS_CONFIG_FILE" in message.rpartition("; ")[2]


def test_command_line_shows_one_line_and_no_traceback(aws: Path) -> None:
    (aws / "config").write_text("[default]\nregion = x\n[default]\n")
    environment = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(Path(config.__file__).parents[1]))
    run = subprocess.run([sys.executable, "-m", "awsctx"], env=environment, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.startswith("awsctx: error: ~/.aws/config line 3: ")
    assert_one_line(run.stderr.rstrip("\n"))


# --- 4. the cache ------------------------------------------------------------------------------------------


def write_profiles(path: Path, *names: str, region: str = "us-east-1") -> None:
    path.write_text("".join(f"[profile {name}]\nregion = {region}\n\n" for name in names))


def test_second_load_comes_from_the_cache(aws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_profiles(aws / "config", "a", "b")
    (aws / "credentials").write_text("[c]\naws_access_key_id = x\n")
    age(aws / "config", aws / "credentials")
    first = config.load()
    assert cache_file().exists()
    monkeypatch.setattr(config, "_parse", _no_parse)
    second = config.load()
    assert list(second.profiles) == ["a", "b", "c"] == list(first.profiles)
    assert second.origin("c") is not None and second.origin("c").lineno == 1


@pytest.mark.parametrize("change", ["new size", "same size, new mtime"])
def test_editing_a_file_invalidates_the_cache(aws: Path, change: str) -> None:
    write_profiles(aws / "config", "a", region="us-east-1")
    age(aws / "config")
    assert config.load().profiles["a"]["region"] == "us-east-1"
    if change == "new size":
        write_profiles(aws / "config", "a", "b", region="us-east-1")
    else:
        write_profiles(aws / "config", "a", region="us-east-2")
    age(aws / "config", seconds=7200)
    loaded = config.load()
    assert loaded.profiles["a"]["region"] == ("us-east-1" if change == "new size" else "us-east-2")
    assert list(loaded.profiles) == (["a", "b"] if change == "new size" else ["a"])


def test_creating_the_credentials_file_invalidates_the_cache(aws: Path) -> None:
    write_profiles(aws / "config", "a")
    age(aws / "config")
    assert list(config.load().profiles) == ["a"]
    (aws / "credentials").write_text("[b]\n")
    age(aws / "credentials")
    assert list(config.load().profiles) == ["a", "b"]


CORRUPTIONS = {
    "empty": lambda blob: b"",
    "garbage": lambda blob: b"\x00not marshal data",
    "truncated": lambda blob: blob[: len(blob) // 2],
    "last byte missing": lambda blob: blob[:-1],
    "another type": lambda blob: marshal.dumps(42),
    "five characters": lambda blob: marshal.dumps("abcde"),
    "short tuple": lambda blob: marshal.dumps((1, 2, 3)),
    "stale key": lambda blob: marshal.dumps((("0", "x", "y", (None, None)), {"old": {}}, {}, {}, {})),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_corrupt_cache_is_a_miss_and_is_rewritten(aws: Path, corruption: str) -> None:
    write_profiles(aws / "config", "a", "b")
    age(aws / "config")
    config.load()
    good = cache_file().read_bytes()
    cache_file().write_bytes(CORRUPTIONS[corruption](good))
    assert list(config.load().profiles) == ["a", "b"]
    assert cache_file().read_bytes() == good


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077, 0o277])
def test_cache_is_private_whatever_the_umask(aws: Path, umask: int) -> None:
    write_profiles(aws / "config", "a")
    age(aws / "config")
    previous = os.umask(umask)
    try:
        config.load()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(cache_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_file().parent.stat().st_mode) == 0o700


def test_cache_folder_left_open_is_made_private(aws: Path) -> None:
    write_profiles(aws / "config", "a")
    age(aws / "config")
    cache_file().parent.mkdir(parents=True)
    cache_file().parent.chmod(0o755)
    config.load()
    assert stat.S_IMODE(cache_file().parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("recent", ["config", "credentials"])
def test_recently_modified_files_are_not_cached(aws: Path, recent: str) -> None:
    # Within the same timestamp tick a file could change again unseen: its content is not trusted yet.
    write_profiles(aws / "config", "a")
    (aws / "credentials").write_text("[b]\n")
    age(aws / "config", aws / "credentials")
    # Written just now: the whole of awsctx's 2-second window lies ahead of the load, not 1 s of it.
    age(aws / recent, seconds=0)
    assert list(config.load().profiles) == ["a", "b"]
    assert not cache_file().exists()
    age(aws / recent)  # an hour old: settled
    config.load()
    assert cache_file().exists()


def test_switching_config_file_gives_its_profiles(aws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_profiles(aws / "config", "a")
    write_profiles(aws / "other", "b")
    age(aws / "config", aws / "other")
    assert list(config.load().profiles) == ["a"]
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws / "other"))
    assert list(config.load().profiles) == ["b"]
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws / "config"))
    assert list(config.load().profiles) == ["a"]


# --- 4b. after an edit, only what changed is read again ----------------------------------------------------

EDITS = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace", "append"]), st.integers(0, 60), LINES),
    min_size=1,
    max_size=3,
)


def edited(data: bytes, edits: list[tuple[str, int, str]]) -> bytes:
    """`data` with lines inserted, deleted or replaced, or text added at the end."""
    lines = data.decode("utf-8", errors="replace").split("\n")
    for action, where, line in edits:
        where %= len(lines) + 1
        if action == "insert":
            lines.insert(where, line)
        elif action == "append":
            lines[-1:] = ["".join(lines[-1:]) + line]
        elif where < len(lines):
            if action == "delete":
                del lines[where]
            else:
                lines[where] = line
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


@settings(max_examples=300, deadline=None)
@given(
    config_data=aws_files(HEADERS), credentials_data=aws_files(CREDENTIAL_HEADERS), edits=EDITS, edit=st.integers(0, 2)
)
@example(config_data=b"[a]\nx=1\n", credentials_data=None, edits=[("append", 0, "y")], edit=0)
@example(config_data=b"[profile a]\nx=1\n", credentials_data=None, edits=[("insert", 2, "y=2")], edit=0)
@example(config_data=b"[profile a]\nx=1\n[profile b]\n", credentials_data=None, edits=[("insert", 2, "  y")], edit=0)
@example(config_data=b"# c\n[profile a]\n", credentials_data=None, edits=[("replace", 0, "k=v")], edit=0)
@example(
    config_data=b"[profile a]\n[profile b]\n", credentials_data=None, edits=[("replace", 1, "[profile a]")], edit=0
)
@example(config_data=b"[profile a]\n[profile b]\n", credentials_data=None, edits=[("insert", 1, "[DEFAULT]")], edit=0)
# A section the old file had, twice: each copy matches the old piece.
@example(
    config_data=b"[default]\n[profile b]\n[profile c]\n",
    credentials_data=None,
    edits=[("insert", 0, "[default]")],
    edit=0,
)
def test_a_file_read_again_after_an_edit_reads_as_botocore_reads_it(
    config_data: bytes | None, credentials_data: bytes | None, edits: list[tuple[str, int, str]], edit: int
) -> None:
    """The cache of the file before the edit serves the pieces the edit left alone; what comes out
    is what the AWS CLI reads, and what reading the edited file from nothing gives."""
    with tempfile.TemporaryDirectory() as root, aws_home(Path(root)) as folder:
        files = {"config": config_data, "credentials": credentials_data}
        for name, data in files.items():
            if data is not None:
                (folder / name).write_bytes(data)
        age(*folder.iterdir())
        awsctx_view()
        # Edit the config, the credentials file or both.
        for name in [("config",), ("credentials",), ("config", "credentials")][edit]:
            if files[name] is not None:
                (folder / name).write_bytes(edited(files[name], edits))
        age(*folder.iterdir(), seconds=7200)
        expected = botocore_view()
        event("botocore accepts" if expected is not None else "botocore refuses")
        from awsctx import profilecache

        real_reparsed = profilecache._reparsed
        outcomes: list[str] = []

        def reparsed(*args: object) -> object:
            found = real_reparsed(*args)  # type: ignore[arg-type]
            outcomes.append("read again piece by piece" if found is not None else "read whole again")
            return found

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(profilecache, "_reparsed", reparsed)
            assert awsctx_view() == expected
        for outcome in outcomes:
            event(outcome)
        if expected is not None:
            assert list(config.load().profiles) == list(expected[0])
            for name in expected[0]:
                assert config.load().profile(name) == config.load().profiles[name]
        shutil.rmtree(cache_file().parent, ignore_errors=True)
        assert awsctx_view() == expected


def padding(first: int, count: int) -> bytes:
    return "".join(f"[profile pad{index}]\nregion = us-east-1\n\n" for index in range(first, first + count)).encode()


@settings(max_examples=150, deadline=None)
@given(
    config_data=st.one_of(st.none(), st.none(), aws_files(HEADERS)),
    before=st.integers(0, 400),
    after=st.integers(0, 400),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace", "append"]),
            st.integers(0, 3000),
            st.one_of(
                LINES,
                st.sampled_from(
                    ["region = eu-west-1", "[profile new]", "[profile new]\nregion = x", "", "# note", "2"]
                ),
            ),
        ),
        max_size=4,
    ),
)
def test_a_long_file_read_again_after_edits_anywhere_reads_as_botocore_reads_it(
    config_data: bytes | None, before: int, after: int, edits: list[tuple[str, int, str]]
) -> None:
    """Files of many 4 KiB blocks, so that the blocks an edit left alone at both ends are kept."""
    with tempfile.TemporaryDirectory() as root, aws_home(Path(root)) as folder:
        data = padding(0, before) + (config_data or b"") + b"\n" + padding(before, after)
        (folder / "config").write_bytes(data)
        age(folder / "config")
        awsctx_view()
        (folder / "config").write_bytes(edited(data, edits))
        age(folder / "config", seconds=7200)
        expected = botocore_view()
        from awsctx import profilecache

        real_regroup = profilecache._regroup
        kept: list[int] = []

        def regroup(new: object, old: object, head: int, tail: int, middle: list[bytes]) -> None:
            kept.append(head + len(old.seglens) - tail)  # type: ignore[attr-defined]
            real_regroup(new, old, head, tail, middle)  # type: ignore[arg-type]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(profilecache, "_regroup", regroup)
            assert awsctx_view() == expected
        event("pieces kept: " + ("none" if not kept or not kept[0] else "some" if kept[0] < 100 else "100 or more"))
        if expected is not None:
            loaded = config.load()
            assert list(loaded.profiles) == list(expected[0])
            for name in list(expected[0])[:: max(1, len(expected[0]) // 20)]:
                assert loaded.profile(name) == expected[0][name]


def write_numbered(path: Path, count: int, region: str = "us-east-1", skip: int = -1) -> None:
    path.write_text(
        "# profiles\n"
        + "".join(
            f"[profile p{index:03d}]\nregion = {region if index != 7 else 'eu-west-1'}\noutput = json\n\n"
            for index in range(count)
            if index != skip
        )
        + "[sso-session corp]\nsso_region = us-east-1\n"
    )


def test_an_edit_reads_again_only_the_section_it_changed(aws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from awsctx import profilecache

    write_numbered(aws / "config", 200)
    age(aws / "config")
    assert config.load().profile("p007")["region"] == "eu-west-1"
    text = (aws / "config").read_text()
    (aws / "config").write_text(
        text.replace("[profile p150]\nregion = us-east-1", "[profile p150]\nregion = ca-west-1")
    )
    age(aws / "config", seconds=7200)
    read: list[str] = []
    real_piece = profilecache._piece
    monkeypatch.setattr(profilecache, "_piece", lambda *args: read.append(args[2]) or real_piece(*args))
    monkeypatch.setattr(profilecache, "_parsed", _no_parse)
    loaded = config.load()
    assert read == ["[profile p150]\nregion = ca-west-1\noutput = json\n\n"]
    assert loaded.profile("p150")["region"] == "ca-west-1"
    assert loaded.profile("p149")["region"] == "us-east-1"
    assert loaded.profile("p007")["region"] == "eu-west-1"
    assert str(loaded.origin("p150")) == f"{aws / 'config'} line {2 + 150 * 4}".replace(str(Path.home()), "~")
    assert loaded.sso_sessions == {"corp": {"sso_region": "us-east-1"}}
    assert len(loaded.names()) == 200


def test_a_file_rewritten_whole_reads_again_only_its_new_sections(aws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `awsctx sso sync` rewrites its block: same sections, in places that moved, and a new one."""
    from awsctx import profilecache

    write_numbered(aws / "config", 300, skip=123)
    age(aws / "config")
    config.load()
    write_numbered(aws / "config", 300)
    (aws / "config").write_text((aws / "config").read_text().replace("p010]", "p010-renamed]"))
    age(aws / "config", seconds=7200)
    read: list[str] = []
    real_piece = profilecache._piece
    monkeypatch.setattr(profilecache, "_piece", lambda *args: read.append(args[2]) or real_piece(*args))
    monkeypatch.setattr(profilecache, "_parsed", _no_parse)
    loaded = config.load()
    # The two new sections (and the comment before the first, cheaper to read than to look up).
    assert sorted(piece.split("]")[0] for piece in read if piece.startswith("[")) == [
        "[profile p010-renamed",
        "[profile p123",
    ]
    assert loaded.names()[:11] == [f"p{index:03d}" for index in range(10)] + ["p010-renamed"]
    assert len(loaded.names()) == 300 and "p123" in loaded.names()


def test_the_cache_holds_no_text_of_the_files(aws: Path) -> None:
    """What is kept to read a file again after an edit is what each section parsed to and digests:
    a secret in a comment, or any other line, is in no cache."""
    (aws / "config").write_text("[profile a]\nregion = x\n# aws_secret_access_key = not-in-any-cache\n")
    (aws / "credentials").write_text("[b]\naws_secret_access_key = not-in-any-cache-either\n")
    age(aws / "config", aws / "credentials")
    assert config.load().profile("a") == {"region": "x"}
    held = cache_file().read_bytes()
    assert b"not-in-any-cache" not in held
    assert b"region = x" not in held


# --- 5. the seed set-up ----------------------------------------------------------------------------------


def test_seed_profiles(aws: Path) -> None:
    if not SEED.is_dir():
        pytest.fail(f"the seed fixture is missing: {SEED}")
    shutil.rmtree(aws)
    shutil.copytree(SEED, aws)
    aws.chmod(0o700)  # the seed is read-only; the copy need not be
    for file in aws.iterdir():
        file.chmod(0o600)
    loaded = config.load()
    assert list(loaded.profiles) == SEED_PROFILES
    assert (with_secrets(loaded), loaded.sso_sessions, loaded.services) == botocore_view()
    assert loaded.profiles["client2-with-sso"]["sso_role_name"] == "xyz"
    assert loaded.profiles["default"] == {
        "region": "us-east-1",
        "aws_access_key_id": "AKIAEXAMPLEDEFAULT00",
        "aws_secret_access_key": config.SECRET,
    }
    assert config.secrets(loaded, "default") == {"aws_secret_access_key": "123456"}
    assert str(loaded.origin("mirego")) == "~/.aws/credentials line 5"
    assert str(loaded.origin("client2")) == "~/.aws/config line 15"


def test_a_long_indented_block_is_read_in_linear_time(tmp_path: Path) -> None:
    # 400,000 nested lines: under a second when linear; the quadratic reader took 10 s for 100,000,
    # so about 160 s here, and the subprocess's timeout fails the test long before.
    path = tmp_path / "config"
    path.write_text("[profile long]\ns3 =\n" + "".join(f"  k{i} = v{i}\n" for i in range(400_000)))
    script = "import sys; from awsctx import ini; print(len(ini.read_ini(sys.argv[1])['profile long'][0]['s3']))"
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "400000"
