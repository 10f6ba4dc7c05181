"""The dashboard's sign-in throttle: N per window per key, then RateLimited with a wait."""

from __future__ import annotations

import pytest

from app.auth import Throttle
from app.domain import RateLimited


def test_limits_per_key_and_says_how_long_to_wait() -> None:
    t = Throttle(limit=3, window_s=60)
    for _ in range(3):
        t.hit("1.2.3.4")
    with pytest.raises(RateLimited) as err:
        t.hit("1.2.3.4")
    assert 1 <= err.value.retry_after <= 61
    t.hit("5.6.7.8")  # another IP has its own budget


def test_window_slides() -> None:
    t = Throttle(limit=1, window_s=0.05)
    t.hit("k")
    import time

    time.sleep(0.06)
    t.hit("k")  # the old attempt left the window
