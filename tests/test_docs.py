"""Every code block in README.md and docs/ runs, and prints what it shows."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
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


# The README's two set-up commands: what .ci/run runs (and checks, below), so the
# suite never runs them itself (the second would run the suite inside the suite).
README_SETUP = (
    (
        "python3 -m venv .venv && .venv/bin/pip install -q -e . "
        "&& .venv/bin/python examples/founding_case.py"
    ),
    "bash scripts/test",
)


@attrs.frozen
class Step:
    """One command of a shell block, what the document shows, and what it did."""

    where: str
    command: str
    expected: str | None
    shown: str = ""
    status: int | None = None
    varying: bool = False
    """Whether the block's system times are those of the run (see VARYING)."""


def shell_steps(path: Path) -> list[Step]:
    """Every command of the console and sh blocks of ``path``, in order.

    A console block's ``$`` lines are commands, each followed by its output; an
    sh block is one command, its output the text block after it, if any. The
    README's set-up commands are left out, by content.
    """
    steps: list[Step] = []
    for block in blocks(path):
        where = f"{path.name}:{block.line}"
        if block.language == "console":
            varying = block.prose_before.endswith(VARYING)
            steps += [
                Step(where, c, out, varying=varying)
                for c, out in console_steps(block.code)
            ]
        elif block.language == "sh" and block.code.strip() not in README_SETUP:
            steps.append(Step(where, block.code.strip(), block.output))
    return steps


_MARK = "\x1e"  # ASCII record separator: starts each step's exit-status line


def run_session(steps: list[Step], cwd: Path, env: dict[str, str]) -> list[Step]:
    """Run ``steps`` in one bash session in ``cwd``, as typed one after another.

    Like a terminal: ``cd``, variables and an activated virtual environment
    carry over from one command to the next; stderr is shown with stdout. Each
    step comes back with what it printed and its exit status.
    """
    script = ["exec 2>&1 </dev/null"]
    for command in steps:
        script += [command.command, f"printf '{_MARK}%d\\n' \"$?\""]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        timeout=600,
        check=False,
    )
    ran: list[Step] = []
    rest = done.stdout
    for step in steps:
        shown, mark, rest = rest.partition(_MARK)
        if not mark:
            ran.append(attrs.evolve(step, shown=shown))
            break
        status, _, rest = rest.partition("\n")
        ran.append(attrs.evolve(step, shown=shown, status=int(status)))
    return ran


def users_environment() -> dict[str, str]:
    """The environment of a user who ran the README's commands, nothing more.

    The caller's, without this test run's virtual environment on ``PATH``
    (whoever runs the suite may have activated it; a newcomer has not), without
    ``LEDGER_DB``, and with a fixed terminal width.
    """
    venv = str(REPO / ".venv")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "LEDGER_DB", "PYTHONPATH", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join(
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if not (folder == str(Path(sys.executable).parent) or folder.startswith(venv))
    )
    env["COLUMNS"] = "100"
    return env


def copy_of_the_repository(folder: Path) -> Path:
    """A copy of the repository's files in ``folder``, its ``.venv`` linked in."""
    copy = folder / "repository"
    shutil.copytree(
        REPO,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".*cache", ".hypothesis", "__pycache__", "*.db*"
        ),
    )
    (copy / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    return copy


def test_readme_shell_blocks_run_as_a_newcomer_types_them(tmp_path: Path) -> None:
    """The README's shell blocks work as typed, in the clone, after its set-up.

    One bash session in a copy of the repository (so nothing here is written),
    with the user's environment: each command exits 0 and prints what is shown.
    """
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv: run the README's set-up commands (bash scripts/test)")
    steps = shell_steps(REPO / "README.md")
    assert [step.command for step in steps][:1] == [". .venv/bin/activate"]
    copy = copy_of_the_repository(tmp_path)
    before = sorted(p.name for p in REPO.iterdir())
    ran = run_session(steps, copy, users_environment())
    assert len(ran) == len(steps), f"the session stopped after {ran[-1].command}"
    for step in ran:
        assert (step.status, step.shown) == (0, step.expected or step.shown), (
            f"{step.where}: $ {step.command}"
        )
    assert sorted(p.name for p in REPO.iterdir()) == before
    assert (copy / "ledger.db").exists()  # the commands ran where a user types them


def test_the_readme_runner_sees_a_missing_command(tmp_path: Path) -> None:
    """The user's environment does not have ``ledger`` until the venv is activated."""
    if not (REPO / ".venv" / "bin" / "ledger").exists():
        pytest.skip("no .venv: run the README's set-up commands (bash scripts/test)")
    env = users_environment()
    if shutil.which("ledger", path=env["PATH"]):
        pytest.skip("another ledger command is on PATH (ledger-cli, say)")
    steps = [Step("x", "ledger --help", None), Step("y", ". .venv/bin/activate", "")]
    steps.append(Step("z", "command -v ledger", None))
    ran = run_session(steps, copy_of_the_repository(tmp_path), env)
    assert ran[0].status == 127, ran[0]  # command not found
    assert (ran[1].status, ran[2].status) == (0, 0)
    assert ran[2].shown == f"{REPO / '.venv' / 'bin' / 'ledger'}\n"


@pytest.mark.parametrize(
    "path", [p for p in DOCS if p.name != "README.md"], ids=lambda path: path.name
)
def test_console_blocks_run_and_print_what_they_show(
    path: Path, tmp_path: Path
) -> None:
    """docs/ console blocks run in one session in a fresh folder, as shown.

    These pages assume ``ledger`` is installed and on ``PATH`` and give this
    repository as ``$REPO``. Some show a failing command on purpose (their
    output says so), so only the output is compared, not the exit status.
    """
    env = {
        **os.environ,
        "REPO": str(REPO),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "COLUMNS": "100",
    }
    env.pop("LEDGER_DB", None)
    steps = shell_steps(path)
    ran = run_session(steps, tmp_path, env)
    assert len(ran) == len(steps), f"the session stopped after {ran[-1].command}"
    for step in ran:
        shown, expected = step.shown, step.expected
        if step.varying and expected is not None:
            # Every time the block shows, and only those, may differ.
            shown = RECORDED_TIME.sub("YYYY-MM-DD HH:MM UTC", shown)
            expected = RECORDED_TIME.sub("YYYY-MM-DD HH:MM UTC", expected)
        assert shown == expected, f"{step.where}: $ {step.command}"


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_every_block_is_one_the_suite_runs_or_checks(path: Path) -> None:
    """No block goes unchecked: each is code that runs, output compared, or data read."""
    checked = {"python", "console", "sh", "text", "json"}
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
    assert commands == list(README_SETUP)
    assert all(command in ci_lines for command in commands)
