"""A model that loads on first use and unloads after an idle period (embedder, whisper, llama.cpp).

A desktop app that answered one question an hour ago should be back at its idle footprint:
the weights (and the activations the allocator kept) go when nobody has used the model for
`idle_s` seconds. Every use holds a lease; unloading waits for leases to end, and a use that
arrives while the model unloads waits for the unload and then loads it again — no caller ever
sees a half-closed model. One daemon thread per loaded model waits for the deadline.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def release_freed_memory(*, collect: bool = True) -> None:
    """Hand freed heap pages back to the OS. glibc keeps what a model freed in its arenas
    (one per thread that allocated: ONNX Runtime's and CTranslate2's workers) until asked.
    `collect`: a full garbage collection first (cycles that still hold the model) — it holds
    the GIL, over a second in a big process under load, so not on the load path, where the
    event loop waits for its turn (tests/integration/api/test_responsive.py). malloc_trim
    itself runs without the GIL (ctypes releases it)."""
    if collect:
        gc.collect()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return
    trim(0)


class IdleModel(Generic[T]):
    """Holds what `load()` returns while in use; drops it `idle_s` after the last use
    (`idle_s` None or ≤ 0: never). `close(model)` runs on unload when given."""

    def __init__(
        self,
        load: Callable[[], T],
        *,
        idle_s: float | None,
        name: str,
        close: Callable[[T], None] | None = None,
    ) -> None:
        self._load = load
        self._close = close
        self.idle_s = idle_s if idle_s and idle_s > 0 else None
        self.name = name
        self._cond = threading.Condition()
        self._model: T | None = None
        self._leases = 0
        self._last_used = 0.0
        self.loads = 0  # how many times the model was loaded (its generation)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @contextmanager
    def use(self) -> Iterator[T]:
        """The model, loaded if needed, guaranteed to stay loaded until the block ends."""
        with self._cond:
            if self._model is None:
                started = time.perf_counter()
                self._model = self._load()  # under the lock: concurrent first users wait
                self.loads += 1
                release_freed_memory(collect=False)  # what loading parsed, then dropped
                log.info("%s loaded in %.2f s", self.name, time.perf_counter() - started)
                if self.idle_s is not None:
                    threading.Thread(
                        target=self._reaper,
                        args=(self.loads,),
                        name=f"idle-{self.name}",
                        daemon=True,
                    ).start()
            self._leases += 1
            model = self._model
        try:
            yield model
        finally:
            with self._cond:
                self._leases -= 1
                self._last_used = time.monotonic()
                self._cond.notify_all()

    def peek(self) -> T | None:
        """The loaded model, or None — without loading it or holding it."""
        return self._model

    def unload(self) -> bool:
        """Drop the model now unless someone is using it; True when it was dropped."""
        with self._cond:
            doomed = self._take()
        return self._dispose(doomed)

    def _take(self) -> list[T]:
        """Under the lock: the model detached (in a list the disposer empties, so no frame
        keeps it alive while memory is trimmed), unless it is in use or absent."""
        if self._model is None or self._leases:
            return []
        doomed, self._model = [self._model], None
        self._cond.notify_all()
        return doomed

    def _dispose(self, doomed: list[T]) -> bool:
        """Outside the lock (closing can take a while; new users load a fresh model)."""
        if not doomed:
            return False
        model = doomed.pop()
        if self._close is not None:
            self._close(model)
        del model
        release_freed_memory()
        log.info("%s unloaded", self.name)
        return True

    def _reaper(self, generation: int) -> None:
        """Wait until this generation of the model has been idle for `idle_s`, unload it."""
        assert self.idle_s is not None
        with self._cond:
            while self.loads == generation and self._model is not None:
                if self._leases:
                    self._cond.wait()
                    continue
                left = self._last_used + self.idle_s - time.monotonic()
                if left <= 0:
                    doomed = self._take()
                    break
                self._cond.wait(timeout=left)
            else:
                return
        self._dispose(doomed)
