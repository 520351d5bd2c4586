"""``hotline-phone import-cdr`` as a process on the real broker: a followed file survives kill -9."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from contracts import CODEC, Topic
from contracts.events import SignalReceived
from services.runtime import RuntimeSettings
from tests.cdr_fixture import many
from tests.e2e.processes import REPO
from tests.kafka_reader import read_topic


def _start(env: dict[str, str], path: Path, log: Path) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return subprocess.Popen([sys.executable, "-m", "intake_phone.cli", "import-cdr", "--follow", str(path)],
                            cwd=REPO, env={**clean, **env}, stdout=subprocess.DEVNULL,
                            stderr=log.open("ab"))


async def test_a_followed_file_is_published_once_per_row_through_kill_9_and_restart(
    topics: RuntimeSettings, tmp_path: Path
) -> None:
    env = {"HOTLINE_KAFKA_BOOTSTRAP": topics.kafka_bootstrap, "HOTLINE_TOPIC_PREFIX": topics.topic_prefix,
           "HOTLINE_ENVIRONMENT": "test", "HOTLINE_REFERENCE_SECRET": "phone-e2e-secret",
           "HOTLINE_STATE_DIR": str(tmp_path / "state")}
    rows = many(3000)
    path = tmp_path / "Master.csv"
    path.write_text("")
    log = tmp_path / "import.log"
    process = _start(env, path, log)
    kills = 0
    for start in range(0, 3000, 300):
        with path.open("a") as file:  # the PBX appends as calls end
            file.write("".join(rows[start:start + 300]))
        # At the kill points, kill while the appended rows are being read and published.
        await asyncio.sleep(0.08 if start in (900, 2100) else 0.4)
        if start in (900, 2100):
            process.kill()
            process.wait(10)
            kills += 1
            process = _start(env, path, log)
    expected = {f"cdr:{hashlib.sha256(r.rstrip(chr(10)).encode()).hexdigest()[:48]}" for r in rows}
    # Rows read again after a kill are on the topic twice (same key): wait for every key, not a count.
    wanted, keys = 3000, []
    while True:
        records = await read_topic(topics, Topic.SIGNALS_RECEIVED, wanted, timeout=90)
        keys = [e.dedup_key for e in (CODEC.decode(r.value or b"", r.headers).event for r in records)
                if isinstance(e, SignalReceived)]
        if expected <= set(keys):
            break
        wanted = len(records) + 1  # more to come; read_topic fails after its timeout if nothing does
    process.terminate()
    assert process.wait(20) == 0
    assert set(keys) == expected and kills == 2
    print(f"rows=3000 kills={kills} duplicates={len(keys) - len(set(keys))}")
