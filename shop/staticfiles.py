"""Static files storage: collectstatic's hashed, compressed files when they exist; the plain ones otherwise."""

from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesWithFallback(CompressedManifestStaticFilesStorage):
    """whitenoise's manifest storage, except that a file collectstatic has not collected (because it has
    not run yet, say, with DEBUG=0 under `make run`) is linked by its plain name instead of failing the
    page with a 500. whitenoise serves that name from the app's own static folder (WHITENOISE_USE_FINDERS).
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            if finders.find(name):
                return name
            raise
