"""The console's roles, as Django groups an administrator assigns to agents in Django admin.

The groups' permissions are set to exactly these on every migrate, so a deployment follows the roles as the code
defines them; give an individual more through another group only a superuser can create.
"""

from django.contrib.auth.models import Group, Permission

AGENT, SUPERVISOR, ADMINISTRATOR = "Member-care agent", "Supervisor", "Console administrator"
# Roles whose members use Django admin (the audit trail, agents and configuration): they get is_staff.
STAFF_ROLES = frozenset({SUPERVISOR, ADMINISTRATOR})

_AGENT = [
    "customers.view_customers",  # search, and customer pages with contact details masked
    "registration.add_registrationattempt",  # register walk-in customers
    "bulk.add_bulkjob",  # bulk lookup of up to BULK_MAX_ENTRIES["agent"] entries
]
_SUPERVISOR = [
    *_AGENT,
    "customers.reveal_contact_details",
    "bulk.run_large_bulk_lookup",
    "bulk.export_unmasked_bulk_csv",
    "core.view_auditentry",
    "registration.view_registrationattempt",
    "registration.view_registrationrejection",
]
# Group name -> permission codenames ("app_label.codename"). Each role holds the one below it, so an administrator,
# who cannot grant what it does not hold, may make agents supervisors.
ROLES = {
    AGENT: _AGENT,
    SUPERVISOR: _SUPERVISOR,
    ADMINISTRATOR: [
        *_SUPERVISOR,
        "customers.view_contact_details",
        "core.view_revealreason",
        "core.add_revealreason",
        "core.change_revealreason",
        "core.delete_revealreason",
        "registration.change_registrationrejection",
        "registration.view_registrationsettings",
        "registration.change_registrationsettings",
        "registration.add_registrationsource",
        "registration.change_registrationsource",
        "registration.delete_registrationsource",
        "registration.view_registrationsource",
        "registration.add_formfield",
        "registration.change_formfield",
        "registration.delete_formfield",
        "registration.view_formfield",
        "registration.view_extendedfielddefinition",
        "registration.change_extendedfielddefinition",
        "registration.view_loyaltyprogram",
        "registration.change_loyaltyprogram",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
}


def role_permissions(name: str) -> list[Permission]:
    """The permission objects of a role (those whose app is installed)."""
    found = []
    for dotted in ROLES[name]:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            found.append(permission)
    return found


def ensure_roles(**kwargs) -> None:
    """Create the role groups and set their permissions to exactly the role's (post_migrate, idempotent)."""
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(role_permissions(name))


# The reasons a supervisor may pick before a reveal, until an administrator edits the list (Django admin).
DEFAULT_REVEAL_REASONS = [
    ("The customer asked us to read back or correct their contact details", False),
    ("Verifying the customer's identity on a call", False),
    ("Resolving a complaint or a missing-points claim", False),
    ("Other (type the reason)", True),
]


def ensure_reveal_reasons(**kwargs) -> None:
    """Give a new install the default reveal reasons (post_migrate; a list an administrator has edited is kept)."""
    from memberconsole.core.models import RevealReason

    if not RevealReason.objects.exists():
        for position, (label, needs_text) in enumerate(DEFAULT_REVEAL_REASONS):
            RevealReason.objects.create(label=label, needs_text=needs_text, position=position)
