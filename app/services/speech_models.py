"""Whisper models for voice notes: what is installed, what can be downloaded, downloads with
progress (`speech-model:progress` events), and deletion.

The models folder belongs to the install, shared by every workspace on it, so deleting a
model another workspace has chosen is refused: on an agency's server one customer's admin
must not silently break another customer's voice notes.
"""

from __future__ import annotations

import asyncio
import logging

import msgspec

from app.auth import Resource, guarded
from app.db.tables import WorkspaceSettings
from app.domain import Actor, Conflict, NotFound
from app.domain.records import DownloadView
from app.events import EventBus, catalog
from app.records import AuditTrail
from app.services.download_jobs import DownloadJobs
from app.speech.catalog import CATALOG, file_url, is_multilingual
from app.speech.whisper_store import WhisperModelStore

log = logging.getLogger(__name__)


class SpeechModelView(msgspec.Struct, rename="camel", kw_only=True):
    name: str
    installed: bool
    builtin: bool = False
    multilingual: bool
    size_bytes: int | None = None  # on disk, when installed
    download_mb: int | None = None  # approximate download size, for catalog models
    note: str = ""
    download: DownloadView | None = None  # the latest download of this model since start


class SpeechModelService:
    def __init__(
        self,
        store: WhisperModelStore,
        events: EventBus,
        audit: AuditTrail,
        *,
        downloads: bool = True,
    ) -> None:
        self.store = store
        self._audit = audit
        self._jobs = DownloadJobs(events, catalog.speech_model_progress, allowed=downloads)

    @property
    def downloads_allowed(self) -> bool:
        return self._jobs.allowed

    def list(self, workspace_id: str = "") -> list[SpeechModelView]:
        """Installed models first (the built-in one leading), then the rest of the catalog;
        download progress only for downloads `workspace_id` started."""
        views = []
        for model in self.store.installed():
            entry = CATALOG.get(model.name)
            views.append(
                SpeechModelView(
                    name=model.name, installed=True, builtin=model.builtin,
                    multilingual=is_multilingual(model.name), size_bytes=model.size_bytes,
                    download_mb=entry.size_mb if entry else None,
                    note=entry.note if entry else
                    ("English only; ships with the app." if model.builtin else "Added by hand."),
                )
            )  # fmt: skip
        installed = {v.name for v in views}
        for entry in CATALOG.values():
            if entry.name not in installed:
                views.append(
                    SpeechModelView(
                        name=entry.name, installed=False, multilingual=entry.multilingual,
                        download_mb=entry.size_mb, note=entry.note,
                    )
                )  # fmt: skip
        for view in views:
            view.download = self._jobs.view(view.name, workspace_id)
        return views

    @guarded(Resource.SETTINGS, write=True)
    async def start_download(self, actor: Actor, name: str) -> DownloadView:
        """Begin fetching a catalog model in the background; the only way one is downloaded."""
        if any(m.name == name for m in self.store.installed()):
            raise Conflict(f"whisper model {name} is already installed")
        entry = CATALOG.get(name)
        if entry is None:
            raise NotFound(f"unknown whisper model {name!r}; choose one of {', '.join(CATALOG)}")
        url = file_url(self.store.base_url, entry.repo, "model.bin")
        view = self._jobs.start(
            name,
            url,
            actor.workspace_id or "",
            lambda progress: self.store.download(name, progress),
        )
        await self._audit.record(actor, "speech_model.download", "speech_model", name)
        return view

    @guarded(Resource.SETTINGS, write=True)
    async def delete(self, actor: Actor, name: str) -> None:
        ws = actor.workspace_id or ""
        others = await WorkspaceSettings.count().where(
            (WorkspaceSettings.speech_model == name) & (WorkspaceSettings.workspace_id != ws)
        )
        if others:
            raise Conflict(f"{name} transcribes voice notes for {others} other workspace(s)")
        await asyncio.to_thread(self.store.delete, name)
        await WorkspaceSettings.update({WorkspaceSettings.speech_model: None}).where(
            (WorkspaceSettings.workspace_id == ws) & (WorkspaceSettings.speech_model == name)
        )
        self._jobs.forget(name)
        await self._audit.record(actor, "speech_model.delete", "speech_model", name)

    async def aclose(self) -> None:
        await self._jobs.aclose()
