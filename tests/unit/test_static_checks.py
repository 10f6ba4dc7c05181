"""The habits the README test command keeps (issue 11 #9): ruff, the type checker, and
`type: ignore` comments that say why.

mypy is configured in pyproject.toml (`[tool.mypy]`: app/ and ui/, every function typed,
`check_untyped_defs`, unused ignores are errors). Its cache lives in `.mypy_cache` at the repo
root, so after the first run only changed modules are checked again: about 4 s warm, 25 s of
CPU on a clean clone (tests/bench/RESULTS-architecture.md).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "app", "ui", "tests", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_passes_on_app_and_ui() -> None:
    done = _run("mypy", "--cache-dir", str(ROOT / ".mypy_cache"), timeout=560)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    """`# type: ignore[code]  # reason`: a bare ignore hides whatever goes wrong on that line
    later; a reason lets the next reader judge whether it still holds."""
    bare = []
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py")]):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            found = IGNORE.search(line)
            if found is None:
                continue
            reason = found["rest"].strip().lstrip("#").strip()
            if not found["codes"] or not reason:
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "type: ignore without an error code or a reason:\n" + "\n".join(bare)
