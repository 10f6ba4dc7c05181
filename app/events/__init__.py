"""In-process event bus: services publish, the WebSocket endpoint and the dashboard subscribe."""

from app.events import names
from app.events.access import AccessSignals
from app.events.bus import Event, EventBus, Subscription

__all__ = ["AccessSignals", "Event", "EventBus", "Subscription", "names"]
