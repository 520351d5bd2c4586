"""Encryption at rest of the blob store: sealing, rotation, re-encryption, and the settings' checks."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.runtime import blob_cli
from services.runtime.blob_keys import (
    BlobKeyError,
    BlobKeys,
    BlobKeySettings,
    SealedBlobError,
    new_key,
    sealed_with,
)
from services.runtime.blobs import BlobReader, BlobStore

PHOTO = b"\x89PNG\r\n\x1a\n a photo of the van's plates 555-XYZ" * 20


def _key(fill: bytes) -> str:
    return base64.b64encode(fill * 32).decode()


OLD = BlobKeys.parse(json.dumps({"2026-01": _key(b"o")}))
NEW = BlobKeys.parse(json.dumps({"2026-01": _key(b"o"), "2026-12": _key(b"n")}), "2026-12")
NEW_ONLY = BlobKeys.parse(json.dumps({"2026-12": _key(b"n")}))


def _files(root: Path) -> list[Path]:
    return list(blob_cli.stored_blobs(root))


def test_a_sealed_blob_holds_no_plaintext_and_opens_only_with_its_key(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, OLD)
    digest = store.put(PHOTO)
    assert digest == hashlib.sha256(PHOTO).hexdigest()  # still named by what it holds
    raw = store.path_for(digest).read_bytes()
    assert b"555-XYZ" not in raw and b"PNG" not in raw
    assert sealed_with(raw) == "2026-01"
    assert store.get(digest) == PHOTO
    with pytest.raises(SealedBlobError) as unkeyed:
        BlobStore(tmp_path).get(digest)
    assert unkeyed.value.errno == errno.EACCES
    with pytest.raises(SealedBlobError, match="does not hold"):
        BlobReader([tmp_path], NEW_ONLY).get(digest)


def test_two_seals_of_the_same_bytes_differ_and_storing_again_is_a_no_op(tmp_path: Path) -> None:
    assert OLD.seal(PHOTO, "a" * 64) != OLD.seal(PHOTO, "a" * 64)  # a fresh nonce each time
    store = BlobStore(tmp_path, OLD)
    digest = store.put(PHOTO)
    first = store.path_for(digest).read_bytes()
    store.put(PHOTO)
    assert store.path_for(digest).read_bytes() == first


def test_a_sealed_blob_moved_under_another_name_or_altered_does_not_open(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, OLD)
    digest, other = store.put(PHOTO), store.put(b"another attachment")
    # The key id and the name are bound into the tag: a file swapped in is not read as evidence.
    store.path_for(other).write_bytes(store.path_for(digest).read_bytes())
    with pytest.raises(SealedBlobError, match="does not open"):
        store.get(other)
    raw = bytearray(store.path_for(digest).read_bytes())
    raw[-20] ^= 1
    store.path_for(digest).write_bytes(bytes(raw))
    with pytest.raises(SealedBlobError, match="does not open"):
        BlobReader([tmp_path], OLD).get(digest)


def test_blobs_stored_before_keys_were_set_are_still_read(tmp_path: Path) -> None:
    digest = BlobStore(tmp_path).put(PHOTO)
    assert sealed_with(BlobStore(tmp_path).path_for(digest).read_bytes()) is None
    assert BlobStore(tmp_path, OLD).get(digest) == PHOTO
    assert BlobReader([tmp_path], OLD).get(digest) == PHOTO


def test_a_plain_blob_that_begins_like_a_sealed_one_is_read_as_plain(tmp_path: Path) -> None:
    looks_sealed = b"HLB1\x07" + b"2026-01" + b"not really sealed"
    digest = BlobStore(tmp_path).put(looks_sealed)
    assert BlobReader([tmp_path], OLD).get(digest) == looks_sealed
    assert BlobReader([tmp_path]).get(digest) == looks_sealed


def test_rotation_reads_both_keys_then_reencrypt_moves_every_blob_to_the_current_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = BlobStore(tmp_path).put(b"before encryption was switched on")
    old = BlobStore(tmp_path, OLD).put(b"sealed under the first key")
    new = BlobStore(tmp_path, NEW).put(b"sealed under the second key")
    reader = BlobReader([tmp_path], NEW)
    assert {sealed_with(p.read_bytes()) for p in _files(tmp_path)} == {None, "2026-01", "2026-12"}
    assert [reader.get(d) for d in (plain, old, new)] == [
        b"before encryption was switched on", b"sealed under the first key", b"sealed under the second key"]

    monkeypatch.setenv("HOTLINE_BLOB_KEYS", json.dumps({"2026-01": _key(b"o"), "2026-12": _key(b"n")}))
    monkeypatch.setenv("HOTLINE_BLOB_KEY_ID", "2026-12")
    assert blob_cli.main(["status", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["key 2026-01: 1", "key 2026-12: 1", "plain: 1"]
    assert blob_cli.main(["reencrypt", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["already current: 1", "re-encrypted: 2"]
    assert {sealed_with(p.read_bytes()) for p in _files(tmp_path)} == {"2026-12"}
    assert not list(tmp_path.glob("??/??/.tmp-*"))

    # The old key can now be dropped from the settings: everything opens with the new one alone.
    assert BlobReader([tmp_path], NEW_ONLY).get(plain) == b"before encryption was switched on"
    assert BlobReader([tmp_path], NEW_ONLY).get(old) == b"sealed under the first key"
    assert blob_cli.main(["reencrypt", str(tmp_path)]) == 0  # again: nothing to do
    assert capsys.readouterr().out.splitlines() == ["already current: 3"]


def test_reencrypt_leaves_a_blob_it_cannot_open_as_it_was_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lost = BlobStore(tmp_path, OLD).put(b"sealed under a key nobody listed")
    before = BlobStore(tmp_path).path_for(lost).read_bytes()
    monkeypatch.setenv("HOTLINE_BLOB_KEYS", json.dumps({"2026-12": _key(b"n")}))
    assert blob_cli.main(["reencrypt", str(tmp_path)]) == blob_cli.EXIT_DAMAGED
    assert capsys.readouterr().out.splitlines() == ["unreadable (left as it was): 1"]
    assert BlobStore(tmp_path).path_for(lost).read_bytes() == before


def test_the_cli_refuses_unusable_keys_and_missing_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_BLOB_KEYS", "not json")
    assert blob_cli.main(["status", str(tmp_path)]) == blob_cli.EXIT_CONFIG
    assert "HOTLINE_BLOB_KEYS is not JSON" in capsys.readouterr().err
    monkeypatch.delenv("HOTLINE_BLOB_KEYS")
    assert blob_cli.main(["reencrypt", str(tmp_path)]) == blob_cli.EXIT_USAGE
    with pytest.raises(SystemExit, match="no such blob store"):
        blob_cli.main(["status", str(tmp_path / "absent")])


def test_new_key_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert blob_cli.main(["new-key"]) == 0
    printed = capsys.readouterr()
    keys = BlobKeys.parse(printed.out)
    assert len(keys.keys[keys.current]) == 32
    assert "hotline-blobs reencrypt" in printed.err
    assert new_key()[1] != new_key()[1]


@pytest.mark.parametrize(("raw", "current", "message"), [
    ("{}", None, "at least one key"),
    ('["a"]', None, "JSON object"),
    ('{"k": 5}', None, "base64 string"),
    ('{"k": "%%%"}', None, "not base64"),
    ('{"k": "' + base64.b64encode(b"short").decode() + '"}', None, "5 bytes; AES-256 needs 32"),
    ('{"bad id!": "' + _key(b"x") + '"}', None, "use 1-64 letters"),
    ('{"a": "' + _key(b"a") + '", "b": "' + _key(b"b") + '"}', None, "HOTLINE_BLOB_KEY_ID"),
    ('{"a": "' + _key(b"a") + '"}', "b", "is not one of"),
])
def test_unusable_keys_are_refused_with_what_is_wrong(raw: str, current: str | None, message: str) -> None:
    with pytest.raises(BlobKeyError, match=message):
        BlobKeys.parse(raw, current)


def test_url_safe_base64_is_accepted_and_keys_never_show_in_a_repr() -> None:
    fill = bytes(range(200, 232))
    keys = BlobKeys.parse(json.dumps({"k": base64.urlsafe_b64encode(fill).decode().rstrip("=")}))
    assert keys.keys["k"] == fill
    assert base64.b64encode(fill).decode() not in repr(keys) and "keys" not in repr(keys)


def test_production_refuses_to_start_without_blob_keys() -> None:
    safe = {"environment": "production", "kafka_security_protocol": "SSL", "replication_factor": 3}
    with pytest.raises(ValidationError, match="encrypts attachments and raw emails at rest"):
        BlobKeySettings(**safe)  # type: ignore[arg-type]
    settings = BlobKeySettings(**safe, blob_keys=json.dumps({"k": _key(b"k")}))  # type: ignore[arg-type]
    keyring = settings.blob_keyring()
    assert keyring is not None and keyring.current == "k"
    assert BlobKeySettings(environment="dev").blob_keyring() is None
    with pytest.raises(ValidationError, match="HOTLINE_BLOB_KEYS is empty"):
        BlobKeySettings(environment="dev", blob_key_id="k")
    with pytest.raises(ValidationError, match="not base64"):
        BlobKeySettings(environment="dev", blob_keys='{"k": "%%%"}')  # type: ignore[arg-type]
