from rest_framework.permissions import BasePermission


class IsAdmin(BasePermission):
    """API.md's "admin": a logged-in user with is_staff."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
