"""Django admin for the audit trail (read-only for everyone), reveal reasons, and agents with their roles."""

import csv
from datetime import UTC

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from memberconsole.core.admin_site import RecordAdmin
from memberconsole.core.audit import Action, audit_record
from memberconsole.core.models import AuditEntry, RevealReason
from memberconsole.core.roles import ADMINISTRATOR, STAFF_ROLES

User = get_user_model()

CSV_COLUMNS = [
    ("When (UTC)", lambda e: e.created_at.astimezone(UTC).isoformat(timespec="seconds")),
    ("Agent", lambda e: e.username),
    ("IP", lambda e: e.ip_address or ""),
    ("Action", lambda e: e.get_action_display()),
    ("Customer ID", lambda e: e.customer_id or ""),
    ("Outcome", lambda e: e.outcome),
    ("Capillary request id", lambda e: e.capillary_request_id),
    ("Details", lambda e: " ".join(f"{k}={v}" for k, v in sorted(e.details.items()))),
]


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """Who did what, when, from where: read-only for everyone, superusers included; filter, search, export."""

    list_display = ("when", "username", "action", "customer_id", "outcome", "ip_address", "capillary_request_id")
    list_filter = ("action", ("user", admin.RelatedOnlyFieldListFilter), "created_at", "outcome")
    search_fields = ("=customer_id", "=username", "=capillary_request_id")
    search_help_text = "Search by customer ID, agent username or Capillary request id (exact)."
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = ["export_csv"]
    fields = [
        "created_at", "username", "user", "ip_address", "action", "customer_id", "outcome", "capillary_request_id",
        "details",
    ]  # fmt: skip
    readonly_fields = fields

    def lookup_allowed(self, lookup: str, value, request=None) -> bool:
        # "Who viewed this customer" links here with ?customer_id__exact=ID.
        return lookup in {"customer_id", "customer_id__exact"} or super().lookup_allowed(lookup, value, request)

    @admin.action(description="Export the selected entries as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset) -> HttpResponse:
        entries = list(queryset.order_by("created_at", "id"))
        audit_record(action=Action.AUDIT_EXPORT, request=request, outcome="exported", details={"entries": len(entries)})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{timezone.now():%Y%m%d-%H%M}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow([name for name, _ in CSV_COLUMNS])
        for entry in entries:
            writer.writerow([_csv_safe(get(entry)) for _, get in CSV_COLUMNS])
        return response


def _csv_safe(value) -> str:
    # Spreadsheet formula injection (OWASP): a cell starting with one of these runs as a formula in Excel.
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@admin.register(RevealReason)
class RevealReasonAdmin(admin.ModelAdmin):
    list_display = ("label", "needs_text", "active", "position")
    list_editable = ("needs_text", "active", "position")


admin.site.unregister(User)


@admin.register(User)
class AgentAdmin(UserAdmin):
    """Agents and their roles. A console administrator cannot grant what it does not hold: no superuser flag, no
    direct permissions, no role above its own; it cannot change superusers or other administrators."""

    list_display = ("username", "first_name", "last_name", "roles", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")

    @admin.display(description="Roles")
    def roles(self, obj) -> str:
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "—"

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request).prefetch_related("groups")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_superuser=False).exclude(groups__name=ADMINISTRATOR).exclude(pk=request.user.pk)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "user_permissions", "is_staff"}  # is_staff follows the roles (save_related)
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
            for name, options in fieldsets
        ]

    def grantable_groups(self, request: HttpRequest):
        """The roles this editor may give: for a non-superuser, those holding nothing it does not hold itself, and
        never the administrator role (only superusers create administrators)."""
        groups = Group.objects.order_by("name")
        if request.user.is_superuser:
            return groups
        held = request.user.get_all_permissions()
        allowed = []
        for group in groups.exclude(name=ADMINISTRATOR).prefetch_related("permissions__content_type"):
            needed = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
            if needed <= held:
                allowed.append(group.pk)
        return groups.filter(pk__in=allowed)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = self.grantable_groups(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:
        user = form.instance
        kept = []
        if change and not request.user.is_superuser:
            # Roles the editor cannot see stay as they were (the form only offers grantable ones).
            kept = list(user.groups.exclude(pk__in=self.grantable_groups(request)))
        super().save_related(request, form, formsets, change)
        if kept:
            user.groups.add(*kept)
        staff = user.is_superuser or user.groups.filter(name__in=STAFF_ROLES).exists()
        if user.is_staff != staff:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
            if staff:
                messages.info(request, f"{user.get_username()} can now open Django admin (their role uses it).")
