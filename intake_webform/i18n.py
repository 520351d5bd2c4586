"""English and Spanish through gettext catalogues (Babel), for the HTML form and the API's errors.

English is the source language: its messages are the msgids. The Spanish catalogue is the
committed ``locale/es/LC_MESSAGES/messages.po``, compiled in memory at start-up, so there are no
build artefacts to forget. ``python -m intake_webform.i18n update`` re-extracts the messages from
the code and templates and merges them into the catalogue; a unit test fails while any message
lacks a translation.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from babel import Locale, negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from intake_webform.submission import LANGUAGES, FieldError

LANGUAGES_OFFERED: Final = ("en", "es")
DEFAULT: Final = "en"
PACKAGE_DIR: Final = Path(__file__).parent
LOCALE_DIR: Final = PACKAGE_DIR / "locale"
DOMAIN: Final = "messages"
# How Babel finds messages: Python with N_/_ markers, and Jinja templates with {% trans %}.
METHOD_MAP: Final = [("**.py", "python"), ("templates/**.html", "jinja2")]
EXTRACT_OPTIONS: Final = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def N_(message: str) -> str:
    return message


@cache
def translations(language: str) -> NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def negotiate(accept_language: str | None) -> str:
    """The offered language that best fits an Accept-Language header; English otherwise."""
    if not accept_language:
        return DEFAULT
    preferred = []
    for part in accept_language.split(",")[:20]:
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and weight > 0:
            preferred.append((weight, tag.strip().replace("-", "_")))
    ordered = [tag for _, tag in sorted(preferred, key=lambda item: -item[0])]
    return negotiate_locale(ordered, list(LANGUAGES_OFFERED)) or DEFAULT


def language_names(interface: str) -> list[tuple[str, str]]:
    """The form's language choices, each named in the interface language (from CLDR via Babel)."""
    names = Locale.parse(interface).languages
    return [(code, names.get(code, code).capitalize()) for code in LANGUAGES]


@dataclass(frozen=True)
class Messages:
    """The words of one language, for code outside templates."""

    language: str
    gettext: Callable[[str], str]

    @classmethod
    def of(cls, language: str) -> Messages:
        return cls(language, translations(language).gettext)

    def field_label(self, field: str) -> str:
        return self.gettext(FIELD_LABELS.get(field.split(".")[0], N_("This form")))

    def response(self, name: str, **params: object) -> str:
        return self.gettext(RESPONSE_MESSAGES[name]).format_map(_Missing(params))

    def error(self, problem: FieldError) -> str:
        template = self.gettext(ERROR_MESSAGES.get(problem.code, ERROR_MESSAGES["invalid"]))
        return template.format_map(_Missing(problem.params))


