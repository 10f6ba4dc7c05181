"""The dashboard's side of issue 17 item 5: the contact page's "Export data" button downloads
the zip (owners and admins; the route refuses everyone else), and the workspace tab sets the
message retention with the API's validation."""

from __future__ import annotations

import io
import json
import zipfile

from app.domain import Role
from tests.integration.ui import contact_seed as seed
from tests.integration.ui.conftest import Dashboard
from tests.integration.ui.test_settings_pages import _choose, _eventually
from ui.pages.contacts.export_route import export_url


async def test_export_button_downloads_the_contacts_zip(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    (ann,) = await seed.rows(owner, ["Ann"])
    await dashboard.member(owner, "agent@example.com", Role.AGENT)
    user = await dashboard.signed_in("owner@example.com")
    await user.open(f"/dashboard/contacts/{ann}")
    user.find(marker="export-data").click()
    response = await user.download.next(timeout=5)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (row,) = json.loads(archive.read("tables/contacts.json"))
    assert (row["id"], row["name"]) == (ann, "Ann")
    assert json.loads(archive.read("manifest.json"))["contactId"] == ann

    agent = await dashboard.signed_in("agent@example.com")
    await _choose(dashboard, agent, owner)
    assert (await agent.http_client.get(export_url(ann))).status_code == 403
    assert (await user.http_client.get(export_url("nobody"))).status_code == 404
    stranger = dashboard.new_user()
    assert (await stranger.http_client.get(export_url(ann))).status_code == 401


async def test_retention_is_set_on_the_workspace_tab(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    services, actor = dashboard.container.services, seed.owner_actor(owner)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/settings/workspace")
    await user.should_see("Data retention")
    await user.should_not_see(marker="retention-days")  # off by default: keep everything
    seed.set_value(user, "retention-on", True)
    seed.set_value(user, "retention-days", 3)
    user.find(marker="save-retention").click()
    await user.should_see("Days to keep must be at least 7")
    assert (await services.settings.get(actor)).message_retention_days is None
    seed.set_value(user, "retention-days", 30)
    user.find(marker="save-retention").click()
    await user.should_see("Messages older than 30 days will be deleted nightly")

    async def kept(days: int | None) -> bool:
        return (await services.settings.get(actor)).message_retention_days == days

    await _eventually(lambda: kept(30))
    await user.open("/dashboard/settings/workspace")
    assert next(iter(user.find(marker="retention-days").elements)).value == 30
    seed.set_value(user, "retention-on", False)
    user.find(marker="save-retention").click()
    await user.should_see("Messages are kept")
    await _eventually(lambda: kept(None))
