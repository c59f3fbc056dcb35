"""JSON that the database can hold: no NUL character (nor a lone surrogate) in a key or a string, no
number JSON can't write (1e400 parses to infinity), no nesting deeper than a limit.

One check for every door that takes JSON: the API's edge (shop.api.body) and the admin's forms.
"""

import math
import re

# NUL and lone surrogates: PostgreSQL cannot store them, and no honest client sends them.
FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 32


def json_value_problem(value, *, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` (parsed JSON) can't be stored, or None. Iterative: no recursion limit."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if FORBIDDEN_CHARACTERS.search(item):
                return "Null characters are not allowed."
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "A number is out of range."
        elif isinstance(item, dict | list):
            if depth > max_depth:
                return f"JSON nested deeper than {max_depth} levels."
            if isinstance(item, dict):
                if any(FORBIDDEN_CHARACTERS.search(key) for key in item):
                    return "Null characters are not allowed."
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return None
