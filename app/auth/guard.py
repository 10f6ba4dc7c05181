"""The permission matrix enforced inside services, not only at the API's edge.

The dashboard calls services in-process (DESIGN §1), so a check that lived only in the API's
route guard would leave every page to remember it. `@guarded(Resource.X, write=…)` on a service
method makes the matrix hold whichever door the call came through.

The decorator leaves a `Guard` on the method (`guard_of`), so a test can walk every service
and fail on any public method that acts for an actor without one
(`tests/integration/test_service_guards.py`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from app.domain import Actor, Forbidden
from app.domain.permissions import Resource

F = TypeVar("F", bound=Callable[..., Any])
_MARK = "__aimy_guard__"


@dataclass(frozen=True, slots=True)
class Guard:
    """What a guarded method demands: `resource`, for reading or (write=True) changing."""

    resource: Resource
    write: bool


def require(actor: Actor, resource: Resource, *, write: bool) -> None:
    """Raise Forbidden unless the actor's role in their workspace grants `resource`."""
    if actor.workspace_id is None or actor.role is None:
        raise Forbidden("choose a workspace first")
    if not actor.may(resource, write=write):
        verb = "change" if write else "see"
        raise Forbidden(f"your role ({actor.role.value.lower()}) may not {verb} {resource.value}")


def guard_of(method: Callable[..., Any]) -> Guard | None:
    """The `Guard` a method was decorated with, or None when it has none."""
    return getattr(method, _MARK, None)


def guarded(resource: Resource, *, write: bool) -> Callable[[F], F]:
    """Decorate `async def method(self, actor, ...)` (or an async generator) with `require`,
    checked before the method's first line runs."""
    mark = Guard(resource, write)

    def wrap(method: F) -> F:
        if inspect.isasyncgenfunction(method):

            @functools.wraps(method)
            async def gen(self: Any, actor: Actor, *args: Any, **kwargs: Any) -> Any:
                require(actor, resource, write=write)
                async for item in method(self, actor, *args, **kwargs):
                    yield item

            setattr(gen, _MARK, mark)
            return gen  # type: ignore[return-value]  # same signature as `method` (wraps)

        @functools.wraps(method)
        async def call(self: Any, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            require(actor, resource, write=write)
            return await method(self, actor, *args, **kwargs)

        setattr(call, _MARK, mark)
        return call  # type: ignore[return-value]  # same signature as `method` (wraps)

    return wrap
