"""System checks: the declarations and the settings that refer to them must agree."""

from django.apps import apps
from django.conf import settings
from django.core import checks

from .families import all_families


@checks.register("cache")
def check_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    declared = {family.name for family in all_families()}
    for name in sorted(set(getattr(settings, "CACHE_TTLS", {}) or {}) - declared):
        errors.append(
            checks.Error(
                f"CACHE_TTLS names {name!r}, which is not a cache family",
                hint=f"Declared families: {', '.join(sorted(declared))}",
                id="cache.E001",
            )
        )
    for family in all_families():
        for rows in family.depends_on:
            try:
                apps.get_model(rows.model)
            except (LookupError, ValueError):
                errors.append(
                    checks.Error(
                        f"Cache family {family.name!r} depends on {rows.model!r}, which is not an installed model",
                        hint='Name models as "app_label.ModelName".',
                        id="cache.E002",
                    )
                )
    return errors


@checks.register("cache", checks.Tags.database)
def check_triggers(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """With `check --database default`: the outbox triggers `migrate` installed match the declarations."""
    from django.db import connections

    from .outbox import installed_fingerprint
    from .outbox_sql import fingerprint

    messages = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            if "shop_cache_outbox" not in connection.introspection.table_names(cursor):
                continue  # not migrated yet: `migrate` installs them
        installed = installed_fingerprint(connection)
        if installed != fingerprint(connection.vendor):
            messages.append(
                checks.Warning(
                    "The cache outbox triggers differ from the family declarations",
                    hint="Run `python manage.py migrate`: it installs the triggers the declarations ask for.",
                    id="cache.W001",
                )
            )
    return messages
