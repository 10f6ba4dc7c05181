"""A scripted stand-in for `neonize.NewClient`, used *inside* the worker process by tests.

Everything around it — the worker's command loop, the protocol, the parent's supervisor, process
spawning and killing — is the real thing; only whatsmeow's network side is scripted. Events it
fires are real neonize protobufs and go through the real backend handlers and normalizer.

Script: comma-separated steps run by `connect()`, e.g. `qr,connected,message`:
  qr / qr2            emit a login QR code (first / rotated)
  connected           Connected event
  message / image     an inbound text / image message (real protobuf MessageEv)
  write_creds         append a line to the session database file (vault round-trip tests)
  logged_out / temp_ban / outdated / replaced   terminal connection events
  connect_failure     a retryable ConnectFailure, then connect() returns
  offline_while:<path>  while <path> exists, connect() fails as whatsmeow does without
                      internet ("dial tcp: lookup …: no such host"); else the next steps run
  end                 connect() returns (connection lost)
  crash               the process dies at once (exit code 17)
  hang_on_stop        from now on disconnect() never returns and SIGTERM is ignored
  sleep:<seconds>
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from neonize.proto import Neonize_pb2 as pb
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as e2e

OFFLINE_ERROR = "failed to connect to websocket: dial tcp: lookup web.whatsapp.com: no such host"
CONTACT = pb.JID(User="5511999990001", Server="s.whatsapp.net")
CONTACT_LID = pb.JID(User="100000000000001", Server="lid")


class _Events:
    def __init__(self) -> None:
        self.handlers: dict[type, Any] = {}
        self.qr_handler: Any = None

    def __call__(self, event_type: type) -> Any:
        def register(func: Any) -> None:
            self.handlers[event_type] = func

        return register

    def qr(self, func: Any) -> None:
        self.qr_handler = func


def inbound(message: e2e.Message, wa_id: str) -> pb.Message:
    source = pb.MessageSource(Chat=CONTACT_LID, Sender=CONTACT_LID, SenderAlt=CONTACT)
    info = pb.MessageInfo(MessageSource=source, ID=wa_id, Pushname="Alice", Timestamp=1769829698)
    return pb.Message(Info=info, Message=message)


class FakeClient:
    def __init__(self, name: str, script: str) -> None:
        self.name = name
        self.steps = [s for s in script.split(",") if s]
        self.event = _Events()
        self.sent: list[tuple[pb.JID, e2e.Message]] = []
        self._stopped = threading.Event()
        self._hang = False

    def _fire(self, event: Any) -> None:
        handler = self.event.handlers.get(type(event))
        if handler is not None:
            handler(self, event)

    def connect(self) -> None:
        for step in self.steps:
            if self._run(step) == "return":
                return
        self._stopped.wait()

    def _run(self, step: str) -> str | None:
        match step.split(":", 1):
            case ["qr"] | ["qr2"]:
                self.event.qr_handler(self, f"2@fake-{step},key,adv".encode())
            case ["connected"]:
                self._fire(pb.Connected(status=True))
            case ["message"]:
                self._fire(inbound(e2e.Message(conversation="hello from fake"), "FAKEIN1"))
            case ["image"]:
                image = e2e.ImageMessage(mimetype="image/jpeg", caption="pic", directPath="/v/1")
                self._fire(inbound(e2e.Message(imageMessage=image), "FAKEIN2"))
            case ["write_creds"]:
                with Path(self.name).open("a", encoding="utf-8") as db:
                    db.write(f"device-keys pid={os.getpid()}\n")
            case ["logged_out"]:
                self._fire(pb.LoggedOut(OnConnect=True, Reason=pb.LOGGED_OUT))
            case ["temp_ban"]:
                self._fire(pb.TemporaryBan(Code=pb.TemporaryBan.SEND_TO_TOO_MANY_PEOPLE, Expire=60))
            case ["outdated"]:
                self._fire(pb.ClientOutdated())
            case ["replaced"]:
                self._fire(pb.StreamReplaced())
            case ["connect_failure"]:
                self._fire(pb.ConnectFailure(Reason=pb.SERVICE_UNAVAILABLE, Message="503"))
                return "return"
            case ["end"]:
                return "return"
            case ["crash"]:
                os._exit(17)
            case ["hang_on_stop"]:
                self._hang = True
            case ["offline_while", flag]:
                if Path(flag).exists():
                    raise ConnectionError(OFFLINE_ERROR)
            case ["sleep", seconds]:
                time.sleep(float(seconds))
            case _:
                raise ValueError(f"unknown fake step {step!r}")
        return None

    # ── the subset of NewClient the backend uses ─────────────────────────
    def disconnect(self) -> None:
        if self._hang:  # like whatsmeow blocked on a dead peer
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            threading.Event().wait()
        self._stopped.set()

    def logout(self) -> None:
        self._stopped.set()

    def PairPhone(self, phone: str, show_push_notification: bool) -> str:
        return f"FAKE-{phone[-4:]}"

    def send_message(self, to: pb.JID, message: e2e.Message) -> pb.SendResponse:
        self.sent.append((to, message))
        wa_id = f"FAKEOUT{len(self.sent)}"
        receipt = pb.Receipt(
            MessageSource=pb.MessageSource(Chat=to, Sender=to),
            MessageIDs=[wa_id], Type=pb.Receipt.DELIVERED, Timestamp=int(time.time()),
        )  # fmt: skip
        threading.Timer(0.01, self._fire, args=(receipt,)).start()
        return pb.SendResponse(ID=wa_id)

    def build_image_message(self, data: bytes, caption: str | None = None, **_: Any) -> Any:
        return e2e.Message(
            imageMessage=e2e.ImageMessage(caption=caption or "", fileLength=len(data))
        )

    def build_video_message(self, data: bytes, caption: str | None = None, **_: Any) -> Any:
        return e2e.Message(
            videoMessage=e2e.VideoMessage(caption=caption or "", fileLength=len(data))
        )

    def build_audio_message(self, data: bytes, ptt: bool = False, **_: Any) -> Any:
        return e2e.Message(audioMessage=e2e.AudioMessage(PTT=ptt, fileLength=len(data)))

    def build_document_message(self, data: bytes, caption: str | None = None,
                               filename: str | None = None, mimetype: str | None = None,
                               **_: Any) -> Any:  # fmt: skip
        doc = e2e.DocumentMessage(caption=caption or "", fileName=filename or "",
                                  mimetype=mimetype or "", fileLength=len(data))  # fmt: skip
        return e2e.Message(documentMessage=doc)

    def build_sticker_message(self, data: bytes, **_: Any) -> Any:
        return e2e.Message(stickerMessage=e2e.StickerMessage(fileLength=len(data)))

    def download_any(self, message: e2e.Message) -> bytes:
        return b"media-at:" + message.imageMessage.directPath.encode()

    def send_chat_presence(self, jid: pb.JID, state: Any, media: Any) -> None:
        return None
