"""What the bench sends: the endpoints (from the registry of cached reads) and the seeded request mixes.

Nothing here is a hand-kept list of endpoints: `discover` (run in a Django process by bench.py)
reads `shop.cache.cached_reads()`, each read's `http` URL templates and `staff` flag, and the
store's products and categories to fill `{product_id}` and `{category}` in. A new cached read is
in the bench as soon as it is declared.

The mixes are built once, from a fixed seed, and every configuration replays the same sequence.
"""

from __future__ import annotations

import random
from decimal import Decimal
from urllib.parse import quote

# The mixes: the share of order placements; reads take the rest, split as in the realistic mix
# (80 public product/business reads : 15 staff dashboard reads).
MIXES = {
    "read-only": 0.0,
    "realistic": 0.05,
    "orders 20%": 0.20,
}
PUBLIC_TO_STAFF = (80, 15)
# Within the public reads: a template naming a product gets this share (Zipf-like popularity: the
# k-th product is asked for about 1/k as often as the first), one naming a category this share,
# and the templates without a placeholder (full list, business, coupons, ...) share the rest.
PRODUCT_SHARE, CATEGORY_SHARE = 0.40, 0.20
REQUESTS_PER_MIX = 1000
SEED = 7

DISCOVER = """
import json
from django.urls import get_resolver
get_resolver().url_patterns  # imports every API module, so every @cached read is registered
from shop.cache import cached_reads
from products.models import Product
from shop.models import Business
active = Product.objects.filter(is_active=True).order_by("id")
ids = list(active.values_list("id", flat=True))
business = Business.objects.first()
print(json.dumps({
    "reads": [
        {"name": r.name, "family": r.family.name, "staff": r.staff, "templates": list(r.http)}
        for r in cached_reads()
    ],
    "product_ids": ids,
    "categories": sorted(set(active.values_list("category", flat=True))),
    "sample": {"product_id": ids[0], "category": active.first().category},
    "orderable": {p.id: str(p.price) for p in active.filter(stock__gte=200)[:100]},
    "min_order_amount": str(business.min_order_amount) if business else "0",
}))
"""


def fill(template: str, *, product_id, category) -> str:
    return template.format(product_id=product_id, category=quote(str(category)))


def endpoints(found: dict) -> list[dict]:
    """Every cached read's URLs, filled with the store's first product: name, path, staff, family."""
    out = []
    for read in found["reads"]:
        for i, template in enumerate(read["templates"]):
            name = read["family"] + (f" #{i + 1}" if len(read["templates"]) > 1 else "")
            out.append(
                {
                    "name": name,
                    "path": fill(template, **found["sample"]),
                    "template": template,
                    "staff": read["staff"],
                    "family": read["family"],
                }
            )
    return out


def _weighted_public(found: dict) -> list[tuple[str, float]]:
    templates = [t for r in found["reads"] if not r["staff"] for t in r["templates"]]
    by_product = [t for t in templates if "{product_id}" in t]
    by_category = [t for t in templates if "{category}" in t and "{product_id}" not in t]
    plain = [t for t in templates if t not in by_product and t not in by_category]
    shares = {"product": PRODUCT_SHARE if by_product else 0, "category": CATEGORY_SHARE if by_category else 0}
    rest = 1 - sum(shares.values())
    weighted = [(t, shares["product"] / len(by_product)) for t in by_product]
    weighted += [(t, shares["category"] / len(by_category)) for t in by_category]
    weighted += [(t, rest / len(plain)) for t in plain] if plain else []
    return weighted


def mix_plan(found: dict, orders_share: float, *, n: int = REQUESTS_PER_MIX, seed: int = SEED) -> list[dict]:
    """`n` steps: {"kind": "read"|"dashboard"|"order", "method", "path", "body"}; the same for every configuration."""
    rng = random.Random(f"{seed}:{orders_share}")
    public = _weighted_public(found)
    staff = [t for r in found["reads"] if r["staff"] for t in r["templates"]]
    product_ids, categories = found["product_ids"], found["categories"]
    popularity = [1 / (rank + 1) for rank in range(len(product_ids))]
    orderable = {int(pid): Decimal(price) for pid, price in found["orderable"].items()}
    minimum = Decimal(found["min_order_amount"])
    public_share = (1 - orders_share) * PUBLIC_TO_STAFF[0] / sum(PUBLIC_TO_STAFF)
    plan = []
    for i in range(n):
        roll = rng.random()
        if roll < public_share or (roll < 1 - orders_share and not staff):
            template = rng.choices([t for t, _ in public], weights=[w for _, w in public])[0]
            path = fill(
                template,
                product_id=rng.choices(product_ids, weights=popularity)[0],
                category=rng.choice(categories),
            )
            plan.append({"kind": "read", "method": "GET", "path": path, "body": None})
        elif roll < 1 - orders_share:
            plan.append({"kind": "dashboard", "method": "GET", "path": rng.choice(staff), "body": None})
        else:
            chosen = rng.sample(sorted(orderable), rng.choice([1, 2, 3]))
            quantities = dict.fromkeys(chosen, 1)
            while sum(orderable[pid] * q for pid, q in quantities.items()) < minimum:
                quantities[chosen[0]] += 1
            body = {
                "items": [{"product_id": pid, "quantity": q} for pid, q in quantities.items()],
                "delivery_address": "1 Benchmark Street",
                "payment_method": "cash",
                "notes": f"bench mix step {i}",
            }
            plan.append({"kind": "order", "method": "POST", "path": "/api/v1/orders", "body": body})
    return plan


def all_mixes(found: dict) -> dict[str, list[dict]]:
    return {name: mix_plan(found, share) for name, share in MIXES.items()}
