"""Reports to outside contacts go over SMTP with STARTTLS and a verified server certificate.

The relays are real aiosmtpd servers on loopback presenting certificates from a throwaway test CA
(``tests.tls_support``): one the client trusts, one for another name, one self-signed, and one that
offers no STARTTLS at all. Only dev may send in plain text or without verifying.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from deploy.ports import free_port
from services.reporting.channels import SendFailed, SmtpSecurity, SmtpSender
from services.reporting.config import ReportingSettings
from tests.tls_support import ServerCertificate, ThrowawayCa

SENDER = "reports@hotline.example.org"


@dataclass
class Relay:
    """What a relay was given, and whether each message came over TLS."""

    port: int = 0
    messages: list[tuple[bool, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((session.ssl is not None, bytes(envelope.content)))
        return "250 OK"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayCa:
    return ThrowawayCa.make(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def relay_with() -> Iterator[Any]:
    controllers: list[Controller] = []

    def start(certificate: ServerCertificate | None) -> Relay:
        relay = Relay(port=free_port())
        tls = {"tls_context": certificate.server_context(), "require_starttls": True} if certificate else {}
        controller = Controller(relay, hostname="127.0.0.1", port=relay.port, **tls)
        controller.start()
        controllers.append(controller)
        return relay

    yield start
    for controller in controllers:
        controller.stop()


def sender(relay: Relay, security: SmtpSecurity) -> SmtpSender:
    return SmtpSender("127.0.0.1", relay.port, SENDER, timeout_s=10.0, security=security)


async def test_a_relay_whose_certificate_verifies_gets_the_report_over_tls(
    ca: ThrowawayCa, relay_with: Any
) -> None:
    relay = relay_with(ca.loopback)
    await sender(relay, SmtpSecurity(cafile=ca.ca)).send("det@pd.example.gov", "Report", "text", "report-1")
    [(over_tls, content)] = relay.messages
    assert over_tls and b"report-1@hotline.example.org" in content


@pytest.mark.parametrize("certificate", ["untrusted", "other_name"])
async def test_a_relay_whose_certificate_does_not_verify_gets_nothing(
    ca: ThrowawayCa, relay_with: Any, certificate: str
) -> None:
    relay = relay_with(getattr(ca, certificate))
    with pytest.raises(SendFailed) as failed:
        await sender(relay, SmtpSecurity(cafile=ca.ca)).send("det@pd.example.gov", "Report", "text", "r-2")
    assert failed.value.reason == "smtp_tls_unverified"
    assert relay.messages == []


async def test_the_default_is_starttls_verified_against_the_system_authorities(
    ca: ThrowawayCa, relay_with: Any
) -> None:
    relay = relay_with(ca.loopback)  # the test CA is not one of the system's
    with pytest.raises(SendFailed) as failed:
        await sender(relay, SmtpSecurity()).send("det@pd.example.gov", "Report", "text", "r-3")
    assert failed.value.reason == "smtp_tls_unverified" and relay.messages == []


async def test_a_relay_without_starttls_is_never_sent_to_in_plain_text(
    relay_with: Any, ca: ThrowawayCa
) -> None:
    relay = relay_with(None)
    with pytest.raises(SendFailed) as failed:
        await sender(relay, SmtpSecurity(cafile=ca.ca)).send("det@pd.example.gov", "Report", "text", "r-4")
    assert failed.value.reason == "smtp_starttls_unavailable" and relay.messages == []
    # Only when plain text is asked for (dev): then it goes.
    await sender(relay, SmtpSecurity(starttls=False)).send("det@pd.example.gov", "Report", "text", "r-5")
    assert [over_tls for over_tls, _ in relay.messages] == [False]


async def test_without_verification_asked_for_an_untrusted_relay_still_gets_tls(
    ca: ThrowawayCa, relay_with: Any
) -> None:
    relay = relay_with(ca.untrusted)
    await sender(relay, SmtpSecurity(verify=False)).send("det@pd.example.gov", "Report", "text", "r-6")
    assert [over_tls for over_tls, _ in relay.messages] == [True]


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize(("setting", "words"), [("HOTLINE_SMTP_STARTTLS", "plain text"),
                                                 ("HOTLINE_SMTP_TLS_VERIFY", "verif")])
def test_outside_dev_a_plaintext_or_unverified_relay_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, environment: str, setting: str, words: str
) -> None:
    monkeypatch.setenv("HOTLINE_ENVIRONMENT", environment)
    if environment == "production":
        monkeypatch.setenv("HOTLINE_REPORTING_DATABASE_URL", "postgresql+psycopg://h@db.example.org/r")
        monkeypatch.setenv("HOTLINE_ACK_SECRET", "production-ack-secret-0123456789abcdef")
        monkeypatch.setenv("HOTLINE_PUBLIC_BASE_URL", "https://hotline.example.org")
        monkeypatch.setenv("HOTLINE_KAFKA_SECURITY_PROTOCOL", "SSL")
        monkeypatch.setenv("HOTLINE_REPLICATION_FACTOR", "3")
    assert ReportingSettings().smtp_security() == SmtpSecurity()  # verified STARTTLS unless told
    monkeypatch.setenv(setting, "false")
    with pytest.raises(ValidationError, match=words):
        ReportingSettings()


def test_dev_may_use_a_plaintext_or_unverified_relay(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOTLINE_ENVIRONMENT", "dev")
    monkeypatch.setenv("HOTLINE_SMTP_STARTTLS", "false")
    monkeypatch.setenv("HOTLINE_SMTP_TLS_VERIFY", "false")
    assert ReportingSettings().smtp_security() == SmtpSecurity(starttls=False, verify=False)
    monkeypatch.setenv("HOTLINE_SMTP_CAFILE", str(tmp_path / "ca.pem"))
    assert ReportingSettings().smtp_security().cafile == tmp_path / "ca.pem"
