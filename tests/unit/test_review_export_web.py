"""The export page (two supervisors, the archive downloaded on approval) and ``hotline-review
export-archive verify`` on what it downloaded, intact and tampered."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.review import archive
from services.review.cli import main
from services.review.export import Exports
from services.review.live import LiveHub
from services.review.models import ExportRequest
from services.review.web import build_app
from services.runtime.blobs import BlobReader
from tests.unit.test_review_export import KEY
from tests.unit.test_review_web import App, login


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    built = App(tmp_path)
    built.app = build_app(auth=built.auth, decisions=built.decisions, live=LiveHub(), blobs=BlobReader([]),
                          exports=Exports(built.db, now=lambda: datetime.now(UTC), key=KEY))
    yield built
    built.db.dispose()


def test_a_second_supervisor_approves_and_downloads_an_archive_that_verifies(
        app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, reference = app.urgent_case()
    with TestClient(app.app) as alice:
        csrf = login(alice, "alice")
        asked = alice.post("/exports", follow_redirects=False, data={
            "csrf_token": csrf, "reference_number": reference, "reason": "subpoena 2026-GJ-0117"})
        assert asked.status_code == 303
        with app.db.read() as session:
            row = session.query(ExportRequest).one()
        assert "another supervisor decides" in alice.get("/exports").text
        refused = alice.post(f"/exports/{row.id}/approve", data={"csrf_token": csrf})
        assert refused.status_code == 403 and "second supervisor" in refused.text
    with TestClient(app.app) as bob:
        csrf = login(bob, "bob")
        download = bob.post(f"/exports/{row.id}/approve", data={"csrf_token": csrf})
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith(f'attachment; filename="{reference}-export-')
    assert download.headers["cache-control"] == "no-store"

    monkeypatch.setenv("HOTLINE_REVIEW_DATABASE_URL", f"sqlite:///{tmp_path / 'review.sqlite3'}")
    path = tmp_path / "export.zip"
    path.write_bytes(download.content)
    public = archive.public_key_text(KEY)
    assert main(["export-archive", "verify", str(path), "--public-key", public]) == 0
    assert f"archive intact: 6 files of case {reference}" in capsys.readouterr().out
    with zipfile.ZipFile(io.BytesIO(download.content)) as zipped:
        members = {name: zipped.read(name) for name in zipped.namelist()}
    members["signals.json"] = members["signals.json"].replace(b"locked in", b"living in")
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    path.write_bytes(tampered.getvalue())
    assert main(["export-archive", "verify", str(path), "--public-key", public]) == 1
    assert "signals.json: its SHA-256 differs" in capsys.readouterr().out


def test_a_request_is_refused_or_rejected_on_the_page(app: App) -> None:
    _, reference = app.urgent_case()
    with TestClient(app.app) as alice:
        csrf = login(alice, "alice")
        garbled = alice.post("/exports", headers={"accept": "text/html"}, data={
            "csrf_token": csrf, "reference_number": "not a number", "reason": "subpoena 2026-GJ-0117"})
        assert garbled.status_code == 409 and "not a valid reference number" in garbled.text
        assert 'href="/exports"' in garbled.text
        asked = alice.post("/exports", follow_redirects=False, data={
            "csrf_token": csrf, "reference_number": reference, "reason": "subpoena 2026-GJ-0117"})
        assert asked.status_code == 303
        with app.db.read() as session:
            row = session.query(ExportRequest).one()
    with TestClient(app.app) as bob:
        csrf = login(bob, "bob")
        unexplained = bob.post(f"/exports/{row.id}/reject", data={"csrf_token": csrf})
        assert unexplained.status_code == 409 and "say why" in unexplained.text
        rejected = bob.post(f"/exports/{row.id}/reject", follow_redirects=False,
                            data={"csrf_token": csrf, "reason": "the subpoena was withdrawn"})
        assert rejected.status_code == 303 and rejected.headers["location"] == "/exports?done=rejected"
        assert "The export request was rejected." in bob.get(rejected.headers["location"]).text
    with app.db.read() as session:
        stored = session.get(ExportRequest, row.id)
        assert stored is not None and stored.status == "rejected"
