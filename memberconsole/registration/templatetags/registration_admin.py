from datetime import timedelta

from django import template
from django.utils import timezone

from memberconsole.registration.models import RegistrationAttempt, RegistrationRejection
from memberconsole.registration.selectors import ADMIN_WARNINGS

register = template.Library()


@register.simple_tag
def unresolved_rejections(limit: int = 5) -> list[RegistrationRejection]:
    """Registrations Capillary refused for rules the mirrored configuration does not know, newest first."""
    return list(RegistrationRejection.objects.filter(resolved=False)[:limit])


@register.simple_tag
def admin_warnings(days: int = 30) -> list[dict]:
    """Warnings about the org's setup that registrations received, for administrators rather than agents."""
    since = timezone.now() - timedelta(days=days)
    recent = RegistrationAttempt.objects.filter(created_at__gte=since, status=RegistrationAttempt.REGISTERED)
    counts: dict[int, int] = {}
    for warnings in recent.exclude(warnings=[]).values_list("warnings", flat=True)[:2000]:
        for code in {w.get("code") for w in warnings} & ADMIN_WARNINGS.keys():
            counts[code] = counts.get(code, 0) + 1
    return [
        {
            "title": f"Warning {code} on {n} registration{'s' if n != 1 else ''} in the last {days} days.",
            "text": ADMIN_WARNINGS[code],
        }
        for code, n in sorted(counts.items())
    ]
