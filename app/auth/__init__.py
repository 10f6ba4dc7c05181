"""Authentication and authorization primitives: passwords, tokens, the service guard.

The permission matrix itself is domain data (`app/domain/permissions.py`); it is re-exported
here because the guard and the API read it together with the rest of this package.
"""

from app.auth.guard import Guard, guard_of, guarded, require
from app.auth.passwords import check_strength, hash_password, needs_rehash, verify_password
from app.auth.throttle import Throttle
from app.auth.tokens import AccessClaims, TokenSigner, hash_secret, new_secret
from app.domain.permissions import MATRIX, Resource, can

__all__ = [
    "MATRIX",
    "AccessClaims",
    "Guard",
    "Resource",
    "Throttle",
    "TokenSigner",
    "can",
    "check_strength",
    "guard_of",
    "guarded",
    "hash_password",
    "hash_secret",
    "needs_rehash",
    "new_secret",
    "require",
    "verify_password",
]
