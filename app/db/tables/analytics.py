"""Hourly analytics aggregates (issue 17 item 2; `app/domain/analytics.py` defines the metrics).

Rows are rewritten, never incremented: the aggregation job recomputes whole UTC hours from the
raw rows and replaces them together with the watermark in one transaction, so a crash or a
second run can never count a message twice.
"""

from __future__ import annotations

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import owned_by, primary_key, required_timestamp
from app.db.tables.auth import Workspace


class AnalyticsHourly(Table, tablename="analytics_hourly"):
    """`value` of `metric`/`dim` in one UTC hour of one session ("" for rows without one)."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    session_id = Varchar(length=36, default="")
    hour = Timestamptz()
    metric = Varchar(length=32)
    dim = Varchar(length=64, default="")
    value = Integer(default=0)

    unique_cell = Unique([workspace_id, hour, session_id, metric, dim])


class AnalyticsWatermark(Table, tablename="analytics_watermarks"):
    """How far (`until`, an hour start, exclusive) the hourly rows are complete."""

    id = primary_key()
    name = Varchar(length=32, unique=True)
    until = required_timestamp()
