"""The API docs pages, served from the project (drf-spectacular-sidecar): Swagger UI and ReDoc.

Both live under the site's Content-Security-Policy (scripts and styles from the site itself only).
Swagger UI's initializer is a file (the split view's `?script=`), not an inline script. ReDoc's bundle
creates style elements while it runs: they carry this response's CSP nonce (passed to ReDoc by
shop/redoc-init.js), and the stylesheet it injects while loading, before any option can reach it, is
allowed by its hash (with the empty text it starts from). A sidecar upgrade that changes that
stylesheet shows up as a CSP violation in shop/tests/api/test_docs.py.
"""

from csp.constants import NONCE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_STYLE_SOURCES = [
    NONCE,
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty style element
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # the bundle's own stylesheet
]

swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="schema")
redoc = csp_update({"style-src": REDOC_STYLE_SOURCES})(SpectacularRedocView.as_view(url_name="schema"))
