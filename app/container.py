"""The composition root: builds every long-lived object from settings and runs one lifespan.

Mounted ASGI apps get no lifespan events, so neither Litestar nor NiceGUI owns startup:
`lifespan()` here opens the database (and migrates it), starts the scheduler and, in later
issues, channel workers — exactly once — and stops them in reverse order.

The message pipeline starts after migrations: the dispatcher first (it re-queues rows a crash
left mid-send), then the enabled WhatsApp sessions, then — in the background, so start-up
ends and the API answers at once — recovery of inbound messages a crash left unrouted.
Shutdown abandons local-model replies in progress first (they stay unrouted and are answered
after the restart), stops the channels (no new inbound) and recovery, lets routing finish
briefly, then stops the dispatcher: whatever is unsent stays in the outbox for next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.ai import ModelPool
from app.ai.engine import AIEngine
from app.ai.knowledge_search import RetrieverSearch
from app.ai.speech import SpeechPool
from app.ai.waiting import WaitingNotice
from app.answers.answerer import Answerer
from app.auth import Throttle, TokenSigner
from app.channels import ChannelManager
from app.cluster import SessionLeases, node_id_for
from app.cluster.bridge import EventBridge
from app.cluster.heard import HeardStatus
from app.cluster.signing import PURPOSE, NodeSignature
from app.datadir import make_private
from app.db import bind_tables, close_engine, create_engine, migrate, open_engine
from app.domain import Clock, SystemClock
from app.events import AccessSignals, EventBus, names
from app.events.bus import Event
from app.flows import FlowEngine, FlowResponder, FlowRunner, MediaFetcher, WebhookCaller
from app.gc_tuning import freeze_long_lived
from app.jobs import register_jobs
from app.jobs.flows import register_flow_jobs
from app.jobs.webhook_sender import DeliveryPolicy, WebhookSender
from app.llm import GgufStore
from app.net import Egress
from app.pipeline import (
    BroadcastRunner,
    Dispatcher,
    Outbox,
    Pacing,
    Pipeline,
    SendBudget,
    SendLocks,
    SessionHub,
    build_responders,
)
from app.pipeline.media import MediaRefetch
from app.pipeline.recovery import Recovery
from app.rag.extract.pdf_process import configure as configure_pdf_reader
from app.rag.runtime import KnowledgeRuntime
from app.records import AuditTrail, Notifier, Subscriptions, WebhookOutbox
from app.secrets import Cipher, SecretStore, build_secret_store
from app.services import (
    AnalyticsService,
    ApiKeyService,
    ApprovalService,
    AuditService,
    AuthService,
    BroadcastService,
    CannedReplyService,
    ContactExportService,
    ContactImportService,
    ContactQueries,
    ContactService,
    ConversationQueries,
    ConversationService,
    FlowRunService,
    FlowService,
    InviteService,
    LabelService,
    LiveAccess,
    LiveSessionService,
    LocalModelService,
    Mailer,
    MediaService,
    NoteService,
    NotificationService,
    OverviewService,
    PasswordResetService,
    SendBudgetService,
    SendFirstService,
    Services,
    SessionService,
    SettingsService,
    SignInService,
    SpeechModelService,
    WebhookService,
    WorkspaceService,
)
from app.services.knowledge import (
    DocumentIndexer,
    DocumentService,
    FaqService,
    IndexWorker,
    KnowledgeBaseService,
    KnowledgeFiles,
    ReferenceQuestions,
    RetrievalChecks,
)
from app.services.rate_limits import SharedCounts
from app.settings import Settings
from app.speech.whisper_store import WhisperModelStore
from app.storage import Storage, build_storage

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    clock: Clock
    secrets: SecretStore
    cipher: Cipher
    engine: Any
    signer: TokenSigner
    events: EventBus
    notifier: Notifier
    scheduler: AsyncIOScheduler
    services: Services
    channels: ChannelManager
    dispatcher: Dispatcher
    outbox: Outbox  # the one way out (flows, broadcasts: `Outbox.enqueue`)
    broadcasts: BroadcastRunner
    pipeline: Pipeline
    hub: SessionHub
    recovery: Recovery
    login_throttle: Throttle  # the dashboard's sign-in limit (the API uses Litestar's)
    shared_counts: SharedCounts | None  # rate limits counted in Postgres (every node's)
    ai: AIEngine
    kb: KnowledgeRuntime
    indexer: IndexWorker
    webhooks: WebhookOutbox  # record events for webhooks inside a change's transaction
    webhook_sender: WebhookSender
    flow_runner: FlowRunner
    flow_webhooks: WebhookCaller
    leases: SessionLeases  # which WhatsApp sessions run on this node (app/cluster/leases.py)
    node_signature: NodeSignature  # signs the requests this node forwards to another one
    bridge: EventBridge | None  # Postgres: events to and from the other nodes
    storage: Storage  # uploads and media (app/storage): a local folder or an S3 bucket
    started: bool = field(default=False)
    stopped: bool = field(default=False)  # the lifespan has run to its end
    # set by the server that runs us: stops the process the way SIGTERM does (desktop "Quit")
    quit_hook: Callable[[], None] | None = field(default=None)

    def request_quit(self) -> bool:
        """Begin a clean shutdown of the whole process; False when nothing can stop it."""
        if self.quit_hook is None:
            return False
        log.info("quit requested from the dashboard")
        self.quit_hook()
        return True


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    """Wire everything; no I/O besides reading (or creating) the secret store."""
    clock = clock or SystemClock()
    make_private(settings.data_dir, settings.media_path, settings.sessions_path)
    secrets, cipher = build_secret_store(settings)
    storage = build_storage(settings)  # uploads and media: a local folder or S3
    engine = create_engine(settings.db_url, sqlite_durability=settings.sqlite_durability)
    bind_tables(engine)
    signer = TokenSigner(secrets, clock, settings.access_token_ttl_s)
    mailer = Mailer(settings)
    audit = AuditTrail()
    signals = AccessSignals()
    workspaces = WorkspaceService(audit, signals)
    events = EventBus()
    node_id = node_id_for(settings)
    leases = SessionLeases(
        node_id,
        clock,
        ttl_s=settings.lease_ttl_s,
        heartbeat_s=settings.lease_heartbeat_s,
        url=settings.internal_url,
    )
    notifier = Notifier(clock, events)
    channels = ChannelManager()
    send_locks = SendLocks()
    egress = Egress(settings.egress_allow)
    subscriptions = Subscriptions()
    webhook_sender = WebhookSender(
        clock, egress, cipher, notifier, subscriptions, DeliveryPolicy.from_settings(settings)
    )
    webhooks = WebhookOutbox(clock, subscriptions, webhook_sender.wake)
    budget = SendBudget.from_settings(settings, notifier, clock)
    dispatcher = Dispatcher(
        channels,
        events,
        notifier,
        send_locks,
        clock,
        Pacing.from_settings(settings),
        budget,
        webhooks=webhooks,
        poll_s=settings.dispatch_poll_s,
        stall_s=settings.dispatch_stall_s,
        window=timedelta(hours=settings.resend_window_h),
        storage=storage,
        leases=leases,
    )
    outbox = Outbox(clock, events, dispatcher.wake, dispatcher)
    heard = HeardStatus()  # the other nodes' session statuses and QR codes (via the bridge)
    bridge = _bridge(settings, node_id, events, leases, dispatcher, heard)
    runner = BroadcastRunner(
        clock,
        events,
        notifier,
        outbox,
        webhooks=webhooks,
        poll_s=settings.broadcast_poll_s,
        lookahead=settings.broadcast_lookahead,
        reply_window=timedelta(hours=settings.broadcast_reply_window_h),
    )
    gguf = GgufStore(settings.data_dir / "models", settings.egress_allow)
    models = ModelPool(settings, secrets, gguf)
    # PDFs are read in a child process unless the settings say in-process (issue 19)
    configure_pdf_reader(
        in_process=settings.pdf_in_process,
        timeout_s=settings.pdf_timeout_s,
        memory_mb=settings.pdf_child_memory_mb,
    )
    kb = KnowledgeRuntime(settings)
    answerer = Answerer()  # the no-model reader: one sentence-vector cache for all its users
    # knowledge-base uploads: under the data dir, or beside the media in S3
    kb_files = KnowledgeFiles(settings.data_dir / "kb", storage if storage.kind == "s3" else None)
    document_indexer = DocumentIndexer(
        kb,
        events,
        notifier,
        webhooks,
        retries=settings.kb_retries,
        base_s=settings.kb_retry_base_s,
        ssrf_allow=settings.egress_allow,
        answerer=answerer,
        owner=node_id,  # this node's name on its indexing claims
        files=kb_files,
    )
    indexer = IndexWorker(document_indexer, settings.kb_workers)
    shared_counts = SharedCounts() if settings.db_url.startswith("postgres") else None
    references = ReferenceQuestions(kb_files.references)
    whisper = WhisperModelStore(
        settings.data_dir / "models" / "whisper", settings.speech_models_url, settings.egress_allow
    )
    speech = SpeechPool(settings, secrets, whisper)
    downloads = settings.model_downloads
    downloads = (not settings.headless) if downloads is None else downloads
    ai = AIEngine(clock, models, RetrieverSearch(kb, answerer=answerer), speech, events, answerer)
    responders = build_responders(settings, ai, WaitingNotice())
    flow_webhooks = WebhookCaller(egress.httpx_client)
    flow_media = MediaFetcher(egress.httpx_client, storage)
    flow_engine = FlowEngine(
        clock, events, outbox, notifier, flow_webhooks, flow_media.fetch, webhooks
    )
    flow_runner = FlowRunner(flow_engine, clock)
    responders.flow = FlowResponder(flow_engine, responders.ai)  # an `ai` node asks the AI slot
    pipeline = Pipeline(clock, events, notifier, responders, outbox, channels, storage, webhooks)
    hub = SessionHub(
        channels,
        pipeline,
        dispatcher,
        send_locks,
        budget,
        events,
        notifier,
        secrets,
        clock,
        settings.sessions_path,
        webhooks,
        leases,
        heard,
    )
    sign_ins = SignInService(clock, signer, workspaces, signals, settings.refresh_token_ttl_s)
    contact_queries = ContactQueries()
    queries = ConversationQueries(audit)
    conversations = ConversationService(queries, outbox, events, audit, clock, storage, webhooks)
    node_signature = NodeSignature(cipher.derive(PURPOSE), node_id)  # what this node forwards
    sessions = SessionService(hub, channels, audit, clock, settings.channel)
    services = Services(
        auth=AuthService(clock, workspaces, sign_ins),
        sign_ins=sign_ins,
        password_resets=PasswordResetService(
            clock, mailer, signals, settings.base_url, settings.reset_token_ttl_s
        ),
        workspaces=workspaces,
        invites=InviteService(settings, clock, mailer, workspaces, audit),
        api_keys=ApiKeyService(clock, audit, signals),
        audit=AuditService(),
        mailer=mailer,
        notifications=NotificationService(clock),
        sessions=sessions,
        live_sessions=LiveSessionService(sessions, signer, node_signature),
        send_budgets=SendBudgetService(budget, dispatcher.wake, audit, clock),
        send_first=SendFirstService(outbox, events, audit, clock, storage, egress, webhooks),
        broadcasts=BroadcastService(runner, budget, audit, clock, storage, egress),
        contacts=ContactService(
            contact_queries,
            events,
            audit,
            clock,
            storage,
            webhooks,
            flow_runner.label_added,
        ),
        contact_queries=contact_queries,
        contact_import=ContactImportService(audit, clock, contact_queries, webhooks, events),
        contact_export=ContactExportService(contact_queries, audit, clock, storage),
        labels=LabelService(audit),
        conversations=conversations,
        conversation_queries=queries,
        approvals=ApprovalService(queries, conversations, outbox, events, audit, clock, webhooks),
        settings=SettingsService(models, secrets, egress, audit, whisper),
        local_models=LocalModelService(
            gguf,
            events,
            audit,
            headless=settings.headless,
            downloads=downloads,
            hub_url=settings.gguf_models_url,
        ),
        speech_models=SpeechModelService(whisper, events, audit, downloads=downloads),
        overview=OverviewService(clock),
        analytics=AnalyticsService(clock, lambda: kb.embeddings),
        knowledge=KnowledgeBaseService(kb, kb_files, references, audit),
        faqs=FaqService(kb, audit),
        documents=DocumentService(kb, indexer, kb_files, audit, settings.egress_allow),
        reference_questions=references,
        # the Evaluation asks the AI engine what it would reply; the test panel shares its reader
        retrieval_checks=RetrievalChecks(kb, ai, answerer),
        media=MediaService(storage),
        live_access=LiveAccess(clock, signals, settings.live_recheck_s),
        webhooks=WebhookService(
            clock, cipher, egress, subscriptions, webhooks, webhook_sender, audit
        ),
        flows=FlowService(clock, audit, egress.check_url),
        flow_runs=FlowRunService(flow_engine, flow_runner, audit, clock),
        canned_replies=CannedReplyService(queries, audit, clock),
        notes=NoteService(queries, events, audit, clock),
    )
    recovery = Recovery(
        pipeline,
        notifier,
        MediaRefetch(channels, storage, events, clock, unit_s=settings.recovery_sweep_s),
        sweep_s=settings.recovery_sweep_s,
        sessions=lambda: leases.held.keys(),  # each node routes the sessions it runs
    )

    def taken_over() -> None:
        recovery.poke()
        dispatcher.wake()

    leases.on_taken = taken_over
    return Container(
        settings=settings,
        clock=clock,
        secrets=secrets,
        cipher=cipher,
        engine=engine,
        signer=signer,
        events=events,
        notifier=notifier,
        scheduler=AsyncIOScheduler(timezone="UTC"),
        services=services,
        channels=channels,
        dispatcher=dispatcher,
        outbox=outbox,
        broadcasts=runner,
        pipeline=pipeline,
        hub=hub,
        recovery=recovery,
        login_throttle=Throttle(settings.rate_limit_auth_per_min, counts=shared_counts),
        shared_counts=shared_counts,
        ai=ai,
        kb=kb,
        indexer=indexer,
        webhooks=webhooks,
        webhook_sender=webhook_sender,
        flow_runner=flow_runner,
        flow_webhooks=flow_webhooks,
        leases=leases,
        node_signature=node_signature,
        bridge=bridge,
        storage=storage,
    )


@asynccontextmanager
async def lifespan(container: Container) -> AsyncIterator[Container]:
    """Start everything once; stop in reverse order, also when startup failed halfway."""
    if container.started:
        yield container
        return
    stack = AsyncExitStack()
    try:
        await open_engine(container.engine)
        stack.push_async_callback(close_engine, container.engine)
        log.info("media storage: %s", await container.storage.check())  # a clear error now
        applied = await migrate(container.engine)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        if container.bridge is not None:  # before anything publishes
            await container.bridge.start()
            stack.push_async_callback(container.bridge.stop)
        leases = container.leases
        settings = container.settings
        register_jobs(
            container.scheduler,
            container.clock,
            container.notifier,
            container.storage,
            AuditTrail(),  # stateless: the nightly retention's audit rows
            leases.node_id,
        )
        runner = container.flow_runner
        register_flow_jobs(
            container.scheduler,
            runner.wake_due,
            runner.fire_schedules,
            container.clock,
            settings.flow_tick_s,
        )
        container.scheduler.start()
        stack.push_async_callback(container.flow_webhooks.aclose)
        stack.callback(container.scheduler.shutdown, wait=False)
        stack.push_async_callback(container.ai.aclose)
        stack.push_async_callback(container.services.local_models.aclose)
        stack.push_async_callback(container.services.speech_models.aclose)
        stack.callback(container.kb.close)
        requeued = await container.indexer.start()  # PROCESSING rows of a crash → re-run
        stack.push_async_callback(container.indexer.stop)
        if requeued:
            log.info("knowledge documents queued for indexing: %d", requeued)
        await container.dispatcher.start()
        stack.push_async_callback(container.dispatcher.stop)
        await container.webhook_sender.start()  # deliveries a crash left waiting go out now
        stack.push_async_callback(container.webhook_sender.stop)
        stack.push_async_callback(_drain_pipeline, container)
        stack.push_async_callback(container.recovery.stop)
        # after the channels stopped: the other nodes may take the sessions over at once
        stack.push_async_callback(leases.release_all)
        stack.push_async_callback(container.channels.stop_all)
        # first thing on the way down: a local model mid-reply stops between two tokens
        stack.callback(container.ai.abandon)
        restored = await leases.start(container.hub)  # this node's share of the sessions
        stack.push_async_callback(leases.stop)
        log.info("sessions restored: %d (node %s)", restored, leases.node_id)
        container.recovery.start()  # in the background: the API answers meanwhile
        await container.broadcasts.start()  # after the dispatcher: it queues, that sends
        stack.push_async_callback(container.broadcasts.stop)
        container.started = True
        if container.settings.gc_freeze:
            freeze_long_lived(container.settings.gc_gen0_threshold)
        log.info("Aimywhatsapp started; data dir %s", container.settings.data_dir)
        yield container
    finally:
        container.started = False
        await stack.aclose()
        container.stopped = True
        log.info("Aimywhatsapp stopped cleanly")


def _bridge(
    settings: Settings,
    node_id: str,
    events: EventBus,
    leases: SessionLeases,
    dispatcher: Dispatcher,
    heard: HeardStatus,
) -> EventBridge | None:
    """On Postgres: events to and from the other nodes; their queued replies wake our
    dispatcher, their freed leases our lease keeper, their sessions' QR codes are kept."""
    if not settings.db_url.split(":", 1)[0].startswith("postgres"):
        return None
    bridge = EventBridge(settings.db_url, node_id, events)

    def on_event(event: Event) -> None:
        if event.name == names.MESSAGE_NEW:
            dispatcher.wake()
        heard.heard(event)

    def on_signal(kind: str) -> None:
        if kind == "leases":
            leases.poke()

    bridge.on_event = on_event
    bridge.on_signal = on_signal
    bridge.peers = lambda: leases.live_nodes != 1  # alone: nothing to send
    leases.on_freed = lambda: bridge.signal("leases")
    return bridge


async def _drain_pipeline(container: Container) -> None:
    """Let in-flight inbound messages finish routing (briefly), then stop the chat lanes."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(container.pipeline.settle(), 5)
    await container.pipeline.cancel()
