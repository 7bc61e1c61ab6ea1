"""Write to and read the audit trail: one append-only entry per event, with no personal data in it."""

import hashlib
import hmac
import ipaddress
from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from memberconsole.capillary.tracking import last_request_id
from memberconsole.core.models import AuditEntry

Action = AuditEntry.Action


def query_fingerprint(query: str) -> dict[str, str]:
    """How a search is kept: a keyed hash (to find every search for the same text), never the text itself."""
    key = (settings.AUDIT_HASH_KEY or settings.SECRET_KEY).encode()
    digest = hmac.new(key, query.strip().casefold().encode(), hashlib.sha256).hexdigest()
    return {"query_hash": digest, "query_last4": query.strip()[-4:]}


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address: REMOTE_ADDR, or the proxy's X-Forwarded-For entry when AUDIT_TRUSTED_PROXIES says so."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.AUDIT_TRUSTED_PROXIES:
        remote = forwarded.split(",")[-1].strip() or remote
    try:
        return str(ipaddress.ip_address(remote)) if remote else None
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    customer_id: int | None = None,
    outcome: str = "",
    capillary_request_id: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry; raises if it cannot be written (callers that must not go on without it rely on that)."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if capillary_request_id is None:
        capillary_request_id = last_request_id() or ""
    return AuditEntry.objects.create(
        action=action,
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        ip_address=client_ip(request),
        customer_id=customer_id,
        outcome=outcome[:40],
        capillary_request_id=(capillary_request_id or "")[:100],
        details=details or {},
    )


def audit_prune(*, older_than_days: int | None = None) -> int:
    """Delete entries older than the retention period (AUDIT_RETENTION_DAYS, default 400); returns how many."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Sign-ins, sign-outs and failed sign-ins, whichever view they come through (console login, admin login).


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(action=Action.LOGIN, request=request, user=user, outcome="ok")


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        outcome = getattr(request, "console_logout_reason", "ok")  # the session timeout says why it signed them out
        audit_record(action=Action.LOGOUT, request=request, user=user, outcome=outcome)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username tried is the agent's account name, not customer data; the password never reaches the trail.
    username = str((credentials or {}).get("username") or "")
    audit_record(action=Action.LOGIN_FAILED, request=request, user=None, username=username, outcome="refused")


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    audit_record(action=Action.LOCKED_OUT, request=request, user=None, username=str(username or ""), outcome="locked")
