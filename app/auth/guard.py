"""The permission matrix enforced inside services, not only at the API's edge.

The dashboard calls services in-process (DESIGN §1), so a check that lived only in the API's
route guard would leave every page to remember it. `@guarded(Resource.X, write=…)` on a service
method makes the matrix hold whichever door the call came through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from app.auth.permissions import Resource, can
from app.domain import Actor, Forbidden

F = TypeVar("F", bound=Callable[..., Any])


def require(actor: Actor, resource: Resource, *, write: bool) -> None:
    """Raise Forbidden unless the actor's role in their workspace grants `resource`."""
    if actor.workspace_id is None or actor.role is None:
        raise Forbidden("choose a workspace first")
    if not can(actor.role, resource, write=write):
        verb = "change" if write else "see"
        raise Forbidden(f"your role ({actor.role.value.lower()}) may not {verb} {resource.value}")


def guarded(resource: Resource, *, write: bool) -> Callable[[F], F]:
    """Decorate `async def method(self, actor, ...)` (or an async generator) with `require`."""

    def wrap(method: F) -> F:
        import inspect

        if inspect.isasyncgenfunction(method):

            @functools.wraps(method)
            async def gen(self: Any, actor: Actor, *args: Any, **kwargs: Any) -> Any:
                require(actor, resource, write=write)
                async for item in method(self, actor, *args, **kwargs):
                    yield item

            return gen  # type: ignore[return-value]

        @functools.wraps(method)
        async def call(self: Any, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            require(actor, resource, write=write)
            return await method(self, actor, *args, **kwargs)

        return call  # type: ignore[return-value]

    return wrap
