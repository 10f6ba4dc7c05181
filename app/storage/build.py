"""The one store the container wires, chosen by `AIMY_STORAGE` (`local` or `s3`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.storage.local import LocalStorage
from app.storage.port import Storage, StorageError

if TYPE_CHECKING:
    from app.settings import Settings


def build_storage(settings: Settings) -> Storage:
    """No I/O: `Storage.check` reaches the backend when the app starts."""
    if settings.storage == "local":
        return LocalStorage(settings.media_path)
    from app.storage.s3 import S3Storage

    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:  # the `server` extra is not installed
        raise StorageError(
            "AIMY_STORAGE=s3 needs boto3: pip install 'aimywhatsapp[server]'"
        ) from exc
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint or None,
        region_name=settings.s3_region or None,
        # None: boto3's own chain (AWS_ACCESS_KEY_ID, ~/.aws, an instance role)
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        config=Config(
            # MinIO and most self-hosted servers want bucket/key in the path
            s3={"addressing_style": "path" if settings.s3_endpoint else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            max_pool_connections=32,
        ),
    )
    assert settings.s3_bucket is not None  # Settings refuses s3 without a bucket
    return S3Storage(client, settings.s3_bucket, settings.s3_prefix)
