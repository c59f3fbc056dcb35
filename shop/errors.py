"""Domain errors: what services and selectors raise when a rule refuses a request.

They know nothing of HTTP. Each carries API.md's machine-readable `code`; the API's one
exception handler (shop.api.exceptions) turns them into the error envelope and its status.
"""


class ApplicationError(Exception):
    """A rule refused the input: `message` for people, `errors` per field (or None)."""

    code = "validation_error"

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(ApplicationError):
    """Missing, or not the caller's to see (another customer's order is "not found" too)."""

    code = "not_found"


class Conflict(ApplicationError):
    """The request is valid but the store's state refuses it: out of stock, a bad status move, a coupon used up."""

    code = "conflict"


class NotAuthenticated(ApplicationError):
    """The caller could not be identified: a missing or bad signature, say."""

    code = "not_authenticated"
