"""The registration form, built at request time from the mirrored registration configuration."""

import functools
import unicodedata
import uuid
from decimal import Decimal

import phonenumbers
from django import forms

from memberconsole.core.identifiers import EMAIL, EXTERNAL_ID, MOBILE, normalise_mobile
from memberconsole.core.sources import MULTI_ACCOUNT_SOURCES, SOURCE_CHOICES
from memberconsole.registration.domain import RegistrationData
from memberconsole.registration.models import HIDDEN, REQUIRED, FormField, RegistrationSettings

# register-customer.txt (docs.capillarytech.com/reference/v2-add-customer): longer names are cut by Capillary; we
# refuse rather than lose letters.
NAME_MAX = 100
EMAIL_MAX = 255
# Capillary's name rule (api-notes §4.5, docs.capillarytech.com/reference/v2-add-customer): letters, digits, spaces,
# hyphens and apostrophes (any script).
NAME_FORBIDDEN = set('<>{}[]\\/|@#$%^*=+~`;:"!?')


# Unicode bidirectional embedding, override and isolate controls, and the directional marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _visible(text: str) -> bool:
    """Whether text has at least one character that shows (not a space, a format or a control character)."""
    return any(not ch.isspace() and unicodedata.category(ch) not in {"Cf", "Cc", "Zs", "Zl", "Zp"} for ch in text)


