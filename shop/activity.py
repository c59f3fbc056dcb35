"""The activity log: one function writes it, so every entry has the same shape."""

from shop.models import Activity


def activity_log(*, action: str, description: str, user=None) -> Activity:
    """Record what happened (e.g. action="order.placed"). Saved in the caller's transaction."""
    return Activity.objects.create(action=action, description=description[:500], user=user)
