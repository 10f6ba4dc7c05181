"""The header through NiceGUI's User simulation: the WhatsApp badge and the notification centre
following the real event bus, the search, and who sees what."""

from __future__ import annotations

from nicegui.testing.user import User

from app.db.tables import Notification
from app.domain import Actor, Role, SessionStatus
from app.events import catalog, names
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose, _eventually
from ui.shell.notifications import describe as notifications_describe
from ui.shell.search import target
from ui.shell.status import overall


def _text(user: User, marker: str) -> str | None:
    """The visible element's text, or None while it is hidden (or not built yet)."""
    with user:
        try:
            (element,) = user.find(marker=marker).elements
        except AssertionError:
            return None
        return element.text  # type: ignore[attr-defined]


async def _shows(user: User, marker: str, text: str) -> None:
    async def check() -> bool:
        return _text(user, marker) == text

    await _eventually(check)


async def test_badge_follows_the_sessions_live(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    ws = owner.workspace.id
    actor = Actor(owner.user.id).in_workspace(ws, Role.OWNER)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard")
    await _shows(user, "wa-badge-label", "Not connected")
    await _shows(user, "wa-badge-detail", "No WhatsApp number linked yet.")

    sim = await dashboard.container.services.sessions.create(actor, "shop", "simulator")
    await _shows(user, "wa-badge-label", "Connected")  # no reload: whatsapp:status
    await _shows(user, "wa-badge-detail", "shop: connected")

    bus = dashboard.container.events
    bus.publish(catalog.whatsapp_status(ws, sim.id, SessionStatus.QR_READY))
    await _shows(user, "wa-badge-label", "Connecting")
    await _shows(user, "wa-badge-detail", "shop: qr ready")
    await dashboard.container.services.sessions.disconnect(actor, sim.id)
    await user.open("/dashboard")  # a fresh page reads the stored status
    await _shows(user, "wa-badge-label", "Not connected")
    await _shows(user, "wa-badge-detail", "shop: disconnected")


def test_one_word_for_many_sessions() -> None:
    assert overall([]) == "disconnected"
    assert overall([SessionStatus.ERROR, SessionStatus.CONNECTED]) == "connected"
    assert overall([SessionStatus.DISCONNECTED, SessionStatus.QR_READY]) == "connecting"
    assert overall([SessionStatus.BANNED]) == "disconnected"


async def test_notification_centre_lists_marks_and_updates_live(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    ws = owner.workspace.id
    notifier = dashboard.container.notifier
    await notifier.notify(ws, catalog.approval_needed("c1", "m1"))
    await notifier.notify(
        ws, catalog.kb_indexed("d1", "k1", "Prices.pdf", "INDEXED", chunk_count=3)
    )
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard")
    await _shows(user, "bell-count", "2")
    await user.should_see("A bot reply is waiting for approval")
    await user.should_see("Prices.pdf is ready for the bot")

    user.find(marker="mark-all-read").click()
    await _eventually(lambda: _unread(ws, 0))
    await user.should_not_see(marker="bell-count")

    await notifier.notify(ws, catalog.kb_indexed("d2", "k1", "Menu.pdf", "FAILED", error="empty"))
    await _shows(user, "bell-count", "1")  # live: notification:new
    await user.should_see("Menu.pdf could not be indexed")
    row = await Notification.select(Notification.id).where(Notification.is_read == False).first()  # noqa: E712
    user.find(marker=f"notification-{row['id']}").click()  # marks it read, opens the knowledge
    await _eventually(lambda: _unread(ws, 0))
    await _eventually(lambda: _at(user, "/dashboard/knowledge"))
    assert notifications_describe(names.ESCALATION_NEEDED, {"conversationId": "c9"})[2] == (
        "/dashboard/inbox/c9"
    )


async def test_agents_get_the_bell_but_not_the_badge(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("agent@example.com")
    await _choose(dashboard, user, owner)
    await user.open("/dashboard")
    await user.should_see(marker="bell")
    await user.should_see(marker="search")
    await user.should_not_see(marker="wa-badge")


async def test_search_opens_contacts_with_the_query(dashboard: Dashboard) -> None:
    assert target("  ") is None
    assert target("Ana María") == "/dashboard/contacts?search=Ana+Mar%C3%ADa"
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard")
    user.find(marker="search").type("+49 151").trigger("keydown.enter")
    await _eventually(lambda: _at(user, "/dashboard/contacts?search=%2B49+151"))


async def _unread(workspace_id: str, count: int) -> bool:
    unread = await Notification.count().where(
        (Notification.workspace_id == workspace_id) & (Notification.is_read == False)  # noqa: E712
    )
    return unread == count


async def _at(user: User, path: str) -> bool:
    return bool(user.back_history) and user.back_history[-1] == path
