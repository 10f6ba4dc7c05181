"""The file inside a bubble (seed §7 MessageBubble media): a thumbnail, a player or a link.

The bytes come from the dashboard's permission-checked media route, never from a path in the
page. An image (or sticker) is a thumbnail that opens full size in a new tab; audio and voice
notes get a native player (the transcript stays under it); video a native player; anything
else, or an image the server would not show inline, a download link with its name and size.
A file that was cleaned up says so instead of drawing a broken image.
"""

from __future__ import annotations

from nicegui import ui

from app.services.media import GONE, MediaInfo
from ui.components.format import size

PREFIX = "/dashboard/media"  # served by ui/pages/inbox/media_route.py


def media_url(conversation_id: str, message_id: str) -> str:
    return f"{PREFIX}/{conversation_id}/{message_id}"


def draw(conversation_id: str, info: MediaInfo) -> None:
    if not info.available:
        with ui.row().classes("items-center gap-1 text-grey-7 no-wrap").mark("media-gone"):
            ui.icon("hide_image").classes("text-sm")
            ui.label(GONE.capitalize()).classes("text-sm italic")
        return
    src = media_url(conversation_id, info.message_id)
    major = info.mime.split("/")[0]
    if info.inline and major == "image":
        with ui.link(target=src, new_tab=True).mark("media-open"):
            img = ui.element("img")
            img.props.update(src=src, alt=info.filename, loading="lazy")
            img.classes("block max-w-[240px] max-h-[240px] rounded object-contain bg-grey-3")
            img.mark("media-image")
    elif info.inline and major == "audio":
        ui.audio(src).classes("w-64 max-w-full").mark("media-audio")
    elif info.inline and major == "video":
        ui.video(src).classes("max-w-[320px] max-h-[240px] rounded").mark("media-video")
    else:
        with ui.row().classes("items-center gap-1 no-wrap"):
            ui.icon("description").classes("text-grey-8")
            link = ui.link(info.filename, src)
            link.props["download"] = info.filename
            link.classes("text-sm break-all").mark("media-document")
            ui.label(f"· {size(info.size)}").classes("text-xs text-grey-7 shrink-0")
