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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_control_characters(text: str) -> str:
    """Encode control characters (CR, LF, ESC, ...) as \\xNN, so input cannot forge or hide a log line."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


class EscapeControlCharactersFilter(logging.Filter):
    """Rewrite records so a crafted URL or value (with CR/LF or terminal escapes) stays on one honest line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = escape_control_characters(message)
        if escaped != message:
            record.msg = escaped
            record.args = ()
        return True
