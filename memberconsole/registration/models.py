"""The org's registration configuration mirrored from Capillary, and the record of every registration attempt."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from memberconsole.core.identifiers import EMAIL, EXTERNAL_ID, MOBILE
from memberconsole.core.sources import MULTI_ACCOUNT_SOURCES, SOURCE_CHOICES

# The form field that holds each identifier.
FIELD_FOR_IDENTIFIER = {MOBILE: "mobile", EMAIL: "email", EXTERNAL_ID: "external_id"}
IDENTIFIER_CHOICES = [(MOBILE, "Mobile"), (EMAIL, "Email"), (EXTERNAL_ID, "External ID")]
REQUIRED, OPTIONAL, HIDDEN = "required", "optional", "hidden"
CAPTURE_CHOICES = [(REQUIRED, "Required"), (OPTIONAL, "Optional"), (HIDDEN, "Not captured")]


class LoyaltyProgram(models.Model):
    """A loyalty program of the org, synced from GET /v2/organization/programs."""

    program_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    synced_at = models.DateTimeField(null=True, blank=True)
    present_upstream = models.BooleanField(default=True, help_text="False when the last sync no longer found it.")

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.program_id})"


class ExtendedFieldDefinition(models.Model):
    """A customer-level extended field the org has, synced from GET /v2/extendedFields."""

    name = models.CharField(max_length=100, unique=True)
    label = models.CharField(max_length=200, blank=True)
    data_type = models.CharField(max_length=40)
    possible_values = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    present_upstream = models.BooleanField(default=True, help_text="False when the last sync no longer found it.")

    class Meta:
        ordering = ["name"]
        verbose_name = "extended field definition"

    def __str__(self) -> str:
        return f"{self.label or self.name} ({self.name}, {self.data_type})"


class RegistrationSettings(models.Model):
    """The org's Registration Configuration (Organization Settings > Miscellaneous), mirrored for the form. One row."""

    primary_identifier = models.CharField(
        max_length=20,
        choices=IDENTIFIER_CHOICES,
        default=MOBILE,
        help_text="CONF_REGISTRATION_PRIMARY_KEY: the unique identifier every customer must have.",
    )
    mobile = models.CharField(
        max_length=10, choices=CAPTURE_CHOICES, default=REQUIRED, help_text="CONF_USERS_IS_MOBILE_REQUIRED."
    )
    email = models.CharField(
        max_length=10, choices=CAPTURE_CHOICES, default=OPTIONAL, help_text="CONF_USERS_IS_EMAIL_REQUIRED."
    )
    external_id = models.CharField(
        max_length=10,
        choices=CAPTURE_CHOICES,
        default=OPTIONAL,
        help_text="CONF_USERS_USE_EXTERNAL_ID and CONF_USERS_IS_EXTERNAL_ID_REQUIRED.",
    )
    allow_any_identifier = models.BooleanField(
        default=False,
        help_text="CONF_ALLOW_REGISTRATION_FROM_ANY_IDENTIFIERS: one identifier of any kind is enough.",
    )
    default_country = models.CharField(
        max_length=2, default="IN", help_text="ISO country for mobile numbers typed without a country code."
    )
    default_source = models.CharField(max_length=20, choices=SOURCE_CHOICES, default="INSTORE")
    till_code = models.CharField(
        max_length=100,
        blank=True,
        help_text="Till the customer is associated with (associatedWith). Blank: the API user's.",
    )
    loyalty_type = models.CharField(
        max_length=20, choices=[("loyalty", "Loyalty"), ("non_loyalty", "Non-loyalty")], default="loyalty"
    )
    status_label = models.CharField(
        max_length=100, blank=True, help_text="Customer status label to set. Blank: the org's default label."
    )
    enroll_program = models.ForeignKey(
        LoyaltyProgram,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Enrol new customers in this program.",
    )
    enroll_tier_number = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 is the lowest tier.")
    enroll_points = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    enroll_tier_expiry = models.DateTimeField(null=True, blank=True)
    enroll_points_expiry = models.DateTimeField(null=True, blank=True)
    issue_card = models.BooleanField(default=False, help_text="Ask for a card number and issue it in the series below.")
    card_series_id = models.PositiveIntegerField(null=True, blank=True)
    card_status_label = models.CharField(max_length=40, default="ACTIVE")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "registration configuration"

    def __str__(self) -> str:
        return "Registration configuration"

    def save(self, *args, **kwargs):
        self.pk = 1  # one configuration per console
        self.default_country = self.default_country.upper()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        capture = {MOBILE: self.mobile, EMAIL: self.email, EXTERNAL_ID: self.external_id}
        if capture[self.primary_identifier] != REQUIRED:
            errors[self.primary_identifier_field()] = "The primary identifier must be required."
        if self.issue_card and not self.card_series_id:
            errors["card_series_id"] = "Choose the card series to issue cards in."
        if self.enroll_program_id is None and (self.enroll_tier_number or self.enroll_points):
            errors["enroll_program"] = "Choose the program to enrol customers in."
        if len(self.default_country) != 2 or not self.default_country.isalpha():
            errors["default_country"] = "Use a two-letter ISO country code, like IN or SG."
        if errors:
            raise ValidationError(errors)

    def primary_identifier_field(self) -> str:
        return FIELD_FOR_IDENTIFIER[self.primary_identifier]

    def capture(self, identifier: str) -> str:
        """REQUIRED, OPTIONAL or HIDDEN for mobile, email or externalId."""
        return {MOBILE: self.mobile, EMAIL: self.email, EXTERNAL_ID: self.external_id}[identifier]

    @classmethod
    def load(cls) -> "RegistrationSettings":
        """The configuration, created with the common defaults (mobile primary and required) on first use."""
        obj, _ = cls.objects.get_or_create(pk=1, defaults={"default_country": settings.CAPILLARY_DEFAULT_COUNTRY[:2]})
        return obj


