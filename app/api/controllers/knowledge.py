"""`/api/v1/knowledge-bases` (seed §6 Knowledge Base): KBs, documents, FAQs, test, evaluate."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain import Invalid
from app.domain import knowledge as m
from app.schemas import knowledge as ks

KB = {"resource": Resource.KNOWLEDGE}
KB_TEST = {**KB, "kb_test_limited": True}  # seed §14: 20 a minute per workspace
DEPS = {"services": Provide(provide_services), "actor": Provide(provide_actor)}


class KnowledgeBaseController(Controller):
    path = "/v1/knowledge-bases"
    tags = ["knowledge"]
    dependencies = DEPS

    @get("/", opt=KB)
    async def list_kbs(self, services: ServicesDep, actor: ActorDep) -> list[m.KnowledgeBase]:
        """The workspace's KBs; the default one is created on first visit."""
        return await services.knowledge.list(actor)

    @post("/", opt=KB)
    async def create_kb(
        self, data: JSONBody[ks.KBCreateBody], services: ServicesDep, actor: ActorDep
    ) -> m.KnowledgeBase:
        return await services.knowledge.create(actor, data)

    @get("/{kb_id:str}", opt=KB)
    async def get_kb(
        self, kb_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> m.KnowledgeBase:
        return await services.knowledge.get(actor, kb_id)

    @patch("/{kb_id:str}", opt=KB)
    async def update_kb(
        self,
        kb_id: FromPath[str],
        data: JSONBody[ks.KBUpdateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.KnowledgeBase:
        return await services.knowledge.update(actor, kb_id, data)

    @delete("/{kb_id:str}", opt=KB, status_code=HTTP_204_NO_CONTENT)
    async def delete_kb(self, kb_id: FromPath[str], services: ServicesDep, actor: ActorDep) -> None:
        """Delete the KB with its documents, FAQs and vectors."""
        await services.knowledge.delete(actor, kb_id)

    # documents

    @get("/{kb_id:str}/documents", opt=KB)
    async def list_documents(
        self, kb_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> list[m.Document]:
        return await services.documents.list(actor, kb_id)

    @post("/{kb_id:str}/documents", opt=KB, status_code=HTTP_202_ACCEPTED)
    async def add_document(
        self,
        kb_id: FromPath[str],
        request: Request[Any, Any, Any],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Document:
        """Multipart `file` (PDF, DOCX, TXT, MD, CSV; type sniffed from the bytes, 25 MB max)
        or JSON `{type: "URL", url}` / `{type: "MANUAL", name, content}`. Indexing runs in the
        background: poll the list or listen for `kb:progress`."""
        await services.knowledge.get(actor, kb_id)  # someone else's KB: 404 before any parsing
        if request.content_type[0] == RequestEncodingType.MULTI_PART:
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Invalid("send the document as a multipart field named 'file'")
            data = await upload.read()
            return await services.documents.upload(actor, kb_id, upload.filename, data)
        try:
            body = msgspec.json.decode(await request.body(), type=ks.DocumentBody)
        except msgspec.DecodeError as exc:
            raise Invalid(f"invalid document body: {exc}") from None
        return await services.documents.add(actor, kb_id, body)

    @get("/{kb_id:str}/documents/{doc_id:str}", opt=KB)
    async def get_document(
        self, kb_id: FromPath[str], doc_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> m.Document:
        return await services.documents.get(actor, kb_id, doc_id)

    @delete("/{kb_id:str}/documents/{doc_id:str}", opt=KB, status_code=HTTP_204_NO_CONTENT)
    async def delete_document(
        self, kb_id: FromPath[str], doc_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        await services.documents.delete(actor, kb_id, doc_id)

    @post("/{kb_id:str}/documents/{doc_id:str}/reindex", opt=KB, status_code=HTTP_202_ACCEPTED)
    async def reindex_document(
        self, kb_id: FromPath[str], doc_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> m.Document:
        return await services.documents.reindex(actor, kb_id, doc_id)

    # FAQs

    @get("/{kb_id:str}/faqs", opt=KB)
    async def list_faqs(
        self, kb_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> list[m.Faq]:
        return await services.faqs.list(actor, kb_id)

    @post("/{kb_id:str}/faqs", opt=KB, status_code=HTTP_201_CREATED)
    async def create_faq(
        self,
        kb_id: FromPath[str],
        data: JSONBody[ks.FaqCreateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Faq:
        return await services.faqs.create(actor, kb_id, data)

    @patch("/{kb_id:str}/faqs/{faq_id:str}", opt=KB)
    async def update_faq(
        self,
        kb_id: FromPath[str],
        faq_id: FromPath[str],
        data: JSONBody[ks.FaqUpdateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.Faq:
        return await services.faqs.update(actor, kb_id, faq_id, data)

    @delete("/{kb_id:str}/faqs/{faq_id:str}", opt=KB, status_code=HTTP_204_NO_CONTENT)
    async def delete_faq(
        self, kb_id: FromPath[str], faq_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        await services.faqs.delete(actor, kb_id, faq_id)

    # retrieval

    @post("/{kb_id:str}/test", opt=KB_TEST, status_code=200)
    async def test_query(
        self,
        kb_id: FromPath[str],
        data: JSONBody[ks.TestBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.TestResult:
        """Answer (the best passage's best sentence) and sources with spans and scores.
        Limited to 20 queries a minute per workspace (429 with `Retry-After` beyond)."""
        return await services.retrieval_checks.test(actor, kb_id, data.query)

    @post("/{kb_id:str}/evaluate", opt=KB, status_code=200)
    async def evaluate(
        self,
        kb_id: FromPath[str],
        data: JSONBody[ks.EvalBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.EvalResult:
        """Hit-rate@k and MRR of reference questions against their expected source id."""
        return await services.retrieval_checks.evaluate(actor, kb_id, data)
