"""Access tokens (JWT RS256, 15 min) and opaque secrets (refresh tokens, API keys, invites).

The RSA key pair is generated on first run and kept in the secret store, so restarts keep
everyone signed in and nothing signing-related sits in the data dir in clear.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.domain import Clock, Unauthorized, new_id
from app.secrets import SecretStore

_KEY_NAME = "jwt_private_key"
_ISSUER = "aimywhatsapp"


def new_secret(prefix: str = "") -> str:
    """A 256-bit url-safe random token."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(token: str) -> str:
    """SHA-256 hex of a high-entropy token. A slow hash adds nothing at 256 bits of entropy and
    would prevent the indexed lookup by hash that refresh tokens and API keys need."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_family: str
    expires_at: datetime


class TokenSigner:
    """Issues and verifies RS256 access tokens."""

    def __init__(self, store: SecretStore, clock: Clock, ttl_s: int) -> None:
        pem = store.get(_KEY_NAME)
        if pem is None:  # nodes sharing the store and starting together agree on one key
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = store.setdefault(
                _KEY_NAME,
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ).decode(),
            )
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise RuntimeError("the stored token signing key is not an RSA key")
        self._private = private
        self._public = private.public_key()
        self._clock = clock
        self.ttl = timedelta(seconds=ttl_s)

    def issue(self, user_id: str, session_family: str) -> str:
        now = self._clock.now()
        claims = {
            "sub": user_id,
            "sid": session_family,
            "iss": _ISSUER,
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
            "jti": new_id(),
            "typ": "access",
        }
        return jwt.encode(claims, self._private, algorithm="RS256")

    def verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                issuer=_ISSUER,
                options={
                    "require": ["exp", "sub", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid access token ({exc})") from exc
        expires = datetime.fromtimestamp(claims["exp"], tz=self._clock.now().tzinfo)
        if claims.get("typ") != "access" or expires <= self._clock.now():
            raise Unauthorized("access token expired or of the wrong type")
        return AccessClaims(claims["sub"], claims.get("sid", ""), expires)
