"""The AsyncAPI document as one self-contained HTML page: channels, messages, headers, payloads.

A small rendering of ``docs/asyncapi/asyncapi.json`` for people (``contracts.asyncapi`` writes
both); no script, no external resources.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any, Final


def _channel_row(address: str, channel: Mapping[str, Any], operations: list[Mapping[str, Any]]) -> str:
    esc = html.escape
    binding = channel["bindings"]["kafka"]

    def services(action: str) -> str:
        return ", ".join(sorted(op["tags"][0]["name"] for op in operations
                                if op["action"] == action and op["channel"]["$ref"].endswith(f"/{address}")))

    names = ", ".join(f'<a href="#{esc(n)}">{esc(n)}</a>' for n in channel["messages"])
    days = binding["topicConfiguration"]["retention.ms"] // 86_400_000
    return (f"<tr><td><code>{esc(address)}</code></td><td>{names}</td><td>{binding['partitions']}</td>"
            f"<td>{days} days</td><td>{esc(services('send'))}</td><td>{esc(services('receive'))}</td>"
            f"<td>{esc(channel['description'])}</td></tr>")


def _header_rows(headers: Mapping[str, Any]) -> str:
    esc = html.escape
    required = set(headers.get("required", []))
    rows = []
    for name, schema in headers["properties"].items():
        value = schema.get("const", schema.get("pattern", schema.get("format", schema.get("type", ""))))
        rows.append(f"<tr><td><code>{esc(name)}</code></td><td>{'yes' if name in required else ''}</td>"
                    f"<td>{esc(str(value))}</td><td>{esc(schema.get('description', ''))}</td></tr>")
    return "".join(rows)


def _payload(message: Mapping[str, Any], schemas: Mapping[str, Any]) -> str:
    esc = html.escape
    payload = message["payload"]
    schema = schemas.get(payload.get("$ref", "").rsplit("/", 1)[-1], {})
    if not schema.get("properties"):
        return f"<p>{esc(payload.get('description', ''))}</p>"
    required = set(schema.get("required", []))
    items = []
    for name, field in schema["properties"].items():
        text = field.get("description", "") if isinstance(field, dict) else ""
        items.append(f"<li><code>{esc(name)}</code>{' (required)' if name in required else ''}"
                     f"{': ' + esc(text) if text else ''}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _message_section(name: str, message: Mapping[str, Any], schemas: Mapping[str, Any]) -> str:
    esc = html.escape
    key = message.get("bindings", {}).get("kafka", {}).get("key")
    example = message.get("examples", [{}])[0].get("payload")
    return "".join((
        f'<section id="{esc(name)}"><h3>{esc(name)} <small><code>{esc(message["title"])}</code></small></h3>',
        f"<p>{esc(message.get('summary', ''))}</p>",
        f"<p>Key: {esc(key.get('description', ''))}</p>" if key else "",
        "<h4>Headers</h4><table><tr><th>header</th><th>required</th><th>value</th><th></th></tr>",
        _header_rows(message["headers"]), "</table>",
        "<h4>Payload</h4>", _payload(message, schemas),
        f"<details><summary>Example</summary><pre>{esc(json.dumps(example, indent=2))}</pre></details>"
        if example is not None else "",
        "</section>",
    ))


_STYLE: Final = (
    "body{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5rem 0}"
    "td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;text-align:left}"
    "section{border-top:1px solid #ddd;margin-top:1.5rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto}"
)


def render_html(document: Mapping[str, Any]) -> str:
    """A self-contained page: channels with their keys, messages, producers and consumers."""
    esc = html.escape
    operations = list(document["operations"].values())
    schemas = document["components"]["schemas"]
    rows = "".join(_channel_row(address, channel, operations)
                   for address, channel in document["channels"].items())
    sections = "".join(_message_section(name, message, schemas)
                       for name, message in document["components"]["messages"].items())
    info = document["info"]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(info['title'])} (AsyncAPI {esc(document['asyncapi'])})</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{esc(info['title'])}</h1><p>{esc(info['description'])}</p>"
        f"<p>AsyncAPI {esc(document['asyncapi'])} document: <a href=\"asyncapi.json\">asyncapi.json</a>. "
        "Generated; do not edit.</p>"
        "<h2>Channels</h2><table><tr><th>topic</th><th>messages</th><th>partitions</th><th>retention</th>"
        f"<th>written by</th><th>read by</th><th></th></tr>{rows}</table>"
        f"<h2>Messages</h2>{sections}</body></html>\n"
    )
