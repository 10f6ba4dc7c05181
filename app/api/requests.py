"""The request class the API uses: Litestar's, with deep JSON nesting as the client's error.

msgspec decodes JSON recursively and raises `RecursionError` past Python's recursion limit
(about 1,000 levels); Litestar catches only `DecodeError`, so `[[[[…]]]]` was a 500 with a
traceback on every JSON route — the unauthenticated `POST /auth/logout` included. Here it is a
400 problem like any other malformed body.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

TOO_DEEP = "the JSON body is nested too deeply"


class ApiRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ClientException(TOO_DEEP) from None
