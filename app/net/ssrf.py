"""SSRF guard: a URL may only reach public addresses unless an allow-list entry permits it.

Every address the host resolves to must be public (not private, loopback, link-local,
multicast, reserved or unspecified; IPv4-mapped and 6to4 IPv6 forms are unwrapped first).
`guarded_get` follows redirects by hand and checks each hop again; page fetches and model
downloads both go through it. Known limit: the address is checked, then httpx
resolves again to connect; a DNS-rebinding attacker with a TTL-0 record could race that.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from urllib.parse import urljoin, urlsplit

import httpx

from app.net.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


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


def _allowed(host: str, ip: IPAddress, allow: Iterable[str]) -> bool:
    for entry in allow:
        entry = entry.strip().lower()
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


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise FetchError(f"cannot resolve host {host!r}") from e
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_url(url: str, allow: Iterable[str] = ()) -> None:
    """Raise `FetchError` unless `url` is http(s) and every address of its host is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http and https URLs can be ingested: {url!r}")
    host = parts.hostname.lower()
    allow = list(allow)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for ip in await resolve(host, port):
        if not is_public(ip) and not _allowed(host, ip, allow):
            raise FetchError(
                f"refused: {host} resolves to the non-public address {ip} "
                "(add it to the URL allow-list setting to permit it)"
            )


@asynccontextmanager
async def guarded_get(
    http: httpx.AsyncClient, url: str, allow: Iterable[str] = (), max_redirects: int = 5
) -> AsyncIterator[httpx.Response]:
    """Stream a GET of `url`, following redirects hop by hop through `check_url`; yields the
    final response (any status: the caller judges it). Transport errors become `FetchError`.
    `http` must not follow redirects itself, or the hops would go unchecked."""
    allow = tuple(allow)
    for _ in range(max_redirects + 1):
        await check_url(url, allow)
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
