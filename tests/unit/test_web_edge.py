"""The runtime's web edge: headers on every answer (errors and crashes too), cross-site refusal,
the request size limit (declared and chunked), Basic credentials and form checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from services.runtime.web_edge import (
    STRICT_CSP,
    EdgePolicy,
    FormCheck,
    basic_challenge,
    basic_credentials,
    basic_user,
    is_protected,
    origin_of,
    protect,
)

pytestmark = pytest.mark.unit


class Body(BaseModel):
    text: str


SMALL = EdgePolicy(max_request_bytes=1024)


def app_with_edge(policy: EdgePolicy = SMALL) -> FastAPI:
    app = FastAPI()

    @app.get("/page")
    async def page() -> HTMLResponse:
        return HTMLResponse("<p>hello</p>", headers={"cache-control": "public, max-age=60"})

    @app.get("/static/style.css")
    async def style() -> Response:
        return Response("p{}", media_type="text/css")

    @app.get("/download")
    async def download() -> Response:
        return Response(b"x", headers={"content-security-policy": "sandbox; default-src 'none'"})

    @app.get("/missing")
    async def missing() -> Response:
        raise HTTPException(404, "no such thing")

    @app.get("/crash")
    async def crash() -> Response:
        raise RuntimeError("a bug")

    @app.post("/json")
    async def json_body(body: Body) -> dict[str, str]:
        return {"text": body.text}

    @app.post("/form")
    async def form(request: Request) -> dict[str, str]:
        fields = await request.form()
        return {"text": str(fields.get("text"))}

    protect(app, policy)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_with_edge(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge.example.org") as c:
        yield c


def assert_secured(response: httpx.Response, csp: str = STRICT_CSP) -> None:
    assert response.headers["content-security-policy"] == csp, response.request.url
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"


async def test_every_answer_carries_the_headers_errors_and_crashes_included(
    client: httpx.AsyncClient,
) -> None:
    answers = {
        "page": await client.get("/page"),
        "handled 404": await client.get("/missing"),
        "no route": await client.get("/nowhere"),
        "wrong method": await client.delete("/page"),
        "invalid JSON body": await client.post("/json", json={"other": 1}),
        "crash": await client.get("/crash"),
    }
    assert [r.status_code for r in answers.values()] == [200, 404, 404, 405, 422, 500]
    for response in answers.values():
        assert_secured(response)


async def test_static_files_may_be_cached_and_a_route_may_sandbox_itself() -> None:
    app = app_with_edge(EdgePolicy(cacheable_prefixes=("/static/",)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as c:
        style = await c.get("/static/style.css")
        download = await c.get("/download")
    assert style.headers["cache-control"] == "public, max-age=3600"
    assert download.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert download.headers["cache-control"] == "no-store"


async def test_the_favicon_every_browser_asks_for_is_no_content_with_the_headers(
    client: httpx.AsyncClient,
) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 204 and icon.content == b""
    assert icon.headers["content-security-policy"] == STRICT_CSP
    assert icon.headers["x-content-type-options"] == "nosniff"
    assert icon.headers["cache-control"] == "public, max-age=86400"
    assert (await client.head("/favicon.ico")).status_code == 204
    assert (await client.post("/favicon.ico")).status_code in (404, 405)  # only reads are answered


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://edge.example.org"},  # the browser's word wins
    {"Origin": "https://evil.example"},
    {"Origin": "http://edge.example.org.evil.example"},
])
async def test_state_changing_requests_from_another_site_are_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for path in ("/form", "/json"):
        response = await client.post(path, data={"text": "x"}, headers=headers)
        assert response.status_code == 403, (path, headers)
        assert_secured(response)
    assert (await client.get("/page", headers=headers)).status_code == 200  # reading is not refused


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": "http://edge.example.org"},
    {"Origin": "null"},  # a page under Referrer-Policy: no-referrer posts with Origin: null
    {},  # not a browser: credentials decide
])
async def test_own_site_and_non_browser_requests_pass(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/form", data={"text": "x"}, headers=headers)
    assert response.status_code == 200 and response.json() == {"text": "x"}


async def test_a_trusted_public_origin_may_post() -> None:
    app = app_with_edge(EdgePolicy(trusted_origins=frozenset({origin_of("https://Hotline.example.org/r/")})))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8085") as c:
        ok = await c.post("/form", data={"text": "x"}, headers={"Origin": "https://hotline.example.org"})
        other = await c.post("/form", data={"text": "x"}, headers={"Origin": "https://other.example.org"})
    assert (ok.status_code, other.status_code) == (200, 403)


async def test_a_declared_oversized_body_is_413_before_it_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/json", json={"text": "x" * 2000})
    assert response.status_code == 413 and response.text == "The request is too large."
    assert_secured(response)


async def test_a_chunked_oversized_body_is_413_not_400(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}'

    for path, content_type in (("/json", "application/json"),
                               ("/form", "application/x-www-form-urlencoded")):
        response = await client.post(path, content=chunks(), headers={"content-type": content_type})
        assert "content-length" not in response.request.headers
        assert response.status_code == 413, (path, response.text)
        assert response.text == "The request is too large."
        assert_secured(response)


async def test_a_renderer_speaks_for_the_app() -> None:
    policy = EdgePolicy(max_request_bytes=10, too_large=lambda scope: (b"application/json", b'{"m": "big"}'),
                        cross_site=lambda scope: (b"application/json", b'{"m": "elsewhere"}'))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_with_edge(policy)),
                                 base_url="http://e") as c:
        big = await c.post("/json", json={"text": "far too long"})
        elsewhere = await c.post("/json", json={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert (big.status_code, big.json()) == (413, {"m": "big"})
    assert (elsewhere.status_code, elsewhere.json()) == (403, {"m": "elsewhere"})


def test_protect_marks_the_app() -> None:
    assert is_protected(app_with_edge())
    assert not is_protected(FastAPI())


def test_basic_credentials() -> None:
    assert basic_credentials("Basic bWFyaWE6czNjcmV0") == ("maria", "s3cret")
    assert basic_credentials("basic bWFyaWE6OnMz") == ("maria", ":s3")
    for bad in (None, "", "Bearer bWFyaWE6czNjcmV0", "Basic !!!", "Basic bWFyaWE=", "Basic //79"):
        assert basic_credentials(bad) is None, bad


def test_basic_user_is_the_name_whose_own_token_was_given() -> None:
    tokens = {"maria": "s3cret", "jose": "other"}
    assert basic_user("Basic bWFyaWE6czNjcmV0", tokens.get) == "maria"  # maria:s3cret
    assert basic_user("Basic am9zZTpzM2NyZXQ=", tokens.get) is None  # jose:s3cret, maria's token
    assert basic_user("Basic YW5hOnMzY3JldA==", tokens.get) is None  # ana:s3cret, no such specialist
    assert basic_user("Basic bWFyaWE6czNjcmV0", lambda _: "") is None  # no token configured
    assert basic_user(None, tokens.get) is None


def test_basic_challenge_asks_a_browser_for_the_specialists_credentials() -> None:
    answer = basic_challenge("specialists only")
    assert answer.status_code == 401 and answer.body == b"specialists only"
    assert answer.headers["www-authenticate"] == 'Basic realm="hotline specialists", charset="UTF-8"'


def test_form_checks_bind_the_person_the_subject_and_the_purpose() -> None:
    tasks, reports = FormCheck("phone-task"), FormCheck("call-report")
    value = tasks.value(b"maria-token", "maria", "7")
    assert tasks.valid(b"maria-token", value, "maria", "7")
    assert not tasks.valid(b"maria-token", value, "maria", "8")
    assert not tasks.valid(b"maria-token", value, "jose", "7")
    assert not tasks.valid(b"jose-token", value, "maria", "7")
    assert not reports.valid(b"maria-token", value, "maria", "7")
    assert not tasks.valid(b"", tasks.value(b"", "maria", "7"), "maria", "7")
    assert not tasks.valid(b"maria-token", None, "maria", "7")
