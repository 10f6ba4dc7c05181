"""The channel worker process: one WhatsApp session, driven by the parent over a socket.

Started as `python -m app.channels.neonize_worker --session-id S --data-dir D --fd N` (later
`python -m app channel-worker …`, also from the frozen binary). `--fd` is the worker's end of a
socketpair the parent created; `--data-dir` is the *decrypted* runtime copy of the session's
credentials directory, holding whatsmeow's SQLite store.

Commands that may block on the network (send, download, pair, typing) run on a small thread pool
so a `stop` is always read promptly. The process ends with `os._exit`: neonize's connect loop
runs on a non-daemon thread and whatsmeow may never return from disconnect.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.channels.neonize_worker.link import WorkerLink
from app.channels.wire import COMMANDS, outbound_from_wire

DB_NAME = "whatsmeow.db"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="channel-worker")
    parser.add_argument("--session-id", required=True)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--fd", required=True, type=int)
    parser.add_argument("--fake", default=None, help="tests: script a fake neonize client")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def _make_client(args: argparse.Namespace) -> Any:
    db = str(args.data_dir / DB_NAME)
    if args.fake is not None:
        from app.channels.neonize_worker.fake_client import FakeClient

        return FakeClient(db, args.fake)
    from neonize.client import NewClient

    return NewClient(db, uuid=args.session_id)


def worker_main(argv: list[str] | None = None) -> int:
    """Serve one session until told to stop, the parent goes away, or the session ends."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr)
    sock = socket.socket(fileno=args.fd)
    sock.settimeout(0.2)
    link = WorkerLink(sock)
    exit_code: list[int] = []
    exit_requested = threading.Event()

    def request_exit(code: int) -> None:
        exit_code.append(code)
        exit_requested.set()

    from app.channels.neonize_worker.backend import EXIT_STOPPED, NeonizeBackend

    backend = NeonizeBackend(_make_client(args), link, request_exit)
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cmd")
    link.emit("log", {"level": "info", "text": f"worker {os.getpid()} ready"})

    def run(command_id: int, cmd: str, cmd_args: dict[str, Any]) -> None:
        try:
            link.reply(command_id, _dispatch(backend, cmd, cmd_args))
        except Exception as exc:
            link.reply(command_id, error=f"{type(exc).__name__}: {exc}")

    while not exit_requested.is_set():
        try:
            frame = link.recv()
        except TimeoutError:
            continue
        if frame is None:  # parent gone: nothing left to serve
            return EXIT_STOPPED
        command_id, cmd = int(frame.get("id", 0)), str(frame.get("cmd"))
        cmd_args = frame.get("args") or {}
        if cmd not in COMMANDS:
            link.reply(command_id, error=f"unknown command {cmd!r}")
        elif cmd in ("stop", "logout"):
            run(command_id, cmd, cmd_args)  # may hang in whatsmeow: the parent SIGKILLs
            return EXIT_STOPPED
        elif cmd == "connect":
            run(command_id, cmd, cmd_args)
        else:
            pool.submit(run, command_id, cmd, cmd_args)
    return exit_code[0]


def _dispatch(backend: Any, cmd: str, args: dict[str, Any]) -> Any:
    match cmd:
        case "connect":
            return backend.connect()
        case "pair":
            return backend.pair(str(args["phone"]))
        case "send":
            return backend.send(outbound_from_wire(args["message"]))
        case "download":
            return backend.download(str(args["media_ref"]))
        case "typing":
            return backend.typing(str(args["jid"]), bool(args["on"]))
        case "logout":
            return backend.logout()
        case "stop":
            return backend.stop()
    raise ValueError(cmd)


def run_and_exit(argv: list[str] | None = None) -> None:
    """Entry point: run, flush, and leave without waiting for neonize's threads."""
    code = worker_main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
