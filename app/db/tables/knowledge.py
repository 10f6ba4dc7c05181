"""Knowledge bases, their documents, chunks and FAQs (seed §5 "Knowledge base")."""

from __future__ import annotations

from piccolo.columns import Bytea, Integer, Text, Varchar
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    json_object,
    optional_timestamp,
    owned_by,
    primary_key,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.domain.enums import IndexStatus, KBDocType


class KnowledgeBase(Table, tablename="knowledge_bases"):
    """A named collection of documents and FAQs the bot answers from."""

    id = primary_key()
    workspace_id = owned_by(Workspace, index=True)
    name = Varchar(length=255)
    description = Text(null=True, default=None)
    is_default = flag(False)
    created_at = created_at()
    updated_at = updated_at()


class KBDocument(Table, tablename="kb_documents"):
    """An uploaded file, URL or manual text, with its indexing state."""

    id = primary_key()
    knowledge_base_id = owned_by(KnowledgeBase, index=True)
    name = Varchar(length=255)
    type = Varchar(length=10, choices=KBDocType)
    source_url = Text(null=True, default=None)
    file_path = Text(null=True, default=None)
    content = Text(null=True, default=None)
    status = Varchar(length=12, choices=IndexStatus, default=IndexStatus.PENDING)
    chunk_count = Integer(default=0)
    error_message = Text(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    claimed_by = Varchar(length=128, null=True, default=None)  # m0028: the indexing node
    lease_until = optional_timestamp()  # m0028: its claim holds until then


class KBChunk(Table, tablename="kb_chunks"):
    """A passage of a document.

    The seed's `embedding Float[]` is not stored here: vectors live in the vector store
    (LanceDB/Qdrant) under `qdrant_id`, the point id whatever the store is.
    """

    id = primary_key()
    document_id = owned_by(KBDocument, index=True)
    content = Text()
    qdrant_id = Varchar(length=64, unique=True)
    chunk_index = Integer()
    metadata = json_object(null=True)
    created_at = created_at()
    unit_vectors = Bytea(null=True, default=None)  # m0030: the reader's sentence vectors
    unit_digest = Varchar(length=64, null=True, default=None)  # m0030: what they were made of


class KBFaq(Table, tablename="kb_faqs"):
    """A question/answer pair, matched before documents."""

    id = primary_key()
    knowledge_base_id = owned_by(KnowledgeBase, index=True)
    question = Text()
    answer = Text()
    qdrant_id = Varchar(length=64, unique=True, null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
