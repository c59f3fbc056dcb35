"""Product writes. The cache follows by itself: the outbox triggers record each changed row."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from products.models import Product
from shop.activity import activity_log
from shop.errors import Conflict, NotFound

SLUG_MAX_LENGTH = Product._meta.get_field("slug").max_length


def product_unique_slug(*, name: str, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "product")[: SLUG_MAX_LENGTH - 12].strip("-") or "product"
    taken = Product.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _locked(product_id: int) -> Product:
    try:
        return Product.objects.select_for_update().get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound("Product not found") from None


def _save(product: Product) -> None:
    """Model validation (400) then save; a slug taken by a concurrent write in between is a 409."""
    product.full_clean()
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise Conflict("A product with this slug was just created; retry", {"slug": ["Already taken."]}) from None


@transaction.atomic
def product_create(*, data: dict, user) -> Product:
    product = Product(**data)
    if not product.slug:
        product.slug = product_unique_slug(name=product.name)
    _save(product)
    activity_log(action="product.created", description=f"Product {product.name} created", user=user, target=product)
    return product


# Changes the activity log spells out with their old and new values; other fields are named only.
DESCRIBED_CHANGES = ("price", "stock", "is_active")


def _spelled(field: str, old, new) -> str:
    if field == "is_active":
        return "now on sale" if new else "now hidden from the shop"
    if field == "price":
        return f"price {old:.2f} → {new:.2f}"
    return f"{field} {old} → {new}"


def product_change_description(*, name: str, before: dict, after: dict) -> str:
    """ "Oat milk: price 3.20 → 3.50, stock 4 → 20; also description" (the fields that changed)."""
    changed = [field for field in after if before.get(field) != after[field]]
    if not changed:
        return f"Product {name} saved without changes"
    spelled = [_spelled(field, before[field], after[field]) for field in DESCRIBED_CHANGES if field in changed]
    named = sorted(field for field in changed if field not in DESCRIBED_CHANGES)
    text = ", ".join(spelled) if spelled else f"{', '.join(named)} changed"
    if spelled and named:
        text += f"; also {', '.join(named)}"
    return f"Product {name}: {text}"


@transaction.atomic
def product_update(*, product_id: int, data: dict, user) -> Product:
    product = _locked(product_id)
    before = {name: getattr(product, name) for name in data}
    for name, value in data.items():
        setattr(product, name, value)
    _save(product)
    after = {name: getattr(product, name) for name in data}
    activity_log(
        action="product.updated",
        description=product_change_description(name=product.name, before=before, after=after),
        user=user,
        target=product,
    )
    return product


@transaction.atomic
def product_delete(*, product_id: int, user) -> Product:
    """Deletes the row; past order items keep their name and prices (their product becomes NULL)."""
    product = _locked(product_id)
    snapshot = Product(**{f.attname: getattr(product, f.attname) for f in Product._meta.concrete_fields})
    product.delete()
    activity_log(action="product.deleted", description=f"Product {snapshot.name} deleted", user=user)
    return snapshot


@transaction.atomic
def product_bulk_set_active(*, product_ids: list[int], is_active: bool, user) -> int:
    """Show or hide many products in one UPDATE (no save signals: the cache is cleared here)."""
    changed = (
        Product.objects.filter(pk__in=product_ids)
        .exclude(is_active=is_active)
        .update(is_active=is_active, updated_at=timezone.now())
    )
    if changed:
        state = "activated" if is_active else "deactivated"
        activity_log(action=f"product.bulk_{state}", description=f"{changed} products {state}", user=user)
    return changed