class RegistrationSource(models.Model):
    """A source agents may register customers into."""

    config = models.ForeignKey(RegistrationSettings, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(max_length=20, choices=SOURCE_CHOICES)
    account_ids = models.CharField(
        max_length=500,
        blank=True,
        help_text="Multi-account sources: account IDs agents may choose, comma-separated. Blank: typed by the agent.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["config", "source"], name="registration_source_once")]
        ordering = ["source"]

    def __str__(self) -> str:
        return self.get_source_display()

    @property
    def is_multi_account(self) -> bool:
        return self.source in MULTI_ACCOUNT_SOURCES

    def account_id_list(self) -> list[str]:
        return [a.strip() for a in self.account_ids.split(",") if a.strip()]


class FormField(models.Model):
    """An extended or custom field shown on the registration form, in order."""

    EXTENDED, CUSTOM = "extended", "custom"
    TYPES = ["STRING", "INTEGER", "DOUBLE", "DATETIME", "STANDARD_ENUM", "CUSTOM_ENUM", "COUNTRY", "BOOLEAN"]

    config = models.ForeignKey(RegistrationSettings, on_delete=models.CASCADE, related_name="form_fields")
    kind = models.CharField(max_length=10, choices=[(EXTENDED, "Extended field"), (CUSTOM, "Custom field")])
    definition = models.ForeignKey(
        ExtendedFieldDefinition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Extended fields: the synced definition (its name, type and values are used).",
    )
    name = models.CharField(max_length=100, blank=True, help_text="Custom fields: the field's name in Capillary.")
    label = models.CharField(max_length=200, blank=True, help_text="Shown to agents. Blank: the definition's label.")
    data_type = models.CharField(
        max_length=20,
        choices=[(t, t.replace("_", " ").title()) for t in TYPES],
        blank=True,
        help_text="Custom fields: how to validate the value. Extended fields use the definition's type.",
    )
    choices = models.TextField(
        blank=True, help_text="Enum values, one per line. Blank for extended enums: synced values."
    )
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.display_label

    def clean(self) -> None:
        if self.kind == self.EXTENDED and self.definition is None:
            raise ValidationError({"definition": "Choose the synced extended field."})
        if self.kind == self.CUSTOM and not self.name:
            raise ValidationError({"name": "Give the custom field's name."})

    @property
    def key(self) -> str:
        return self.definition.name if self.kind == self.EXTENDED and self.definition else self.name

    @property
    def display_label(self) -> str:
        if self.label:
            return self.label
        if self.definition:
            return self.definition.label or self.definition.name
        return self.name

    @property
    def type(self) -> str:
        if self.kind == self.EXTENDED and self.definition:
            return self.definition.data_type
        return self.data_type or "STRING"

    def choice_list(self) -> list[str]:
        own = [line.strip() for line in self.choices.splitlines() if line.strip()]
        if own:
            return own
        return list(self.definition.possible_values) if self.definition else []


class RegistrationAttempt(models.Model):
    """One submitted registration form: its one-time token, what happened, and what Capillary answered (audit trail)."""

    SENDING, REGISTERED, REJECTED, NOT_SENT, UNKNOWN = "sending", "registered", "rejected", "not_sent", "unknown"
    STATUS_CHOICES = [
        (SENDING, "Sending"),
        (REGISTERED, "Registered"),
        (REJECTED, "Rejected by Capillary"),
        (NOT_SENT, "Not registered (Capillary unreachable)"),
        (UNKNOWN, "Outcome unknown"),
    ]

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Keyed hash of what was sent (not reversible): tells a resubmit from new data.",
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=SENDING)
    source = models.CharField(max_length=20)
    customer_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    codes = models.CharField(max_length=200, blank=True, help_text="Capillary's error codes, if it refused.")
    warnings = models.JSONField(default=list, blank=True)
    side_effects = models.JSONField(default=list, blank=True)
    confirmed_by_lookup = models.BooleanField(
        default=False, help_text="Registered, but learnt by lookup after a timeout."
    )
    added_profile = models.BooleanField(default=False, help_text="Added a profile to an existing customer.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    STALE_AFTER = datetime.timedelta(minutes=2)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "registration"

    def __str__(self) -> str:
        return f"{self.get_status_display()} by {self.agent} at {timezone.localtime(self.created_at):%d %b %Y, %H:%M}"

    @property
    def effective_status(self) -> str:
        """The status, except that a send nobody finished within minutes (a worker died) counts as unknown."""
        if self.status == self.SENDING and timezone.now() - self.created_at > self.STALE_AFTER:
            return self.UNKNOWN
        return self.status


class RegistrationRejection(models.Model):
    """Capillary refused a registration for a rule the form did not know: the mirrored configuration may be stale."""

    attempt = models.OneToOneField(RegistrationAttempt, on_delete=models.CASCADE, related_name="rejection")
    codes = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    request_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False, help_text="Tick once the configuration has been brought up to date.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Codes {self.codes or '-'}: {self.message[:80]}"
