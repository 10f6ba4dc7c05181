"""SSRF guard: a URL may only reach public addresses unless an allow-list entry permits it.

Every address the host resolves to must be public (not private, loopback, link-local,
multicast, reserved or unspecified; IPv4-mapped and 6to4 IPv6 forms are unwrapped first).
The fetcher checks each redirect hop again. Known limit: the address is checked, then httpx
resolves again to connect; a DNS-rebinding attacker with a TTL-0 record could race that.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from app.knowledge.errors import FetchError

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
