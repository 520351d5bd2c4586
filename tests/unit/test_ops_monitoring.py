"""The Prometheus alert rules, their promtool unit tests, the scrape config and the Grafana dashboard."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts_test.yml"
CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "hotline-dashboard.json"

# What the services and the ops service export. A rule or panel naming anything else watches a
# series that never exists, and an alert on it would never fire.
KNOWN_METRICS = frozenset({
    "hotline_service_info",
    "hotline_review_erasure_requests_pending",
    "hotline_review_erasure_requests_oldest_pending_seconds",
    "hotline_messages_published_total",
    "hotline_publish_failures_total",
    "hotline_messages_consumed_total",
    "hotline_dead_letters_total",
    "hotline_handler_retries_total",
    "hotline_commit_failures_total",
    "hotline_consumer_consecutive_failures",
    "hotline_handler_duration_seconds",
    "hotline_end_to_end_latency_seconds",
    "hotline_intake_signals_total",
    "hotline_triage_signals_total",
    "hotline_triage_flags_total",
    "hotline_webform_spool_records",
    "hotline_webform_spool_bytes",
    "hotline_webform_spool_capacity_records",
    "hotline_webform_spool_capacity_bytes",
    "hotline_email_backlog_messages",
    "hotline_consumer_lag_records",
    "hotline_dlq_records",
    "hotline_service_last_heartbeat_timestamp_seconds",
    "hotline_urgent_unacknowledged",
    "hotline_urgent_unacknowledged_oldest_age_seconds",
    "hotline_spool_records",
    "hotline_spool_capacity_records",
    "hotline_ops_events_total",
    "hotline_review_cases_past_deadline",
    "hotline_review_oldest_past_deadline_seconds",
    "hotline_review_mandatory_reports_overdue",
    "hotline_review_mandatory_reports_oldest_overdue_seconds",
    "hotline_review_mandatory_reports_failed",
    "hotline_review_purged_items_total",
    "hotline_review_purge_blocked_total",
    "hotline_review_purge_last_success_timestamp_seconds",
    "hotline_reporting_purged_items_total",
})
HISTOGRAMS = frozenset({"hotline_handler_duration_seconds", "hotline_end_to_end_latency_seconds"})
_METRIC_NAME = re.compile(r"hotline_[a-z_]+")
_HISTOGRAM_SUFFIX = re.compile(r"_(bucket|count|sum)$")
# Grafana's variables, replaced by something PromQL parses so promtool can check panel queries.
_GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$group": ".+"}


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        reason = ("promtool is not installed: `apt-get install prometheus` (Debian's package "
                  "ships /usr/bin/promtool; ./dev setup installs it)")
        if IN_CI:
            pytest.fail(f"CI needs promtool: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def _run(*argv: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603 - fixed argv
    output = f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}"
    print(output)
    assert result.returncode == 0, output


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    (group,) = document["groups"]
    assert group["name"] == "hotline"
    rules: list[dict[str, Any]] = group["rules"]
    return rules


def _rule_tests() -> Iterator[dict[str, Any]]:
    document = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))
    for test in document["tests"]:
        yield from test.get("alert_rule_test", [])


def _dashboard() -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return dashboard


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, including those inside collapsed rows."""
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    queries = [target["expr"] for panel in _panels(dashboard["panels"])
               for target in panel.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            queries.append(query["query"] if isinstance(query, dict) else query)
    return queries


def _metric_names(expr: str) -> set[str]:
    names = set()
    for name in _METRIC_NAME.findall(expr):
        base = _HISTOGRAM_SUFFIX.sub("", name)
        names.add(base if base in HISTOGRAMS else name)
    return names


# ------------------------------------------------------------------ promtool


def test_alert_rules_pass_promtool_check(promtool: str) -> None:
    _run(promtool, "check", "rules", str(RULES))


def test_alert_rule_unit_tests_pass(promtool: str) -> None:
    _run(promtool, "test", "rules", str(RULE_TESTS))


def test_example_scrape_config_passes_promtool_check(promtool: str) -> None:
    _run(promtool, "check", "config", str(CONFIG))


def test_dashboard_queries_are_valid_promql(promtool: str, tmp_path: Path) -> None:
    queries = _dashboard_queries(_dashboard())
    rules = []
    for number, query in enumerate(queries):
        for variable, value in _GRAFANA_VARIABLES.items():
            query = query.replace(variable, value)
        if query.startswith("label_values("):  # Grafana's own function, not PromQL
            continue
        rules.append({"record": f"dashboard:query_{number}", "expr": query})
    path = tmp_path / "dashboard_queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}),
                    encoding="utf-8")
    _run(promtool, "check", "rules", str(path))


