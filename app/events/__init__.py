"""In-process event bus: services publish, the WebSocket endpoint and the dashboard subscribe.

Every event is made by a constructor of `catalog` (one per event name); `names` spells them.
"""

from app.events import catalog, names
from app.events.access import AccessSignals
from app.events.bus import Event, EventBus, Subscription

__all__ = ["AccessSignals", "Event", "EventBus", "Subscription", "catalog", "names"]
