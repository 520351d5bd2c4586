"""Texting the local SMS intake as Twilio would, and reading what it sent back.

    python -m deploy.localsms send-sample [--text "..."] [--from +12145550123] [--port 8086]
    python -m deploy.localsms outbox [--file .local/sms/outbox.jsonl]

``send-sample`` posts a messaging webhook signed with the local run's auth token (the
``twilio`` library's own signature), with a fresh MessageSid and a fake 555 number: texts sent
within the conversation window from the same number become one case. ``outbox`` prints the texts
the intake "sent" (``./dev run`` records them instead of sending: HOTLINE_SMS_SENDER=record).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from twilio.request_validator import RequestValidator

from deploy.senders import TEXT_PATH, text_params

DEV_TOKEN = "dev-only-twilio-token"  # noqa: S105 - the local run's own, refused in production
SAMPLE = "hi. i work at the nail salon on elm st. the boss keeps our passports and we sleep in the back"
PATH = TEXT_PATH


def send_sample(*, port: int, text: str, sender: str, token: str = DEV_TOKEN) -> tuple[int, str]:
    """Post one signed inbound text; returns the HTTP status and its MessageSid."""
    url = f"http://127.0.0.1:{port}{PATH}"
    sid = "SM" + secrets.token_hex(16)
    params = text_params(sid, sender, text)
    signature = RequestValidator(token).compute_signature(url, params)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST",
                                     headers={"X-Twilio-Signature": signature,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback only
            return response.status, sid
    except urllib.error.HTTPError as error:
        return error.code, sid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localsms", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["send-sample", "outbox"])
    parser.add_argument("--port", type=int, default=8086)
    parser.add_argument("--text", default=SAMPLE, help="send-sample: the message (START, STOP, HELP work)")
    parser.add_argument("--from", dest="sender", default="+12145550123", help="send-sample: the texter")
    parser.add_argument("--file", type=Path, default=Path(".local/sms/outbox.jsonl"),
                        help="outbox: the record of texts sent")
    args = parser.parse_args(argv)
    if args.command == "outbox":
        if not args.file.exists():
            print(f"nothing sent yet ({args.file} does not exist)")
            return 0
        for line in args.file.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)
            print(f"{text['at']}  to {text['to']}: {text['body']}")
        return 0
    try:
        status, sid = send_sample(port=args.port, text=args.text, sender=args.sender)
    except OSError as error:
        print(f"cannot reach the SMS intake on 127.0.0.1:{args.port}: {error} (is ./dev run running?)",
              file=sys.stderr)
        return 1
    if status != 200:
        print(f"the SMS intake answered {status} to text {sid}", file=sys.stderr)
        return 1
    print(f"text {sid} from {args.sender} taken in by 127.0.0.1:{args.port}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
