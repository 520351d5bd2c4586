"""Smoke test of the image: every service's container on a real broker, and one tip end to end.

Each container runs as the image's own user (non-root) with a read-only root filesystem, every
capability dropped and no new privileges, on the host network (the test broker listens on
loopback). The only writable paths are a /tmp tmpfs and the directories its state needs, as in the
Kubernetes manifests. Topics get a prefix of their own, so a shared test broker is not disturbed.

Passes when every service answers ``/readyz``, a tip posted to the containerised web intake is in
the containerised review store with triage's assessment, and every container exits 0 on SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deploy.image import podman, say
from deploy.localimap import PASSWORD, Dovecot
from deploy.ports import free_port

UID = "10001:10001"
READY_TIMEOUT_S = 180.0  # triage loads its language models before it says ready; CI machines are busy
TIP_TIMEOUT_S = 90.0
VAR = "/var/lib/hotline"  # where the state volumes are mounted, as in the manifests
TMP = "/tmp"  # noqa: S108 - the container's own tmpfs
# Test secrets: the services refuse their dev defaults outside dev, as production does.
_SECRETS = {
    "HOTLINE_REFERENCE_SECRET": "smoke-reference-secret-0123456789abcdef",
    "HOTLINE_ENTITY_KEY_SECRET": "smoke-entity-key-secret-0123456789",
    "HOTLINE_ACK_SECRET": "smoke-ack-secret-0123456789abcdef",
    "HOTLINE_TWILIO_AUTH_TOKEN": "smoke-twilio-token",
    # The image's services seal attachments and raw emails at rest, as production requires.
    "HOTLINE_BLOB_KEYS": '{"smoke": "c21va2UtYmxvYi1rZXktMDEyMzQ1Njc4OWFiY2RlZiE="}',
}




@dataclass
class Container:
    service: str
    module: str
    env: dict[str, str]
    mounts: dict[str, str] = field(default_factory=dict)  # state subdirectory -> path inside
    ops_port: int = field(default_factory=free_port)
    http_port: int | None = None
    name: str = ""


def _plan(state: Path, *, bootstrap: str, prefix: str, imap_port: int) -> list[Container]:
    common = {"HOTLINE_ENVIRONMENT": "test", "HOTLINE_KAFKA_BOOTSTRAP": bootstrap,
              "HOTLINE_TOPIC_PREFIX": prefix, "HOTLINE_HEARTBEAT_S": "5", **_SECRETS}
    web, phone, review, reporting, sms = free_port(), free_port(), free_port(), free_port(), free_port()
    blobs = {"blobs": f"{VAR}/blobs"}
    plan = [
        Container("intake-webform", "intake_webform",
                  {"HOTLINE_SPOOL_DIR": f"{VAR}/spool", "HOTLINE_BLOB_DIR": f"{VAR}/blobs"},
                  {"webform-spool": f"{VAR}/spool", **blobs}, http_port=web),
        Container("intake-email", "intake_email",
                  {"HOTLINE_IMAP_HOST": "127.0.0.1", "HOTLINE_IMAP_PORT": str(imap_port),
                   "HOTLINE_IMAP_TLS": "false", "HOTLINE_IMAP_PASSWORD": PASSWORD,
                   "HOTLINE_STATE_DIR": f"{VAR}/state", "HOTLINE_BLOB_DIR": f"{VAR}/blobs"},
                  {"email-state": f"{VAR}/state", **blobs}),
        Container("intake-phone", "intake_phone",
                  {"HOTLINE_TWILIO_PUBLIC_URL": f"http://127.0.0.1:{phone}",
                   "HOTLINE_STATE_DIR": f"{TMP}/phone"}, http_port=phone),
        Container("intake-sms", "intake_sms",
                  {"HOTLINE_TWILIO_PUBLIC_URL": f"http://127.0.0.1:{sms}",
                   "HOTLINE_STATE_DIR": f"{VAR}/sms", "HOTLINE_SPOOL_DIR": f"{VAR}/sms/spool",
                   "HOTLINE_SMS_OUTBOX_FILE": f"{VAR}/sms/outbox.jsonl",
                   "HOTLINE_BLOB_DIR": f"{VAR}/blobs/sms"},
                  {"sms-state": f"{VAR}/sms", **blobs}, http_port=sms),
        Container("triage", "triage", {"HOTLINE_FAUST_DATADIR": f"{TMP}/faust"}),
        Container("review", "services.review",
                  {"HOTLINE_REVIEW_DATABASE_URL": f"sqlite:///{VAR}/review/review.sqlite3",
                   "HOTLINE_BLOB_DIR": f"{VAR}/blobs"},
                  {"review-db": f"{VAR}/review", **blobs}, http_port=review),
        Container("reporting", "services.reporting",
                  {"HOTLINE_REPORTING_DATABASE_URL": f"sqlite:///{VAR}/ledger/reporting.sqlite3",
                   "HOTLINE_SMTP_PORT": str(free_port()),
                   "HOTLINE_PUBLIC_BASE_URL": f"http://127.0.0.1:{reporting}"},
                  {"ledger": f"{VAR}/ledger"}, http_port=reporting),
        Container("ops", "services.ops", {}),
    ]
    for container in plan:
        container.env = {**common, **container.env, "HOTLINE_OPS_PORT": str(container.ops_port)}
        if container.http_port is not None:
            container.env["HOTLINE_HTTP_PORT"] = str(container.http_port)
        for sub in container.mounts:
            (state / sub).mkdir(exist_ok=True)
    return plan


def _locked_down(image: str, *, name: str, env: dict[str, str], mounts: dict[str, str],
                 state: Path) -> list[str]:
    argv = ["run", "--detach", "--name", name, "--network", "host", "--read-only",
            "--read-only-tmpfs=false", "--tmpfs", f"{TMP}:rw,size=256m,mode=1777",
            "--cap-drop", "all", "--security-opt", "no-new-privileges"]
    for sub, target in mounts.items():
        argv += ["--volume", f"{state / sub}:{target}:U"]  # :U hands the directory to the image's user
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    return [*argv, image]


def check_image(image: str) -> None:
    """Non-root, and neither compilers nor installers nor development tools inside."""
    user = podman("image", "inspect", "--format", "{{.Config.User}}", image, capture=True).stdout.strip()
    if user != UID:
        raise AssertionError(f"the image runs as {user!r}, not {UID}")
    probe = ("import importlib.util, json, os, shutil; print(json.dumps({'uid': os.getuid(), "
             "'tools': [t for t in ('gcc', 'cc', 'c++', 'make', 'ld', 'pip', 'pip3') if shutil.which(t)], "
             "'modules': [m for m in ('pip', 'setuptools', 'pytest', 'mypy', 'ruff', 'playwright') "
             "if importlib.util.find_spec(m)]}))")
    found = json.loads(podman("run", "--rm", "--read-only", "--network", "none", "--entrypoint", "python",
                              image, "-c", probe, capture=True).stdout)
    if found["uid"] == 0 or found["tools"] or found["modules"]:
        raise AssertionError(f"the image should hold the services only: {found}")


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a loopback URL we built
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _running(name: str) -> bool:
    state = podman("inspect", "--format", "{{.State.Running}}", name, capture=True, check=False)
    return state.stdout.strip() == "true"


def _logs(name: str) -> str:
    return podman("logs", "--tail", "40", name, capture=True, check=False).stdout


def wait_ready(containers: list[Container]) -> float:
    started = time.monotonic()
    waiting = {c.name: c for c in containers}
    while waiting:
        for name, container in list(waiting.items()):
            if _get(f"http://127.0.0.1:{container.ops_port}/readyz") == 200:
                del waiting[name]
            elif not _running(name):
                raise AssertionError(f"{container.service} exited before it was ready:\n{_logs(name)}")
        if time.monotonic() - started > READY_TIMEOUT_S:
            names = ", ".join(c.service for c in waiting.values())
            raise AssertionError(f"not ready after {READY_TIMEOUT_S:.0f}s: {names}\n"
                                 + "\n".join(_logs(n) for n in waiting))
        time.sleep(0.5)
    return time.monotonic() - started


def post_tip(web_port: int) -> str:
    body = json.dumps({"narrative": "Two girls about 15 are kept at the motel on Elm Street tonight, "
                                    "the man took their phones", "location_state": "TX",
                       "danger_now": "yes"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{web_port}/api/v1/tips", data=body, method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        if response.status != 202:
            raise AssertionError(f"the web intake answered {response.status}")
        return str(json.loads(response.read())["reference_number"])


def wait_in_review(database: Path, reference: str) -> tuple[float, str]:
    """Until review stored the tip (narrative from the intake) with triage's urgency."""
    started = time.monotonic()
    while time.monotonic() - started < TIP_TIMEOUT_S:
        if database.exists():
            with (contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db,
                  contextlib.suppress(sqlite3.OperationalError)):  # tables not migrated yet
                row = db.execute("SELECT narrative IS NOT NULL, urgency FROM signals "
                                 "WHERE reference_number = ?", (reference,)).fetchone()
                if row and row[0] and row[1]:
                    return time.monotonic() - started, str(row[1])
        time.sleep(0.5)
    raise AssertionError(f"tip {reference} did not reach review with its triage in {TIP_TIMEOUT_S:.0f}s")


