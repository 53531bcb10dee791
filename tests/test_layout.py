"""The layout holds by construction: one table of commands, no import circles, botocore behind one
boundary, and the debug switch shows what a one-line error hides."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
from pathlib import Path

import pytest
from harness import AWSCTX, make_home

import awsctx
from awsctx import cli, main
from awsctx.commands.table import COMMANDS, DIRECT_COMMANDS

PACKAGE = Path(awsctx.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _top_level_imports(path: Path, package: str) -> set[str]:
    """Modules of awsctx a module imports when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "awsctx"}


def test_every_command_word_has_a_module_with_a_parser_and_a_handler() -> None:
    for word, (module_name, _) in COMMANDS.items():
        module = importlib.import_module(f"awsctx.commands.{module_name}")
        assert callable(module.run), word
        assert module.parser().prog == f"awsctx {word}"
        assert cli.command_module([word])[0] is module


@pytest.mark.parametrize("word", sorted(COMMANDS))
def test_a_command_word_is_never_taken_for_a_profile(word: str) -> None:
    """The fast path and argparse agree on every word of the table: it is a command, not a switch."""
    request = main.fast_request([word])
    assert request is None, f"{word!r} would be switched to as a profile"
    assert cli.command_word([word]) == word


def test_help_names_every_command() -> None:
    text = cli.command_module([])[0].parser().format_help()
    for word in DIRECT_COMMANDS:
        assert f"awsctx {word}" in text, word


def test_no_import_circle_among_awsctx_modules() -> None:
    modules = _modules()
    graph = {name: {m for m in _top_level_imports(path, name) if m in modules} for name, path in modules.items()}

    def visit(name: str, trail: list[str]) -> None:
        for target in graph[name]:
            if target in trail:
                cycle = " -> ".join([*trail[trail.index(target) :], target])
                raise AssertionError(f"import circle: {cycle}")
            visit(target, [*trail, target])

    for name in graph:
        visit(name, [name])


def test_botocore_is_imported_only_behind_the_boundary() -> None:
    """Only awsclient builds clients and maps errors; credentials uses botocore's resolver and cache."""
    allowed = {"awsctx.awsclient", "awsctx.credentials"}
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(found.split(".")[0] in ("botocore", "boto3") for found in names):
                assert name in allowed, f"{name} imports {names}"


def test_package_init_files_are_empty_but_for_the_version() -> None:
    for path in PACKAGE.rglob("__init__.py"):
        code = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if path.parent == PACKAGE:
            assert all(line.startswith(("__version__", '"""', "#")) for line in code), code
        else:
            assert code == [], path


def _run(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ["PATH"], **extra}
    return subprocess.run([str(AWSCTX), *args], env=env, capture_output=True, text=True, timeout=120)


def test_awsctx_debug_shows_the_causes_a_one_line_error_hides(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    (home / ".aws" / "credentials").write_text("[broken\n", encoding="utf-8")
    quiet = _run(home, "whoami", "client1")
    assert quiet.returncode == 1
    assert quiet.stderr.count("\n") == 1 and "Traceback" not in quiet.stderr and "debug:" not in quiet.stderr
    loud = _run(home, "whoami", "client1", AWSCTX_DEBUG="1")
    assert loud.returncode == 1
    assert loud.stderr.splitlines()[0] == quiet.stderr.strip()
    assert "debug: awsctx.ini.ConfigError:" in loud.stderr
    assert 'File "' in loud.stderr  # where it was raised


def test_the_wheel_ships_every_template_and_only_those() -> None:
    import tomllib

    from awsctx import shellinit

    root = Path(__file__).resolve().parents[1]
    shipped = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert sorted(shipped["awsctx.shell"]) == sorted(shellinit.TEMPLATES)
    assert sorted(path.name for path in (root / "shell").iterdir()) == sorted(shellinit.TEMPLATES)


def test_ci_tests_the_lowest_versions_pyproject_admits() -> None:
    """tests/oldest.txt pins what CI runs the suite with a second time: the lower bounds of
    pyproject's dependencies, neither more nor fewer."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    declared = {}
    for requirement in tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]:
        name, _, rest = requirement.partition(">=")
        declared[name.strip()] = rest.split(",")[0].strip()
    pinned = {}
    for line in (root / "tests" / "oldest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[name.strip()] = version.strip()
    assert pinned == declared
    assert "PIP_CONSTRAINT" in (root / ".ci" / "run").read_text()
