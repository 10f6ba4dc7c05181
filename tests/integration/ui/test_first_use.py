"""A fresh install opens on creating the owner account (issue 13 #13); once an account
exists, strangers are asked to sign in as before."""

from __future__ import annotations

from tests.integration.ui.conftest import Dashboard


async def test_a_fresh_install_opens_on_creating_the_owner_account(dashboard: Dashboard) -> None:
    for path in ("/", "/login"):
        user = dashboard.new_user()
        await user.open(path)
        await user.should_see("Create the owner account")
        await user.should_not_see("Welcome back.")
    user = dashboard.new_user()
    await user.open("/register")
    user.find("Your name").type("Nia")
    user.find("Email").type("nia@example.com")
    user.find("Password (10+ characters)").type("Correct-horse-9")
    user.find("Business or workspace name").type("Nia's")
    user.find("Create account").click()
    await user.should_see(marker="stepper")

    stranger = dashboard.new_user()
    await stranger.open("/")
    await stranger.should_see("Welcome back.")
    await stranger.open("/register")
    await stranger.should_see("Create your account")
    await stranger.should_not_see("Create the owner account")
