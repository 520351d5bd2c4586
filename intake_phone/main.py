"""Composition root of the phone intake's HTTP service: Twilio callbacks and specialists' reports.
(The CDR importer is the separate console script ``hotline-phone``.)"""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import Service
from intake_phone.config import PhoneSettings
from intake_phone.source import build_app
from services.runtime import HttpServer, KafkaPublisher, ServiceContext, load_settings, run_service
from services.runtime.local_time import LocalClock


async def serve(context: ServiceContext, settings: PhoneSettings) -> None:
    publisher = KafkaPublisher(settings, source=Service.INTAKE_PHONE.source, metrics=context.metrics)
    await publisher.start()
    context.health.set("publisher", ready=True, detail="connected")
    context.ops.attach(publisher)
    app = build_app(publisher=publisher, twilio_auth_token=settings.twilio_auth_token.get_secret_value(),
                    public_url=settings.twilio_public_url,
                    specialist_tokens={name: token.get_secret_value()
                                       for name, token in settings.specialist_tokens.items()},
                    secret=settings.reference_secret.get_secret_value().encode(),
                    now=lambda: datetime.now(UTC), default_region=settings.default_region,
                    registry=context.metrics.registry, clock=LocalClock(settings.timezone))
    server = HttpServer(app, settings.http_host, settings.http_port, name="phone",
                        trusted_proxies=settings.trusted_proxies)
    try:
        await server.start()
        context.health.set("http", ready=True, detail=server.url)
        await context.stop.wait()
    finally:
        await server.stop()
        await context.ops.close()
        await publisher.stop()


def main() -> int:
    settings = load_settings(PhoneSettings)
    return run_service(Service.INTAKE_PHONE, settings, lambda context: serve(context, settings))
