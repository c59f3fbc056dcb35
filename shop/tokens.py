"""Which JWTs are still good: the checks behind "a password change or deactivation ends every token".

simplejwt signs the tokens and checks their expiry and the refresh-token blacklist. On top of that a
token is refused once its user

- is inactive;
- has changed password: every token carries `pwd`, a digest of the password hash at issue time
  (simplejwt's CHECK_REVOKE_TOKEN claim, added by every `RefreshToken.for_user`);
- was deactivated after the token was issued (`User.auth_revoked_at`), even if reactivated since.

`token_is_current` is pure: it reads the token and whatever user object it is given (from the
database, or the read-only user of shop.cached.user_from_cache, which carries the password's digest
instead of its hash).
"""

import hmac

from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password


def password_digest(password_hash: str) -> str:
    """What a token's `pwd` claim holds: a digest of the password hash, never the hash itself."""
    return get_md5_hash_password(password_hash)


def token_is_current(token, user) -> bool:
    """True while `token` (a validated simplejwt token or its payload) still speaks for `user`."""
    if user is None or not user.is_active:
        return False
    claimed = token.get(api_settings.REVOKE_TOKEN_CLAIM)
    digest = getattr(user, "cached_password_digest", None) or password_digest(user.password)
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed, digest):
        return False
    revoked_at = getattr(user, "auth_revoked_at", None)
    if revoked_at is not None:
        # `iat` is whole seconds, rounded down: a token issued in the second of the revocation, before
        # or after it, is refused (a token issued just after a reactivation in that second, too).
        issued_at = token.get("iat")
        if not isinstance(issued_at, int | float) or issued_at <= revoked_at.timestamp():
            return False
    return True
