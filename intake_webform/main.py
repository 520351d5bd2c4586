"""Composition root of the web intake: settings, the one publisher, the app, the servers."""

from __future__ import annotations

from datetime import UTC, datetime

from intake_webform.config import WebformSettings
from intake_webform.source import build_app
from services.runtime import HttpServer, KafkaPublisher, ServiceContext, load_settings, run_service

SERVICE = "intake-webform"


async def serve(context: ServiceContext, settings: WebformSettings) -> None:
    publisher = KafkaPublisher(settings, source=f"/hotline/{SERVICE}", metrics=context.metrics)
    await publisher.start()
    context.health.set("publisher", ready=True, detail="connected")
    app = build_app(publisher=publisher, now=lambda: datetime.now(UTC),
                    reference_secret=settings.reference_secret.get_secret_value().encode())
    server = HttpServer(app, settings.http_host, settings.http_port, name="webform")
    try:
        await server.start()
        context.health.set("http", ready=True, detail=server.url)
        await context.stop.wait()
    finally:
        await server.stop()
        await publisher.stop()


def main() -> int:
    settings = load_settings(WebformSettings)
    return run_service(SERVICE, settings, lambda context: serve(context, settings))
