from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from shop.api import docs
from shop.views import bad_request, not_found, permission_denied, server_error

urlpatterns = [
    path("", RedirectView.as_view(url="/dashboard/", permanent=False)),
    path("admin/", admin.site.urls),
    # Only log in and out: no password-reset pages (no mail is configured, and they would tell who has an
    # account); staff change passwords in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs.swagger_ui, name="swagger-ui"),
    path("api/redoc/", docs.redoc, name="redoc"),
    path("api/v1/", include("shop.api_urls")),
    path("api/v1/", include("products.urls")),
    path("api/v1/", include("orders.urls")),
    path("api/v1/dashboard/", include("dashboard.api_urls")),
    path("dashboard/", include("dashboard.urls")),
]

handler400 = bad_request
handler403 = permission_denied
handler404 = not_found
handler500 = server_error
