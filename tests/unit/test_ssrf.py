"""The SSRF guard (app/net/ssrf.py): which addresses are public, save-time checks, and the
transport that checks every connection (after DNS, after redirects) and connects to the address
it checked. A resolver stands in for DNS, so "public-looking" names resolve where a test says."""

from __future__ import annotations

import http.server
import ipaddress
import threading
from collections.abc import Iterator

import pytest

from app.net import Blocked, Egress, FetchError, check_url, is_public


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
    ],
)
def test_non_public_addresses(ip: str) -> None:
    assert not is_public(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(ip: str) -> None:
    assert is_public(ipaddress.ip_address(ip))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin",
        "http://10.0.0.5/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/",
        "http://0.0.0.0:22/",
        "http://2130706433/",
    ],
)
async def test_check_url_refuses_internal_targets(url: str) -> None:
    with pytest.raises(FetchError, match=r"refused|resolve"):
        await check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://a/"])
async def test_only_http_schemes(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        await check_url(url)


async def test_allow_list_by_host_or_network() -> None:
    await check_url("http://127.0.0.1:8080/", allow=["127.0.0.0/8"])
    await check_url("http://localhost/", allow=["localhost"])
    await check_url("http://10.1.2.3/", allow=["10.0.0.0/8"])
    await check_url("http://[::1]/", allow=["::1"])
    await check_url("http://169.254.1.1/", allow=["169.254.0.0/16"])
    with pytest.raises(FetchError, match="refused"):
        await check_url("http://10.1.2.3/", allow=["192.168.0.0/16", "intranet.local"])


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/to-loopback":
            self.send_response(302)
            self.send_header("location", f"http://127.0.0.1:{self.server.server_address[1]}/")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = f"host={self.headers['host']}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def dns(table: dict[str, str]):  # type: ignore[no-untyped-def]
    """A resolver answering from `table` (name → address), like a DNS server would."""

    async def resolve(host: str, port: int) -> list:  # type: ignore[type-arg]
        return [ipaddress.ip_address(table[host])]

    return resolve


async def test_a_public_looking_name_resolving_to_private_addresses_is_refused(
    port: int,
) -> None:
    for address in ("127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "::ffff:192.168.1.1"):
        egress = Egress(resolver=dns({"api.example.com": address}))
        with pytest.raises(Blocked, match="non-public address"):
            await egress.check_url("https://api.example.com/v1")
        async with egress.httpx_client() as client:
            with pytest.raises(Blocked):
                await client.get(f"http://api.example.com:{port}/")


async def test_the_transport_connects_to_the_address_it_checked(port: int) -> None:
    """An allow-listed name: the connection goes to the address the guard resolved (pinned),
    and the server still sees the name in Host."""
    egress = Egress(allow=("models.lan",), resolver=dns({"models.lan": "127.0.0.1"}))
    async with egress.httpx_client() as client:
        r = await client.get(f"http://models.lan:{port}/")
    assert r.text == f"host=models.lan:{port}"
    assert str(r.request.url) == f"http://models.lan:{port}/"  # the caller sees its own URL


async def test_a_redirect_to_loopback_is_refused_by_both_clients(port: int) -> None:
    egress = Egress(allow=("models.lan",), resolver=dns({"models.lan": "127.0.0.1"}))
    async with egress.httpx_client(follow_redirects=True) as client:
        with pytest.raises(Blocked, match=r"127\.0\.0\.1"):
            await client.get(f"http://models.lan:{port}/to-loopback")
    async with egress.sdk_client() as sdk:  # httpx2, as the openai/anthropic SDKs use it
        with pytest.raises(Blocked, match=r"127\.0\.0\.1"):
            await sdk.get(f"http://models.lan:{port}/to-loopback")
        r = await sdk.get(f"http://models.lan:{port}/")
        assert r.text == f"host=models.lan:{port}"


async def test_environment_proxies_are_not_used(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy would resolve and connect out of the guard's sight."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "")
    egress = Egress(allow=("127.0.0.1",))
    async with egress.httpx_client(timeout=5) as client:
        assert (await client.get(f"http://127.0.0.1:{port}/")).status_code == 200
