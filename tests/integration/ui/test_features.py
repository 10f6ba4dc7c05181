"""The dashboard promises only what exists (issue 13 #15): a feature still being built has no
nav entry, no settings tab and no placeholder page; switching it on in `ui/features.py` is all
its own issue does to show the entry."""

from __future__ import annotations

import pytest
from nicegui import ElementFilter, ui

from tests.integration.ui.conftest import Dashboard
from ui import features

COMING = ("/dashboard/broadcasts", "/dashboard/analytics")


def _links(user) -> set[str]:  # type: ignore[no-untyped-def]
    with user:
        return {e.props.get("href") for e in ElementFilter(kind=ui.link, local_scope=False)}


async def test_unbuilt_features_have_no_entry_tab_or_page(dashboard: Dashboard) -> None:
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard")
    await user.should_see(marker="greeting")
    links = _links(user)
    assert {"/dashboard/inbox", "/dashboard/knowledge", "/dashboard/settings"} <= links
    assert not links & set(COMING)
    await user.should_not_see("Broadcasts")
    await user.should_not_see("Analytics")
    with user:  # the resolution-rate card does not lead to a page that is not there
        (card,) = user.find(marker="kpi-resolution_rate").elements
        assert "cursor-pointer" not in card.classes
    await user.open("/dashboard/settings/workspace")
    await user.should_see(marker="tab-team")
    await user.should_not_see(marker="tab-webhooks")
    for path in (*COMING, "/dashboard/settings/webhooks"):
        r = await user.http_client.get(path)
        assert r.status_code == 404, path


async def test_switching_a_feature_on_shows_its_entry(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(features.AVAILABLE, "broadcasts", True)
    await dashboard.register("owner@example.com")
    user = await dashboard.signed_in("owner@example.com")
    await user.open("/dashboard")
    await user.should_see("Broadcasts")
    assert "/dashboard/broadcasts" in _links(user)
    assert "/dashboard/analytics" not in _links(user)
