"""Re-exports a package loads on first use (PEP 562), so importing one module of a package
does not import all of its siblings.

The PDF reader's child process (app/rag/extract/pdf_child.py) imports a few modules of
`app.rag` and `app.rag.extract`; with eager re-exports their `__init__`s pulled in retrieval
(numpy), URL fetching and the SSRF guard (httpx): 310 modules and ~0.17 CPU-s per PDF read,
for nothing the child uses (tests/bench/RESULTS-lean.md, session 10).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's `__getattr__`: `name` comes from module `where[name]`, imported then."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # once: later lookups are plain attributes
        return value

    return __getattr__
