"""Reusable dashboard widgets: small functions and element subclasses the pages compose."""

from __future__ import annotations

from ui.components.busy import busy
from ui.components.confirm import confirm
from ui.components.error import ErrorLabel
from ui.components.paged_table import PagedTable
from ui.components.secret_box import SecretBox

__all__ = ["ErrorLabel", "PagedTable", "SecretBox", "busy", "confirm"]
