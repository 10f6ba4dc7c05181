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


class EvalMissOut(Model, kw_only=True):
    question: str
    expected_source: str
    rank: int | None
    got: list[str]


class EvalResult(Model, kw_only=True):
    total: int
    k: int
    hit_rate: float
    mrr: float
    misses: list[EvalMissOut]


class ReferenceQuestion(Model, kw_only=True):
    """A question whose right source is known: the KB's evaluation set (issue 4 §7)."""

    id: str
    question: str
    expected_source: str  # a document id or a FAQ id of the same KB
