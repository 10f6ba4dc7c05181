"""Shared fixtures: every test builds its own settings (DESIGN §1: nothing read at import)."""

from __future__ import annotations

import base64
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.rag.extract.pdf_process import configure as configure_pdf_reader
from app.settings import Settings, load_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no model downloads, ever, in tests
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Every fake server the tests talk to is on loopback; a CI proxy (HTTP_PROXY) must not see it.
for _name in ("NO_PROXY", "no_proxy"):
    _kept = [h for h in os.environ.get(_name, "").split(",") if h]
    os.environ[_name] = ",".join([*_kept, "127.0.0.1", "localhost", "::1"])
TEST_MASTER_KEY = base64.b64encode(b"k" * 32).decode()
# The test profile reads PDFs in the test process (`pdf_in_process` below); tests that call the
# extractors without a container get the same (test_pdf_child.py switches to the child)
configure_pdf_reader(in_process=True, timeout_s=120.0)


# What survives a collection after a test is frozen (`gc.freeze()`): later collections — the
# interpreter's own, and NiceGUI's two full ones around every dashboard test — no longer walk
# it. Without this, each test's leftovers (the process holds ~1M objects late in the run) made
# every later full collection slower: the dashboard tests spent half their fixture time in
# the collector. Every `_THAW_EVERY` tests everything is unfrozen and collected once, so a
# cycle that became garbage after it was frozen is not kept for the whole run (api + ui tests:
# peak 942 MB unfrozen, 1,705 MB thawing every 200, 1,282 MB every 50 — at the same speed).
_THAW_EVERY = 50
_tests_since_thaw = 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    global _tests_since_thaw
    yield
    _tests_since_thaw += 1
    if _tests_since_thaw >= _THAW_EVERY:
        _tests_since_thaw = 0
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """The test profile: temp data dir, file secrets, simulator channel, fake LLM, loose limits."""
    flags: dict[str, Any] = {
        "data_dir": str(data_dir),
        "master_key": TEST_MASTER_KEY,
        "secrets_backend": "file",
        "channel": "simulator",
        "vector_store": "memory",
        "embedding_mode": "fake",  # the e5 model load is slow; one test opts in
        # a child process per PDF costs ~1 s each (the eval-documents test: 15 -> 24 s);
        # tests/integration/knowledge/test_pdf_child.py runs the child path
        "pdf_in_process": True,
        "kb_retry_base_s": 0.01,
        "llm_provider_override": "fake",
        "rate_limit_auth_per_min": 10_000,
        "rate_limit_api_per_min": 10_000,
        "headless": True,
        "typing_ms_per_char": 0,  # no pacing in tests unless a test asks for it
        "send_rate_per_min": 1000,  # the highest there is; pacing benchmarks turn it off
        "send_per_day": 100_000,
        "send_cold_per_day": 100_000,
        "send_jitter_s": 0,
        "chat_spacing_s": 0,
        "dispatch_poll_s": 0.05,
        "webhook_poll_s": 0.05,
        # one test process starts hundreds of containers: freezing would keep each test's
        # reference cycles for the whole run (app/gc_tuning.py; a server process freezes once)
        "gc_freeze": False,
    }
    flags.update(overrides)
    return load_settings(flags, env={})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")
