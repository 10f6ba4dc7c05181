"""Command line: `aimywhatsapp [serve] [--headless] [--host H] [--port P] [--data-dir D]`,
`aimywhatsapp migrate`, `backup` / `restore`, `doctor`, and internally `aimywhatsapp
channel-worker …` (one WhatsApp session's supervised process) and `pdf-extract` (one PDF
read in a child process). Also `python -m app …`."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import msgspec

from app import __version__
from app.datadir import make_private
from app.logging_setup import setup_logging
from app.settings import Settings, ignored_seed_env, load_settings

log = logging.getLogger("aimywhatsapp")


_DRAIN_S = 3  # seconds open connections get to finish when stopping
_SETTING_FLAGS = {"data_dir", "host", "port", "headless"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aimywhatsapp", description="WhatsApp AI automation")
    p.add_argument("--version", action="version", version=__version__)
    sub = p.add_subparsers(dest="command")
    for name, help_ in (("serve", "run the app (default)"), ("migrate", "apply DB migrations")):
        c = sub.add_parser(name, help=help_)
        c.add_argument("--data-dir", dest="data_dir")
        if name == "serve":
            c.add_argument("--host")
            c.add_argument("--port", type=int)
            c.add_argument(
                "--headless",
                action="store_true",
                default=None,
                help="server mode: never open a browser, log JSON",
            )
    from app.backup.cli import add_parsers

    add_parsers(sub)
    sub.add_parser("doctor", help="check that this install is complete")
    r = sub.add_parser(
        "reset-link", help="print a one-time password reset link (for when email is not set up)"
    )
    r.add_argument("email")
    r.add_argument("--data-dir", dest="data_dir")
    return p


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings) -> None:
    """A public bind holds customer chats: refuse unless the secrets key is set explicitly."""
    if not _is_loopback(settings.host) and not settings.master_key:
        raise SystemExit(
            f"refusing to listen on {settings.host} without AIMY_MASTER_KEY: set it to the "
            "base64 of 32 random bytes (e.g. `openssl rand -base64 32`) so secrets and WhatsApp "
            "credentials are encrypted with a key you control"
        )


async def _open_browser_when_ready(url: str) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                if (await client.get(f"{url}/api/v1/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    from app.desktop import open_browser

    await asyncio.to_thread(open_browser, url)


async def serve(settings: Settings, on_listen: Callable[[str], None] | None = None) -> None:
    from granian.constants import Interfaces
    from granian.server.embed import Server

    from app.container import build_container
    from app.desktop import exit_when_stuck
    from app.server import create_asgi

    container = build_container(settings)
    server = Server(
        create_asgi(container),
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        websockets=True,
        log_enabled=False,
    )

    def stop() -> None:
        server.stop()
        exit_when_stuck(container, _DRAIN_S)

    container.quit_hook = stop  # the dashboard's Quit takes the SIGTERM path
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    log.info("serving on http://%s:%s", settings.host, settings.port)
    if on_listen is not None:
        on_listen(f"http://{settings.host}:{settings.port}")
    watch = None
    if settings.loop_stall_warn_s > 0:  # log what blocks the loop, should anything
        from app.loop_watch import LoopWatch

        watch = LoopWatch(settings.loop_stall_warn_s)
        watch.start()
    opener = None
    if not settings.headless:
        opener = loop.create_task(
            _open_browser_when_ready(f"http://{settings.host}:{settings.port}")
        )
    await server.serve()
    if opener is not None:
        opener.cancel()
    if watch is not None:
        await watch.stop()


async def run_migrations(settings: Settings) -> list[str]:
    from app.db import close_engine, create_engine, migrate

    engine = create_engine(settings.db_url)
    try:
        return await migrate(engine)
    finally:
        await close_engine(engine)


async def print_reset_link(settings: Settings, email: str) -> int:
    """The operator's way to reset a password without SMTP: the link goes to this terminal
    only (never to the log), works once and expires like an emailed one."""
    from app.db import bind_tables, close_engine, create_engine, open_engine
    from app.domain import SystemClock
    from app.services.password_reset import make_reset_link, user_id_by_email

    engine = create_engine(settings.db_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        user_id = await user_id_by_email(email)
        if user_id is None:
            print(f"aimywhatsapp: no account has the email {email}", file=sys.stderr)
            return 1
        link = await make_reset_link(
            SystemClock(), user_id, base_url=settings.base_url, ttl_s=settings.reset_token_ttl_s
        )
    finally:
        await close_engine(engine)
    minutes = settings.reset_token_ttl_s // 60
    print(f"Reset link for {email} (works once, for {minutes} minutes):\n{link}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["channel-worker"]:  # internal: one supervised WhatsApp session (frozen too)
        from app.channels.neonize_worker.main import run_and_exit

        run_and_exit(argv[1:])
    if argv[:1] == ["pdf-extract"]:  # internal: one PDF read in a child process (frozen too)
        from app.rag.extract.pdf_child import run_child

        return run_child(argv[1:])
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["serve", *argv]  # `aimywhatsapp --headless …` means serve
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        from app.doctor import run_doctor

        return run_doctor()
    flags: dict[str, Any] = {k: v for k, v in vars(args).items() if k in _SETTING_FLAGS}
    try:
        settings = load_settings(flags)
    except ValueError as exc:
        print(f"aimywhatsapp: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings)
    make_private(settings.data_dir, settings.media_path, settings.sessions_path)
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(settings.data_dir / "ui-storage"))
    if ignored := ignored_seed_env(os.environ):
        log.info("ignoring seed variables: %s", "; ".join(ignored))
    if args.command in ("backup", "restore"):
        from app.backup.cli import run

        return run(args.command, args, settings)
    if args.command == "reset-link":
        return asyncio.run(print_reset_link(settings, args.email))
    if args.command == "migrate":
        applied = asyncio.run(run_migrations(settings))
        print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
        return 0
    check_exposure(settings)
    return run_serve(settings)


def run_serve(settings: Settings) -> int:
    """Serve as the only instance on this data dir; a second desktop launch opens the first."""
    from app.desktop import InstanceLock, free_port, open_browser, port_free, wait_healthy

    if not settings.headless and not _is_loopback(settings.host):
        print(
            "aimywhatsapp: desktop mode listens on loopback only; add --headless to serve "
            f"on {settings.host}",
            file=sys.stderr,
        )
        return 2
    lock = InstanceLock(settings.data_dir)
    if not lock.acquire():
        url = lock.holder_url()
        if settings.headless or url is None or not wait_healthy(url):
            print(
                f"aimywhatsapp: another instance is using {settings.data_dir}"
                + (f" (serving {url})" if url else ""),
                file=sys.stderr,
            )
            return 1
        log.info("already running at %s; opening it", url)
        open_browser(url)
        return 0
    if not settings.headless and not port_free(settings.host, settings.port):
        port = free_port(settings.host)
        log.warning("port %s is taken; using %s", settings.port, port)
        settings = msgspec.structs.replace(settings, port=port)
    try:
        asyncio.run(serve(settings, on_listen=lock.publish))
    finally:
        lock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