class _Missing(dict[str, object]):
    """A message never fails for want of a number: a missing one reads as "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


FIELD_LABELS: Final = {
    "narrative": N_("What happened"),
    "location_city": N_("City"),
    "location_state": N_("State"),
    "location_zip": N_("ZIP code"),
    "location_details": N_("More about the place"),
    "victim_count": N_("How many people"),
    "victim_age": N_("Age"),
    "victim_age_low": N_("Youngest age"),
    "victim_age_high": N_("Oldest age"),
    "victim_gender": N_("Gender"),
    "victim_nationality": N_("Citizenship"),
    "trafficking_type": N_("What kind of situation"),
    "danger_now": N_("Is anyone in danger right now?"),
    "reporter_role": N_("Who you are"),
    "anonymous": N_("Stay anonymous"),
    "contact_name": N_("Name"),
    "contact_email": N_("Email"),
    "contact_phone": N_("Phone"),
    "consent_to_contact": N_("You may contact me"),
    "consent_to_share": N_("You may share my contact details"),
    "safe_times": N_("Safe times to contact you"),
    "safe_time_zone": N_("Your time zone"),
    "voicemail_ok": N_("Voicemail is safe"),
    "text_ok": N_("Text messages are safe"),
    "safe_contact_instructions": N_("Other safety instructions"),
    "preferred_language": N_("Preferred language"),
    "attachments": N_("Attachments"),
    "reference_number": N_("Reference number"),
    "receipt": N_("Follow-up receipt"),
    "website": N_("Leave this field empty"),
    "body": N_("This form"),
}

ERROR_MESSAGES: Final = {
    "required": N_("This is required."),
    "too_long": N_("Use at most {max_length} characters."),
    "too_many": N_("Too many items: at most {max_length}."),
    "number": N_("Enter a whole number."),
    "too_small": N_("Enter a number of at least {ge}."),
    "too_big": N_("Enter a number no bigger than {le}."),
    "choice": N_("Choose one of the options."),
    "text": N_("Enter text."),
    "invalid": N_("This is not valid."),
    "unknown_field": N_("This field is not part of the form."),
    "invalid_json": N_("The request body is not valid JSON."),
    "us_state": N_("Choose a US state or territory."),
    "zip_code": N_("Enter a 5-digit ZIP code, like 75201."),
    "email": N_("Enter an email address, like name@example.org."),
    "phone": N_("Enter a phone number, like 214-555-0123."),
    "language": N_("Choose a language."),
    "text_encoding": N_("This text contains characters that cannot be read. Type it again."),
    "age_range_order": N_("The oldest age must not be lower than the youngest age."),
    "anonymous_with_contact": N_(
        "You chose to stay anonymous. Remove your contact details, or choose not to stay anonymous."),
    "contact_missing": N_("Give at least one way to contact you, or choose to stay anonymous."),
    "consent_missing": N_("Tick this box if we may contact you, or remove your contact details."),
    "honeypot": N_("Leave this field empty. If you are a person, clear it and send the form again."),
    "receipt_mismatch": N_(
        "This reference number and receipt do not match. Check both and try again."),
    "reference_invalid": N_("Check the reference number. It looks like HT-XXXX-XXXXX."),
    "follow_up_empty": N_("Add some information or an attachment."),
    "attachment_too_many": N_("Attach at most {count} files."),
    "attachment_too_large": N_("The file {name} is too large. Files can be up to {limit} MB."),
    "attachment_empty": N_("The file {name} is empty."),
    "attachment_unsupported_type": N_(
        "The file {name} is not a type we accept. Send photos (JPEG, PNG, WebP), PDF or text files."),
    "attachment_mislabelled": N_("The file {name} is not what its name or type says. Check the file."),
    "attachment_corrupt": N_("The file {name} could not be read. It may be damaged."),
    "attachment_encrypted": N_("The file {name} is password-protected. Send it without a password."),
    "attachment_not_base64": N_("The content of an attachment is not valid base64."),
    "request_too_large": N_("The form is too large. Files together can be up to {limit} MB."),
}

RESPONSE_MESSAGES: Final = {
    "accepted": N_("Thank you. Your report was received. Keep your reference number and receipt."),
    "follow_up_accepted": N_("Thank you. Your information was added to report {reference}."),
    "unavailable": N_(
        "We cannot take your report right now. Please try again in a few minutes, or call the "
        "hotline at {hotline}. If someone is in immediate danger, call 911."),
    "rate_limited": N_(
        "Too many reports were sent from here in a short time. Please wait a few minutes and try "
        "again, or call the hotline at {hotline}. If someone is in immediate danger, call 911."),
    "not_found": N_("This page does not exist."),
    "unreadable": N_("The form could not be read. Please go back and try again."),
    "cross_site": N_(
        "This form can only be sent from this site's own pages. Open the form here and send it again."),
}


# ---------------------------------------------------------------- catalogue maintenance


def extract() -> Catalog:
    """Every translatable message in the package, as Babel sees it."""
    catalog = Catalog(domain=DOMAIN, project="hotline intake_webform", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE_DIR), METHOD_MAP, options_map=EXTRACT_OPTIONS, keywords={"N_": None, "_": None,
                                                                              "gettext": None},
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update() -> int:
    """Merge freshly extracted messages into every catalogue; prints what is left to translate."""
    template = extract()
    untranslated = 0
    for language in LANGUAGES_OFFERED:
        if language == DEFAULT:
            continue
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=language, domain=DOMAIN)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as po:
            write_po(po, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
        missing = [m.id for m in catalog if m.id and not m.string]
        untranslated += len(missing)
        for message_id in missing:
            print(f"{language}: untranslated: {message_id!r}")
    return 1 if untranslated else 0


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        print("usage: python -m intake_webform.i18n update", file=sys.stderr)
        sys.exit(2)
    sys.exit(update())
