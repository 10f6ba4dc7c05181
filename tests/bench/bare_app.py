"""A bare Litestar app with one health route: the baseline the full app is compared with."""

from __future__ import annotations

from litestar import Litestar, get


@get("/api/v1/health", cache=False)
async def health() -> dict[str, str]:
    return {"status": "ok", "version": "bare"}


app = Litestar([health], logging_config=None)
