"""``hotline-triage replay --topics`` on the real broker: past decisions against the current rules."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from contracts import Topic
from contracts.events import Flag, FlagName
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import received, triaged
from tests.e2e.processes import REPO


async def test_replay_compares_received_signals_with_their_triage_decisions(topics: RuntimeSettings) -> None:
    urgent = received(narrative="A 14 year old is locked in the basement right now.")
    routine = received(narrative="The farm boss keeps the workers' passports.")
    undecided = received(narrative="Workers at the nail salon are not paid.")
    # What an older rule set decided for the first two: nothing urgent.
    old = [triaged(signal_id=s.signal_id, rules_version="skeleton-1", flags=[Flag(name=FlagName.MINOR,
                                                                                raised=False)])
           for s in (urgent, routine)]
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        for signal in (urgent, routine, undecided):
            await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        for decision in old:
            await publisher.publish(Topic.SIGNALS_TRIAGED, decision)

    env = {**os.environ, "HOTLINE_KAFKA_BOOTSTRAP": topics.kafka_bootstrap,
           "HOTLINE_TOPIC_PREFIX": topics.topic_prefix}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "triage.cli", "replay", "--topics", "--json", cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    report = json.loads(out)
    assert (report["signals"], report["compared"]) == (3, 2)
    changes = {c["signal"]: c["changes"] for c in report["changes"]}
    assert changes[str(urgent.signal_id)]["minor"] == {"decided": False, "now": True}
    assert changes[str(urgent.signal_id)]["imminent_danger"] == {"decided": False, "now": True}
    assert changes[str(urgent.signal_id)]["urgency"]["now"] == "p1_act_now"
    assert "basement" not in out.decode()
