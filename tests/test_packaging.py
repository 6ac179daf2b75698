"""The distribution: its name everywhere a user reads it, and imports in any order."""

from __future__ import annotations

import os
import pkgutil
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import ledger

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
    "project"
]
DISTRIBUTION: str = PROJECT["name"]
EXTRAS = set(PROJECT["optional-dependencies"])
DOCS = sorted(
    [REPO / "README.md", REPO / "CHANGELOG.md", *(REPO / "docs").glob("*.md")]
)
SOURCES = sorted((REPO / "ledger").rglob("*.py"))

# `pip install` and its options, then a requirement (perhaps quoted), e.g.
# pip install -q 'ledger-of-claims[postgres]'. Paths (`-e .`) are not names.
_INSTALL = re.compile(
    r"pip install(?:\s+-{1,2}[\w-]+)*\s+['\"]?(?P<name>[A-Za-z0-9][\w.-]*)"
    r"(?:\[(?P<extras>[\w,\s-]*)\])?"
)


def normalised(name: str) -> str:
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def install_lines(text: str) -> list[tuple[str, set[str]]]:
    """Each ``pip install NAME[EXTRAS]`` in ``text``: the name and its extras."""
    return [
        (
            match["name"],
            {extra.strip() for extra in (match["extras"] or "").split(",") if extra},
        )
        for match in _INSTALL.finditer(text)
    ]


def test_install_lines_are_found() -> None:
    """The pattern finds names and extras, and takes no path for a name."""
    text = "`pip install 'x-y[a, b]'`, pip install -q -e . and pip install z"
    assert install_lines(text) == [("x-y", {"a", "b"}), ("z", set())]
    found = [line for path in DOCS for line in install_lines(path.read_text())]
    assert len(found) >= 4  # postgres, hypothesis, html, png: not vacuous


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_docs_install_this_distribution(path: Path) -> None:
    """Every install line in the docs names pyproject's distribution and its extras.

    The package index's ``claims-ledger`` is an unrelated project: a line that
    named it would install someone else's code.
    """
    for name, extras in install_lines(path.read_text(encoding="utf-8")):
        assert normalised(name) == normalised(DISTRIBUTION), f"{path.name}: {name}"
        assert extras <= EXTRAS, f"{path.name}: {name}[{','.join(sorted(extras))}]"


@pytest.mark.parametrize(
    "path",
    [path for path in SOURCES if "pip install" in path.read_text(encoding="utf-8")],
    ids=lambda path: path.relative_to(REPO).as_posix(),
)
def test_messages_install_this_distribution(path: Path) -> None:
    """Install hints in the package's messages and docstrings name the distribution."""
    text = path.read_text(encoding="utf-8")
    for name, extras in install_lines(text):
        assert normalised(name) == normalised(DISTRIBUTION), name
        assert extras <= EXTRAS, extras
    assert "claims-ledger" not in text


def test_version_comes_from_the_distribution() -> None:
    """ledger.__version__ is the installed distribution's version."""
    assert ledger.__version__ == version(DISTRIBUTION) == PROJECT["version"]


def test_the_command_prints_its_version() -> None:
    """``ledger --version`` names the installed version."""
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert ledger.__version__ in done.stdout


# -- imports ------------------------------------------------------------------


def public_modules() -> list[str]:
    """Every public module of the package (not ``__main__``, which runs the CLI)."""
    found = [
        info.name
        for info in pkgutil.walk_packages(ledger.__path__, "ledger.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    return sorted(found)


MODULES = public_modules()


def test_public_modules_are_found() -> None:
    """The list is not vacuous: it holds the modules users import."""
    assert {"ledger.strategies", "ledger.testing", "ledger.worker"} <= set(MODULES)
    assert {"ledger.report", "ledger.view", "ledger.application"} <= set(MODULES)


def imports(code: str) -> None:
    """Run ``code`` in a fresh interpreter; it must succeed, printing nothing."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, ""), code


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone(module: str) -> None:
    """``import ledger.X`` works first thing in a fresh process."""
    imports(f"import {module}")


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_beside_the_ledger(module: str) -> None:
    """``from ledger import Ledger, X`` works in a fresh process."""
    parent, _, name = module.rpartition(".")
    if parent == "ledger":
        imports(f"from ledger import Ledger, {name}")
    else:
        imports(f"from ledger import Ledger\nfrom {parent} import {name}")


@pytest.mark.parametrize(
    "modules",
    [
        MODULES,
        MODULES[::-1],
        ["hypothesis", "ledger.strategies", "ledger.testing"],
        ["ledger.testing", "ledger.strategies"],
        ["ledger.strategies", "ledger.testing", "ledger"],
        ["ledger._hypothesis_plugin", "ledger.strategies"],
        ["ledger.worker", "ledger.cli", "ledger.report", "ledger.strategies"],
    ],
    ids=[
        "all",
        "all-reversed",
        "hypothesis-first",
        "testing-first",
        "strategies-first",
        "plugin-first",
        "cli-first",
    ],
)
def test_modules_import_in_any_order(modules: list[str]) -> None:
    """Importing modules one after another works whatever the order."""
    imports("\n".join(f"import {module}" for module in modules))


def test_from_type_works_after_importing_strategies() -> None:
    """The Hypothesis plugin's strategies still work when strategies came first."""
    imports(
        "from ledger import Report, strategies\n"
        "from hypothesis import given, settings, strategies as st\n"
        "@settings(max_examples=5, database=None)\n"
        "@given(st.from_type(Report), strategies.reports())\n"
        "def check(a, b):\n"
        "    assert isinstance(a, Report) and isinstance(b, Report)\n"
        "check()\n"
    )
