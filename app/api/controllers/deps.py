"""Dependencies controllers receive: the services and the calling actor."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.domain import Actor, Unauthorized
from app.services import Services


async def provide_services(state: State) -> Services:
    return state.container.services


async def provide_actor(request: Request) -> Actor:
    actor = request.scope.get("auth")
    if actor is None:
        raise Unauthorized("sign in first")
    return actor


def request_ip(request: Request) -> str | None:
    return request.scope.get("state", {}).get("client_ip")


ServicesDep = NamedDependency[Services]
ActorDep = NamedDependency[Actor]
