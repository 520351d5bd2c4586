"""A certificate authority made for one local Kafka cluster, and the brokers' certificate it signs.

The secured local cluster (``deploy.localcluster``) encrypts every listener: clients reach the
brokers over SASL_SSL and verify them against this CA; brokers and controllers reach each other
over mutual TLS with the brokers' certificate (its subject, ``CN=hotline-broker``, is the brokers'
super-user principal). Keys are EC P-256 in unencrypted PKCS#8 PEM, which Kafka reads as a ``PEM``
keystore without a key password; they live in the cluster's state directory (mode 0700) and exist
only as long as the run. Stdlib only (it drives the ``openssl`` command), like ``deploy.localkafka``.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

BROKER_SUBJECT = "CN=hotline-broker"
_DAYS = "7"
_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


class LocalTlsError(Exception):
    """One line saying what failed (openssl missing, or the command's own message)."""


@dataclass(frozen=True)
class ClusterTls:
    ca: Path  # the CA certificate: what clients trust (HOTLINE_KAFKA_SSL_CAFILE)
    broker_keystore: Path  # the brokers' private key and certificate, one PEM file (ssl.keystore.location)

    @classmethod
    def existing(cls, directory: Path) -> ClusterTls | None:
        found = cls(ca=directory / "ca.pem", broker_keystore=directory / "broker-keystore.pem")
        return found if found.ca.exists() and found.broker_keystore.exists() else None


def _openssl(*args: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise LocalTlsError("openssl not found on PATH: install it (Debian: apt-get install openssl)")
    result = subprocess.run([openssl, *args], capture_output=True, text=True, check=False,  # noqa: S603 - fixed argv
                            timeout=60)
    if result.returncode != 0:
        said = " | ".join(result.stderr.strip().splitlines()[-2:])
        raise LocalTlsError(f"openssl {args[0]} failed (exit {result.returncode}): {said}")


def make_cluster_tls(directory: Path) -> ClusterTls:
    """A new CA and a broker certificate for 127.0.0.1 and localhost (server and client use)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    ca_key, ca = directory / "ca.key", directory / "ca.pem"
    _openssl("req", "-x509", *_KEY, "-keyout", str(ca_key), "-out", str(ca), "-days", _DAYS,
             "-subj", "/CN=Hotline local Kafka CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    key, request = directory / "broker.key", directory / "broker.csr"
    cert, extensions = directory / "broker.pem", directory / "broker.ext"
    # clientAuth too: a broker presents the same certificate when it connects to the controllers
    # and to the other brokers (mutual TLS on the internal listeners).
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                          "extendedKeyUsage=serverAuth,clientAuth\n"
                          "keyUsage=critical,digitalSignature,keyAgreement\n")
    _openssl("req", "-new", *_KEY, "-keyout", str(key), "-out", str(request),
             "-subj", "/" + BROKER_SUBJECT)
    _openssl("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-out", str(cert), "-days", _DAYS, "-extfile", str(extensions))
    keystore = directory / "broker-keystore.pem"
    keystore.write_text(key.read_text() + cert.read_text() + ca.read_text())
    for secret in (ca_key, key, keystore):
        secret.chmod(0o600)
    request.unlink()
    return ClusterTls(ca=ca, broker_keystore=keystore)
