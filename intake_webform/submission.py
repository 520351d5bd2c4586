"""What a tip is made of, validated the same way whether it came from the HTML form or the JSON API.

The fields are flat on purpose: the HTML form's input names and the JSON API's keys are the same
words, so an error names the same field in both and the form can tie it to its input.
Validation answers with :class:`FieldError` codes; the words a person reads come from the
translation catalogues (``intake_webform.i18n``), never from here.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from contracts.events import Answer, DeclaredTraffickingType, Gender, Nationality, ReporterRole
from contracts.text import clean_strings

US_STATES: Final = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
})
# The time zones of the United States and its territories a reporter may choose for their safe
# times (IANA names, as ``SafeContact.time_zone`` carries them).
SafeTimeZone = Literal["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                       "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
                       "America/Puerto_Rico", "Pacific/Guam"]
# Offered on the form; any other BCP 47 primary tag is accepted by the API.
LANGUAGES: Final = ("en", "es", "fr", "ht", "pt", "zh", "vi", "ko", "tl", "ar", "ru")
MAX_NARRATIVE: Final = 20_000
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

Short = Annotated[str, Field(max_length=200)]
Medium = Annotated[str, Field(max_length=2000)]


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: a stable code plus the numbers the message needs."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class AttachmentUpload(BaseModel):
    """An attachment sent through the JSON API (the HTML form uses multipart file inputs)."""

    model_config = ConfigDict(extra="forbid")

    filename: Annotated[str, Field(max_length=255)] | None = None
    media_type: Annotated[str, Field(max_length=127)] | None = None
    content_base64: Annotated[str, Field(min_length=1)]

    def content(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not base64") from None


class _Submitted(BaseModel):
    """Judged on the text the signal will keep: the contracts' cleaning first, so a narrative made
    only of control characters is missing here rather than an empty signal later."""

    @model_validator(mode="before")
    @classmethod
    def _without_control_characters(cls, data: Any) -> Any:
        return clean_strings(data)


class TipSubmission(_Submitted):
    """A new tip. Only ``narrative`` is required: a frightened person may give nothing else."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    narrative: Annotated[str, Field(min_length=1, max_length=MAX_NARRATIVE)]
    location_city: Short | None = None
    location_state: Annotated[str, Field(max_length=2)] | None = None
    location_zip: Annotated[str, Field(max_length=10)] | None = None
    location_details: Medium | None = None
    victim_count: Annotated[int, Field(ge=1, le=10_000)] | None = None
    victim_age: Annotated[int, Field(ge=0, le=120)] | None = None
    victim_age_low: Annotated[int, Field(ge=0, le=120)] | None = None
    victim_age_high: Annotated[int, Field(ge=0, le=120)] | None = None
    victim_gender: Gender = Gender.UNKNOWN
    victim_nationality: Nationality = Nationality.UNKNOWN
    trafficking_type: DeclaredTraffickingType = DeclaredTraffickingType.NOT_STATED
    danger_now: Answer = Answer.NOT_ASKED
    reporter_role: ReporterRole = ReporterRole.UNKNOWN
    anonymous: bool = True
    contact_name: Short | None = None
    contact_email: Annotated[str, Field(max_length=320)] | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None
    consent_to_contact: bool = False
    consent_to_share: bool = False
    safe_times: Short | None = None
    # The zone the safe times are meant in: "after 6pm" in Los Angeles is 9pm in New York.
    safe_time_zone: SafeTimeZone | None = None
    voicemail_ok: bool = False
    text_ok: bool = False
    safe_contact_instructions: Medium | None = None
    preferred_language: Annotated[str, Field(max_length=3)] | None = None
    attachments: Annotated[list[AttachmentUpload], Field(max_length=20)] = Field(default_factory=list)

    @field_validator("location_state")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if value not in US_STATES:
            raise PydanticCustomError("us_state", "not a US state or territory code")
        return value

    @field_validator("location_zip")
    @classmethod
    def _zip(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{5}(-\d{4})?", value):
            raise PydanticCustomError("zip_code", "not a ZIP code")
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.fullmatch(value):
            raise PydanticCustomError("email", "not an email address")
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException:
            raise PydanticCustomError("phone", "not a phone number") from None
        if not phonenumbers.is_possible_number(number):
            raise PydanticCustomError("phone", "not a phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("preferred_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.fullmatch(value.lower()):
            raise PydanticCustomError("language", "not a language code")
        return value.lower() if value else None

    def has_contact(self) -> bool:
        return any((self.contact_name, self.contact_email, self.contact_phone))


class FollowUpSubmission(_Submitted):
    """More information for a report already made, proven by the receipt the reporter kept."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference_number: Annotated[str, Field(min_length=1, max_length=20)]
    receipt: Annotated[str, Field(min_length=1, max_length=40)]
    narrative: Annotated[str, Field(max_length=MAX_NARRATIVE)] = ""
    attachments: Annotated[list[AttachmentUpload], Field(max_length=20)] = Field(default_factory=list)


def cross_check(tip: TipSubmission) -> list[FieldError]:
    """Rules between fields, each tied to the field a person has to change."""
    problems: list[FieldError] = []
    if tip.victim_age_low is not None and tip.victim_age_high is not None \
            and tip.victim_age_low > tip.victim_age_high:
        problems.append(FieldError("victim_age_high", "age_range_order"))
    if tip.anonymous and tip.has_contact():
        problems.append(FieldError("anonymous", "anonymous_with_contact"))
    if not tip.anonymous and not tip.has_contact():
        problems.append(FieldError("contact_email", "contact_missing"))
    if tip.has_contact() and not tip.consent_to_contact:
        problems.append(FieldError("consent_to_contact", "consent_missing"))
    return problems


_PYDANTIC_CODES: Final[dict[str, str]] = {
    "missing": "required",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_many",
    "int_parsing": "number",
    "int_type": "number",
    "int_from_float": "number",
    "greater_than_equal": "too_small",
    "less_than_equal": "too_big",
    "enum": "choice",
    "literal_error": "choice",
    "bool_parsing": "choice",
    "bool_type": "choice",
    "string_type": "text",
    "list_type": "invalid",
    "model_type": "invalid",
    "model_attributes_type": "invalid",
    "extra_forbidden": "unknown_field",
    "json_invalid": "invalid_json",
    "string_unicode": "text_encoding",
}


def field_errors(errors: Sequence[Mapping[str, Any]] | ValidationError) -> list[FieldError]:
    """Pydantic's (or FastAPI's) errors as field errors. Values are never copied into the params."""
    if isinstance(errors, ValidationError):
        errors = errors.errors(include_url=False, include_input=False)
    problems: list[FieldError] = []
    for detail in errors:
        kind = str(detail.get("type", "invalid"))
        location = [str(part) for part in detail.get("loc", ()) if part != "body"]
        name = "body" if kind == "json_invalid" or not location else ".".join(location)
        code = _PYDANTIC_CODES.get(kind, kind if kind in _CUSTOM_CODES else "invalid")
        params: dict[str, Any] = {}
        context = detail.get("ctx") or {}
        for key in ("max_length", "min_length", "ge", "le"):
            if isinstance(context.get(key), int):
                params[key] = context[key]
        problems.append(FieldError(name, code, params))
    return problems


_CUSTOM_CODES: Final = frozenset({"us_state", "zip_code", "email", "phone", "language", "text_encoding"})
