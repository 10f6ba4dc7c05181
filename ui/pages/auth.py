"""Sign in, create an account, forgot / reset password, accept an invitation."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import app, ui

from app.domain import records as m
from ui import session
from ui.components.error import ErrorLabel
from ui.pages._forms import card
from ui.state import container


async def _count_attempt() -> None:
    """Sign-in attempts from the dashboard count against the same per-IP limit as the API's."""
    await container().login_throttle.check(session.client_ip() or "unknown")


def _after_sign_in(first: str = "/dashboard") -> str:
    """Back to an invitation opened while signed out, else `first` (a new owner's first page
    is the setup wizard)."""
    token = app.storage.user.pop("invite_token", None)
    return f"/accept-invite?token={token}" if token else first


# what the forgot-password page says when SMTP is not set (reset links are never logged)
NO_EMAIL = (
    "Email is not set up on this server, so no reset link can be emailed. Ask the person who "
    "runs Aimywhatsapp to make you one: `aimywhatsapp reset-link <your email>` prints it."
)


async def first_page() -> str:
    """Where a visitor starts: the dashboard when signed in, else signing in — or, on a fresh
    install with no account at all, creating the owner's."""
    if await session.current():
        return "/dashboard"
    return "/login" if await container().services.auth.has_accounts() else "/register"


def create() -> None:
    @ui.page("/login", title="Sign in · Aimywhatsapp")
    async def login_page() -> RedirectResponse | None:
        if (first := await first_page()) != "/login":
            return RedirectResponse(first)
        with card("Sign in", "Welcome back."):
            email = ui.input("Email").props("type=email outlined autofocus").classes("w-full")
            password = ui.input("Password", password=True).props("outlined").classes("w-full")
            error = ErrorLabel()

            async def submit() -> None:
                async def call() -> m.Session:
                    await _count_attempt()
                    return await container().services.auth.login(
                        email.value or "", password.value or "", ip=session.client_ip()
                    )

                result = await error.run(call)
                if result is not None:
                    session.remember(result)
                    ui.navigate.to(_after_sign_in())

            password.on("keydown.enter", submit)
            ui.button("Sign in", on_click=submit).classes("w-full").mark("submit")
            with ui.row().classes("w-full justify-between text-sm"):
                ui.link("Create an account", "/register")
                ui.link("Forgot password?", "/forgot-password")
        return None

    @ui.page("/register", title="Create account · Aimywhatsapp")
    async def register_page() -> None:
        first = not await container().services.auth.has_accounts()
        title, hint = (
            ("Create the owner account", "Nobody uses this install yet: you will own it.")
            if first
            else ("Create your account", "Your bot is a few minutes away.")
        )
        with card(title, hint):
            name = ui.input("Your name").props("outlined autofocus").classes("w-full")
            email = ui.input("Email").props("type=email outlined").classes("w-full")
            password = (
                ui.input("Password (10+ characters)", password=True)
                .props("outlined")
                .classes("w-full")
            )
            workspace = ui.input("Business or workspace name").props("outlined").classes("w-full")
            error = ErrorLabel()

            async def submit() -> None:
                async def call() -> m.Session:
                    await _count_attempt()
                    return await container().services.auth.register(
                        email.value or "",
                        password.value or "",
                        name.value or "",
                        workspace.value or "",
                        ip=session.client_ip(),
                    )

                result = await error.run(call)
                if result is not None:
                    session.remember(result)
                    ui.navigate.to(_after_sign_in(first="/onboarding"))

            ui.button("Create account", on_click=submit).classes("w-full").mark("submit")
            if not first:
                ui.link("I already have an account", "/login").classes("text-sm")

    @ui.page("/forgot-password", title="Forgot password · Aimywhatsapp")
    async def forgot_page() -> None:
        mailed = container().services.mailer.configured
        with card("Forgot your password?", "We will email you a reset link." if mailed else ""):
            email = ui.input("Email").props("type=email outlined").classes("w-full")
            error = ErrorLabel()
            done = ui.label(
                "If an account exists for that email, a reset link is on its way."
                if mailed
                else NO_EMAIL
            ).classes("text-positive" if mailed else "text-grey-9")
            done.mark("forgot-done").set_visibility(False)

            async def submit() -> None:
                async def call() -> bool:
                    await _count_attempt()
                    await container().services.password_resets.forgot_password(email.value or "")
                    return True

                if await error.run(call):
                    done.set_visibility(True)

            ui.button("Send reset link", on_click=submit).classes("w-full").mark("submit")
            ui.link("Back to sign in", "/login").classes("text-sm")

    @ui.page("/reset-password", title="Reset password · Aimywhatsapp")
    async def reset_page(token: str = "") -> None:
        with card("Choose a new password"):
            password = (
                ui.input("New password (10+ characters)", password=True)
                .props("outlined")
                .classes("w-full")
            )
            error = ErrorLabel()

            async def submit() -> None:
                async def call() -> bool:
                    await container().services.password_resets.reset_password(
                        token, password.value or ""
                    )
                    return True

                if await error.run(call):
                    ui.notify("Password changed. Sign in with it now.", type="positive")
                    ui.navigate.to("/login")

            ui.button("Set password", on_click=submit).classes("w-full").mark("submit")

    @ui.page("/accept-invite", title="Join workspace · Aimywhatsapp")
    async def accept_page(token: str = "") -> None:
        current = await session.current()
        if current is None:
            app.storage.user["invite_token"] = token  # kept through sign-in / registration
            with card("You are invited", "Sign in or create an account with the invited email."):
                ui.link("Sign in", "/login")
                ui.link("Create an account", "/register")
            return None
        actor, _, _ = current
        with card("Join the workspace?"):
            error = ErrorLabel()

            async def accept() -> None:
                async def call() -> m.Workspace:
                    return await container().services.invites.accept(actor, token)

                ws = await error.run(call)
                if ws is not None:
                    session.choose_workspace(ws.id)
                    ui.navigate.to("/dashboard")

            ui.button("Accept invitation", on_click=accept).classes("w-full").mark("submit")
        return None
