"""The business row's opening hours: one shape for every door that writes them (the API's serializer,
the admin's form), so no nesting, size or character the database cannot hold gets that far.

    {"mon": {"open": "08:00", "close": "22:00"}, "tue": "9-17", "sun": null, ...}

Each weekday is optional: opening and closing time (HH:MM), free text up to DAY_TEXT_MAX characters,
or null for closed.
"""

import re

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK_TIME = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
DAY_TEXT_MAX = 50


def opening_hours_problems(value) -> list[str]:
    """What is wrong with `value` as opening hours (empty when nothing is)."""
    if not isinstance(value, dict):
        return ['Must be an object of weekdays, e.g. {"mon": {"open": "09:00", "close": "17:00"}}.']
    problems = []
    for day, hours in value.items():
        if day not in WEEKDAYS:
            problems.append(f"Unknown day {str(day)[:20]!r}; use {', '.join(WEEKDAYS)}.")
        elif isinstance(hours, str):
            if len(hours) > DAY_TEXT_MAX or "\x00" in hours:
                problems.append(f"{day}: at most {DAY_TEXT_MAX} characters of text.")
        elif isinstance(hours, dict):
            times = [hours.get("open"), hours.get("close")]
            if set(hours) != {"open", "close"} or not all(
                isinstance(t, str) and re.fullmatch(CLOCK_TIME[1:-1], t) for t in times
            ):
                problems.append(f'{day}: give "open" and "close" as HH:MM, and nothing else.')
        elif hours is not None:
            problems.append(f"{day}: give times, text, or null for closed.")
    return problems
