"""A real Dovecot IMAP server (Debian's ``dovecot-imapd``) with a private config on loopback: the
local demo mailbox of ``./dev run``, the tests' IMAP server and the email benchmark's.

Nothing system-wide is touched: the config, the state, the logs and the maildirs live in one
directory, and the server runs in the foreground (``dovecot -F``) until ``stop()``.

    python -m deploy.localimap run --port 10143 --root .local/imap   # until Ctrl-C
    python -m deploy.localimap send-sample --port 10143 [--spanish]  # drop a sample tip into INBOX
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from deploy.ports import free_port

USER = "hotline"
PASSWORD = "imap-test-password"  # noqa: S105 - a throwaway account on a private loopback server




class DovecotMissing(RuntimeError):
    pass


def private_root() -> Path:
    """A fresh directory under the system temp dir that Dovecot's unprivileged processes can reach."""
    return Path(tempfile.mkdtemp(prefix="hotline-dovecot-"))


@dataclass
class Dovecot:
    root: Path = field(default_factory=private_root)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail"

    def _config(self) -> str:
        me = pwd.getpwuid(os.getuid()).pw_name
        if os.getuid() == 0:
            # As root Dovecot drops privileges: mail is read and written as nobody.
            identity = "mail_uid = nobody\nmail_gid = nogroup\n"
            login = ""
        else:
            identity = (f"default_internal_user = {me}\ndefault_internal_group = "
                        f"{grp.getgrgid(os.getgid()).gr_name}\ndefault_login_user = {me}\n")
            login = "  chroot =\n"
        return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
info_log_path = {self.root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{self.mail_dir}/%u
{identity}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/passwd
}}
userdb {{
  driver = static
  args = home={self.mail_dir}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{login}}}
service anvil {{
{login}}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""

    def start(self, timeout: float = 15.0) -> Dovecot:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise DovecotMissing("dovecot is not installed: run ./dev setup (installs dovecot-imapd)")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"port {self.port} on 127.0.0.1 is already in use")
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Dovecot's auth and mail processes run as unprivileged users: they must be able to walk
        # down to the passwd file and the maildirs (pytest's own temp dirs are 0700).
        self.root.chmod(0o711)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (self.root / "dovecot.conf").write_text(self._config())
        if os.getuid() == 0:
            shutil.chown(self.mail_dir, "nobody", "nogroup")
        # A session of its own, so that stop() ends the IMAP processes too, as a real outage would.
        self.process = subprocess.Popen([binary, "-F", "-c", str(self.root / "dovecot.conf")],  # noqa: S603 - fixed argv
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {error[-2000:]}")
            with socket.socket() as probe:
                probe.settimeout(0.2)
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port} within {timeout}s")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            group = os.getpgid(self.process.pid)
            os.killpg(group, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(group, signal.SIGKILL)
                self.process.wait(5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)  # any IMAP process still serving an old connection
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


SAMPLES = {
    "en": ("A tip about the nail salon",
           "Hello, I live next to the nail salon on Elm Street. Three young women work there every day\n"
           "from 8am to 11pm and sleep in the back. One of them looks about 16. A man drives them in a\n"
           "white van and keeps their phones. I am afraid to call.\n\n-- \nSent from my phone"),
    "es": ("Reporte sobre el rancho",
           "Buenas tardes. En el rancho de la carretera 12 hay hombres que duermen encerrados en un\n"
           "granero. El patrón les quitó los pasaportes y dice que le deben dinero. Uno tiene 17 años.\n\n"
           "Enviado desde mi iPhone"),
}


def send_sample(port: int, language: str) -> str:
    """Append a sample tip (fake people and places) to INBOX; returns its Message-ID."""
    import email.policy
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from imapclient import IMAPClient

    subject, body = SAMPLES[language]
    message = EmailMessage()
    message["From"] = "Sample Tipster <sample.tipster@example.org>"
    message["To"] = "tips@hotline.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(body)
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    client.append("INBOX", message.as_bytes(policy=email.policy.SMTP))
    client.logout()
    return str(message["Message-ID"])


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m deploy.localimap")
    parser.add_argument("command", choices=["run", "send-sample"])
    parser.add_argument("--port", type=int, default=10143)
    parser.add_argument("--root", type=Path, default=Path(".local/imap"))
    parser.add_argument("--spanish", action="store_true", help="send-sample: the Spanish sample")
    args = parser.parse_args(argv)
    if args.command == "send-sample":
        try:
            message_id = send_sample(args.port, "es" if args.spanish else "en")
        except OSError as error:
            print(f"cannot reach the demo mailbox on 127.0.0.1:{args.port}: {error.strerror or error}"
                  " (is ./dev run running?)", file=sys.stderr)
            return 1
        print(f"sample tip {message_id} is in INBOX on 127.0.0.1:{args.port}")
        return 0
    root = args.root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    server = Dovecot(root=root, port=args.port).start()
    # Blocked only now: a signal mask is inherited by child processes, and Dovecot must keep its own.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    print(f"imap=127.0.0.1:{server.port} user={USER} password={PASSWORD} root={root}", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
