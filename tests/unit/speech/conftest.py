from __future__ import annotations

from tests.fakes.llm_server import llm_server

__all__ = ["llm_server"]
