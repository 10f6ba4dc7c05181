"""Settings → Webhooks through NiceGUI's User simulation, against a real receiver on loopback:
add (errors shown, the secret once), Send test, the delivery log with status chips and
Redeliver, edit, on/off and delete."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing.user import User

from app.domain import Actor, Role
from tests.fakes.webhook_receiver import Receiver
from tests.integration.ui.conftest import Dashboard


def _value(user: User, marker: str) -> str:
    return str(next(iter(user.find(marker=marker).elements)).value)


async def test_add_test_log_redeliver_edit_and_delete(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/webhooks")
    await user.should_see(marker="no-webhooks")
    with Receiver([500]) as receiver:
        user.find(marker="add-webhook").click()
        await user.should_see(marker="webhook-dialog")
        user.find(marker="save-webhook").click()
        await user.should_see("The name must have 1 to 100 characters.")
        user.find(marker="webhook-name-input").type("CRM")
        user.find(marker="webhook-url").type("ftp://nope")
        user.find(marker="save-webhook").click()
        await user.should_see("must start with http:// or https://")
        user.find(marker="webhook-url").clear().type("http://10.9.8.7/hook")
        user.find(marker="event-message.inbound").click()
        user.find(marker="save-webhook").click()
        await user.should_see("AIMY_SSRF_ALLOW")  # a private address: refused on save
        user.find(marker="webhook-url").clear().type(receiver.url)
        user.find(marker="save-webhook").click()
        await user.should_see(marker="webhook-secret")
        secret = _value(user, "webhook-secret")
        assert secret.startswith("whsec_")
        await user.should_see("only time it is shown")
        user.find(marker="done").click()
        await user.should_see(content="CRM", marker="webhook-name")
        await user.should_see("message.inbound")
        await user.open("/dashboard/settings/webhooks")  # reopened: the secret is nowhere
        await user.should_not_see(secret)

        user.find(marker="test-CRM").click()  # the receiver answers 500 first …
        await user.should_see("did not accept the test: HTTP 500")
        user.find(marker="test-CRM").click()  # … then 200
        await user.should_see("CRM answered 200")
        assert [r.json["type"] for r in receiver.wait_for(2)] == ["webhook.test"] * 2

        user.find(marker="log-CRM").click()
        await user.should_see(marker="delivery-status")
        await user.should_see("delivered")
        await user.should_see("failed")
        await user.should_see("HTTP 500: nope")
        assert owner.workspace is not None
        services = dashboard.container.services
        actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
        (hook,) = await services.webhooks.list(actor)
        log = (await services.webhooks.deliveries(actor, hook.id)).items
        assert [d.status for d in log] == ["DELIVERED", "FAILED"]
        user.find(marker=f"redeliver-{log[1].id}").click()  # the failed test, again
        await user.should_see("webhook.test queued again")
        receiver.wait_for(3)

        user.find(marker="edit-CRM").click()
        await user.should_see(marker="webhook-dialog")
        user.find(marker="event-all").click()
        user.find(marker="save-webhook").click()
        await user.should_see("Saved CRM")
        await user.should_see(content="All events", kind=ui.chip)
        assert (await services.webhooks.get(actor, hook.id)).events == ["*"]

        user.find(marker="edit-CRM").click()
        user.find(marker="rotate-secret").click()
        await user.should_see(marker="webhook-secret")
        assert _value(user, "webhook-secret") not in ("", secret)
        user.find(marker="done").click()

        user.find(marker="active-CRM").click()
        await user.should_see("CRM is off")
        assert not (await services.webhooks.get(actor, hook.id)).is_active

        user.find(marker="delete-CRM").click()
        await user.should_see(marker="confirm-ok")
        user.find(marker="confirm-ok").click()
        await user.should_see(marker="no-webhooks")
        assert await services.webhooks.list(actor) == []


async def test_an_admin_manages_webhooks_and_a_switched_off_one_says_why(
    dashboard: Dashboard,
) -> None:
    owner = await dashboard.register("owner@example.com")
    await dashboard.member(owner, "admin@example.com", Role.ADMIN)
    assert owner.workspace is not None
    services = dashboard.container.services
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    from app.db.repos import webhooks as repo
    from app.schemas.webhooks import WebhookCreateBody

    body = WebhookCreateBody(name="Zap", url="https://93.184.216.34/hook", events=["*"])
    hook = await services.webhooks.create(actor, body)
    await repo.disable(hook.id, "the receiver answered 410 Gone", dashboard.container.clock.now())

    from ui import session

    user = await dashboard.signed_in("admin@example.com")
    await user.open("/dashboard")
    with user:
        session.choose_workspace(owner.workspace.id)
    await user.open("/dashboard/settings/webhooks")
    await user.should_see("Switched off: the receiver answered 410 Gone")
    await user.should_see(marker="add-webhook")  # settings: an admin may change them
