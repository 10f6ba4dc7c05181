"""The one SSRF guard: every URL the server calls for a workspace goes through here.

A workspace admin (or an API key) chooses URLs the server then calls: the AI base URL (with
the workspace's AI key as Bearer), knowledge-base web pages, model downloads, and — coming —
webhooks and flow webhook nodes. None of them may reach the server's own network: loopback,
private ranges, link-local (cloud metadata at 169.254.169.254), multicast, reserved or
unspecified addresses (IPv4-mapped and 6to4 IPv6 forms are unwrapped first) — unless the
operator allow-listed the host name or its network (`AIMY_SSRF_ALLOW`, `Egress.allow`).

- `Egress.check_url(url)` refuses a URL when it is saved: a clear 422 at once.
- `Egress.httpx_client()` (our own fetches) and `Egress.sdk_client()` (the openai and
  anthropic SDKs, which use httpx2) check again when the URL is called: their transport
  resolves the host for every request — so after every redirect too — refuses it unless every
  address is allowed, and then connects to the address it checked (the Host header and TLS SNI
  keep the name). A DNS answer that changes between the check and the connect (rebinding)
  therefore cannot slip through.

These clients ignore HTTP(S)_PROXY: a proxy would resolve and connect on its own, out of the
guard's sight.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from app.net.errors import Blocked, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
RESOLVE_TIMEOUT_S = 10.0


def _unwrap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def is_public(ip: IPAddress) -> bool:
    ip = _unwrap(ip)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The machine's own resolver (/etc/hosts, DNS), as a connect would use it."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, TimeoutError) as exc:
        raise FetchError(f"cannot resolve host {host!r}") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


@dataclass(frozen=True)
class Egress:
    """Where the server may connect on a workspace's behalf: public addresses, plus `allow`
    (host names or networks, e.g. `ollama.lan`, `10.0.0.0/8`)."""

    allow: tuple[str, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)

    def allowed(self, host: str, ip: IPAddress) -> bool:
        if is_public(ip):
            return True
        for entry in (e.strip().lower() for e in self.allow):
            if not entry:
                continue
            if entry == host:
                return True
            try:
                if _unwrap(ip) in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address of `host`, each checked; raises `Blocked` if any is not allowed."""
        host = host.lower().strip("[]")
        literal = _literal(host)
        found = [literal] if literal is not None else await self.resolver(host, port)
        if not found:
            raise FetchError(f"cannot resolve host {host!r}")
        for ip in found:
            if not self.allowed(host, ip):
                raise Blocked(
                    f"refused: {host} resolves to the non-public address {ip} (the server's "
                    "own network; the operator can allow it with AIMY_SSRF_ALLOW)"
                )
        return found

    async def check_url(self, url: str) -> None:
        """Raise `Blocked`/`FetchError` unless `url` is http(s) to allowed addresses only."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"only http and https URLs can be used: {url!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(f"not a valid port in {url!r}") from exc
        await self.addresses(parts.hostname, port)

    def httpx_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx client whose every connection is checked (URL sources, downloads,
        webhooks). Redirects: follow them with `guarded_get`, or let the client follow —
        each hop passes the transport's check either way."""
        inner = kwargs.pop("transport", None) or httpx.AsyncHTTPTransport(trust_env=False)
        transport = _pinned(httpx, self, inner)
        return httpx.AsyncClient(transport=transport, trust_env=False, **kwargs)

    def sdk_client(self, **kwargs: Any) -> Any:
        """An httpx2 client for the official SDKs (`http_client=`), with the SDK's defaults
        (it follows redirects: each hop is checked)."""
        import httpx2

        transport = _pinned(httpx2, self, httpx2.AsyncHTTPTransport(trust_env=False))
        kwargs.setdefault("follow_redirects", True)
        kwargs.setdefault("timeout", httpx2.Timeout(600.0, connect=5.0))
        return httpx2.AsyncClient(transport=transport, trust_env=False, **kwargs)


def _pinned(module: Any, egress: Egress, inner: Any) -> Any:
    """A transport of `module` (httpx or httpx2) that checks, then connects to the checked
    address (see the module docs). One function for both: their Request/URL APIs agree."""

    class PinnedTransport(module.AsyncBaseTransport):
        async def handle_async_request(self, request: Any) -> Any:
            url = request.url
            if url.scheme not in ("http", "https"):
                raise FetchError(f"only http and https URLs can be used: {url}")
            port = url.port or (443 if url.scheme == "https" else 80)
            ip = (await egress.addresses(url.host, port))[0]
            if _literal(url.host) is not None:
                return await inner.handle_async_request(request)
            pinned = module.Request(
                request.method,
                url.copy_with(host=str(ip)),
                headers=request.headers,  # keeps Host: the name, not the address
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": url.host},
            )
            return await inner.handle_async_request(pinned)

        async def aclose(self) -> None:
            await inner.aclose()

    return PinnedTransport()


async def check_url(url: str, allow: Iterable[str] = ()) -> None:
    """`Egress(allow).check_url(url)`: refuse a URL when it is saved."""
    await Egress(tuple(allow)).check_url(url)


@asynccontextmanager
async def guarded_get(
    http: httpx.AsyncClient, url: str, allow: Iterable[str] = (), max_redirects: int = 5
) -> AsyncIterator[httpx.Response]:
    """Stream a GET of `url`, following redirects hop by hop, each checked before it is
    requested; yields the final response (any status: the caller judges it). Transport errors
    become `FetchError`. `http` should be an `Egress.httpx_client` (which checks again at
    connect time) that does not follow redirects itself."""
    egress = Egress(tuple(allow))
    for _ in range(max_redirects + 1):
        await egress.check_url(url)
        try:
            async with http.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                yield response
                return
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out fetching {url}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"could not fetch {url}: {exc}") from exc
    raise FetchError(f"too many redirects (>{max_redirects})")
