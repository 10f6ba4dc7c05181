"""Understanding inbound media (seed §8 table) before the model answers.

Voice notes become text (the transcript is what the customer "said"); images and video frames
are described by a vision-capable model and that description goes into the prompt; documents
are read into the prompt; locations, contact cards and stickers get a fixed acknowledgement.
Parsing and decoding run in worker threads: PDF parsing and frame decoding block.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from app.ai import extract
from app.domain import MediaType, MessageKind, NormalizedMessage
from app.llm import LLM, Image, LLMError
from app.speech import SpeechError, Transcriber

log = logging.getLogger(__name__)
DESCRIBE = (
    "Describe this image for a customer-support assistant in 2-3 sentences: what it shows and "
    "any visible text, product names, order numbers or error messages."
)
NO_VISION = (
    "Thanks for the {what}! I can't view {what}s here — could you describe what you need in a "
    "few words?"
)


@dataclass(frozen=True, slots=True)
class MediaInput:
    """What the media added: the user's words, prompt context, or a fixed acknowledgement."""

    text: str | None = None
    context: str | None = None
    transcript: str | None = None  # saved on the inbound message (`mediaTranscript`)
    ack: str | None = None  # reply with this and skip the model
    skip: bool = False  # nothing to answer (a sticker)


async def understand(
    msg: NormalizedMessage,
    path: Path | None,
    llm: LLM,
    transcriber: Transcriber | None,
) -> MediaInput | None:
    """None for a plain text message; otherwise what the media contributes."""
    if msg.kind is MessageKind.LOCATION and msg.location is not None:
        loc = msg.location
        place = f" ({loc.name or loc.address})" if loc.name or loc.address else ""
        return MediaInput(
            ack=f"Thanks, I received your location: {loc.lat:.5f}, {loc.lng:.5f}{place}."
        )
    if msg.kind is MessageKind.CONTACT or msg.media_type is MediaType.CONTACT_CARD:
        name = msg.contact_name or "the contact"
        return MediaInput(ack=f"Thanks for sharing {name}'s contact card.")
    if msg.media_type is None:
        return None
    if msg.media_type is MediaType.STICKER:
        return MediaInput(skip=True)
    data = await asyncio.to_thread(_read, path) if path else None
    caption = msg.media_caption or None
    match msg.media_type:
        case MediaType.AUDIO if data and transcriber is not None:
            try:
                transcript = await transcriber.transcribe(data, msg.media_mime or "audio/ogg")
            except SpeechError as exc:
                log.warning("voice note not transcribed: %s", exc)
                return MediaInput(ack="Sorry, I couldn't play that voice note — could you type it?")
            text = transcript.text.strip()
            return MediaInput(text=text or caption, transcript=text or None)
        case MediaType.IMAGE | MediaType.VIDEO if data:
            what = "image" if msg.media_type is MediaType.IMAGE else "video"
            if not llm.supports_vision:
                return MediaInput(
                    text=caption, ack=None if caption else NO_VISION.format(what=what)
                )
            images = await _images(msg.media_type, data, msg.media_mime or "image/jpeg")
            if not images:
                return MediaInput(
                    text=caption, ack=None if caption else NO_VISION.format(what=what)
                )
            try:
                seen = await llm.vision(images, f"{DESCRIBE}\nThe user wrote: {caption or '-'}")
            except LLMError as exc:
                log.warning("vision failed: %s", exc)
                return MediaInput(
                    text=caption, ack=None if caption else NO_VISION.format(what=what)
                )
            described = seen.text.strip()
            return MediaInput(
                text=caption or f"(sent a {what})",
                context=f"{what.title()} description: {described}",
                transcript=described,
            )
        case MediaType.DOCUMENT if data:
            text = await asyncio.to_thread(
                extract.document_text, data, msg.media_mime, msg.media_filename
            )
            if not text:
                return MediaInput(
                    text=caption, ack=None if caption else "Thanks, I received your document."
                )
            name = msg.media_filename or "document"
            return MediaInput(
                text=caption or f"(sent the document {name})",
                context=f"Document {name}:\n{text}",
                transcript=text[:2000],
            )
    return MediaInput(text=caption, ack=None if caption else "Thanks, I received your file.")


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


async def _images(kind: MediaType, data: bytes, mime: str) -> tuple[Image, ...]:
    if kind is MediaType.IMAGE:
        return (Image(data, mime if mime.startswith("image/") else "image/jpeg"),)
    frames = await asyncio.to_thread(extract.video_frames, data)
    return tuple(Image(f, "image/jpeg") for f in frames)
