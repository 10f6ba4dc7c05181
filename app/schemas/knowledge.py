"""Bodies of `/knowledge-bases`: KBs, FAQs, documents (URL or text; files come as multipart),
the test panel's query, an evaluation run and reference questions."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.schemas.base import Body

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]
Query = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class KBCreateBody(Body):
    name: Name
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class KBUpdateBody(Body):
    name: Name | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class FaqCreateBody(Body):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class FaqUpdateBody(Body):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None = None
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)] | None = None


class DocumentBody(Body):
    """JSON form of `POST .../documents`; files come as multipart instead."""

    type: Literal["URL", "MANUAL"]
    url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    name: Name | None = None
    content: Text | None = None


class TestBody(Body):
    query: Query


class EvalCaseBody(Body):
    question: Query
    expected_source: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class EvalBody(Body):
    cases: Annotated[list[EvalCaseBody], msgspec.Meta(min_length=1, max_length=500)]
    k: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5


class ReferenceBody(Body):
    question: Query
    expected_source: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
