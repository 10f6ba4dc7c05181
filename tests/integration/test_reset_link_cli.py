"""`aimywhatsapp reset-link EMAIL`: without SMTP, the operator hands out reset links (issue
13.5 took them out of the log); the link goes to the terminal only and works once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from app.__main__ import main
from app.container import build_container, lifespan
from tests.conftest import make_settings

PASSWORD = "Correct-Horse-9"


def test_reset_link_prints_a_working_link_and_logs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"

    async def register() -> None:
        container = build_container(make_settings(data))
        async with lifespan(container):
            await container.services.auth.register("ann@example.com", PASSWORD, "Ann", "Shop")

    asyncio.run(register())
    with caplog.at_level(logging.DEBUG):
        assert main(["reset-link", "nobody@example.com", "--data-dir", str(data)]) == 1
        assert main(["reset-link", "Ann@Example.com", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    token = out.split("token=")[1].split()[0]
    assert "works once" in out and token not in caplog.text

    async def reset() -> None:
        container = build_container(make_settings(data))
        async with lifespan(container):
            await container.services.password_resets.reset_password(token, "Lantern-quiet-58")
            await container.services.auth.login("ann@example.com", "Lantern-quiet-58")

    asyncio.run(reset())
