"""Every code block in README.md and docs/ runs, and prints what it shows."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from ledger.io import check_reports

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
FENCE = re.compile(r"^```([\w-]*)\s*$")
VARYING = "<!-- recorded times vary -->"
"""Before a console block: the system times it prints are those of the run."""
RECORDED_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


@attrs.frozen
class Block:
    """A fenced block of a Markdown file, and the output block after it, if any."""

    language: str
    code: str
    line: int
    prose_before: str = ""
    output: str | None = None


def _fenced(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index, prose = 0, []
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            prose.append(lines[index])
            index += 1
            continue
        end = index + 1
        while not lines[end].startswith("```"):
            end += 1
        code = "".join(f"{line}\n" for line in lines[index + 1 : end])
        found.append(Block(match.group(1), code, index + 2, "\n".join(prose).strip()))
        index, prose = end + 1, []
    return found


def blocks(path: Path) -> list[Block]:
    """The code blocks of ``path``, each with the text block printed after it."""
    found = _fenced(path)
    result = []
    for here, after in zip(found, [*found[1:], None], strict=True):
        if here.language == "text":
            continue
        if (
            after
            and after.language == "text"
            and after.prose_before in ("", "<!-- output -->")
        ):
            here = attrs.evolve(here, output=after.code)
        result.append(here)
    return result


def test_docs_have_blocks() -> None:
    """The docs runner finds the README and its code blocks (it is not vacuous)."""
    assert REPO / "README.md" in DOCS
    assert any(block.language == "python" for block in blocks(REPO / "README.md"))


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_python_blocks_run_and_print_what_they_show(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python blocks run in order in one namespace; shown output is printed exactly."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for block in blocks(path):
        if block.language != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, f"{path.name}:{block.line}", "exec"), namespace)
        if block.output is not None:
            assert printed.getvalue() == block.output, f"{path.name}:{block.line}"


def console_steps(code: str) -> list[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    steps: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return [
        (command, "".join(f"{out}\n" for out in output)) for command, output in steps
    ]


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_console_blocks_run_and_print_what_they_show(
    path: Path, tmp_path: Path
) -> None:
    """Console blocks run in a fresh folder; each command prints what follows it."""
    env = {
        **os.environ,
        "REPO": str(REPO),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "COLUMNS": "100",
    }
    env.pop("LEDGER_DB", None)
    for block in blocks(path):
        if block.language != "console":
            continue
        varying = block.prose_before.endswith(VARYING)
        for command, expected in console_steps(block.code):
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            shown = done.stdout + done.stderr
            if varying:
                # Every time the block shows, and only those, may differ.
                shown = RECORDED_TIME.sub("YYYY-MM-DD HH:MM UTC", shown)
                expected = RECORDED_TIME.sub("YYYY-MM-DD HH:MM UTC", expected)
            assert shown == expected, f"{path.name}:{block.line}: $ {command}"


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_block_is_one_the_suite_runs_or_checks(path: Path) -> None:
    """No block goes unchecked: each is code that runs, output compared, or data read."""
    checked = {"python", "console", "text", "json"} | (
        {"sh"} if path.name == "README.md" else set()
    )
    for block in _fenced(path):
        assert block.language in checked, (
            f"{path.name}:{block.line}: ```{block.language}"
        )


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_json_blocks_are_valid_report_lines(path: Path, tmp_path: Path) -> None:
    """Every JSON example is a valid line of a report file (or of an export)."""
    for block in blocks(path):
        if block.language == "json":
            example = tmp_path / f"line{block.line}.jsonl"
            example.write_text(block.code, encoding="utf-8")
            check_reports(example, strikes=True)


def test_readme_commands_are_what_ci_runs() -> None:
    """The README's set-up commands are exactly what .ci/run calls, in order."""
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [
        b.code.strip() for b in blocks(REPO / "README.md") if b.language == "sh"
    ]
    main_job = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e . "
        "&& .venv/bin/python examples/founding_case.py"
    )
    assert commands == [main_job, "bash scripts/test"]
    assert all(command in ci_lines for command in commands)
