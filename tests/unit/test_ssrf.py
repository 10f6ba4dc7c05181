from __future__ import annotations

import ipaddress

import pytest

from app.net import check_url, is_public
from app.net.errors import FetchError


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
