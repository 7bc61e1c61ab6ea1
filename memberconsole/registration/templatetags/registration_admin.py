from django import template

from memberconsole.registration.models import RegistrationRejection

register = template.Library()


@register.simple_tag
def unresolved_rejections(limit: int = 5) -> list[RegistrationRejection]:
    """Registrations Capillary refused for rules the mirrored configuration does not know, newest first."""
    return list(RegistrationRejection.objects.filter(resolved=False)[:limit])
