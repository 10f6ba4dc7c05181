"""Model downloads running in the background, each with a progress view the dashboard and the
API poll, and progress events for live pages.

A download can take minutes, so the request that starts it returns at once (202) and the
work continues in a task owned here; failures become the view's `error`, never an exception
in the event loop. Both model kinds (GGUF for llama.cpp, whisper for voice notes) use this.

The model files belong to the install, but a download belongs to the workspace that started
it: only that workspace sees its progress, its URL and its error. URLs and errors are kept in
their `shown_url` form, so a token pasted into a link is never stored, logged or shown back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from app.domain import Conflict, Forbidden
from app.domain.records import DownloadView
from app.events import Event, EventBus
from app.net.downloads import redact, shown_url

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
ProgressEvent = Callable[[str, DownloadView], Event]  # a catalog constructor: (workspace, view)
REFUSED = (
    "model downloads are off on this server; the operator can allow them "
    "(AIMY_MODEL_DOWNLOADS=true) or put model files into the data dir's models/ folder"
)


class DownloadJobs:
    def __init__(self, events: EventBus, event: ProgressEvent, *, allowed: bool = True) -> None:
        self._events = events
        self._event = event
        self.allowed = allowed  # settings.model_downloads (desktop: yes; server: opt-in)
        self._views: dict[str, tuple[str, DownloadView]] = {}  # name → (workspace, view)
        self._tasks: set[asyncio.Task[None]] = set()

    def view(self, name: str, workspace_id: str) -> DownloadView | None:
        """The latest download of `name`, if `workspace_id` started it."""
        owner, view = self._views.get(name, ("", None))
        return view if owner == workspace_id else None

    def views(self, workspace_id: str) -> list[DownloadView]:
        """Downloads this workspace started since the app started (others' stay private)."""
        return [view for owner, view in self._views.values() if owner == workspace_id]

    def running(self, name: str) -> bool:
        return name in self._views and self._views[name][1].state == "downloading"

    def forget(self, name: str) -> None:
        self._views.pop(name, None)

    def start(
        self, name: str, url: str, workspace_id: str, fetch: Callable[[Progress], Awaitable[object]]
    ) -> DownloadView:
        """Run `fetch(progress)` in the background under `name` (one at a time per name)."""
        if not self.allowed:
            raise Forbidden(REFUSED)
        if self.running(name):  # the file is shared: one writer; says nothing about who
            raise Conflict(f"{name} is being downloaded already; try again when it is done")
        view = DownloadView(name=name, url=shown_url(url), state="downloading")
        self._views[name] = (workspace_id, view)

        def publish() -> None:
            self._events.publish(self._event(workspace_id, view))

        def progress(done: int, total: int | None) -> None:
            view.done_bytes, view.total_bytes = done, total
            publish()

        async def run() -> None:
            try:
                await fetch(progress)
                view.state = "done"
            except Exception as exc:  # reported to the user, never raised into the loop
                view.state = "failed"
                view.error = redact(getattr(exc, "detail", None) or str(exc))
                log.warning("download of %s failed: %s", name, view.error)
            publish()

        task = asyncio.create_task(run(), name=f"download {name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return view

    async def aclose(self) -> None:
        """Stop running downloads (their `.part` files are removed by the fetchers)."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
