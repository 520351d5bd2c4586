"""A throwaway certificate authority for tests of TLS clients, made with the ``openssl`` command.

``ThrowawayCa.make(directory)`` writes a CA, a server certificate it signed for ``127.0.0.1`` and
``localhost``, a certificate it signed for another name, and a self-signed certificate nobody
trusts; ``server_context`` turns one of them into what a test server presents.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI

_DAYS = "2"
_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def _openssl(*args: str) -> None:
    # A fixed program with arguments of the tests own making: the throwaway CA for the TLS tests.
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)  # noqa: S603, S607


@dataclass(frozen=True)
class ServerCertificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@dataclass(frozen=True)
class ThrowawayCa:
    ca: Path  # the CA certificate a client is told to trust
    loopback: ServerCertificate  # signed by the CA for 127.0.0.1 and localhost
    other_name: ServerCertificate  # signed by the CA for mail.example.org only
    untrusted: ServerCertificate  # self-signed for 127.0.0.1: nobody's CA

    @classmethod
    def make(cls, directory: Path) -> ThrowawayCa:
        if shutil.which("openssl") is None:
            reason = "the openssl command is not installed (apt-get install openssl)"
            if IN_CI:
                pytest.fail(f"CI needs {reason}", pytrace=False)
            pytest.skip(reason)
        directory.mkdir(parents=True, exist_ok=True)
        ca_key, ca = directory / "ca.key", directory / "ca.pem"
        _openssl("req", "-x509", *_KEY, "-keyout", str(ca_key), "-out", str(ca), "-days", _DAYS,
                 "-subj", "/CN=Hotline Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")

        def signed(name: str, alt_names: str) -> ServerCertificate:
            key, request = directory / f"{name}.key", directory / f"{name}.csr"
            cert, extensions = directory / f"{name}.pem", directory / f"{name}.ext"
            extensions.write_text(f"subjectAltName={alt_names}\nextendedKeyUsage=serverAuth\n")
            _openssl("req", "-new", *_KEY, "-keyout", str(key), "-out", str(request), "-subj", f"/CN={name}")
            _openssl("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key),
                     "-CAcreateserial", "-out", str(cert), "-days", _DAYS, "-extfile", str(extensions))
            return ServerCertificate(cert, key)

        untrusted_key, untrusted = directory / "untrusted.key", directory / "untrusted.pem"
        _openssl("req", "-x509", *_KEY, "-keyout", str(untrusted_key), "-out", str(untrusted), "-days", _DAYS,
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        return cls(ca=ca, loopback=signed("loopback", "IP:127.0.0.1,DNS:localhost"),
                   other_name=signed("other-name", "DNS:mail.example.org"),
                   untrusted=ServerCertificate(untrusted, untrusted_key))