@contextlib.contextmanager
def _state_dir() -> Iterator[Path]:
    state = Path(tempfile.mkdtemp(prefix="hotline-smoke-"))
    try:
        yield state
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(state, ignore_errors=True)
        else:  # the files belong to the container's user, mapped into this user's namespace
            podman("unshare", "rm", "-rf", str(state), check=False)


def smoke(*, image: str, bootstrap: str) -> None:
    check_image(image)
    run = uuid.uuid4().hex[:8]
    prefix = f"smoke-{run}."
    imap = Dovecot().start()
    names: list[str] = []
    try:
        with _state_dir() as state:
            plan = _plan(state, bootstrap=bootstrap, prefix=prefix, imap_port=imap.port)
            podman("run", "--rm", "--network", "host", "--read-only", "--cap-drop", "all",
                   "--env", f"HOTLINE_KAFKA_BOOTSTRAP={bootstrap}", "--env", f"HOTLINE_TOPIC_PREFIX={prefix}",
                   "--entrypoint", "hotline-topics", image, "ensure", capture=True)
            for container in plan:
                container.name = f"hotline-smoke-{run}-{container.service}"
                podman(*_locked_down(image, name=container.name, env=container.env, mounts=container.mounts,
                                     state=state), container.module, capture=True)
                names.append(container.name)
            ready_s = wait_ready(plan)
            say(f"smoke: {len(plan)} services ready in {ready_s:.1f} s "
                "(read-only root, non-root, no capabilities)")
            web = next(c for c in plan if c.service == "intake-webform")
            reference = post_tip(web.http_port or 0)
            took, urgency = wait_in_review(state / "review-db" / "review.sqlite3", reference)
            say(f"smoke: tip {reference} in the review store, triaged {urgency}, {took:.1f} s after its 202")
            podman("stop", "--time", "20", *names, capture=True)
            codes = {name: podman("inspect", "--format", "{{.State.ExitCode}}", name,
                                  capture=True).stdout.strip() for name in names}
            bad = {name: code for name, code in codes.items() if code != "0"}
            if bad:
                raise AssertionError(f"containers did not exit 0 on SIGTERM: {bad}\n"
                                     + "\n".join(_logs(n) for n in bad))
    finally:
        if names:
            podman("rm", "--force", "--time", "5", *names, capture=True, check=False)
        imap.remove()
