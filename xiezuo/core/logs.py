"""Logging pieces that `settings.LOGGING` names."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter


class ClientErrorsWithoutTraceback(logging.Filter):
    """Keep a 4xx answer's log line but not its traceback (Django attaches one to every 400).

    A junk link or a probing bot then costs one line each; a 500's traceback stays.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class SecretsHiddenFilter(SafeExceptionReporterFilter):
    """Django's filter for the debug page and error reports, hiding also URLs and database
    settings (a database URL carries its password), in settings and in request variables."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|DATABASE|DSN", flags=re.I
    )
