"""Workspace bot/AI settings (seed §6 `GET/PATCH /settings`) and the "test the model" call.

The model API key goes to the secrets store, never to the table, and comes back masked. The
audit row lists which fields changed, not their values (a persona can be long, a key secret).
`aiBaseUrl` passes the SSRF guard when it is saved (and the model clients check every call).
"""

from __future__ import annotations

import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from app.ai import BusinessHours, HoursError, ModelPool, api_key_name
from app.auth import Resource, guarded
from app.db.repos import workspace_settings as repo
from app.db.tables import WorkspaceSettings as Row
from app.domain import Actor, Invalid, NotFound
from app.domain.records import ModelTest, WorkspaceSettingsView
from app.domain.workspace_settings import OPENAI_SPEECH, WorkspaceSettings
from app.llm import ChatMessage, LLMError, Passage
from app.net import Egress
from app.records import AuditTrail
from app.schemas.settings import SettingsPatchBody
from app.secrets import SecretStore
from app.speech.whisper_store import WhisperModelStore

SAMPLE_QUESTION = "Hello! Who are you? Answer in one short sentence."
SAMPLE_PASSAGE = Passage(
    id="sample", text="We are a friendly support team.", score=1.0, kind="faq",
    question="Who are you?", answer="We are a friendly support team — how can we help?",
)  # fmt: skip


def mask(key: str | None) -> str | None:
    """`sk-…abcd`: enough to recognise a key, never enough to use it."""
    if not key:
        return None
    if len(key) < 12:
        return "…" + key[-2:]
    return f"{key[:3]}…{key[-4:]}"


class SettingsService:
    def __init__(
        self,
        models: ModelPool,
        secrets: SecretStore,
        egress: Egress,
        audit: AuditTrail,
        whisper: WhisperModelStore | None = None,
    ) -> None:
        self._models = models  # the "test the model" call
        self._secrets = secrets  # the model API key
        self._egress = egress  # an `aiBaseUrl` must be one the server may call
        self._audit = audit
        self._whisper = whisper  # a chosen speech model must be installed

    async def _row(self, workspace_id: str) -> dict[str, Any]:
        row = (
            await Row.select()
            .where(Row.workspace_id == workspace_id)
            .first()
            .output(load_json=True)
        )
        if row is None:
            raise NotFound("workspace settings not found")
        return row

    @guarded(Resource.SETTINGS, write=False)
    async def get(self, actor: Actor) -> WorkspaceSettingsView:
        ws = actor.workspace_id or ""
        row = await self._row(ws)
        return WorkspaceSettingsView(
            **msgspec.structs.asdict(repo.from_row(row)),
            ai_api_key=mask(self._secrets.get(api_key_name(ws))),
            updated_at=row["updated_at"],
        )

    @guarded(Resource.SETTINGS, write=True)
    async def update(self, actor: Actor, patch: SettingsPatchBody) -> WorkspaceSettingsView:
        ws = actor.workspace_id or ""
        values = {
            f: v for f in patch.__struct_fields__ if (v := getattr(patch, f)) is not msgspec.UNSET
        }
        api_key = values.pop("ai_api_key", msgspec.UNSET)
        current = repo.from_row(await self._row(ws))
        merged = msgspec.structs.replace(current, **values)
        if values.get("business_hours_config") is not None:
            try:
                BusinessHours.parse(values["business_hours_config"])
            except HoursError as exc:
                raise Invalid(f"businessHoursConfig: {exc}") from None
        if merged.business_hours_enabled and not merged.business_hours_config:
            raise Invalid("businessHoursConfig is required when business hours are enabled")
        self._check_speech_model(values.get("speech_model"), merged)
        _check_quiet_hours(values, merged)
        if values.get("ai_base_url"):
            await self._egress.check_url(values["ai_base_url"])
        if values:
            changes = {getattr(Row, f): v for f, v in values.items()}
            await Row.update(changes).where(Row.workspace_id == ws)
        changed = sorted(values)
        if api_key is not msgspec.UNSET:
            if api_key:
                self._secrets.set(api_key_name(ws), str(api_key))
            else:
                self._secrets.delete(api_key_name(ws))
            changed = sorted([*changed, "ai_api_key"])
        if changed:
            await self._audit.record(
                actor, "settings.update", "workspace_settings", ws, {"fields": changed}
            )
        return await self.get(actor)

    def _check_speech_model(self, name: str | None, merged: WorkspaceSettings) -> None:
        """An installed whisper model, or "openai" when the workspace's model is OpenAI's."""
        if name == OPENAI_SPEECH:
            if merged.ai_provider != "openai":
                raise Invalid("speechModel openai needs the OpenAI provider (aiProvider openai)")
        elif name and self._whisper is not None:
            try:
                self._whisper.path_of(name)
            except NotFound:
                raise Invalid(
                    f"speechModel: {name} is not installed "
                    "(download it from /settings/speech-models first)"
                ) from None

    @guarded(Resource.SETTINGS, write=True)
    async def test_model(self, actor: Actor) -> ModelTest:
        """One short call with the current settings: latency and a sample, or the error."""
        ws = actor.workspace_id or ""
        settings = repo.from_row(await self._row(ws))
        llm_settings = self._models.llm_settings(ws, settings)
        started = time.perf_counter()
        try:
            llm = self._models.get(ws, settings)
            done = await llm.complete(
                [ChatMessage("user", SAMPLE_QUESTION)],
                system="You are a helpful assistant.",
                max_tokens=60,
                context=[SAMPLE_PASSAGE],
            )
        except (LLMError, ImportError) as exc:
            elapsed = (time.perf_counter() - started) * 1000
            return ModelTest(
                ok=False, latency_ms=round(elapsed, 1), provider=llm_settings.provider,
                model=llm_settings.model, error=str(exc)[:500],
            )  # fmt: skip
        elapsed = (time.perf_counter() - started) * 1000
        return ModelTest(
            ok=True, latency_ms=round(elapsed, 1), provider=done.provider, model=done.model,
            sample=done.text[:500],
        )  # fmt: skip


def _check_quiet_hours(values: dict[str, Any], merged: WorkspaceSettings) -> None:
    """A known time zone, and quiet hours that are not empty."""
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"timezone: unknown time zone {values['timezone']!r}") from None
    if merged.quiet_hours_enabled and merged.quiet_hours_start == merged.quiet_hours_end:
        raise Invalid("quietHoursStart and quietHoursEnd must differ")
