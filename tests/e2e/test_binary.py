"""The frozen binary, built from build.spec, run as users run it (slow: the build takes minutes).

`AIMY_TEST_BINARY=/path/to/aimywhatsapp` reuses a build instead of making one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.channels import WorkerProcess
from app.channels.wire import message_from_wire
from tests.e2e.accounts import login, register
from tests.e2e.conftest import ROOT, start

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # the build runs in the first test


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if prebuilt := os.environ.get("AIMY_TEST_BINARY"):
        yield Path(prebuilt)
        return
    pytest.importorskip("PyInstaller", reason="pyinstaller is in the test extra")
    dist = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "PYTHON": sys.executable, "AIMY_DIST_DIR": str(dist)}
    done = subprocess.run(
        ["bash", "packaging/build.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    yield dist / "aimywhatsapp" / "aimywhatsapp"


def run(binary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], capture_output=True, text=True, timeout=120, env=_env()
    )


def _env() -> dict[str, str]:
    from tests.conftest import TEST_MASTER_KEY

    return {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}


def test_doctor_finds_every_piece_in_the_binary(binary: Path) -> None:
    """Uploads parse with the right `multipart`, migrations are found, neonize is bundled, e5
    exports to ONNX and embeds."""
    r = run(binary, "doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(frozen)" in r.stdout
    assert "ok    litestar multipart: multipart 2." in r.stdout
    assert "ok    starlette multipart: python_multipart" in r.stdout
    assert "ok    migrations" in r.stdout
    assert "ok    voice notes: faster-whisper tiny.en + Silero VAD load" in r.stdout
    # the knowledge base embeds in the binary, on ONNX Runtime (no torch in it), verified
    assert "ok    embeddings: multilingual-e5-small-q4 on onnxruntime-q4\n" in r.stdout


def test_binary_serves_api_and_dashboard_and_stops_on_sigterm(binary: Path, tmp_path: Path) -> None:
    p = start(tmp_path / "data", command=[str(binary), "serve"])
    try:
        health = httpx.get(f"{p.url}/api/v1/health").json()
        assert health["status"] == "ok" and health["database"] == "ok"
        page = httpx.get(f"{p.url}/register")  # a fresh install starts with the owner
        assert page.status_code == 200 and "Create the owner account" in page.text
        asset = re.search(r'src="(/_nicegui/[^"]+\.js)"', page.text)
        assert asset and httpx.get(f"{p.url}{asset.group(1)}").status_code == 200
        register(p.url, "frozen@example.com")
    finally:
        assert p.stop() == 0
    assert "applied migrations: m0001_initial" in p.log()
    assert "stopped cleanly" in p.log()

    archive = tmp_path / "b.tar.gz"
    assert run(binary, "backup", "--data-dir", str(p.data_dir), "-o", str(archive)).returncode == 0
    assert run(binary, "restore", str(archive), "--data-dir", str(tmp_path / "d2")).returncode == 0
    again = start(tmp_path / "d2", command=[str(binary), "serve"])
    try:
        assert login(again.url, "frozen@example.com")
    finally:
        assert again.stop() == 0


async def test_binary_runs_a_channel_worker_as_itself(binary: Path, tmp_path: Path) -> None:
    """The binary re-invokes itself (`aimywhatsapp channel-worker …`) for WhatsApp sessions."""
    events: list[tuple[str, dict]] = []

    async def collect(name: str, data: dict) -> None:
        events.append((name, data))

    argv = [
        str(binary),
        "channel-worker",
        "--session-id",
        "w1",
        "--data-dir",
        str(tmp_path),
        "--fake",
        "connected,message",
    ]
    worker = await WorkerProcess.spawn(argv, collect)
    try:
        await worker.request("connect", wait_s=30)
        for _ in range(300):
            if any(name == "message" for name, _ in events):
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.close()
        await asyncio.wait_for(worker.wait(), 10)
    message = message_from_wire(next(data for name, data in events if name == "message"))
    assert message.text == "hello from fake"  # neonize protobufs + our normalizer, frozen


def test_binary_reads_a_pdf_as_its_own_child(binary: Path) -> None:
    """PDFs are read by the binary re-invoking itself (`aimywhatsapp pdf-extract pages`, as
    app/rag/extract/pdf_process.py starts it): PyMuPDF is bundled and the server never loads it."""
    import pymupdf

    from app.rag.extract.pdf_process import child_env

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Delivery costs 4 EUR within 5 km.")
    done = subprocess.run(  # the environment the server gives it: no secrets, a memory cap
        [str(binary), "pdf-extract", "pages"],
        input=doc.tobytes(),
        capture_output=True,
        timeout=120,
        env=child_env(None, 1024),
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    result = json.loads(done.stdout)
    assert "Delivery costs 4 EUR within 5 km." in result["pages"][0][0]
    broken = subprocess.run(
        [str(binary), "pdf-extract", "pages"],
        input=b"%PDF-1.4 not really",
        capture_output=True,
        timeout=120,
        env=_env(),
    )
    assert broken.returncode == 0 and json.loads(broken.stdout)["error"]  # the reader's reason


def test_simulated_conversation_in_the_binary(binary: Path, tmp_path: Path) -> None:
    """Seed §6 paths: a simulator session answers an inbound message (needs the pipeline)."""
    env = {**_env(), "AIMY_AUTO_REPLY": "echo"}  # the pipeline's stand-in for the AI engine
    p = start(tmp_path / "data", command=[str(binary), "serve"], env=env)
    try:
        paths = httpx.get(f"{p.url}/api/openapi.json").json()["paths"]
        if "/api/v1/whatsapp/sessions/{session_id}/simulate" not in {
            re.sub(r"\{[^}]+\}", "{session_id}", path) for path in paths
        }:
            pytest.skip("the simulator endpoints arrive with the message pipeline (issue 3)")
        auth = {"Authorization": f"Bearer {register(p.url, 'sim@example.com')['accessToken']}"}
        session = httpx.post(
            f"{p.url}/api/v1/whatsapp/sessions",
            json={"accountId": "demo", "channel": "simulator"},
            headers=auth,
        )
        assert session.is_success, session.text
        sent = httpx.post(
            f"{p.url}/api/v1/whatsapp/sessions/{session.json()['id']}/simulate",
            json={"from": "+15550001111", "text": "hello"},
            headers=auth,
        )
        assert sent.status_code == 202, sent.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            convs = httpx.get(f"{p.url}/api/v1/conversations", headers=auth).json()["items"]
            if convs:
                conv = httpx.get(f"{p.url}/api/v1/conversations/{convs[0]['id']}", headers=auth)
                if any(m["direction"] == "OUTBOUND" for m in conv.json().get("messages", [])):
                    return
            time.sleep(0.2)
        raise AssertionError("no reply to the simulated message within 30 s")
    finally:
        assert p.stop() == 0
