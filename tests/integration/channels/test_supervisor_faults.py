"""Fault injection: hung stop → SIGKILL, crashes → seed backoff, terminal states → no reconnect."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from app.channels import AlertLevel
from app.domain import SessionStatus
from tests.integration.channels.conftest import FakeSleep, Recorder, eventually


async def test_worker_hanging_on_stop_is_sigkilled_after_grace(make_channel) -> None:
    channel = make_channel("connected,hang_on_stop", grace=0.5)
    await channel.start()
    await eventually(lambda: channel.status is SessionStatus.CONNECTED)
    process = channel.supervisor.worker.process
    started = time.monotonic()
    killed = await channel.supervisor.stop()
    elapsed = time.monotonic() - started
    assert killed is True
    assert process.returncode == -signal.SIGKILL
    assert 0.5 <= elapsed < 3.0
    assert not channel.supervisor.restarts  # a requested stop is not a crash


async def test_crashing_worker_is_restarted_with_seed_backoff(
    make_channel, recorder: Recorder
) -> None:
    sleep = FakeSleep()
    channel = make_channel("crash", sleep=sleep)
    await channel.start()
    await eventually(lambda: len(sleep.delays) >= 6, within=40)
    await channel.stop()
    assert sleep.delays[:6] == [2, 5, 15, 30, 60, 60]
    restarts = channel.supervisor.restarts
    assert [r.attempt for r in restarts[:6]] == [1, 2, 3, 4, 5, 6]
    assert all(r.exit_code == 17 for r in restarts[:6])
    warnings = [a for a in recorder.alerts if a.level is AlertLevel.WARNING]
    assert [a.attempt for a in warnings[:2]] == [5, 6]  # alert from attempt 5 on
    assert not any(a.level is AlertLevel.CRITICAL for a in recorder.alerts)


async def test_backoff_resets_after_a_connected_worker_drops(make_channel) -> None:
    sleep = FakeSleep()
    channel = make_channel("connected,end", sleep=sleep)
    await channel.start()
    await eventually(lambda: len(sleep.delays) >= 2, within=20)
    await channel.stop()
    assert sleep.delays[:2] == [2, 2]


async def test_retryable_connect_failure_is_retried(make_channel, recorder: Recorder) -> None:
    sleep = FakeSleep()
    channel = make_channel("connect_failure", sleep=sleep)
    await channel.start()
    await eventually(lambda: len(sleep.delays) >= 1, within=20)
    await channel.stop()
    assert (SessionStatus.ERROR, "connect_failure:SERVICE_UNAVAILABLE") in recorder.statuses


@pytest.mark.parametrize(
    ("script", "status", "reason"),
    [
        ("connected,logged_out", SessionStatus.DISCONNECTED, "logged_out"),
        ("temp_ban", SessionStatus.BANNED, "temporary_ban"),
        ("outdated", SessionStatus.DISCONNECTED, "client_outdated"),
    ],
)
async def test_terminal_states_stop_reconnecting(
    make_channel, recorder: Recorder, script: str, status: SessionStatus, reason: str
) -> None:
    sleep = FakeSleep()
    channel = make_channel(script, sleep=sleep)
    await channel.start()
    await eventually(lambda: not channel.supervisor.running)
    await asyncio.sleep(0.3)
    assert sleep.delays == [] and channel.supervisor.restarts == []
    assert channel.supervisor.terminal_reason == reason
    assert channel.status is status and recorder.statuses[-1] == (status, reason)
    critical = [a for a in recorder.alerts if a.level is AlertLevel.CRITICAL]
    assert [a.code for a in critical] == [reason]
    assert channel.supervisor.worker is None  # exited, credentials sealed


async def test_unreadable_credentials_stop_with_a_critical_alert(
    make_channel, recorder: Recorder, tmp_path
) -> None:
    sealed = tmp_path / "data" / "sess1" / "credentials.sealed"
    sealed.parent.mkdir(parents=True)
    sealed.write_bytes(b"AIMYWA1\0" + b"\0" * 12 + b"not what was sealed")
    channel = make_channel("connected")
    await channel.start()
    await eventually(lambda: not channel.supervisor.running)
    assert channel.status is SessionStatus.ERROR
    assert [a.code for a in recorder.alerts] == ["credentials_unreadable"]
    assert sealed.read_bytes().endswith(b"not what was sealed")  # never overwritten
