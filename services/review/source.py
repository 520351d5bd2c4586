"""The review service's HTTP API. Skeleton: a read-only list of cases (ids and triage only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import FastAPI

from services.review.store import CaseStore


def build_app(store: CaseStore) -> FastAPI:
    app = FastAPI(title="Hotline review", version="1", docs_url=None, redoc_url=None)

    @app.get("/api/v1/cases")
    async def list_cases() -> dict[str, Any]:
        return {"cases": [asdict(c) for c in await store.cases()]}

    return app
