"""Fetch a web page for the knowledge base: SSRF-guarded, redirect by redirect, with a
timeout and a size cap; HTML goes through trafilatura (main content, no nav/footer)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.net import Egress, guarded_get
from app.rag.errors import ExtractionError, FetchError

MAX_FETCH_BYTES = 10 * 2**20
USER_AGENT = "Aimywhatsapp-KB/0.1 (+knowledge base ingestion)"


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


async def fetch_url(
    url: str,
    *,
    allow: tuple[str, ...] = (),
    request_timeout: float = 15.0,
    max_bytes: int = MAX_FETCH_BYTES,
    max_redirects: int = 5,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Fetched:
    """GET `url`; every hop must pass the SSRF guard (`allow`: hosts or CIDRs permitted)."""
    headers = {"User-Agent": USER_AGENT}
    client = Egress(allow).httpx_client(
        timeout=request_timeout, follow_redirects=False, transport=transport, headers=headers
    )
    async with client, guarded_get(client, url, allow, max_redirects) as resp:
        if resp.status_code >= 400:
            raise FetchError(f"{resp.url} answered HTTP {resp.status_code}")
        declared = int(resp.headers.get("content-length") or 0)
        if declared > max_bytes:
            raise FetchError(f"{resp.url} is too large ({declared} bytes)")
        body = bytearray()
        async for part in resp.aiter_bytes():
            body += part
            if len(body) > max_bytes:
                raise FetchError(f"{resp.url} is larger than {max_bytes} bytes")
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        return Fetched(str(resp.url), ctype, bytes(body))


def extract_html(html: str | bytes, url: str | None = None) -> str:
    """Main content as Markdown-ish text (headings kept for chunk sections)."""
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url,
        output_format="markdown",
        include_tables=True,
        include_comments=False,
        include_links=False,
        favor_recall=True,
    )
    if not text or not text.strip():
        raise ExtractionError("no main content found on the page")
    return text.strip()
