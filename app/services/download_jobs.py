"""Model downloads running in the background, each with a progress view the dashboard and the
API poll, and progress events for live pages.

A download can take minutes, so the request that starts it returns at once (202) and the
work continues in a task owned here; failures become the view's `error`, never an exception
in the event loop. Both model kinds (GGUF for llama.cpp, whisper for voice notes) use this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from app.domain import Conflict, Forbidden
from app.domain.records import DownloadView
from app.events import Event, EventBus

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
        self.views: dict[str, DownloadView] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def start(
        self, name: str, url: str, workspace_id: str, fetch: Callable[[Progress], Awaitable[object]]
    ) -> DownloadView:
        """Run `fetch(progress)` in the background under `name` (one at a time per name)."""
        if not self.allowed:
            raise Forbidden(REFUSED)
        if (current := self.views.get(name)) and current.state == "downloading":
            raise Conflict(f"{name} is already downloading")
        view = self.views[name] = DownloadView(name=name, url=url, state="downloading")

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
                view.state, view.error = "failed", getattr(exc, "detail", None) or str(exc)
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
