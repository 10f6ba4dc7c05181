"""The README's webhook code, run as written: a block is found by the HTML comment above it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[3] / "README.md"


def block(marker: str) -> str:
    """The fenced code block right after `<!-- marker -->`."""
    text = README.read_text()
    found = re.search(rf"<!-- {re.escape(marker)} -->\n```\w*\n(.*?)\n```", text, re.S)
    assert found, f"README has no code block marked {marker}"
    return found.group(1)


def python_verify() -> Callable[..., Any]:
    """`verify(secret, body, header)` exactly as the README shows it."""
    namespace: dict[str, Any] = {}
    exec(compile(block("webhook-verify-python"), "README.md", "exec"), namespace)
    return namespace["verify"]
