"""API conventions shared by every app: the envelope, errors, pagination, permissions."""
