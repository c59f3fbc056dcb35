"""The back office's admin site: Django's admin with the dashboard as its home page.

`/admin/` (the admin's "Home", its breadcrumbs' first link) opens the dashboard; the admin's own
list of every model moves to `/admin/records/` ("All records" in the navigation).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import path


class BackOfficeSite(admin.AdminSite):
    site_header = "Store back office"
    site_title = "Store back office"
    index_title = "All records"
    site_url = None  # the back office is the site: no "View site" link
    # One navigation: the back office's top bar (templates/backoffice/_topbar.html) replaces the sidebar.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        return redirect("dashboard:home")

    def records(self, request, extra_context=None):
        """Django's admin index: every model the user may see, grouped by app."""
        return super().index(request, extra_context)

    def get_urls(self):
        return [path("records/", self.admin_view(self.records), name="records"), *super().get_urls()]


class BackOfficeAdminConfig(AdminConfig):
    """Installed in place of "django.contrib.admin", so `admin.site` is the BackOfficeSite."""

    default_site = "dashboard.sites.BackOfficeSite"
