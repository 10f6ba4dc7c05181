"""API-facing records and request bodies of the knowledge base (seed §6, camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from app.domain.records import Model

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]
Query = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


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


class KBCreateBody(Model, kw_only=True):
    name: Name
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class KBUpdateBody(Model, kw_only=True):
    name: Name | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class FaqCreateBody(Model, kw_only=True):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class FaqUpdateBody(Model, kw_only=True):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None = None
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)] | None = None


class DocumentBody(Model, kw_only=True):
    """JSON form of `POST .../documents`; files come as multipart instead."""

    type: Literal["URL", "MANUAL"]
    url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    name: Name | None = None
    content: Text | None = None


class TestBody(Model, kw_only=True):
    query: Query


class EvalCaseBody(Model, kw_only=True):
    question: Query
    expected_source: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class EvalBody(Model, kw_only=True):
    cases: Annotated[list[EvalCaseBody], msgspec.Meta(min_length=1, max_length=500)]
    k: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5


class ReferenceQuestion(Model, kw_only=True):
    """A question whose right source is known: the KB's evaluation set (issue 4 §7)."""

    id: str
    question: str
    expected_source: str  # a document id or a FAQ id of the same KB


class ReferenceBody(Model, kw_only=True):
    question: Query
    expected_source: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
