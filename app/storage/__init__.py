"""Where uploads and media live: a local (shared) folder by default, or an S3-compatible
bucket (`AIMY_STORAGE=s3`). Every consumer goes through `Storage`; keys are the
`<workspace>/<file>` part of a row's `media_url` (`app.domain.owned_key`)."""

from app.storage.build import build_storage
from app.storage.local import LocalStorage
from app.storage.port import CHUNK, Peeked, Storage, StorageError

__all__ = ["CHUNK", "LocalStorage", "Peeked", "Storage", "StorageError", "build_storage"]
