"""The AI engine (seed §8): grounded replies, confidence, escalation, business hours, media."""

from app.ai.engine import AIEngine
from app.ai.hours import BusinessHours, HoursError
from app.ai.knowledge import KeywordSearch, KnowledgeSearch
from app.ai.models import PROVIDERS, ModelPool, api_key_name
from app.ai.speech import SpeechPool

__all__ = [
    "PROVIDERS",
    "AIEngine",
    "BusinessHours",
    "HoursError",
    "KeywordSearch",
    "KnowledgeSearch",
    "ModelPool",
    "SpeechPool",
    "api_key_name",
]
