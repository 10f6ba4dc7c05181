"""Initial schema: every table of `app/db/tables/` as of the first release.

Frozen once released: change the schema in a new migration, never here. Types are the ones
piccolo's SQLite converters understand (TIMESTAMPTZ, BOOLEAN, INTEGER, ...) so values come back
as Python types; JSON is JSON text on both engines.
"""

from __future__ import annotations

from app.db.migrations._sql import ddl

_TABLES = """
workspaces (
    id {pk}, name VARCHAR(255) NOT NULL, slug VARCHAR(100) NOT NULL UNIQUE,
    logo_url TEXT, plan VARCHAR(20) NOT NULL DEFAULT 'FREE',
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now})
users (
    id {pk}, email VARCHAR(320) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, avatar_url TEXT,
    created_at {ts} NOT NULL DEFAULT {now}, last_login_at {ts})
workspace_users (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    user_id {id} NOT NULL {cascade:users}, role VARCHAR(20) NOT NULL DEFAULT 'AGENT',
    joined_at {ts} NOT NULL DEFAULT {now}, UNIQUE (workspace_id, user_id))
user_sessions (
    id {pk}, user_id {id} NOT NULL {cascade:users},
    refresh_token VARCHAR(64) NOT NULL UNIQUE, family_id {id} NOT NULL,
    expires_at {ts} NOT NULL, created_at {ts} NOT NULL DEFAULT {now}, used_at {ts},
    revoked_at {ts}, ip_address VARCHAR(64), user_agent TEXT)
password_resets (
    id {pk}, user_id {id} NOT NULL {cascade:users},
    token_hash VARCHAR(64) NOT NULL UNIQUE, expires_at {ts} NOT NULL, used_at {ts},
    created_at {ts} NOT NULL DEFAULT {now})
workspace_invites (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    email VARCHAR(320) NOT NULL, role VARCHAR(20) NOT NULL DEFAULT 'AGENT',
    token_hash VARCHAR(64) NOT NULL UNIQUE, invited_by_user_id {id} {set_null:users},
    expires_at {ts} NOT NULL, accepted_at {ts}, created_at {ts} NOT NULL DEFAULT {now})
api_keys (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    name VARCHAR(255) NOT NULL, key_hash VARCHAR(255) NOT NULL UNIQUE,
    key_preview VARCHAR(16) NOT NULL, last_used_at {ts}, created_at {ts} NOT NULL DEFAULT {now},
    expires_at {ts}, revoked_at {ts}, created_by_user_id {id} {set_null:users})
whatsapp_sessions (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    account_id VARCHAR(64) NOT NULL, channel VARCHAR(20) NOT NULL DEFAULT 'neonize',
    phone_number VARCHAR(32), display_name VARCHAR(255),
    status VARCHAR(20) NOT NULL DEFAULT 'DISCONNECTED', creds_path TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now},
    UNIQUE (workspace_id, account_id))
contacts (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    session_id {id} {set_null:whatsapp_sessions}, jid VARCHAR(128) NOT NULL, lid VARCHAR(128),
    phone_number VARCHAR(32) NOT NULL, name VARCHAR(255), display_name VARCHAR(255),
    profile_pic_url TEXT, about TEXT, autoreply_enabled BOOLEAN NOT NULL DEFAULT {true},
    human_takeover BOOLEAN NOT NULL DEFAULT {false},
    approval_mode BOOLEAN NOT NULL DEFAULT {false}, is_blocked BOOLEAN NOT NULL DEFAULT {false},
    is_vip BOOLEAN NOT NULL DEFAULT {false}, language VARCHAR(16), notes TEXT,
    first_seen_at {ts} NOT NULL DEFAULT {now}, last_message_at {ts},
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now},
    UNIQUE (workspace_id, jid))
labels (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    name VARCHAR(100) NOT NULL, color VARCHAR(16) NOT NULL,
    created_at {ts} NOT NULL DEFAULT {now}, UNIQUE (workspace_id, name))
contact_labels (
    id {id} NOT NULL UNIQUE, contact_id {id} NOT NULL {cascade:contacts},
    label_id {id} NOT NULL {cascade:labels}, PRIMARY KEY (contact_id, label_id))
contact_custom_fields (
    id {pk}, contact_id {id} NOT NULL {cascade:contacts},
    key VARCHAR(100) NOT NULL, value TEXT NOT NULL DEFAULT '', UNIQUE (contact_id, key))
flows (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    name VARCHAR(255) NOT NULL, description TEXT, is_active BOOLEAN NOT NULL DEFAULT {true},
    trigger_type VARCHAR(20) NOT NULL, trigger_config {json} NOT NULL DEFAULT '{{}}',
    nodes {json} NOT NULL DEFAULT '[]', edges {json} NOT NULL DEFAULT '[]',
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now})
flow_stats (
    id {pk}, flow_id {id} NOT NULL UNIQUE {cascade:flows},
    total_entered INTEGER NOT NULL DEFAULT 0, total_completed INTEGER NOT NULL DEFAULT 0,
    last_run_at {ts})
conversations (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    session_id {id} {set_null:whatsapp_sessions}, contact_id {id} NOT NULL {cascade:contacts},
    status VARCHAR(20) NOT NULL DEFAULT 'OPEN', assigned_user_id {id} {set_null:users},
    resolved_at {ts}, last_message_at {ts}, unread_count INTEGER NOT NULL DEFAULT 0,
    sentiment VARCHAR(16), created_at {ts} NOT NULL DEFAULT {now},
    updated_at {ts} NOT NULL DEFAULT {now})
messages (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    conversation_id {id} NOT NULL {cascade:conversations},
    session_id {id} {set_null:whatsapp_sessions}, wa_message_id VARCHAR(128),
    direction VARCHAR(10) NOT NULL, sender_type VARCHAR(10) NOT NULL,
    sender_user_id {id} {set_null:users}, content TEXT NOT NULL DEFAULT '',
    media_type VARCHAR(20), media_url TEXT, media_caption TEXT, media_transcript TEXT,
    reply_to_id VARCHAR(128), sentiment VARCHAR(16), confidence DOUBLE PRECISION,
    kb_chunks_used {json} NOT NULL DEFAULT '[]', flow_id {id} {set_null:flows},
    is_approved BOOLEAN, is_read BOOLEAN NOT NULL DEFAULT {false}, delivered_at {ts},
    read_at {ts}, created_at {ts} NOT NULL DEFAULT {now},
    UNIQUE (workspace_id, session_id, wa_message_id))
outbox (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    session_id {id} NOT NULL {cascade:whatsapp_sessions},
    conversation_id {id} {cascade:conversations}, message_id {id} {cascade:messages},
    jid VARCHAR(128) NOT NULL, payload {json} NOT NULL DEFAULT '{{}}',
    status VARCHAR(10) NOT NULL DEFAULT 'PENDING', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL DEFAULT {now}, last_error TEXT, wa_message_id VARCHAR(128),
    created_at {ts} NOT NULL DEFAULT {now}, sent_at {ts})
knowledge_bases (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    name VARCHAR(255) NOT NULL, description TEXT, is_default BOOLEAN NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now})
kb_documents (
    id {pk}, knowledge_base_id {id} NOT NULL {cascade:knowledge_bases},
    name VARCHAR(255) NOT NULL, type VARCHAR(10) NOT NULL, source_url TEXT, file_path TEXT,
    content TEXT, status VARCHAR(12) NOT NULL DEFAULT 'PENDING',
    chunk_count INTEGER NOT NULL DEFAULT 0, error_message TEXT,
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now})
kb_chunks (
    id {pk}, document_id {id} NOT NULL {cascade:kb_documents},
    content TEXT NOT NULL, qdrant_id VARCHAR(64) NOT NULL UNIQUE, chunk_index INTEGER NOT NULL,
    metadata {json}, created_at {ts} NOT NULL DEFAULT {now})
kb_faqs (
    id {pk}, knowledge_base_id {id} NOT NULL {cascade:knowledge_bases},
    question TEXT NOT NULL, answer TEXT NOT NULL, qdrant_id VARCHAR(64) UNIQUE,
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now})
broadcasts (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    session_id {id} {set_null:whatsapp_sessions}, name VARCHAR(255) NOT NULL,
    message TEXT NOT NULL, media_url TEXT, target_type VARCHAR(10) NOT NULL,
    label_ids {json} NOT NULL DEFAULT '[]', contact_ids {json} NOT NULL DEFAULT '[]',
    scheduled_at {ts}, sent_at {ts}, status VARCHAR(12) NOT NULL DEFAULT 'DRAFT', stats {json},
    created_at {ts} NOT NULL DEFAULT {now}, updated_at {ts} NOT NULL DEFAULT {now})
broadcast_recipients (
    id {pk}, broadcast_id {id} NOT NULL {cascade:broadcasts},
    contact_id {id} NOT NULL {cascade:contacts}, status VARCHAR(12) NOT NULL DEFAULT 'pending',
    wa_message_id VARCHAR(128), error TEXT, sent_at {ts}, delivered_at {ts}, read_at {ts},
    UNIQUE (broadcast_id, contact_id))
workspace_settings (
    id {pk}, workspace_id {id} NOT NULL UNIQUE {cascade:workspaces},
    bot_name VARCHAR(100) NOT NULL DEFAULT 'Assistant', bot_persona TEXT,
    ai_provider VARCHAR(32) NOT NULL DEFAULT 'extractive',
    ai_model VARCHAR(255) NOT NULL DEFAULT '', ai_base_url TEXT,
    ai_max_tokens INTEGER NOT NULL DEFAULT 1024,
    ai_temperature DOUBLE PRECISION NOT NULL DEFAULT 0.7,
    confidence_threshold DOUBLE PRECISION NOT NULL DEFAULT 0.6,
    default_language VARCHAR(16) NOT NULL DEFAULT 'auto',
    business_hours_enabled BOOLEAN NOT NULL DEFAULT {false}, business_hours_config {json},
    away_message TEXT, welcome_message TEXT, human_escalation_message TEXT,
    max_conversation_history INTEGER NOT NULL DEFAULT 20,
    approval_mode_default BOOLEAN NOT NULL DEFAULT {false},
    updated_at {ts} NOT NULL DEFAULT {now})
webhooks (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    name VARCHAR(255) NOT NULL, url TEXT NOT NULL, secret VARCHAR(255),
    events {json} NOT NULL DEFAULT '[]', is_active BOOLEAN NOT NULL DEFAULT {true},
    last_called_at {ts}, failure_count INTEGER NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL DEFAULT {now})
audit_logs (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces}, user_id {id},
    action VARCHAR(100) NOT NULL, entity_type VARCHAR(64), entity_id VARCHAR(64),
    metadata {json}, ip_address VARCHAR(64), created_at {ts} NOT NULL DEFAULT {now})
notifications (
    id {pk}, workspace_id {id} NOT NULL {cascade:workspaces},
    type VARCHAR(64) NOT NULL, payload {json} NOT NULL DEFAULT '{{}}',
    is_read BOOLEAN NOT NULL DEFAULT {false}, created_at {ts} NOT NULL DEFAULT {now},
    expires_at {ts} NOT NULL)
"""

# Foreign-key columns are indexed where we look rows up by them (Postgres doesn't do it
# implicitly; SQLite needs them for ON DELETE CASCADE not to scan the child table).
_INDEXES = """
workspace_users (user_id)
user_sessions (user_id)
user_sessions (family_id)
password_resets (user_id)
workspace_invites (workspace_id)
api_keys (workspace_id)
api_keys (key_preview)
contacts (session_id)
contacts (lid)
contact_labels (label_id)
flows (workspace_id)
conversations (workspace_id, last_message_at)
conversations (contact_id)
conversations (session_id)
conversations (assigned_user_id)
messages (conversation_id, created_at)
messages (session_id)
messages (flow_id)
outbox (status, next_attempt_at)
outbox (session_id)
outbox (conversation_id)
outbox (message_id)
knowledge_bases (workspace_id)
kb_documents (knowledge_base_id)
kb_chunks (document_id)
kb_faqs (knowledge_base_id)
broadcasts (workspace_id)
broadcasts (session_id)
broadcast_recipients (contact_id)
webhooks (workspace_id)
audit_logs (workspace_id, created_at)
notifications (workspace_id, created_at)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return ddl(dialect, _TABLES, _INDEXES)
