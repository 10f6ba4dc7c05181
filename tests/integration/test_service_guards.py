"""Every public service method that acts for an actor checks the seed §14 matrix (issue 11 #7).

The services are discovered, not listed: the container is built from the test settings and
every object reachable from the `Services` fields (composed sub-services included) is walked;
each public coroutine method that takes an actor must carry `@guarded` (with the actor first,
where the guard reads it). A new unguarded method fails here unless it joins `OPEN` with its
reason. Then the guards are made to bite: every guarded method is called by every role the
matrix forbids (and by an actor with no workspace) and must raise Forbidden before it changes
a row, publishes an event or sends an email.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any

import pytest

from app.auth import Guard, guard_of
from app.container import Container, build_container, lifespan
from app.db.tables import ALL_TABLES, ApiKey, WorkspaceInvite, WorkspaceUser
from app.domain import Actor, Forbidden, Role, can
from app.settings import Settings

# Methods that act for an actor on purpose without a role check, each with its reason.
OPEN = {
    "WorkspaceService.create": "an account creates a workspace it will own; it has no role "
    "anywhere yet (sign-up goes through here)",
    "InviteService.accept": "the invitee joins: they have no role in the workspace yet; the "
    "one-time token mailed to their address is the proof",
    "AuditTrail.record": "infrastructure: writes the trail of a call its caller already "
    "authorized, including account-level acts that have no role",
}
PASSWORD = "Correct-horse-9"


@dataclass(frozen=True)
class Acting:
    """A public coroutine method that takes an actor, bound to a live service object."""

    method: Callable[..., Any]
    actor_first: bool  # where @guarded reads it

    @property
    def guard(self) -> Guard | None:
        return guard_of(self.method)


def acting_methods(container: Container) -> dict[str, Acting]:
    """Walk the services (and everything of ours they hold) for methods acting for an actor,
    keyed `Class.method`."""
    found: dict[str, Acting] = {}
    seen: set[int] = set()

    def visit(obj: object) -> None:
        cls = type(obj)
        if id(obj) in seen or not cls.__module__.startswith("app."):
            return
        seen.add(id(obj))
        for name, fn in inspect.getmembers(cls, _is_coroutine):
            params = list(inspect.signature(fn).parameters.values())[1:]
            takes = [i for i, p in enumerate(params) if _is_actor(p)]
            if not name.startswith("_") and takes:
                key = f"{cls.__name__}.{name}"
                found.setdefault(key, Acting(getattr(obj, name), takes[0] == 0))
        for value in _attributes(obj):
            visit(value)

    services = container.services
    for f in fields(services):
        visit(getattr(services, f.name))
    return found


def _is_coroutine(fn: object) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)


def _is_actor(p: inspect.Parameter) -> bool:
    annotation = (
        p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
    )
    return p.name == "actor" or annotation.split(".")[-1].removesuffix(" | None") == "Actor"


def _attributes(obj: object) -> Iterator[object]:
    yield from getattr(obj, "__dict__", {}).values()
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if hasattr(obj, slot):
                yield getattr(obj, slot)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Container]:
    container = build_container(settings)
    async with lifespan(container):
        yield container


async def test_every_method_acting_for_an_actor_is_guarded(app: Container) -> None:
    methods = acting_methods(app)
    assert len(methods) > 50, sorted(methods)  # the walk really reached the services
    unguarded = sorted(n for n, m in methods.items() if m.guard is None and n not in OPEN)
    assert not unguarded, (
        f"these service methods act for an actor without @guarded(Resource…, write=…): "
        f"{unguarded}. Guard them (seed §14), or add them to OPEN with the reason."
    )
    late = sorted(n for n, m in methods.items() if m.guard is not None and not m.actor_first)
    assert not late, f"@guarded reads the actor from the first parameter: {late}"
    stale = sorted(set(OPEN) - set(methods))
    assert not stale, f"OPEN names methods that no longer exist or take no actor: {stale}"
    needless = sorted(n for n in OPEN if methods[n].guard is not None)
    assert not needless, f"OPEN names guarded methods: {needless}"


async def test_guards_refuse_forbidden_roles_before_any_side_effect(app: Container) -> None:
    services = app.services
    owner = await services.auth.register("owner@example.com", PASSWORD, "Owner", "Acme")
    assert owner.workspace is not None
    ws = owner.workspace.id
    member = await services.auth.register("agent@example.com", PASSWORD, "Agent", "Own")
    await services.workspaces.add_member(ws, member.user.id, Role.AGENT)
    plausible = {  # real ids where a parameter names one: an unguarded body would act on them
        "workspace_id": ws,
        "user_id": member.user.id,
        "role": Role.OWNER,
        "name": "x",
        "email": "new@example.com",
    }
    before = await _row_counts()
    mails = len(services.mailer.outbox)
    checked = 0
    with app.events.subscribe(ws) as events:
        for name, acting in sorted(acting_methods(app).items()):
            if acting.guard is None:
                continue
            args = _arguments(acting.method, plausible)
            for actor in _forbidden(acting.guard, owner.user.id, ws):
                with pytest.raises(Forbidden):
                    await _call(acting.method, actor, args)
                checked += 1
            assert events.queue.empty(), f"{name} published before refusing"
    assert await _row_counts() == before
    assert len(services.mailer.outbox) == mails
    assert checked > 100


def _forbidden(guard: Guard, user_id: str, workspace_id: str) -> list[Actor]:
    """An actor with no workspace, and one in the workspace for each role the matrix refuses."""
    roles = [r for r in Role if not can(r, guard.resource, write=guard.write)]
    return [Actor(user_id)] + [Actor(user_id).in_workspace(workspace_id, r) for r in roles]


def _arguments(method: Callable[..., Any], plausible: dict[str, Any]) -> dict[str, Any]:
    params = list(inspect.signature(method).parameters.values())[1:]  # bound: self is gone
    return {
        p.name: plausible.get(p.name)
        for p in params
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


async def _call(method: Callable[..., Any], actor: Actor, args: dict[str, Any]) -> None:
    if inspect.isasyncgenfunction(method):
        async for _ in method(actor, **args):
            break
    else:
        await method(actor, **args)


async def _row_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in ALL_TABLES}


async def test_team_is_the_owners_to_change_and_the_admins_to_read(app: Container) -> None:
    """The rows the API guard used to stand alone for: members, roles, invites, API keys."""
    services = app.services
    owner = await services.auth.register("owner@example.com", PASSWORD, "Owner", "Acme")
    assert owner.workspace is not None
    ws = owner.workspace.id
    admin_user = await services.auth.register("admin@example.com", PASSWORD, "Admin", "Own")
    agent_user = await services.auth.register("agent@example.com", PASSWORD, "Agent", "Own")
    await services.workspaces.add_member(ws, admin_user.user.id, Role.ADMIN)
    await services.workspaces.add_member(ws, agent_user.user.id, Role.AGENT)
    admin = Actor(admin_user.user.id).in_workspace(ws, Role.ADMIN)
    agent = Actor(agent_user.user.id).in_workspace(ws, Role.AGENT)

    assert len(await services.workspaces.members(admin, ws)) == 3
    with pytest.raises(Forbidden, match=r"admin.*may not change team"):
        await services.workspaces.set_role(admin, ws, admin_user.user.id, Role.OWNER)
    with pytest.raises(Forbidden):
        await services.workspaces.remove_member(admin, ws, owner.user.id)
    with pytest.raises(Forbidden):
        await services.invites.invite(admin, ws, "friend@example.com", Role.ADMIN)
    assert await services.workspaces.role_of(admin_user.user.id, ws) == Role.ADMIN
    assert await WorkspaceUser.count().where(WorkspaceUser.workspace_id == ws) == 3
    assert await WorkspaceInvite.count() == 0

    with pytest.raises(Forbidden, match=r"agent.*may not see team"):
        await services.workspaces.members(agent, ws)
    with pytest.raises(Forbidden, match=r"agent.*may not change settings"):
        await services.api_keys.create(agent, "mine")
    assert await ApiKey.count() == 0
    key = await services.api_keys.create(admin, "ci")
    assert [k.id for k in await services.api_keys.list(admin)] == [key.id]

    # what an agent needs to do its work stays open to it: names to assign conversations to
    assert await services.workspaces.assignees(agent) == {
        owner.user.id: "Owner",
        admin_user.user.id: "Admin",
        agent_user.user.id: "Agent",
    }
