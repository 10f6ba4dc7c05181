"""A workspace's bot and AI settings (seed §5 WorkspaceSettings), typed, defaults declared here.

The defaults are the seed's, except `ai_provider`: "extractive" answers from the knowledge base
without a model, so a fresh offline install works. The table's column defaults are these
(`app/db/tables/settings.py` reads `DEFAULTS`), and every reader gets this struct from
`app/db/repos/workspace_settings.py`, so no caller repeats a default. The model API key is not
here: it lives in the secrets store.
"""

from __future__ import annotations

from typing import Any

import msgspec

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of business_hours_config
OPENAI_SPEECH = "openai"  # a `speech_model` naming the workspace's OpenAI(-compatible) account


class WorkspaceSettings(msgspec.Struct, kw_only=True, frozen=True):
    bot_name: str = "Assistant"
    bot_persona: str | None = None
    ai_provider: str = "extractive"  # anthropic | openai | llamacpp | extractive
    ai_model: str = ""
    ai_base_url: str | None = None  # an OpenAI-compatible server
    ai_max_tokens: int = 1024
    ai_temperature: float = 0.7
    confidence_threshold: float = 0.6  # below it the bot escalates instead of answering
    default_language: str = "auto"  # "auto" = answer in the customer's language
    business_hours_enabled: bool = False
    business_hours_config: dict[str, Any] | None = None  # ai.hours.BusinessHours.parse's input
    away_message: str | None = None
    welcome_message: str | None = None
    human_escalation_message: str | None = None  # None = the built-in one, in their language
    max_conversation_history: int = 20
    approval_mode_default: bool = False
    human_reply_pauses_bot: bool = True  # a manual agent reply turns on human takeover
    human_reply_timeout_min: int = 15  # WAITING_HUMAN this long → notify (0 = off)
    speech_model: str | None = None  # whisper model name or OPENAI_SPEECH; None = the default
    timezone: str = "UTC"  # IANA name: quiet hours and the send budget's day are local (m0021)
    quiet_hours_enabled: bool = False  # hold everything but replies from start to end
    quiet_hours_start: str = "21:00"
    quiet_hours_end: str = "08:00"
    # words that opt a contact out of broadcasts, besides STOP, UNSUBSCRIBE, BAJA, PARAR, ROKO
    opt_out_words: list[str] = msgspec.field(default_factory=list)  # m0022
    # words that end a contact's flow run, besides the built-in stop/cancel words (m0020)
    flow_stop_words: list[str] = []
    # m0026: the nightly cleanup deletes messages and their media older than this many days
    # (RETENTION_DAYS bounds it); None keeps everything
    message_retention_days: int | None = None
    # m0025: after resolve, ask the customer for a 1-5 rating; None texts: the built-in ones
    csat_enabled: bool = False
    csat_question: str | None = None
    csat_thanks: str | None = None


RETENTION_DAYS = (7, 3650)  # the shortest and longest message retention a workspace may set

DEFAULTS = WorkspaceSettings()