# ------------------------------------------------------------------ the rules and their tests


def test_rules_carry_for_severity_and_operator_annotations() -> None:
    rules = _rules()
    assert rules
    for rule in rules:
        name = rule["alert"]
        assert name.startswith("Hotline"), name
        assert rule.get("for"), f"{name} has no `for`"
        # Labels name the severity only; the series' own labels are topics, groups and services.
        assert set(rule["labels"]) == {"severity"}, name
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        assert set(rule["annotations"]) == {"summary", "description", "runbook"}, name
        assert all(text.strip() for text in rule["annotations"].values()), name


def test_the_issue_alerts_are_there() -> None:
    names = {rule["alert"] for rule in _rules()}
    assert names >= {
        "HotlineUrgentCaseUnacknowledged", "HotlineConsumerLagGrowing", "HotlineDeadLettersPresent",
        "HotlineSpoolFilling", "HotlineServiceSilent", "HotlineOpsDown", "HotlineCaseDeadlineMissed",
        "HotlineIntakeSpooling", "HotlineIntakeSpoolNearlyFull",
    }


def test_every_alert_and_severity_is_shown_firing() -> None:
    declared = {(rule["alert"], rule["labels"]["severity"]) for rule in _rules()}
    fired = {(case["alertname"], expected["exp_labels"]["severity"])
             for case in _rule_tests() for expected in case.get("exp_alerts") or []}
    assert declared - fired == set(), "alerts no rule test shows firing"


def test_every_alert_has_a_case_where_it_stays_quiet() -> None:
    declared = {rule["alert"] for rule in _rules()}
    quiet = {case["alertname"] for case in _rule_tests() if not case.get("exp_alerts")}
    assert declared - quiet == set(), "alerts no rule test shows staying quiet"


def test_rule_tests_name_only_declared_alerts() -> None:
    # promtool passes a test of a misspelt alert name that expects nothing.
    declared = {rule["alert"] for rule in _rules()}
    assert {case["alertname"] for case in _rule_tests()} <= declared


# ------------------------------------------------------------------ the dashboard


def test_dashboard_is_importable_anywhere() -> None:
    dashboard = _dashboard()
    assert dashboard["uid"] == "hotline-pipeline"
    assert dashboard["title"]
    assert dashboard["schemaVersion"] >= 39
    assert "://" not in DASHBOARD.read_text(encoding="utf-8"), "no hard-coded URLs"
    (source,) = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    assert source["name"] == "DS_PROMETHEUS"
    assert source["query"] == "prometheus"


def test_every_dashboard_panel_queries_prometheus_through_the_variable() -> None:
    panels = [p for p in _panels(_dashboard()["panels"]) if p["type"] != "row"]
    assert panels
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in panels:
        title = panel["title"]
        assert panel["targets"], f"{title} has no target"
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", title
        for target in panel["targets"]:
            assert target["expr"].strip(), title
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}", title
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, title


def test_dashboard_covers_the_issue_views() -> None:
    queries = " ".join(_dashboard_queries(_dashboard()))
    for metric in ("hotline_intake_signals_total", "hotline_triage_signals_total",
                   "hotline_triage_flags_total", "hotline_end_to_end_latency_seconds_bucket",
                   "hotline_consumer_lag_records", "hotline_dlq_records", "hotline_spool_records",
                   "hotline_service_last_heartbeat_timestamp_seconds",
                   "hotline_urgent_unacknowledged_oldest_age_seconds",
                   "hotline_publish_failures_total"):
        assert metric in queries, metric
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (le, topic, group) " \
               "(rate(hotline_end_to_end_latency_seconds_bucket" in queries


def test_rules_and_dashboard_name_only_exported_metrics() -> None:
    expressions = [rule["expr"] for rule in _rules()] + _dashboard_queries(_dashboard())
    named = {name for expr in expressions for name in _metric_names(expr)}
    assert named, "no hotline_ metric found: is the pattern wrong?"
    assert named - KNOWN_METRICS == set(), "metrics nothing exports"
