"""`/api/v1/knowledge-bases/{id}/reference-questions`: a KB's stored evaluation set.

The dashboard's Evaluation tab keeps questions whose right source is known; the same set over
the API lets a script grow it and run `POST …/evaluate` with it after each content change.
"""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep
from app.api.controllers.knowledge import DEPS, KB
from app.domain import knowledge as m
from app.schemas import knowledge as ks


class ReferenceQuestionController(Controller):
    path = "/v1/knowledge-bases/{kb_id:str}/reference-questions"
    tags = ["knowledge"]
    dependencies = DEPS

    @get("/", opt=KB)
    async def list_references(
        self, kb_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> list[m.ReferenceQuestion]:
        return await services.reference_questions.list(actor, kb_id)

    @post("/", opt=KB, status_code=HTTP_201_CREATED)
    async def add_reference(
        self,
        kb_id: FromPath[str],
        data: JSONBody[ks.ReferenceBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.ReferenceQuestion:
        """`expectedSource` is the id of a document or FAQ of this knowledge base."""
        return await services.reference_questions.add(actor, kb_id, data)

    @delete("/{ref_id:str}", opt=KB, status_code=HTTP_204_NO_CONTENT)
    async def delete_reference(
        self, kb_id: FromPath[str], ref_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        await services.reference_questions.delete(actor, kb_id, ref_id)
