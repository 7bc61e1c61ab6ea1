"""The bulk lookup form: a pasted list or a CSV file, turned into entries (validation only; services do the work)."""

import csv
import io
import re

from django import forms

from .models import BulkJob

MAX_ENTRIES = 5000  # the most any role may look up at once (settings.BULK_MAX_ENTRIES gives each role's)
MAX_FILE_BYTES = 2 * 1024 * 1024
# Between entries on a pasted line. Spaces are not separators: "98765 43210" is one mobile typed with a space.
_SEPARATORS = re.compile(r"[,;\t]")
_SHOWN_HEADER_CELLS = 12

ENTRIES_HELP = (
    "One entry per line: customer IDs, mobiles in any format, emails, card numbers, external IDs or WeChat ids. "
    "Commas, semicolons and tabs also separate entries; spaces stay inside an entry, so “98765 43210” is one "
    "mobile number. Blank lines are skipped."
)
FILE_HELP = (
    "A CSV file saved as UTF-8 (in Excel: “CSV UTF-8”), at most 2 MB. Entries are read from the first column, "
    "or from the column named below."
)


def split_pasted(text: str) -> list[str]:
    """Entries of a pasted list: one per line, commas, semicolons and tabs also separate; blanks dropped."""
    entries = []
    for line in text.splitlines():
        entries += [part.strip() for part in _SEPARATORS.split(line) if part.strip()]
    return entries


def _cell(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 40 else text[:40] + "…"


def read_csv(data: bytes, *, column: str = "", has_header: bool = False) -> list[str]:
    """Entries from a CSV file's first column (or the column named `column` in its header row); blanks dropped."""
    if b"\x00" in data:
        raise forms.ValidationError(
            "This file is not a text file (it contains binary data). Upload a CSV file, or paste the list.",
            code="binary",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Guessing an encoding (cp1252? Shift-JIS?) could silently turn a name or card number into another one.
        raise forms.ValidationError(
            "This file is not UTF-8 text. In Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”, "
            "then upload it again.",
            code="encoding",
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to tell: plain CSV
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise forms.ValidationError(
            "This file could not be read as CSV (%(problem)s). Check that it is a CSV export with one value per cell.",
            code="csv",
            params={"problem": str(exc)},
        ) from None
    index = 0
    if column or has_header:
        header = rows[0] if rows else []
        rows = rows[1:]
        if column:
            names = [name.strip().casefold() for name in header]
            wanted = column.strip().casefold()
            if wanted not in names:
                shown = ", ".join(f"“{_cell(name)}”" for name in header[:_SHOWN_HEADER_CELLS] if name.strip())
                raise forms.ValidationError(
                    "The file's first row has no column named “%(column)s”. Its columns are: %(columns)s.",
                    code="column",
                    params={"column": _cell(column), "columns": shown or "(none: the first row is empty)"},
                )
            index = names.index(wanted)
    return [row[index].strip() for row in rows if len(row) > index and row[index].strip()]


class BulkLookupForm(forms.Form):
    """POST /customers/bulk/: entries (textarea) or file (CSV), not both, at most max_entries after blanks."""

    entries = forms.CharField(
        label="Paste a list", required=False, strip=False, widget=forms.Textarea, help_text=ENTRIES_HELP
    )
    file = forms.FileField(label="Or upload a CSV file", required=False, help_text=FILE_HELP)
    column = forms.CharField(
        label="Column header", required=False, max_length=200, help_text="Leave empty to use the first column."
    )
    has_header = forms.BooleanField(label="The first row is a header", required=False)
    kind = forms.ChoiceField(
        label="What is in the list?",
        required=False,
        choices=BulkJob.Kind.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Saying it saves Capillary calls: every entry is looked up only that way, and an entry that cannot be one "
            "is marked invalid. “Work it out” tries each entry the way the search box reads it."
        ),
    )

    def __init__(self, *args, max_entries: int = MAX_ENTRIES, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_entries = max_entries
        self.fields["entries"].help_text = f"{ENTRIES_HELP} Up to {max_entries:,} entries."

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                "This file is %(size)s; at most 2 MB can be uploaded. Split it, or upload only the column you need.",
                code="size",
                params={"size": f"{upload.size / 1024 / 1024:.1f} MB"},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        pasted = cleaned.get("entries") or ""
        upload = cleaned.get("file")
        if pasted.strip() and upload:
            raise forms.ValidationError(
                "Paste a list or upload a file, not both: clear the box or remove the file.", code="both"
            )
        if upload:
            try:
                entries = read_csv(
                    upload.read(), column=cleaned.get("column") or "", has_header=bool(cleaned.get("has_header"))
                )
            except forms.ValidationError as exc:
                self.add_error("file", exc)
                return cleaned
            column = (cleaned.get("column") or "").strip()
            cleaned["source"] = f"File {_cell(upload.name or 'upload.csv')}" + (
                f", column “{_cell(column)}”" if column else ""
            )
            field = "file"
        else:
            entries = split_pasted(pasted)
            cleaned["source"] = "Pasted list"
            field = "entries"
        if not entries:
            message = (
                "The file has no entries in that column."
                if upload
                else "Paste at least one customer ID or identifier, or upload a CSV file."
            )
            self.add_error(field, forms.ValidationError(message, code="empty"))
            return cleaned
        if len(entries) > self.max_entries:
            self.add_error(
                field,
                forms.ValidationError(
                    "You gave %(count)s entries (blank lines not counted); at most %(max)s can be looked up at once. "
                    "Split the list and run it in parts.",
                    code="too_many",
                    params={"count": f"{len(entries):,}", "max": f"{self.max_entries:,}"},
                ),
            )
            return cleaned
        cleaned["entry_list"] = entries
        return cleaned
