"""Input forms for the customer pages (validation only; selectors do the work)."""

from django import forms
from django.conf import settings

from memberconsole.core.identifiers import (
    MAX_QUERY_LENGTH,
    TYPE_CHOICES,
    InvalidSearchQuery,
    clean_query,
    readings_for,
)
from memberconsole.core.models import RevealReason
from memberconsole.core.sources import MULTI_ACCOUNT_SOURCES, SEARCH_SOURCE_CHOICES


class CustomerSearchForm(forms.Form):
    """GET /customers/search/?q=TEXT[&type=IDENTIFIER_NAME][&source=SOURCE][&account_id=ID]."""

    q = forms.CharField(label="Customer", max_length=MAX_QUERY_LENGTH * 3, strip=False)
    type = forms.ChoiceField(label="Search as", choices=TYPE_CHOICES, required=False)
    source = forms.ChoiceField(label="Source", choices=SEARCH_SOURCE_CHOICES, required=False)
    account_id = forms.CharField(label="Account ID", max_length=100, required=False)

    def clean_q(self) -> str:
        try:
            return clean_query(self.cleaned_data["q"])
        except InvalidSearchQuery as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or "ALL"

    def clean_account_id(self) -> str:
        return (self.cleaned_data.get("account_id") or "").strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("q") and cleaned.get("type"):
            # "Search as" chosen: the text must fit that identifier (e.g. digits for a customer ID).
            try:
                readings_for(
                    cleaned["q"], default_country=settings.CAPILLARY_DEFAULT_COUNTRY, forced_type=cleaned["type"]
                )
            except InvalidSearchQuery as exc:
                self.add_error("q", str(exc))
        if cleaned.get("source") in MULTI_ACCOUNT_SOURCES and not cleaned.get("account_id"):
            self.add_error("account_id", "This source has several accounts: enter the account ID to search in.")
        return cleaned


class RevealForm(forms.Form):
    """POST /customers/ID/reveal/: why the supervisor needs to see this customer's contact details."""

    reason = forms.ModelChoiceField(
        label="Reason", queryset=RevealReason.objects.filter(active=True), empty_label="— Choose a reason —"
    )
    text = forms.CharField(label="In your own words", required=False, max_length=200, strip=True)

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("reason")
        if reason is not None and reason.needs_text and not cleaned.get("text"):
            self.add_error("text", "Say in a few words why you need to see the contact details.")
        return cleaned