def _name_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=None,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RegistrationForm(forms.Form):
    """Visible labels: First name, Last name, Mobile, Email, External ID, Source, Account ID, then configured fields."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    confirm_existing = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, config: RegistrationSettings, **kwargs):
        self.config = config
        super().__init__(*args, **kwargs)
        self.fields["first_name"] = _name_field("First name")
        self.fields["last_name"] = _name_field("Last name")
        self.identifier_fields = []
        for name, field_name, label, field_class, attrs in (
            (MOBILE, "mobile", "Mobile", forms.CharField, {"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
            (EMAIL, "email", "Email", forms.CharField, {"type": "email", "autocomplete": "off"}),
            (EXTERNAL_ID, "external_id", "External ID", forms.CharField, {"autocomplete": "off"}),
        ):
            capture = config.capture(name)
            if capture == HIDDEN:
                continue
            required = capture == REQUIRED and not config.allow_any_identifier
            self.fields[field_name] = field_class(
                label=label, required=required, strip=True, widget=forms.TextInput(attrs=attrs)
            )
            self.fields[field_name].identifier = name
            self.identifier_fields.append(field_name)
        if config.issue_card:
            self.fields["card_number"] = forms.CharField(label="Card number", required=False, max_length=50)
        sources = list(config.sources.all())
        allowed = [s.source for s in sources] or [config.default_source]
        labels = dict(SOURCE_CHOICES)
        self.fields["source"] = forms.ChoiceField(
            label="Source",
            choices=[(s, labels.get(s, s)) for s in allowed],
            initial=config.default_source,
            # console.js shows the account ID only for these sources.
            widget=forms.Select(attrs={"data-multi-account": " ".join(sorted(MULTI_ACCOUNT_SOURCES))}),
        )
        self.account_ids = {s.source: s.account_id_list() for s in sources if s.is_multi_account}
        self.fields["account_id"] = forms.CharField(label="Account ID", required=False, max_length=100, strip=True)
        self.custom = []
        for field in config.form_fields.select_related("definition").all():
            form_field = _configured_field(field)
            self.fields[f"x_{field.pk}"] = form_field
            self.custom.append((f"x_{field.pk}", field))
        if not self.is_bound and "token" not in self.initial:
            self.initial["token"] = uuid.uuid4()

    def clean_first_name(self) -> str:
        return self._clean_name("first_name")

    def clean_last_name(self) -> str:
        return self._clean_name("last_name")

    def _clean_name(self, field_name: str) -> str:
        value = self.cleaned_data.get(field_name, "")
        if len(value) > NAME_MAX:
            raise forms.ValidationError(
                f"At most {NAME_MAX} characters (this has {len(value)}). Capillary would cut the rest off."
            )
        if any(ch in NAME_FORBIDDEN for ch in value):
            raise forms.ValidationError("Names can have letters, spaces, hyphens and apostrophes only.")
        if value and (
            any(ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" for ch in value) or not _visible(value)
        ):
            # A right-to-left override can make a name read differently from what is stored (a spoofing trick);
            # a name of zero-width characters only is no name. The search box refuses both too.
            raise forms.ValidationError(
                "This name contains invisible or text-direction characters. Retype it without pasting formatting."
            )
        return value

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "")
        if not value:
            return ""
        country = self.config.default_country
        normalised = normalise_mobile(value, default_country=country)
        if normalised is None:
            raise forms.ValidationError(
                f"This is not a valid mobile number. Numbers from outside {country} need their country code, like +65."
            )
        return normalised

    def clean_email(self) -> str:
        """The email lower-cased, as the console registers it; as typed in email_as_typed (the duplicate check
        tries it too: Capillary matches identifiers exactly, and customers registered elsewhere may keep capitals)."""
        value = self.cleaned_data.get("email", "")
        self.email_as_typed = ""
        if not value:
            return ""
        if len(value) > EMAIL_MAX:
            raise forms.ValidationError(f"At most {EMAIL_MAX} characters (this has {len(value)}).")
        forms.EmailField().clean(value)
        self.email_as_typed = value
        return value.lower()

    def lookup_value(self, field_name: str) -> str:
        """The value the duplicate check looks up for an identifier field: an email as typed (identifier_owner tries
        it lower-cased first), anything else cleaned."""
        if field_name == "email":
            return getattr(self, "email_as_typed", "") or self.cleaned_data.get("email", "")
        return self.cleaned_data.get(field_name, "")

    def clean_external_id(self) -> str:
        value = self.cleaned_data.get("external_id", "")
        if len(value) > 100:
            raise forms.ValidationError("At most 100 characters.")
        return value

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source in MULTI_ACCOUNT_SOURCES:
            account = cleaned.get("account_id", "")
            allowed = self.account_ids.get(source) or []
            if not account:
                self.add_error("account_id", "This source has several accounts: enter the account ID.")
            elif allowed and account not in allowed:
                self.add_error("account_id", f"Choose one of this source's accounts: {', '.join(allowed)}.")
        elif "account_id" in cleaned:
            cleaned["account_id"] = ""
        given = [f for f in self.identifier_fields if cleaned.get(f)]
        if self.config.allow_any_identifier and not given and not self.errors.keys() & set(self.identifier_fields):
            raise forms.ValidationError("Enter at least one of mobile, email or external ID.")
        return cleaned

    def registration_data(self) -> RegistrationData:
        """The cleaned input as the service takes it."""
        c = self.cleaned_data
        extended, custom = {}, {}
        for field_name, field in self.custom:
            value = c.get(field_name)
            if value in (None, ""):
                continue
            (extended if field.kind == FormField.EXTENDED else custom)[field.key] = value
        return RegistrationData(
            first_name=c.get("first_name", ""),
            last_name=c.get("last_name", ""),
            mobile=c.get("mobile", ""),
            email=c.get("email", ""),
            email_as_typed=getattr(self, "email_as_typed", ""),
            external_id=c.get("external_id", ""),
            card_number=c.get("card_number", ""),
            source=c["source"],
            account_id=c.get("account_id", ""),
            extended_fields=extended,
            custom_fields=custom,
        )


def _configured_field(field: FormField) -> forms.Field:
    label, required, kind = field.display_label, field.required, field.type.upper()
    if kind in {"STANDARD_ENUM", "CUSTOM_ENUM"} or (kind == "STRING" and field.choice_list()):
        choices = [("", "— Choose —"), *((v, v) for v in field.choice_list())]
        return forms.ChoiceField(label=label, required=required, choices=choices)
    if kind == "DATETIME":
        return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
    if kind == "INTEGER":
        return forms.IntegerField(label=label, required=required, min_value=-(2**31), max_value=2**31 - 1)
    if kind == "DOUBLE":
        return forms.DecimalField(
            label=label,
            required=required,
            max_digits=18,
            decimal_places=4,
            min_value=Decimal("-1e13"),
            max_value=Decimal("1e13"),
        )
    if kind == "BOOLEAN":
        return forms.TypedChoiceField(
            label=label,
            required=required,
            coerce=lambda v: v == "true",
            choices=[("", "— Choose —"), ("true", "Yes"), ("false", "No")],
        )
    if kind == "COUNTRY":
        return forms.ChoiceField(label=label, required=required, choices=[("", "— Choose —"), *_countries()])
    return forms.CharField(label=label, required=required, max_length=250)


@functools.cache
def _countries() -> list[tuple[str, str]]:
    from phonenumbers import geocoder

    names = {}
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        name = geocoder.country_name_for_number(example, "en") if example else ""
        names[region] = name or region
    return sorted(((code, f"{name} ({code})") for code, name in names.items()), key=lambda item: item[1])
