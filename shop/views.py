"""Error pages: the JSON envelope under /api/, Django's pages elsewhere.

Errors inside the API's views get the envelope from the DRF exception handler
(shop.api.exceptions); these cover what never reaches a view, such as an unknown URL or a bad
`Host`, when DEBUG is off. With DEBUG on, Django renders its debug pages instead of calling these;
`shop.api.middleware.ApiEdgeMiddleware` turns those into the envelope too.
"""

from django.views import defaults

from shop.api.responses import error_response


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def bad_request(request, exception=None):
    if is_api_path(request.path_info):
        return error_response(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api_path(request.path_info):
        return error_response(403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception=None):
    if is_api_path(request.path_info):
        return error_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_path(request.path_info):
        return error_response(500)
    return defaults.server_error(request)
