"""Plain types shared by every layer: enums of seed §5, domain errors, ids, clock."""

from app.domain.actor import Actor
from app.domain.enums import (
    BroadcastStatus,
    BroadcastTarget,
    ConversationStatus,
    Direction,
    FlowTrigger,
    IndexStatus,
    KBDocType,
    MediaType,
    OutboxStatus,
    Plan,
    Role,
    SenderType,
    Sentiment,
    SessionStatus,
)
from app.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
)
from app.domain.ids import new_id
from app.domain.messages import (
    Location,
    MessageKind,
    NormalizedMessage,
    OutboundMessage,
    Reaction,
    Receipt,
    ReceiptKind,
)
from app.domain.models import Model, Page
from app.domain.time import Clock, ManualClock, SystemClock, utcnow

__all__ = [
    "Actor",
    "BroadcastStatus",
    "BroadcastTarget",
    "Clock",
    "Conflict",
    "ConversationStatus",
    "Direction",
    "DomainError",
    "FlowTrigger",
    "Forbidden",
    "IndexStatus",
    "Invalid",
    "KBDocType",
    "Location",
    "ManualClock",
    "MediaType",
    "MessageKind",
    "Model",
    "NormalizedMessage",
    "NotFound",
    "OutboundMessage",
    "OutboxStatus",
    "Page",
    "Plan",
    "RateLimited",
    "Reaction",
    "Receipt",
    "ReceiptKind",
    "Role",
    "SenderType",
    "Sentiment",
    "SessionStatus",
    "SystemClock",
    "Unauthorized",
    "new_id",
    "utcnow",
]
