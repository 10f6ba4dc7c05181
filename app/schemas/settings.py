"""Body of `PATCH /settings`: the workspace's bot and AI settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from app.domain.workspace_settings import RETENTION_DAYS
from app.schemas.base import Body

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
Unset = msgspec.UnsetType
RetentionDays = Annotated[int, msgspec.Meta(ge=RETENTION_DAYS[0], le=RETENTION_DAYS[1])]
HhMm = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class SettingsPatchBody(Body):
    """Only the fields present change; `null` clears an optional text. `aiApiKey` is write-only
    (stored in the secrets store); an empty string removes the stored key."""

    bot_name: Name | Unset = msgspec.UNSET
    bot_persona: Text | Unset | None = msgspec.UNSET
    ai_provider: Literal["anthropic", "openai", "llamacpp", "extractive"] | Unset = msgspec.UNSET
    ai_model: Annotated[str, msgspec.Meta(max_length=255)] | Unset = msgspec.UNSET
    ai_base_url: (
        Annotated[str, msgspec.Meta(max_length=500, pattern=r"^https?://")] | Unset | None
    ) = msgspec.UNSET
    ai_api_key: Annotated[str, msgspec.Meta(max_length=500)] | Unset | None = msgspec.UNSET
    ai_max_tokens: Annotated[int, msgspec.Meta(ge=1, le=32000)] | Unset = msgspec.UNSET
    ai_temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | Unset = msgspec.UNSET
    confidence_threshold: Annotated[float, msgspec.Meta(ge=0, le=1)] | Unset = msgspec.UNSET
    default_language: Annotated[str, msgspec.Meta(min_length=2, max_length=16)] | Unset = (
        msgspec.UNSET
    )
    business_hours_enabled: bool | Unset = msgspec.UNSET
    business_hours_config: dict[str, Any] | Unset | None = msgspec.UNSET
    away_message: Text | Unset | None = msgspec.UNSET
    welcome_message: Text | Unset | None = msgspec.UNSET
    human_escalation_message: Text | Unset | None = msgspec.UNSET
    max_conversation_history: Annotated[int, msgspec.Meta(ge=1, le=100)] | Unset = msgspec.UNSET
    approval_mode_default: bool | Unset = msgspec.UNSET
    human_reply_pauses_bot: bool | Unset = msgspec.UNSET
    human_reply_timeout_min: Annotated[int, msgspec.Meta(ge=0, le=10080)] | Unset = msgspec.UNSET
    speech_model: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | Unset | None = (
        msgspec.UNSET
    )
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | Unset = msgspec.UNSET
    quiet_hours_enabled: bool | Unset = msgspec.UNSET
    quiet_hours_start: HhMm | Unset = msgspec.UNSET
    quiet_hours_end: HhMm | Unset = msgspec.UNSET
    # words that opt a contact out of broadcasts (besides STOP, UNSUBSCRIBE, BAJA, PARAR, ROKO)
    opt_out_words: (
        Annotated[
            list[Annotated[str, msgspec.Meta(min_length=1, max_length=40)]],
            msgspec.Meta(max_length=20),
        ]
        | Unset
    ) = msgspec.UNSET
    # words that end a flow run (besides the built-in stop/cancel words), compared without
    # case or accents
    flow_stop_words: (
        Annotated[
            list[Annotated[str, msgspec.Meta(min_length=1, max_length=50)]],
            msgspec.Meta(max_length=50),
        ]
        | Unset
    ) = msgspec.UNSET
    # delete messages and their media files older than this many days (the nightly cleanup);
    # null keeps everything
    message_retention_days: RetentionDays | Unset | None = msgspec.UNSET
    # after resolve, ask the customer for a 1-5 rating (issue 17); the question / thanks in
    # the workspace's own words (null: the built-in ones in the customer's language)
    csat_enabled: bool | Unset = msgspec.UNSET
    csat_question: Text | Unset | None = msgspec.UNSET
    csat_thanks: Text | Unset | None = msgspec.UNSET
