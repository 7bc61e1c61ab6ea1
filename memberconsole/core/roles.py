"""The console's roles, as Django groups an administrator assigns to agents in Django admin."""

from django.contrib.auth.models import Group, Permission

# Group name -> permission codenames ("app_label.codename"). Kept in step on every migrate; extra grants stay.
ROLES = {
    "Member-care agent": [],
    "Supervisor": [
        "customers.view_contact_details",
        "registration.view_registrationattempt",
        "registration.view_registrationrejection",
    ],
    "Console administrator": [
        "customers.view_contact_details",
        "registration.view_registrationattempt",
        "registration.view_registrationrejection",
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
    ],
}


def ensure_roles(**kwargs) -> None:
    """Create the role groups and give them their permissions (post_migrate, idempotent)."""
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)
