"""Authentication and authorization primitives: passwords, tokens, the permission matrix."""

from app.auth.guard import guarded, require
from app.auth.passwords import check_strength, hash_password, needs_rehash, verify_password
from app.auth.permissions import MATRIX, Resource, can
from app.auth.throttle import Throttle
from app.auth.tokens import AccessClaims, TokenSigner, hash_secret, new_secret

__all__ = [
    "MATRIX",
    "AccessClaims",
    "Resource",
    "Throttle",
    "TokenSigner",
    "can",
    "check_strength",
    "guarded",
    "hash_password",
    "hash_secret",
    "needs_rehash",
    "new_secret",
    "require",
    "verify_password",
]
