"""Checks of API.md's envelope, for tests of the API's edges."""

ERROR_KEYS = {"success", "code", "message", "errors"}


def assert_envelope(response, status, code):
    """An error answer in the envelope, with this status and `code`, and no traceback leaked."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= ERROR_KEYS and body["success"] is False, body
    assert body["code"] == code, body
    assert b"Traceback" not in response.content and b'File "' not in response.content
    return body


def nested(depth: int, leaf=1):
    """A JSON value nested `depth` lists deep."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value
