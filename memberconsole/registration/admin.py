"""Django admin for the registration configuration, its synced field definitions and programs, and the audit trail."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from memberconsole.capillary.errors import CapillaryError
from memberconsole.core.admin_site import RecordAdmin
from memberconsole.registration.models import (
    ExtendedFieldDefinition,
    FormField,
    LoyaltyProgram,
    RegistrationAttempt,
    RegistrationRejection,
    RegistrationSettings,
    RegistrationSource,
)
from memberconsole.registration.sync import extended_fields_sync, programs_sync


def _run_sync(request: HttpRequest, sync, what: str) -> None:
    try:
        for line in sync():
            messages.info(request, line)
    except CapillaryError as exc:
        messages.error(request, f"Could not sync {what} from Capillary: {exc.message} (request id {exc.request_id}).")


class SyncActionMixin:
    """Lets the 'sync from Capillary' list action run with nothing selected (it syncs everything), from a button above
    the list that shows even when the list is empty."""

    change_list_template = "admin/registration/sync_change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.method == "POST" and request.POST.get("action") == "sync_from_capillary":
            if not self.has_change_permission(request):
                raise PermissionDenied
            self.sync_from_capillary(request, self.get_queryset(request).none())
            back = request.META.get("HTTP_REFERER", "")
            safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
            return redirect(back if back and safe else request.get_full_path())
        return super().changelist_view(request, extra_context)


class RegistrationSourceInline(admin.TabularInline):
    model = RegistrationSource
    extra = 0
    verbose_name_plural = "Sources agents may register customers into"


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0
    fields = ("position", "kind", "definition", "name", "label", "data_type", "choices", "required")
    autocomplete_fields = ("definition",)
    verbose_name_plural = "Extended and custom fields on the form, in order"


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(admin.ModelAdmin):
    change_form_template = "admin/registration/settings_change_form.html"
    inlines = [RegistrationSourceInline, FormFieldInline]
    fieldsets = [
        (
            "Identifiers",
            {
                "fields": (
                    "primary_identifier",
                    "mobile",
                    "email",
                    "external_id",
                    "allow_any_identifier",
                    "default_country",
                )
            },
        ),
        ("Where customers are registered", {"fields": ("default_source", "till_code")}),
        (
            "Loyalty",
            {
                "fields": (
                    "loyalty_type",
                    "status_label",
                    "enroll_program",
                    "enroll_tier_number",
                    "enroll_points",
                    "enroll_tier_expiry",
                    "enroll_points_expiry",
                )
            },
        ),
        ("Cards", {"fields": ("issue_card", "card_series_id", "card_status_label")}),
    ]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not RegistrationSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # One configuration: go straight to it (for those who may see it).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect("admin:registration_registrationsettings_change", RegistrationSettings.load().pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        config = form.instance
        allowed = set(config.sources.values_list("source", flat=True))
        if allowed and config.default_source not in allowed:
            messages.warning(request, f"The default source {config.default_source} is not among the allowed sources.")


@admin.register(ExtendedFieldDefinition)
class ExtendedFieldDefinitionAdmin(SyncActionMixin, admin.ModelAdmin):
    list_display = ("name", "label", "data_type", "present_upstream", "used_on_form", "synced_at")
    list_filter = ("data_type", "present_upstream")
    search_fields = ("name", "label")
    readonly_fields = ("synced_at", "present_upstream")
    actions = ["sync_from_capillary"]

    @admin.display(boolean=True, description="On the form")
    def used_on_form(self, obj: ExtendedFieldDefinition) -> bool:
        return obj.formfield_set.exists()

    @admin.action(description="Sync extended fields and programs from Capillary")
    def sync_from_capillary(self, request: HttpRequest, queryset) -> None:
        _run_sync(request, extended_fields_sync, "extended fields")
        _run_sync(request, programs_sync, "loyalty programs")


@admin.register(LoyaltyProgram)
class LoyaltyProgramAdmin(SyncActionMixin, admin.ModelAdmin):
    list_display = ("name", "program_id", "is_default", "present_upstream", "synced_at")
    readonly_fields = ("synced_at", "present_upstream")
    actions = ["sync_from_capillary"]

    @admin.action(description="Sync loyalty programs from Capillary")
    def sync_from_capillary(self, request: HttpRequest, queryset) -> None:
        _run_sync(request, programs_sync, "loyalty programs")


@admin.register(RegistrationAttempt)
class RegistrationAttemptAdmin(RecordAdmin):
    """The audit trail of registrations: who, when, what happened, Capillary's request id. No personal data."""

    list_display = ("when", "agent", "status", "source", "customer_id", "codes", "request_id")
    list_filter = ("status", "source", "confirmed_by_lookup", "added_profile")
    search_fields = ("customer_id", "request_id", "agent__username")
    date_hierarchy = "created_at"


@admin.register(RegistrationRejection)
class RegistrationRejectionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "codes", "message", "request_id", "resolved")
    list_filter = ("resolved",)
    list_editable = ("resolved",)
    readonly_fields = ("attempt", "codes", "message", "request_id", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
