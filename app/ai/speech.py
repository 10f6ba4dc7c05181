"""The transcriber, built on the first voice note (loading whisper is not free) and reused."""

from __future__ import annotations

from app.secrets import SecretStore
from app.settings import Settings
from app.speech import SpeechSettings, Transcriber, build_transcriber


class SpeechPool:
    def __init__(self, settings: Settings, secrets: SecretStore) -> None:
        self.settings = settings
        self.secrets = secrets
        self._transcriber: Transcriber | None = None

    def get(self) -> Transcriber:
        if self._transcriber is None:
            self._transcriber = build_transcriber(
                SpeechSettings(
                    provider=self.settings.speech_provider,
                    model_dir=self.settings.speech_model_dir,
                    api_key=self.secrets.get("openai_api_key"),
                )
            )
        return self._transcriber

    async def aclose(self) -> None:
        if self._transcriber is not None:
            await self._transcriber.aclose()
            self._transcriber = None
