"""Log filters that keep customer data out of every log line, access logs included."""

import logging
import re

# A request line or URL inside a log message: keep the path, drop the query string (search terms are personal data).
_QUERY = re.compile(r"(?P<path>(?:https?://[^\s\"?]+)?/[^\s\"?]*)\?[^\s\"]*")


def redact_query_strings(text: str) -> str:
    """Replace every URL query string in text with a marker."""
    return _QUERY.sub(r"\g<path>?[redacted]", text)


class RedactQueryStringFilter(logging.Filter):
    """Rewrite records so no URL query string reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = redact_query_strings(message)
            record.args = ()
        return True
