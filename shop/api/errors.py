class ApplicationError(Exception):
    """A domain rule refused the request. Rendered as the envelope with `status`."""

    status = 400

    def __init__(self, message: str, errors: dict | None = None, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        if status is not None:
            self.status = status


class Conflict(ApplicationError):
    """Out of stock, a bad status transition, a coupon used up: 409."""

    status = 409


class NotFound(ApplicationError):
    status = 404
