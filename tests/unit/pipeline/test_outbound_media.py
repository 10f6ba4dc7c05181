"""An outbox row with a file finds it under the current media folder, not where it was written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.db.repos.outbox_jobs import Job
from app.domain import MediaType
from app.pipeline.dispatcher import outbound


def job(media: dict | None) -> Job:  # type: ignore[type-arg]
    return Job(
        id="o1", workspace_id="w1", session_id="s1", conversation_id="c1", message_id="m1",
        jid="15550001@s.whatsapp.net", text="your photo", attempts=0,
        created_at=datetime.now(UTC), media=media,
    )  # fmt: skip


def test_a_restored_row_sends_the_file_from_the_current_media_folder(tmp_path: Path) -> None:
    media = {
        "type": "IMAGE", "url": "media/w1/m1.png", "path": "/old/data/media/w1/m1.png",
        "mime": "image/png", "filename": "photo.jpg",
    }  # fmt: skip
    out = outbound(job(media), tmp_path / "uploads/w1/m1.png")  # as the store hands it out
    assert out.media_path == str(tmp_path / "uploads/w1/m1.png")
    assert out.media_type == MediaType.IMAGE and out.caption == "your photo"
    assert out.media_filename == "photo.jpg" and out.text is None


def test_rows_without_a_url_keep_their_path_and_text_rows_stay_text() -> None:
    media = {"type": "DOCUMENT", "path": "/data/media/w1/m1.pdf", "mime": "application/pdf"}
    assert outbound(job(media)).media_path == "/data/media/w1/m1.pdf"  # no URL: no store file
    text = outbound(job(None))
    assert text.text == "your photo" and text.media_path is None
