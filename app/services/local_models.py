"""Local GGUF models for the `llamacpp` provider: the recommended catalog (one click: download,
verify, switch the workspace to it), list, import from a path, download from a URL on an
explicit request (streamed, with progress events and an optional sha256), delete.

The models folder belongs to the install (`<data dir>/models`), not to one workspace: a model
another workspace answers with cannot be deleted (409, as for whisper models), while download
progress, URLs and errors belong to the workspace that started them. Importing from a server
path is a desktop feature: headless, the operator puts files into the folder, so no workspace
admin can make the server copy files from elsewhere on its disk.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
from pathlib import Path

import msgspec

from app.auth import Resource, guarded
from app.db.repos import workspace_settings
from app.db.tables import WorkspaceSettings
from app.domain import Actor, Conflict, Forbidden, Invalid, NotFound
from app.domain.records import DownloadView
from app.events import EventBus, catalog
from app.llm import GgufStore, hub
from app.llm.catalog import CATALOG, FAMILIES, CatalogModel
from app.llm.gguf_store import checked_name
from app.llm.speed import estimate
from app.net import downloads
from app.net.downloads import Progress
from app.records import AuditTrail
from app.services.download_jobs import DownloadJobs

log = logging.getLogger(__name__)


class LocalModelView(msgspec.Struct, rename="camel", kw_only=True):
    name: str
    size_bytes: int


class CatalogModelView(msgspec.Struct, rename="camel", kw_only=True):
    """A recommended model as the dashboard shows it before (and after) the download."""

    key: str
    name: str
    file: str
    repo: str
    download_url: str  # `main` is pinned to the commit it points at when the download starts
    revision: str | None  # a pinned commit, when the catalog names one
    family: str
    parameters_b: float
    size_bytes: int
    size_exact: bool  # False: an approximation until the hub reports the exact size
    ram_gb: float
    licence: str
    licence_url: str
    commercial_use: bool
    sha256: str | None  # None: taken from the hub's LFS metadata of the pinned commit
    checksum_source: str
    expected_reply_s: float  # an estimate, scaled from the packaged 270M model's measured p50
    speed: str  # fast | moderate | slow (on a 2-core CPU like the benchmark machine)
    note: str
    installed: bool
    in_use: bool  # this workspace answers with it
    download: DownloadView | None = None  # this workspace's latest download of it


class LocalModelService:
    def __init__(
        self,
        manager: GgufStore,
        events: EventBus,
        audit: AuditTrail,
        *,
        headless: bool,
        downloads: bool = True,
        hub_url: str = "https://huggingface.co",
    ) -> None:
        self._manager = manager
        self._events = events
        self._audit = audit
        self._headless = headless
        self._hub_url = hub_url.rstrip("/")
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

    def downloads(self, workspace_id: str) -> builtins.list[DownloadView]:
        """The downloads this workspace started since the app started."""
        return self._jobs.views(workspace_id)

    @guarded(Resource.SETTINGS, write=False)
    async def catalog(self, actor: Actor) -> builtins.list[CatalogModelView]:
        """The recommended models, smallest first, with what this workspace has of them."""
        ws = actor.workspace_id or ""
        current = await workspace_settings.load(ws)
        provider, model = current.ai_provider, current.ai_model
        installed = {m.name: m.size_bytes for m in self._manager.list()}
        views = []
        for entry in sorted(CATALOG.values(), key=lambda m: m.download_bytes):
            guess = estimate(entry)
            views.append(
                CatalogModelView(
                    key=entry.key, name=entry.name, file=entry.file, repo=entry.repo,
                    download_url=f"{self._hub_url}/{entry.repo}/resolve/"
                    f"{entry.revision or 'main'}/{entry.file}",
                    revision=entry.revision, family=entry.family,
                    parameters_b=entry.parameters_b,
                    size_bytes=installed.get(entry.file) or entry.download_bytes,
                    size_exact=entry.file in installed or entry.size_bytes is not None,
                    ram_gb=entry.ram_gb, licence=entry.licence, licence_url=entry.licence_url,
                    commercial_use=entry.commercial, sha256=entry.sha256,
                    checksum_source=entry.source, expected_reply_s=guess.reply_s,
                    speed=guess.speed, note=entry.note, installed=entry.file in installed,
                    in_use=provider == "llamacpp" and model == entry.file,
                    download=self._jobs.view(entry.file, ws),
                )
            )  # fmt: skip
        return views

    @guarded(Resource.SETTINGS, write=True)
    async def install(self, actor: Actor, key: str) -> DownloadView:
        """One click: download a catalog model (pinned, verified) and switch the workspace to
        it. Already on disk: switch at once. Progress arrives as `model:progress` events."""
        entry = CATALOG.get(key)
        if entry is None:
            raise NotFound(f"unknown model {key!r}; choose one of {', '.join(CATALOG)}")
        page = f"{self._hub_url}/{entry.repo}"
        present = {m.name: m.size_bytes for m in self._manager.list()}
        if entry.file in present:
            await self._select(actor, entry)
            size = present[entry.file]
            return DownloadView(
                name=entry.file, url=page, state="done", done_bytes=size, total_bytes=size
            )

        async def fetch(progress: Progress) -> None:
            await self._fetch(entry, progress)
            await self._select(actor, entry)

        view = self._jobs.start(entry.file, page, actor.workspace_id or "", fetch)
        await self._audit.record(actor, "model.download", "model", entry.file, {"url": page})
        return view

    async def _fetch(self, entry: CatalogModel, progress: Progress) -> None:
        async with downloads.client(self._manager.allow) as http:
            pinned = await hub.resolve(
                http, self._hub_url, entry.repo, entry.file,
                revision=entry.revision, allow=self._manager.allow,
            )  # fmt: skip
            if entry.sha256 is not None and pinned.sha256 != entry.sha256:
                raise Invalid(
                    f"the hub's {entry.file} (commit {pinned.commit[:10]}) has sha256 "
                    f"{pinned.sha256}, not the catalog's {entry.sha256}: refused"
                )
            if entry.size_bytes is not None and pinned.size != entry.size_bytes:
                raise Invalid(
                    f"the hub's {entry.file} is {pinned.size} bytes, not the catalog's "
                    f"{entry.size_bytes}: refused"
                )
            log.info(
                "downloading %s from %s at commit %s (sha256 %s)",
                entry.file, entry.repo, pinned.commit, pinned.sha256,
            )  # fmt: skip
            await self._manager.download(
                pinned.url, name=entry.file, sha256=pinned.sha256, size=pinned.size,
                progress=progress, client=http,
            )  # fmt: skip

    async def _select(self, actor: Actor, entry: CatalogModel) -> None:
        """The workspace now answers with `entry`, at its family's temperature."""
        ws = actor.workspace_id or ""
        await WorkspaceSettings.update(
            {
                WorkspaceSettings.ai_provider: "llamacpp",
                WorkspaceSettings.ai_model: entry.file,
                WorkspaceSettings.ai_base_url: None,
                WorkspaceSettings.ai_temperature: FAMILIES[entry.family].temperature,
            }
        ).where(WorkspaceSettings.workspace_id == ws)
        fields = ["ai_base_url", "ai_model", "ai_provider", "ai_temperature"]
        await self._audit.record(
            actor, "settings.update", "workspace_settings", ws, {"fields": fields}
        )

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
        await self._audit.record(
            actor, "model.download", "model", file_name, {"url": downloads.shown_url(url)}
        )
        return view

    @guarded(Resource.SETTINGS, write=True)
    async def delete(self, actor: Actor, name: str) -> None:
        """Delete a file unless another workspace answers with it; this workspace, if it used
        it, answers without a model again (never with a dangling file name)."""
        name = checked_name(name)
        ws = actor.workspace_id or ""
        table = WorkspaceSettings
        uses = (table.ai_provider == "llamacpp") & (table.ai_model == name)
        others = await table.count().where(uses & (table.workspace_id != ws))
        if others:
            raise Conflict(f"{name} answers for {others} other workspace(s)")
        if self._jobs.running(name):
            raise Conflict(f"{name} is being downloaded; delete it when the download is done")
        await asyncio.to_thread(self._manager.delete, name)  # NotFound if absent
        await table.update({table.ai_provider: "extractive", table.ai_model: ""}).where(
            uses & (table.workspace_id == ws)
        )
        self._jobs.forget(name)
        await self._audit.record(actor, "model.delete", "model", name)

    async def aclose(self) -> None:
        await self._jobs.aclose()
