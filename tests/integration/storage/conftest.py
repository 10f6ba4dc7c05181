"""A real S3-compatible server on loopback for the storage tests: moto's server (the S3 API
over HTTP, in a thread of this process), one per session on a free port; each test gets its
own bucket. No network: boto3 talks to 127.0.0.1 only."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

KEY_ID, SECRET = "test-key-id", "test-secret-key"  # moto accepts any
REGION = "us-east-1"


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str
    client: Any  # a boto3 S3 client on the server, for looking at the bucket directly

    def settings(self, prefix: str = "") -> dict[str, Any]:
        """The app's settings for this bucket."""
        return {
            "storage": "s3",
            "s3_endpoint": self.endpoint,
            "s3_bucket": self.bucket,
            "s3_region": REGION,
            "s3_prefix": prefix,
            "s3_access_key_id": KEY_ID,
            "s3_secret_access_key": SECRET,
        }

    def objects(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket)
        return {o["Key"] for o in listed.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: str) -> S3:
    import boto3

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    bucket = f"aimy-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=bucket)
    return S3(s3_server, bucket, client)


@pytest.fixture
def file_server() -> Iterator[str]:
    """A PNG for any path on loopback (a broadcast's `mediaUrl`)."""
    from tests.integration.api.test_send_first import _Files

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
