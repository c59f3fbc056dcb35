"""Admin form helpers: database constraints reported next to their field, opening hours as days and times."""

import json
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

from shop.json_values import json_value_problem

# --- constraints as field messages ----------------------------------------------------------------
COMPARISONS = {"gte": "at least", "gt": "more than", "lte": "at most", "lt": "less than"}


def constraint_fields(constraint) -> set[str]:
    """The model fields a check or unique constraint reads."""
    if isinstance(constraint, CheckConstraint):
        return set(Q(constraint.condition).referenced_base_fields)
    if isinstance(constraint, UniqueConstraint):
        names = set(constraint.fields)
        for expression in constraint.expressions:
            names |= {node.name for node in expression.flatten() if isinstance(node, F)}
        return names
    return set()


def constraint_message(constraint, model) -> str | None:
    """Words for a check made of plain comparisons: `price >= 0` → "Must be at least 0."."""
    condition = getattr(constraint, "condition", None)
    if not isinstance(condition, Q) or condition.negated or condition.connector != Q.AND or not condition.children:
        return None
    parts = []
    for child in condition.children:
        if not isinstance(child, tuple):
            return None
        lookup, value = child
        operator = lookup.rpartition("__")[2]
        if operator not in COMPARISONS:
            return None
        if isinstance(value, F):
            value = model._meta.get_field(value.name).verbose_name
        parts.append(f"{COMPARISONS[operator]} {value}")
    return f"Must be {' and '.join(parts)}."


class ConstraintMessagesMixin:
    """ModelForm mixin: a database constraint that the entered values break is reported on the
    field it is about (the last of its fields, in model order, that the form shows), in words:
    `constraint_messages[name]`, else words derived from a plain comparison, instead of Django's
    `Constraint "product_price_gte_0" is violated.` at the top of the form."""

    constraint_messages: dict[str, str] = {}

    def _post_clean(self):
        super()._post_clean()
        general = self._errors.get(NON_FIELD_ERRORS)
        if not general:
            return
        model = self._meta.model
        order = [f.name for f in model._meta.concrete_fields]
        for constraint in model._meta.constraints:
            raw = constraint.get_violation_error_message()
            if raw not in general:
                continue
            names = constraint_fields(constraint)
            shown = [name for name in order if name in names and name in self.fields]
            if not shown:
                continue
            message = (
                self.constraint_messages.get(constraint.name)
                or constraint_message(constraint, model)
                or f"This value breaks the rule “{constraint.name}”."
            )
            general.data = [
                e for e in general.data if raw not in (e.messages if isinstance(e, ValidationError) else [e])
            ]
            if not general.data:
                del self._errors[NON_FIELD_ERRORS]
            self.add_error(shown[-1], ValidationError(message, code="constraint"))
            general = self._errors.get(NON_FIELD_ERRORS)
            if not general:
                return


# --- opening hours --------------------------------------------------------------------------------
# The API's shape (shop.serializers.BusinessInputSerializer): a JSON object of day → "HH:MM-HH:MM",
# e.g. {"mon": "09:00-17:00"}; a day that is absent is closed. Read also: {"open": .., "close": ..}
# objects (demo/data.py writes those) and "9-17". Keys that are not days are kept as they are.
DAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
CLOSED_WORDS = {"", "closed", "none", "-"}
TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")


def _clock(text: str) -> str | None:
    """ "9" → "09:00", "17:30" → "17:30"; None when it is not a time of day."""
    match = TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def parse_day(value) -> tuple[bool, str, str]:
    """A stored day → (closed, open, close). Unreadable values come back open with empty times."""
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() in CLOSED_WORDS):
        return True, "", ""
    if isinstance(value, dict):
        opening, closing = str(value.get("open", "")), str(value.get("close", ""))
    elif isinstance(value, str) and value.count("-") == 1:
        opening, closing = value.split("-")
    else:
        return False, "", ""
    return False, _clock(opening) or "", _clock(closing) or ""


@dataclass
class HoursRows:
    """What the widget shows and posts: per day (closed, open, close), and the other keys as they were."""

    days: dict[str, tuple[bool, str, str]]
    extra: dict = field(default_factory=dict)
    extra_problem: str = ""  # the other keys could not be read or stored (shop.json_values)

    @classmethod
    def from_json(cls, value) -> "HoursRows":
        value = value if isinstance(value, dict) else {}
        keys = {key for key, _ in DAYS}
        return cls(
            days={key: parse_day(value.get(key)) for key, _ in DAYS},
            extra={k: v for k, v in value.items() if k not in keys},
        )


class OpeningHoursWidget(forms.Widget):
    template_name = "shop/widgets/opening_hours.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = value if isinstance(value, HoursRows) else HoursRows.from_json(value)
        context["widget"]["days"] = [
            {
                "key": key,
                "label": label,
                "closed": rows.days[key][0],
                "open": rows.days[key][1],
                "close": rows.days[key][2],
            }
            for key, label in DAYS
        ]
        context["widget"]["extra"] = json.dumps(rows.extra) if rows.extra else ""
        return context

    def value_from_datadict(self, data, files, name):
        problem = ""
        try:
            extra = json.loads(data.get(f"{name}_extra") or "{}")
        except json.JSONDecodeError:
            extra = {}
        except RecursionError:
            extra, problem = {}, "The other keys are nested too deeply."
        else:
            problem = json_value_problem(extra) or ""
            extra = {} if problem else extra
        return HoursRows(
            extra_problem=problem,
            days={
                key: (
                    bool(data.get(f"{name}_{key}_closed")),
                    (data.get(f"{name}_{key}_open") or "").strip(),
                    (data.get(f"{name}_{key}_close") or "").strip(),
                )
                for key, _ in DAYS
            },
            extra=extra if isinstance(extra, dict) else {},
        )

    def value_omitted_from_data(self, data, files, name):
        return not any(key.startswith(f"{name}_") for key in data)


class OpeningHoursField(forms.Field):
    """Opening hours as a row per day (open, close, closed) that reads and writes the API's JSON."""

    widget = OpeningHoursWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Times in the store's timezone. A day marked closed is left out.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value if isinstance(value, HoursRows) else HoursRows.from_json(value)

    def to_python(self, value) -> dict:
        rows = value if isinstance(value, HoursRows) else HoursRows.from_json(value)
        hours, errors = {}, [rows.extra_problem] if rows.extra_problem else []
        for key, label in DAYS:
            closed, opening, closing = rows.days[key]
            if closed:
                continue
            if not opening and not closing:
                errors.append(f"{label}: enter the opening and closing times, or tick “closed”.")
                continue
            start, end = _clock(opening), _clock(closing)
            if start is None or end is None:
                errors.append(f"{label}: enter both times as HH:MM.")
            elif start == end:
                errors.append(f"{label}: the store can't close at the time it opens.")
            else:
                hours[key] = f"{start}-{end}"
        if errors:
            raise ValidationError(errors, code="invalid")
        return {**rows.extra, **hours}

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True
