"""How a run starts (issue 14 item 3): each trigger type's config, checked and matched.

- FIRST_MESSAGE `{}`: a new contact's first message.
- KEYWORD `{"keywords": [...], "match": "exact"|"contains"|"regex"}` (default exact): case and
  accents never matter; `contains` means the keyword appears as whole words ("hi" is not in
  "this"); `regex` patterns are case-insensitive, time-limited, and tried on the text as typed
  and accent-folded.
- LABEL_ADDED `{"labelId"}`: an agent (or the API) adds that label to a contact.
- INBOUND_MEDIA `{"mediaTypes": ["IMAGE", ...]}`: a message with media of those types (none
  listed: any media).
- SCHEDULED `{"cron": "0 9 * * 1", "timezone"?, "labelId"?}`: at each cron time in the
  workspace's time zone (`timezone`, else the business hours' zone, else UTC), for every
  contact with the label (or every contact).
- API `{}`: `POST /api/v1/flows/{id}/trigger`.
Every type may declare `"variables": [...]`: names an API call (or nothing) fills, which the
flow may then use as `{{vars.<name>}}`.

When several flows match one inbound message, a KEYWORD flow wins over an INBOUND_MEDIA flow,
which wins over a FIRST_MESSAGE flow; among equals, the oldest flow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex
from apscheduler.triggers.cron import CronTrigger

from app.domain import FlowTrigger, MediaType
from app.flows import safe_regex
from app.flows.text import fold, word

MATCHES = ("exact", "contains", "regex")
INBOUND_PRIORITY = (FlowTrigger.KEYWORD, FlowTrigger.INBOUND_MEDIA, FlowTrigger.FIRST_MESSAGE)
MISSED_GRACE = timedelta(hours=1)  # a scheduled time missed by more (app down) is skipped
MAX_KEYWORDS = 100


def declared_variables(config: dict[str, Any]) -> set[str]:
    names = config.get("variables")
    return {n for n in names if isinstance(n, str) and n} if isinstance(names, list) else set()


def problems(kind: FlowTrigger, config: dict[str, Any], label_ids: set[str]) -> list[str]:
    """What is wrong with a trigger config (empty when it can run)."""
    out: list[str] = []
    variables = config.get("variables")
    if variables is not None and not (
        isinstance(variables, list) and all(isinstance(v, str) and v for v in variables)
    ):
        out.append("variables must be a list of names")
    match kind:
        case FlowTrigger.KEYWORD:
            keywords = config.get("keywords")
            if not isinstance(keywords, list) or not keywords:
                return [*out, "a keyword trigger needs keywords"]
            if len(keywords) > MAX_KEYWORDS:
                out.append(f"at most {MAX_KEYWORDS} keywords")
            if not all(isinstance(k, str) and fold(k) for k in keywords):
                out.append("every keyword must be a non-empty text")
            match = config.get("match", "exact")
            if match not in MATCHES:
                out.append(f"match must be one of {', '.join(MATCHES)}")
            if match == "regex":
                for k in keywords:
                    if isinstance(k, str) and (why := safe_regex.check(k)):
                        out.append(f"keyword {k!r}: {why}")
        case FlowTrigger.LABEL_ADDED:
            label = config.get("labelId")
            if not isinstance(label, str) or label not in label_ids:
                out.append("a label trigger needs the id of one of this workspace's labels")
        case FlowTrigger.INBOUND_MEDIA:
            types = config.get("mediaTypes", [])
            allowed = {m.value for m in MediaType}
            if not isinstance(types, list) or not all(t in allowed for t in types):
                out.append(f"mediaTypes must be a list of {', '.join(sorted(allowed))}")
        case FlowTrigger.SCHEDULED:
            try:
                cron(config, None)
            except (ValueError, ZoneInfoNotFoundError) as exc:
                out.append(f"schedule: {exc}")
            label = config.get("labelId")
            if label is not None and label not in label_ids:
                out.append("labelId is not one of this workspace's labels")
    return out


def keyword_matches(config: dict[str, Any], text: str | None) -> bool:
    if not text:
        return False
    keywords = [k for k in config.get("keywords") or [] if isinstance(k, str)]
    match config.get("match", "exact"):
        case "contains":
            folded = fold(text)
            return any(
                regex.search(rf"(?<!\w){regex.escape(fold(k))}(?!\w)", folded)
                for k in keywords
                if fold(k)
            )
        case "regex":
            folded = fold(text)
            return any(safe_regex.search(k, text) or safe_regex.search(k, folded) for k in keywords)
        case _:
            said = word(text)
            return any(said == word(k) for k in keywords if word(k))


def media_matches(config: dict[str, Any], media_type: MediaType | None) -> bool:
    if media_type is None:
        return False
    wanted = config.get("mediaTypes") or []
    return not wanted or media_type.value in wanted


def cron(config: dict[str, Any], workspace_tz: str | None) -> CronTrigger:
    """The schedule of a SCHEDULED trigger; raises ValueError / ZoneInfoNotFoundError."""
    expression = config.get("cron")
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError("a cron expression is needed, e.g. '0 9 * * 1' (Mondays at 9:00)")
    tz = config.get("timezone") or workspace_tz or "UTC"
    if not isinstance(tz, str):
        raise ValueError("timezone must be a name such as 'Europe/Berlin'")
    return CronTrigger.from_crontab(expression.strip(), timezone=ZoneInfo(tz))


def due_slot(
    schedule: CronTrigger, last: datetime, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """(the slot to fire now or None, the mark to store or None when nothing changes).

    `last` is the last slot fired (or the activation time). Several slots missed while the app
    was down fire once; one missed by more than `MISSED_GRACE` is skipped (the mark moves on).
    """
    tick = timedelta(microseconds=1)
    slot = schedule.get_next_fire_time(None, last + tick)
    if slot is None or slot > now:
        return None, None
    start = max(last, now - MISSED_GRACE)  # older slots are skipped anyway
    latest = schedule.get_next_fire_time(None, start + tick)
    if latest is None or latest > now:
        return None, now  # every missed slot is older than the grace
    while True:  # the newest slot at or before now: fire that one, once
        following = schedule.get_next_fire_time(latest, latest + tick)
        if following is None or following > now:
            return latest, latest
        latest = following
