"""`@guarded` holds the seed §14 matrix inside services, for the dashboard's in-process calls."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.auth import Resource, guarded
from app.domain import Actor, Forbidden, Role


class Notes:
    @guarded(Resource.CONTACTS, write=True)
    async def change(self, actor: Actor, text: str) -> str:
        return text.upper()

    @guarded(Resource.CONTACTS, write=False)
    async def rows(self, actor: Actor) -> AsyncIterator[int]:
        for i in range(3):
            yield i


def _in(role: Role) -> Actor:
    return Actor("u1").in_workspace("w1", role)


async def test_writers_pass_and_get_the_result() -> None:
    assert await Notes().change(_in(Role.ADMIN), "ok") == "OK"


async def test_read_only_role_is_refused_with_a_reason() -> None:
    with pytest.raises(Forbidden, match=r"viewer.*may not change contacts"):
        await Notes().change(_in(Role.VIEWER), "no")


async def test_no_workspace_is_refused() -> None:
    with pytest.raises(Forbidden, match="choose a workspace"):
        await Notes().change(Actor("u1"), "no")


async def test_streams_are_guarded_before_the_first_item() -> None:
    assert [i async for i in Notes().rows(_in(Role.VIEWER))] == [0, 1, 2]
    with pytest.raises(Forbidden):
        [i async for i in Notes().rows(Actor("u1"))]
