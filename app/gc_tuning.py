"""The garbage collector told what is long-lived, so a full collection stops walking it.

With 20 open dashboard tabs, full (generation-2) collections were the largest source of event
loop stalls (tests/bench/RESULTS-lean.md, session 8): each one walks every object the process
holds — the modules, the app's wiring, NiceGUI's page machinery, every open tab's elements —
while holding the GIL, so the API, the pipeline and every tab wait.

`freeze_long_lived()` moves what exists once start-up is done into the permanent generation
(`gc.freeze()`): a collection no longer walks it. Those objects still die by reference count;
only a reference cycle among them would never be collected — harmless for what lives for the
whole process. `settings.gc_gen0_threshold` raises the young generation's threshold (CPython's
700 allocations run a generation-0 collection hundreds of times per second while a page is
built); generation 1 and 2 keep CPython's ratios. A collection that holds the process for
`SLOW_S` or longer is logged with its generation and duration, so a loop stall
(app/loop_watch.py) can be told apart from one the collector caused.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)
_frozen = False  # once per process: a second start (tests) must not freeze the first's garbage
SLOW_S = 0.1
_started = 0.0


def _time_collections(phase: str, info: dict[str, int]) -> None:
    global _started
    if phase == "start":
        _started = time.perf_counter()
        return
    took = time.perf_counter() - _started
    if took >= SLOW_S:
        log.warning(
            "gc: generation-%d collection held the process for %.0f ms (%d collected)",
            info["generation"],
            1000 * took,
            info["collected"],
        )


def freeze_long_lived(gen0_threshold: int) -> None:
    """Collect once, then freeze what survived; call when start-up has finished."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    t0 = time.perf_counter()
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    if gen0_threshold > 0:
        gc.set_threshold(gen0_threshold, gen1, gen2)
    gc.callbacks.append(_time_collections)
    log.info(
        "gc: %d start-up objects frozen in %.0f ms; thresholds %s",
        gc.get_freeze_count(),
        1000 * (time.perf_counter() - t0),
        gc.get_threshold(),
    )
