"""The WhatsApp settings tab through NiceGUI's User simulation: add a simulator and a "real"
number, the QR dialog (image, rotation, closing on CONNECTED), pairing, disconnect/connect,
delete with its credentials, and what an admin (read-only here) sees.

A real number needs whatsmeow and a phone; its adapter is swapped for `QrChannel`, a scripted
channel on the real port that shows QR codes like the neonize one does. Everything around it —
hub, status events on the bus, the session service — is the real thing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from nicegui.testing.user import User

from app.channels import manager, qr_data_url
from app.channels.events import ChannelEvents
from app.channels.simulator import SimulatorChannel
from app.domain import Actor, Role, SessionStatus
from tests.integration.ui.conftest import Dashboard


class QrChannel(SimulatorChannel):
    """Waits for a scan with a QR code, like a fresh neonize session; `scanned()` links it."""

    live: list[QrChannel] = []

    def __init__(self, events: ChannelEvents) -> None:
        super().__init__(events)
        self.code: str | None = None
        QrChannel.live.append(self)

    async def start(self) -> None:
        await self.rotate("2@first,key,adv")

    async def rotate(self, code: str) -> None:
        self.code = qr_data_url(code)
        await self._set_status(SessionStatus.QR_READY)
        await self.events.on_qr(self.code)

    def qr(self) -> str | None:
        return self.code

    async def pair(self, phone: str) -> str:
        return "ABCD-1234"

    async def scanned(self) -> None:
        self.code = None
        await self._set_status(SessionStatus.CONNECTED)


@pytest.fixture
def qr_channels(monkeypatch: pytest.MonkeyPatch) -> list[QrChannel]:
    real = manager.build_channel
    QrChannel.live = []

    def build(spec: manager.ChannelSpec, events: ChannelEvents) -> Any:
        return QrChannel(events) if spec.kind == "neonize" else real(spec, events)

    monkeypatch.setattr(manager, "build_channel", build)
    return QrChannel.live


async def _click(user: User, marker: str) -> None:
    """Click what a handler (or a status event's redraw) is about to show."""
    await user.should_see(marker=marker)
    user.find(marker=marker).click()


def _value(user: User, marker: str) -> Any:
    with user:
        return next(iter(user.find(marker=marker).elements))


async def _add(user: User, account: str, channel: str) -> None:
    user.find(marker="add-session").click()
    await user.should_see(marker="add-dialog")
    user.find(marker="account-id").type(account)
    with user:
        _value(user, "channel").value = channel
    user.find(marker="add").click()


async def test_add_qr_pair_disconnect_delete(dashboard: Dashboard, qr_channels) -> None:  # type: ignore[no-untyped-def]
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    sessions = dashboard.container.services.sessions
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/whatsapp")
    await user.should_see(marker="no-sessions")

    await _add(user, "bad id!", "simulator")
    await user.should_see("accountId: 1-64 letters")
    user.find(marker="account-id").clear().type("sim-1")
    user.find(marker="add").click()
    await user.should_see(content="sim-1", marker="session")
    await user.should_see(content="connected", marker="status-sim-1")

    await _add(user, "shop", "whatsapp")
    await user.should_see(marker="qr-dialog")  # a real number opens the QR dialog at once
    await user.should_see("Scan this code")
    first = _value(user, "qr-image").source
    assert first.startswith("data:image/png;base64,")
    await qr_channels[0].rotate("2@second,key,adv")  # WhatsApp rotates the code
    for _ in range(100):
        if _value(user, "qr-image").source != first:
            break
        await asyncio.sleep(0.05)
    assert _value(user, "qr-image").source.startswith("data:image/png;base64,")
    assert _value(user, "qr-image").source != first
    await user.should_see(content="qr ready", marker="status-shop")
    user.find("Close").click()
    await user.should_not_see(marker="qr-dialog")

    await _click(user, "pair-shop")
    user.find(marker="pair-phone").type("12")
    user.find(marker="get-code").click()
    await user.should_see("phoneNumber: the number in international format")
    user.find(marker="pair-phone").clear().type("+49 176 1234 5678")
    user.find(marker="get-code").click()
    await user.should_see(content="ABCD-1234", marker="pair-code")
    user.find("Close").click()

    await _click(user, "qr-shop")
    await user.should_see("Scan this code")
    await qr_channels[-1].scanned()  # the phone scanned it: the dialog closes by itself
    await user.should_not_see(marker="qr-dialog")
    await user.should_see("shop is connected")
    await user.should_see(content="connected", marker="status-shop")

    await _click(user, "disconnect-sim-1")
    await user.should_see(content="disconnected", marker="status-sim-1")
    listed = {s.account_id: s for s in await sessions.list(actor)}
    assert (listed["sim-1"].status, listed["sim-1"].enabled) == (SessionStatus.DISCONNECTED, False)
    await _click(user, "connect-sim-1")
    await user.should_see(content="connected", marker="status-sim-1")
    await user.should_see(marker="disconnect-sim-1")

    shop = listed["shop"]
    hub = dashboard.container.hub
    assert hub.credentials_key(shop.id, create=False) is not None
    await _click(user, "delete-shop")
    await user.should_see("credentials are deleted")
    await _click(user, "confirm-ok")
    await user.should_not_see(marker="status-shop")
    assert [s.account_id for s in await sessions.list(actor)] == ["sim-1"]
    assert hub.credentials_key(shop.id, create=False) is None
    assert not hub.session_dir(shop.id).exists()


async def test_a_simulator_has_nothing_to_scan(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/whatsapp")
    await _add(user, "sim-2", "simulator")
    await user.should_see(content="connected", marker="status-sim-2")
    await user.should_see("Simulator · no real phone")
    await user.should_not_see(marker="qr-dialog")  # no QR dialog pops up, no QR button either
    await user.should_not_see(marker="qr-sim-2")


async def test_admin_reads_sessions_but_cannot_change_them(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    await dashboard.container.services.sessions.create(actor, "sim-3", "simulator")
    await dashboard.member(owner, "admin@example.com", Role.ADMIN)
    user = await dashboard.signed_in("admin@example.com")
    from ui import session

    await user.open("/dashboard")
    with user:
        session.choose_workspace(owner.workspace.id)
    await user.open("/dashboard/settings/whatsapp")
    await user.should_see(content="sim-3", marker="session")
    await user.should_see(content="connected", marker="status-sim-3")
    await user.should_see("Only the owner can link or remove numbers.")
    for marker in ("add-session", "disconnect-sim-3", "delete-sim-3"):
        await user.should_not_see(marker=marker)


class OfflineChannel(SimulatorChannel):
    """A real number without internet, as its worker reports it between two attempts."""

    REASON = (
        "worker exited (4): connect ended: ConnectionError('failed to connect to websocket: "
        "dial tcp: lookup web.whatsapp.com: no such host'); retry 3 in 15s"
    )

    async def start(self) -> None:
        self.status = SessionStatus.DISCONNECTED
        await self.events.on_status(SessionStatus.DISCONNECTED, self.REASON)


async def test_a_number_that_is_not_connected_says_why(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = manager.build_channel

    def build(spec: manager.ChannelSpec, events: ChannelEvents) -> Any:
        return OfflineChannel(events) if spec.kind == "neonize" else real(spec, events)

    monkeypatch.setattr(manager, "build_channel", build)
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    await dashboard.container.services.sessions.create(actor, "shop", "whatsapp")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/whatsapp")
    await user.should_see(content="disconnected", marker="status-shop")
    await user.should_see(
        "No internet connection: WhatsApp's servers could not be reached "
        "(reconnect attempt 3; next try in 15 s)",
        marker="problem-shop",
    )
