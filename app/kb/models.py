"""API-facing records and request bodies of the knowledge base (seed §6, camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from app.domain.models import Model

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
    threshold: float | None = None


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


SourceId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Expected = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class EvalCaseBody(Model, kw_only=True):
    """A reference question: the source that should answer it and/or the answer text it
    should contain — or `shouldNotAnswer` (the bot must hand it to a person)."""

    question: Query
    expected_source: SourceId | None = None
    expected_answer: Expected | None = None
    should_not_answer: bool = False


class EvalBody(Model, kw_only=True):
    cases: Annotated[list[EvalCaseBody], msgspec.Meta(min_length=1, max_length=500)]
    k: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5


class ReferenceQuestion(Model, kw_only=True):
    """A question of the KB's evaluation set: its right source and/or answer text, or one
    that should not be answered (issue 4 §7, issue 12)."""

    id: str
    question: str
    expected_source: str | None = None  # a document id or a FAQ id of the same KB
    expected_answer: str | None = None
    should_not_answer: bool = False


class ReferenceBody(Model, kw_only=True):
    question: Query
    expected_source: SourceId | None = None
    expected_answer: Expected | None = None
    should_not_answer: bool = False
