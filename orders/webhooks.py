"""The payment provider's webhook signature: HMAC-SHA256 of the raw body, `X-Signature: sha256=<hex>`."""

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def webhook_signature(*, body: bytes, secret: str) -> str:
    """The header value a provider sends for this body (tests and the provider's side use it)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_signature_valid(*, body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time check; without a configured secret nothing is accepted."""
    if not secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(webhook_signature(body=body, secret=secret).encode(), header.strip().encode())
