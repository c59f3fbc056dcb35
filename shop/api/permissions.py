from rest_framework.permissions import BasePermission


def is_admin(user) -> bool:
    """API.md's "admin": a logged-in user with is_staff."""
    return bool(user and user.is_authenticated and user.is_staff)


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_admin(request.user)


class IsAdminUnlessGet(BasePermission):
    """Anyone may GET; every other method needs an admin."""

    def has_permission(self, request, view):
        return request.method == "GET" or is_admin(request.user)
