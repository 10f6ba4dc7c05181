"""Lenient reader for documentation JSON: // and /* */ and # comments, `<==` notes, `...` elisions.

Only the doc-derived fixtures need this; real webhooks are strict JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any


def _strip(text: str) -> str:
    out: list[str] = []
    i, in_string = 0, False
    while i < len(text):
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\":
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif text.startswith(("//", "#", "<=="), i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        elif text.startswith("...", i):
            i += 3
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def loads_lenient(text: str) -> Any:
    cleaned = _strip(text).strip()
    if not cleaned.startswith(("{", "[")):
        cleaned = "{" + cleaned
    cleaned = re.sub(r":\s*(?=[,}\]])", ": null", cleaned)  # "key": <elided>
    for _ in range(3):
        cleaned = re.sub(r",\s*,", ",", cleaned)
        cleaned = re.sub(r"([\[{])\s*,", r"\1", cleaned)
        cleaned = re.sub(r",\s*([}\]])", r"\1", cleaned)
    return json.loads(cleaned)
