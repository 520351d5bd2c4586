"""``hotline-phone import-cdr`` as a process on the real broker: a followed file survives kill -9, and
a file written with Asterisk's sample cdr.conf is read by its own column count."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from contracts import CODEC, Topic
from contracts.events import SignalReceived
from intake_phone.importer import PositionStore
from services.runtime import RuntimeSettings
from tests.cdr_fixture import many, many_rows
from tests.conftest import wait_for
from tests.e2e.processes import REPO
from tests.kafka_reader import read_topic, record_counter


def _line(env: dict[str, str]) -> int:
    """The row the importer has acknowledged up to, from its own fsynced position file."""
    files = list((Path(env["HOTLINE_STATE_DIR"]) / "cdr-positions").glob("*.json"))
    position = PositionStore(files[0]).load() if files else None
    return position.line if position else 0


def _start(env: dict[str, str], path: Path, log: Path) -> subprocess.Popen[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return subprocess.Popen([sys.executable, "-m", "intake_phone.cli", "import-cdr", "--follow", str(path)],  # noqa: S603 - fixed argv
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
    # The PBX appends as calls end. Two appends are large (several of the importer's batches); the
    # test kills the importer once it has demonstrably started publishing one of them (records
    # arriving on the topic) and checks that the append was not yet done: the kill lands mid-work
    # on any machine, instead of after a guessed delay.
    chunks = [(0, 300), (300, 600), (600, 900), (900, 1900), (1900, 2100), (2100, 3000)]
    async with record_counter(topics, Topic.SIGNALS_RECEIVED) as records_on_topic:
        for start, end in chunks:
            killing = end - start > 500
            if killing:  # from a caught-up importer: new records can only come from this append
                await wait_for(lambda: _line(env) == start, timeout=60,  # noqa: B023
                               what=f"rows up to {start} imported")
                before = await records_on_topic()
            with path.open("a") as file:
                file.write("".join(rows[start:end]))
            if not killing:
                continue

            async def publishing(than: int = before) -> bool:
                return await records_on_topic() > than

            await wait_for(publishing, timeout=60, interval=0.005, what="the append being published")
            process.kill()
            process.wait(10)
            kills += 1
            assert _line(env) < end, "the importer finished the append before the kill: make it larger"
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


async def test_a_master_csv_from_the_sample_cdr_conf_is_published_whole_with_default_settings(
    topics: RuntimeSettings, tmp_path: Path
) -> None:
    env = {"HOTLINE_KAFKA_BOOTSTRAP": topics.kafka_bootstrap, "HOTLINE_TOPIC_PREFIX": topics.topic_prefix,
           "HOTLINE_ENVIRONMENT": "test", "HOTLINE_REFERENCE_SECRET": "phone-e2e-secret",
           "HOTLINE_STATE_DIR": str(tmp_path / "state")}
    # [csv] loguniqueid=yes, loguserfield=yes, as Asterisk ships it: 18 columns a row.
    path = tmp_path / "Master.csv"
    path.write_text("".join(row.line(userfield="" if i % 3 else "callback") for i, row in
                            enumerate(many_rows(40))))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake_phone.cli", "import-cdr", str(path), cwd=REPO, env={**clean, **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 120)
    said = err.decode()
    assert process.returncode == 0, said
    assert "CDR layout: 18 columns (uniqueid, userfield)" in said
    assert "40 rows read: 40 signals, 0 quarantined" in said
    records = await read_topic(topics, Topic.SIGNALS_RECEIVED, 40, timeout=30)
    signals = [e for e in (CODEC.decode(r.value or b"", r.headers).event for r in records)
               if isinstance(e, SignalReceived)]
    assert {s.source.call_id for s in signals if s.source.kind == "phone"} == {
        f"1773669600.{i}" for i in range(40)}
