"""The contacts page's "Import CSV" dialog (issue 15.4): upload, the preview with the rejected
rows and why, then the import; the new contacts are in the table."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing.user import User

from app.domain import Actor, Role
from tests.integration.ui.conftest import Dashboard

CSV = b"phone,name,labels\n+4917612345678,Ann,vip\n0176 7654321,Bo,\nnope,Cy,\n"


def _upload(user: User, data: bytes) -> None:
    with user:
        element = next(iter(user.find(marker="import-upload").elements))
        assert isinstance(element, ui.upload)
        file = ui.upload.SmallFileUpload(name="people.csv", content_type="text/csv", _data=data)
        asyncio.get_running_loop().create_task(element.handle_uploads([file]))


async def test_preview_then_import(dashboard: Dashboard) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    actor = Actor(owner.user.id).in_workspace(owner.workspace.id, Role.OWNER)
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard/contacts")
    await user.should_see(marker="no-contacts")
    user.find(marker="import-csv").click()
    await user.should_see(marker="import-dialog")
    _upload(user, CSV)
    await user.should_see(
        content="people.csv: 3 rows — 1 new, 0 updated, 2 rejected", marker="import-summary"
    )
    with user:
        rejected = next(iter(user.find(marker="import-rejected").elements)).rows
    assert [r["line"] for r in rejected] == [3, 4]
    assert "has no country code" in rejected[0]["reason"]
    with user:
        next(iter(user.find(marker="import-country").elements)).value = "DE"
    await user.should_see(
        content="people.csv: 3 rows — 2 new, 0 updated, 1 rejected", marker="import-summary"
    )
    assert (await dashboard.container.services.contact_queries.list(actor)).total == 0
    user.find(marker="import-run").click()
    await user.should_see("Imported: 2 new, 0 updated, 1 rejected")
    assert (await dashboard.container.services.contact_queries.list(actor)).total == 2
