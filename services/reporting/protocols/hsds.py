"""The contact directory in Open Referral HSDS 3.0 JSON, out and back in.

One protocol contact is one HSDS ``service`` (what the contact does for the hotline), nested the
way the HSDS 3.0 API serves a service: its ``organization``, a named ``contacts`` entry with its
``phones``, ``schedules``, ``languages``, ``service_areas`` and ``attributes``. The file is one
page of the API's ``/services`` answer (``total_items`` ... ``contents``). Ids are UUIDs derived
from the region and contact id, so the same directory exports the same ids.

Standard fields carry what any HSDS reader understands: names, title, organisation, the first
e-mail address, every phone number (with its label as ``description``), ``assured_date`` from
``last_verified``, languages, the region as a service area, and availability as weekly
``schedules``. Attributes of the ``hotline-protocols`` taxonomy carry what HSDS has no field for,
so that an export imports back unchanged: the contact id, region, kind, availability and the full
ordered channel list (webhooks, second e-mail addresses, labels) as JSON, and notes.

Not carried: the matrix, chains, waits and mandatory reports (protocol logic, not directory data),
and locations (protocol contacts have no address). Importing plain HSDS data (no such attributes)
takes channels from the phones and e-mail fields, availability from WEEKLY schedules (a numeric
``timezone`` offset becomes an ``Etc/GMT`` zone; none: UTC), ``service_provider`` as the kind, and
``1970-01-01`` as ``last_verified`` when ``assured_date`` is missing, so validation flags it stale.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.reporting.protocols.model import (
    WEEKDAYS,
    AvailabilityMode,
    Contact,
    EmailChannel,
    PhoneChannel,
    ProtocolFile,
    Region,
    WeeklyAvailability,
    format_clock,
    slug,
)
from services.reporting.protocols.regions import LoadedProtocol
from services.reporting.protocols.yaml_lines import dump

TAXONOMY: Final = "hotline-protocols"
_NAMESPACE: Final = uuid.UUID("7d3c9a52-5f0e-4a8e-9b1e-3f6c2d8a4b10")
_BYDAY: Final = dict(zip(WEEKDAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
_NEVER_VERIFIED: Final = date(1970, 1, 1)
_NAMED_SCHEDULES: Final[dict[AvailabilityMode, tuple[str, str, list[tuple[Sequence[str], int, int]]]]] = {
    AvailabilityMode.ALWAYS: ("24/7", "America/New_York", [(WEEKDAYS, 0, 1440)]),
    AvailabilityMode.BUSINESS_HOURS_ONLY: ("the hotline's business hours", "America/New_York",
                                           [(WEEKDAYS[:5], 540, 1140)]),
    AvailabilityMode.AFTER_HOURS_ONLY: ("outside the hotline's business hours", "America/New_York",
                                        [(WEEKDAYS[:5], 0, 540), (WEEKDAYS[:5], 1140, 1440),
                                         (WEEKDAYS[5:], 0, 1440)]),
}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


# ---------------------------------------------------------------- export


def export_hsds(protocols: Iterable[LoadedProtocol]) -> dict[str, Any]:
    services = [_service(loaded.protocol.region, contact) for loaded in protocols
                for contact in loaded.protocol.contacts]
    return {"total_items": len(services), "total_pages": 1, "page_number": 1, "size": len(services),
            "first_page": True, "last_page": True, "empty": not services, "contents": services}


def _service(region: Region, contact: Contact) -> dict[str, Any]:
    service_id = _id("service", region.key, contact.id)
    organization_id = _id("organization", contact.organisation)
    emails = [c.address for c in contact.channels if isinstance(c, EmailChannel)]
    person_id = _id("contact", region.key, contact.id)
    phones = [{"id": _id("phone", region.key, contact.id, str(n)), "contact_id": person_id,
               "number": c.number, "type": "voice", **({"description": c.label} if c.label else {})}
              for n, c in enumerate(contact.channels) if isinstance(c, PhoneChannel)]
    person = {"id": person_id, "service_id": service_id, "organization_id": organization_id,
              "name": contact.name, **({"title": contact.title} if contact.title else {}),
              **({"email": emails[0]} if emails else {}), "phones": phones}
    attributes = {
        "protocol_contact_id": contact.id,
        "region": json.dumps(region.model_dump(mode="json", exclude_defaults=True), sort_keys=True),
        "contact_kind": contact.kind.value,
        "availability": json.dumps(_json(contact.availability), sort_keys=True),
        "channels": json.dumps([c.model_dump(mode="json", exclude_none=True) for c in contact.channels]),
        **({"notes": contact.notes} if contact.notes else {}),
    }
    return {
        "id": service_id, "organization_id": organization_id, "name": contact.name,
        "description": f"{contact.kind.value.replace('_', ' ')}: {contact.title or contact.name}, "
                       f"{contact.organisation} (reporting and referral contact, {region.label})",
        "status": "active", **({"email": emails[0]} if emails else {}),
        "assured_date": contact.last_verified.isoformat(),
        "organization": {"id": organization_id, "name": contact.organisation,
                         "description": f"{contact.organisation} (reporting and referral contacts)"},
        "contacts": [person],
        "schedules": _schedules(service_id, contact),
        "languages": [{"id": _id("language", service_id, code), "service_id": service_id, "code": code}
                      for code in contact.languages],
        "service_areas": [{"id": _id("area", service_id), "service_id": service_id, "name": region.label,
                           "description": f"hotline protocol region {region.key}"}],
        "attributes": [_attribute(service_id, code, value) for code, value in attributes.items()],
    }


def _json(availability: AvailabilityMode | WeeklyAvailability) -> Any:
    if isinstance(availability, AvailabilityMode):
        return availability.value
    return availability.model_dump(mode="json")


def _schedules(service_id: str, contact: Contact) -> list[dict[str, Any]]:
    availability = contact.availability
    windows: list[tuple[Sequence[str], int, int]]
    if isinstance(availability, WeeklyAvailability):
        description, zone = "weekly hours", availability.timezone
        windows = [(w.days, w.start, w.end) for w in availability.windows]
    else:
        description, zone, named = _NAMED_SCHEDULES[availability]
        windows = list(named)
    return [{"id": _id("schedule", service_id, str(n)), "service_id": service_id, "freq": "WEEKLY",
             "byday": ",".join(_BYDAY[d] for d in days), "opens_at": format_clock(start),
             "closes_at": "23:59" if end == 1440 else format_clock(end), "description": description,
             "notes": f"time zone: {zone}"} for n, (days, start, end) in enumerate(windows)]


def _attribute(service_id: str, code: str, value: str) -> dict[str, Any]:
    term_id = _id("term", code)
    return {"id": _id("attribute", service_id, code), "link_id": service_id, "link_type": "hotline_protocol",
            "link_entity": "service", "taxonomy_term_id": term_id, "value": value,
            "taxonomy_term": {"id": term_id, "code": code, "name": code.replace("_", " "),
                              "description": f"hotline protocol contact field {code}", "taxonomy": TAXONOMY}}


# ---------------------------------------------------------------- import


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Phone(_Lenient):
    number: str
    description: str | None = None


class _Person(_Lenient):
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phones: list[_Phone] = Field(default_factory=list)


class _Term(_Lenient):
    code: str | None = None
    taxonomy: str | None = None


class _Attribute(_Lenient):
    value: str | None = None
    taxonomy_term: _Term | None = None


class _Schedule(_Lenient):
    freq: str | None = None
    byday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    timezone: float | None = None


class _Named(_Lenient):
    name: str | None = None
    code: str | None = None


class _Service(_Lenient):
    id: str
    name: str
    status: str = "active"
    email: str | None = None
    assured_date: date | None = None
    organization: _Named | None = None
    contacts: list[_Person] = Field(default_factory=list)
    phones: list[_Phone] = Field(default_factory=list)
    schedules: list[_Schedule] = Field(default_factory=list)
    languages: list[_Named] = Field(default_factory=list)
    attributes: list[_Attribute] = Field(default_factory=list)


class _Page(_Lenient):
    contents: list[_Service]


@dataclass
class ImportResult:
    files: list[ProtocolFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per service left out, and why


class HsdsInvalid(ValueError):
    """The JSON is not an HSDS 3.0 page of services (or a list of them)."""


def import_hsds(document: object, *, default_region: Region) -> ImportResult:
    try:
        page = _Page.model_validate({"contents": document} if isinstance(document, list) else document)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HsdsInvalid(f"not an HSDS 3.0 page of services: {where}: {first['msg']}") from None
    result = ImportResult()
    regions: dict[str, tuple[Region, list[Contact]]] = {}
    for service in page.contents:
        if service.status != "active":
            result.skipped.append(f"service {service.id} ({service.name}): status is {service.status!r}")
            continue
        try:
            region, contact = _contact(service, default_region)
        except ValidationError as error:
            reasons = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                       for e in error.errors(include_url=False)]
            result.skipped.append(f"service {service.id} ({service.name}): {'; '.join(reasons)}")
            continue
        except ValueError as error:  # an attribute that is not the JSON it should be
            result.skipped.append(f"service {service.id} ({service.name}): {error}")
            continue
        _, contacts = regions.setdefault(region.key, (region, []))
        if any(c.id == contact.id for c in contacts):
            result.skipped.append(f"service {service.id} ({service.name}): contact id {contact.id!r} "
                                  f"is already used in region {region.key}")
            continue
        contacts.append(contact)
    result.files = [ProtocolFile(region=region, contacts=contacts) for region, contacts in regions.values()]
    return result


def _contact(service: _Service, default_region: Region) -> tuple[Region, Contact]:
    attributes = {a.taxonomy_term.code: a.value for a in service.attributes
                  if a.taxonomy_term and a.taxonomy_term.taxonomy == TAXONOMY and a.taxonomy_term.code
                  and a.value is not None}
    person = service.contacts[0] if service.contacts else _Person()
    region = Region.model_validate_json(attributes["region"]) if "region" in attributes else default_region
    if "channels" in attributes:
        channels = json.loads(attributes["channels"])
    else:
        phones = [p for c in service.contacts for p in c.phones] + service.phones
        emails = list(dict.fromkeys(e for e in [*(c.email for c in service.contacts), service.email] if e))
        channels = [{"type": "phone", "number": _number(p.number),
                     **({"label": p.description[:200]} if p.description else {})} for p in phones]
        channels += [{"type": "email", "address": e} for e in emails]
    availability = (json.loads(attributes["availability"]) if "availability" in attributes
                    else _weekly(service))
    contact_id = attributes.get("protocol_contact_id") or f"{slug(service.name)[:50]}-{service.id[:8]}"
    return region, Contact.model_validate({
        "id": re.sub(r"[^a-z0-9_.-]", "-", contact_id).strip("-"),
        "name": person.name or service.name, "title": person.title,
        "organisation": service.organization.name if service.organization and service.organization.name
        else service.name,
        "kind": attributes.get("contact_kind") or "service_provider", "channels": channels,
        "availability": availability, "last_verified": service.assured_date or _NEVER_VERIFIED,
        "languages": [lang.code for lang in service.languages if lang.code], "notes": attributes.get("notes"),
    })


def _number(text: str) -> str:
    # Published data quotes numbers as a spreadsheet does ('"+44 1234 234567"', Open Referral's
    # own 3.0 example): the quotes are not part of the number.
    return text.strip().strip("\"'").strip()


def _weekly(service: _Service) -> object:
    weekly = [s for s in service.schedules if (s.freq or "").upper() == "WEEKLY" and s.byday and s.opens_at
              and s.closes_at]
    if not weekly:
        return AvailabilityMode.ALWAYS.value
    days = {code: day for day, code in _BYDAY.items()}
    offset = int(weekly[0].timezone or 0)
    zone = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX signs: UTC-5 is Etc/GMT+5
    windows = [{"days": [days[code] for d in s.byday.split(",") if (code := d.strip()[-2:].upper()) in days],
                "start": (s.opens_at or "")[:5],
                "end": "24:00" if (s.closes_at or "")[:5] == "23:59" else (s.closes_at or "")[:5]}
               for s in weekly if s.byday]
    return {"timezone": zone, "windows": windows}


def protocol_yaml(protocol: ProtocolFile) -> str:
    """A region file as ``validate`` reads it back, without the keys left at their defaults."""
    data: dict[str, Any] = {
        "version": protocol.version,
        "region": protocol.region.model_dump(mode="json", exclude_defaults=True),
        "contacts": [c.model_dump(mode="json", exclude_defaults=True) for c in protocol.contacts],
        "matrix": protocol.matrix.model_dump(mode="json", exclude_defaults=True),
    }
    if protocol.mandatory_reports:
        data["mandatory_reports"] = [r.model_dump(mode="json", exclude_defaults=True)
                                     for r in protocol.mandatory_reports]
    return dump(data)
