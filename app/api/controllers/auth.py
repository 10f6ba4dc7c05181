"""`/api/v1/auth`: register, login, refresh (rotating), logout, password reset, me."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import (
    ActorDep,
    ServicesDep,
    provide_actor,
    provide_services,
    request_ip,
)
from app.domain import records as m
from app.schemas.auth import (
    ForgotPasswordBody,
    LoginBody,
    RefreshBody,
    RegisterBody,
    ResetPasswordBody,
)

CREDENTIALS = {"public": True, "auth_limited": True}


class Me(msgspec.Struct, rename="camel"):
    user: m.User
    workspaces: list[m.Workspace]


class AuthController(Controller):
    path = "/v1/auth"
    tags = ["auth"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @post("/register", opt=CREDENTIALS)
    async def register(
        self, data: JSONBody[RegisterBody], services: ServicesDep, request: Request
    ) -> m.Session:
        """Create a user and their first workspace (they are its OWNER); returns tokens."""
        return await services.auth.register(
            data.email, data.password, data.name, data.workspace_name, ip=request_ip(request)
        )

    @post("/login", opt=CREDENTIALS, status_code=HTTP_200_OK)
    async def login(
        self, data: JSONBody[LoginBody], services: ServicesDep, request: Request
    ) -> m.Session:
        """Exchange email and password for an access token (15 min) and a refresh token."""
        return await services.auth.login(
            data.email,
            data.password,
            ip=request_ip(request),
            user_agent=request.headers.get("user-agent"),
        )

    @post("/refresh", opt=CREDENTIALS, status_code=HTTP_200_OK)
    async def refresh(
        self, data: JSONBody[RefreshBody], services: ServicesDep, request: Request
    ) -> m.Session:
        """Rotate the refresh token. Presenting a spent one revokes its whole sign-in."""
        return await services.sign_ins.refresh(data.refresh_token, ip=request_ip(request))

    @post("/logout", opt={"public": True}, status_code=HTTP_204_NO_CONTENT)
    async def logout(self, data: JSONBody[RefreshBody], services: ServicesDep) -> None:
        """Revoke the sign-in this refresh token belongs to."""
        await services.sign_ins.logout(data.refresh_token)

    @post("/forgot-password", opt=CREDENTIALS, status_code=HTTP_202_ACCEPTED)
    async def forgot_password(
        self, data: JSONBody[ForgotPasswordBody], services: ServicesDep
    ) -> None:
        """Email a reset link if the account exists (the answer is the same either way)."""
        await services.password_resets.forgot_password(data.email)

    @post("/reset-password", opt=CREDENTIALS, status_code=HTTP_204_NO_CONTENT)
    async def reset_password(
        self, data: JSONBody[ResetPasswordBody], services: ServicesDep
    ) -> None:
        """Set a new password with the emailed token; signs out every session."""
        await services.password_resets.reset_password(data.token, data.password)

    @get("/me", opt={"account": True})
    async def me(self, services: ServicesDep, actor: ActorDep) -> Me:
        """The signed-in user and their workspaces with their role in each."""
        user, workspaces = await services.sign_ins.me(actor.user_id or "")
        return Me(user=user, workspaces=workspaces)
