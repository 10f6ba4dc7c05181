"""The AI engine (seed §8): grounded replies, confidence, escalation, business hours, media.

Only the database-free names are re-exported here (services import them while the repository
layer is still loading); the engine itself is `app.ai.engine.AIEngine`.
"""

from app.ai.hours import BusinessHours, HoursError
from app.ai.model_pool import PROVIDERS, ModelPool, api_key_name

__all__ = ["PROVIDERS", "BusinessHours", "HoursError", "ModelPool", "api_key_name"]
