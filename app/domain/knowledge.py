"""What the knowledge service returns: knowledge bases, documents, FAQs, search sources,
evaluation results and reference questions (seed §6, camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.records import Model

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # one uploaded document (the dashboard says so up front)


class KnowledgeBase(Model, kw_only=True):
    id: str
    name: str
    description: str | None
    is_default: bool
    document_count: int = 0
    faq_count: int = 0
    created_at: datetime


class Document(Model, kw_only=True):
    id: str
    knowledge_base_id: str
    name: str
    type: str
    source_url: str | None
    status: str
    chunk_count: int
    error_message: str | None
    created_at: datetime


class Faq(Model, kw_only=True):
    id: str
    knowledge_base_id: str
    question: str
    answer: str
    created_at: datetime


class Source(Model, kw_only=True):
    id: str
    document_id: str | None
    faq_id: str | None
    chunk_id: str | None
    page: int | None
    score: float
    similarity: float | None
    content: str
    span: dict[str, Any]


class TestResult(Model, kw_only=True):
    answer: str | None
    sources: list[Source]
    # what the no-model reader would quote, and its calibrated P(right); None without sources
    confidence: float | None = None


class EvalMissOut(Model, kw_only=True):
    question: str
    expected_source: str | None
    rank: int | None  # where the expected source ranked (None: not retrieved / none expected)
    got: list[str]
    # why it counts as a miss: "retrieval" (expected source not in the top k), "wrong"
    # (answered, but not with the expected text/source), "declined" (escalated an answerable
    # question), "answered" (replied to one that should not be answered)
    kind: str = "retrieval"
    said: str | None = None  # what the bot would have said (its answer, even below threshold)
    confidence: float | None = None
    expected_answer: str | None = None


class EvalResult(Model, kw_only=True):
    total: int
    k: int
    hit_rate: float  # over cases with an expected source
    mrr: float
    misses: list[EvalMissOut]
    # what the customer gets, with the workspace's model and threshold
    precision: float | None = None  # sent answers that are right
    coverage: float | None = None  # answerable questions answered right
    decline_rate: float | None = None  # should-not-answer questions declined
    answered: int = 0  # answers that would be sent
    threshold: float | None = None  # the workspace's (without a model, the send floors apply too)


class ReferenceQuestion(Model, kw_only=True):
    """A question of the KB's evaluation set: its right source and/or answer text, or one
    that should not be answered (issue 4 §7, issue 12)."""

    id: str
    question: str
    expected_source: str | None = None  # a document id or a FAQ id of the same KB
    expected_answer: str | None = None
    should_not_answer: bool = False
