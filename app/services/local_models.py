"""Local GGUF models for the `llamacpp` provider: list, import from a path, download on an
explicit request (streamed, with progress events and an optional sha256), delete.

The models folder belongs to the install (`<data dir>/models`), not to one workspace. Importing
from a server path is a desktop feature: headless, the operator puts files into the folder, so
no workspace admin can make the server copy files from elsewhere on its disk.
"""

from __future__ import annotations

import asyncio
import builtins
from pathlib import Path

import msgspec

from app.auth import Resource, guarded
from app.domain import Actor, Forbidden, Invalid
from app.domain.records import DownloadView
from app.events import EventBus, catalog
from app.llm import GgufStore
from app.llm.gguf_store import checked_name
from app.records import AuditTrail
from app.services.download_jobs import DownloadJobs


class LocalModelView(msgspec.Struct, rename="camel", kw_only=True):
    name: str
    size_bytes: int


class LocalModelService:
    def __init__(
        self,
        manager: GgufStore,
        events: EventBus,
        audit: AuditTrail,
        *,
        headless: bool,
        downloads: bool = True,
    ) -> None:
        self._manager = manager
        self._events = events
        self._audit = audit
        self._headless = headless
        self._jobs = DownloadJobs(events, catalog.model_progress, allowed=downloads)

    @property
    def imports_allowed(self) -> bool:
        """Importing from a path on this computer: desktop only (see the module docstring)."""
        return not self._headless

    def list(self) -> list[LocalModelView]:
        return [LocalModelView(name=m.name, size_bytes=m.size_bytes) for m in self._manager.list()]

    @property
    def downloads_allowed(self) -> bool:
        return self._jobs.allowed

    def downloads(self) -> builtins.list[DownloadView]:
        return list(self._jobs.views.values())

    @guarded(Resource.SETTINGS, write=True)
    async def import_file(self, actor: Actor, path: str, name: str | None) -> LocalModelView:
        if not self.imports_allowed:
            raise Forbidden("on a server, copy GGUF files into the data dir's models/ folder")
        model = await self._manager.import_file(Path(path), name=name)  # NotFound if absent
        await self._audit.record(actor, "model.import", "model", model.name)
        return LocalModelView(name=model.name, size_bytes=model.size_bytes)

    @guarded(Resource.SETTINGS, write=True)
    async def start_download(
        self, actor: Actor, url: str, name: str | None, sha256: str | None
    ) -> DownloadView:
        """Begin a download in the background; progress arrives as `model:progress` events."""
        if not url.startswith(("http://", "https://")):
            raise Invalid("model URL must be http:// or https://")
        file_name = checked_name(name or url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
        view = self._jobs.start(
            file_name,
            url,
            actor.workspace_id or "",
            lambda progress: self._manager.download(
                url, name=file_name, sha256=sha256, progress=progress
            ),
        )
        await self._audit.record(actor, "model.download", "model", file_name, {"url": url})
        return view

    @guarded(Resource.SETTINGS, write=True)
    async def delete(self, actor: Actor, name: str) -> None:
        await asyncio.to_thread(self._manager.delete, name)
        await self._audit.record(actor, "model.delete", "model", name)

    async def aclose(self) -> None:
        await self._jobs.aclose()
