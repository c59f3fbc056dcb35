"""The suite's shared fixtures live in `testing/` (outside the runtime packages) and are registered once, here."""

pytest_plugins = ["testing.fixtures", "testing.api", "testing.browser"]
