"""Request bodies: what the API and the dashboard accept, one module per resource.

Every body derives from `Body` (strict: an unknown field is rejected, a typo must not pass
silently), so a form in the dashboard is checked exactly as the same request to `/api/v1` is.
This package sits below both `app/api` and `ui/` and imports nothing but `app/domain`.
"""

from app.schemas.base import Body

__all__ = ["Body"]
