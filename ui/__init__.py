"""The NiceGUI dashboard. Pages call `app/services` in-process (DESIGN §1), never HTTP."""

from ui.mount import mount_ui

__all__ = ["mount_ui"]
