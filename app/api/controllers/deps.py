"""Dependencies controllers receive: the services and the calling actor; the paging parameters
every list shares."""

from __future__ import annotations

from typing import Annotated

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from app.domain import MAX_PAGE, Actor, Unauthorized
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

# `?page=&pageSize=` of every paged list (DESIGN §6): bounded, so a huge page is a 400
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, QueryParameter(name="pageSize", ge=1, le=200)]
LongPageSize = Annotated[int, QueryParameter(name="pageSize", ge=1, le=500)]
