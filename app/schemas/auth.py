"""Bodies of `/auth`: register, login, refresh/logout, forgotten and reset passwords."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.schemas.base import Body

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Token = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]


class RegisterBody(Body):
    email: Email
    password: Password
    name: Name
    workspace_name: Name


class LoginBody(Body):
    email: Email
    password: Password


class RefreshBody(Body):
    refresh_token: Token


class ForgotPasswordBody(Body):
    email: Email


class ResetPasswordBody(Body):
    token: Token
    password: Password
