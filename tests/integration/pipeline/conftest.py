"""Pipeline tests use the `bot` fixtures of tests/integration/conftest.py."""

from tests.integration.bots import Bot, eventually

__all__ = ["Bot", "eventually"]
