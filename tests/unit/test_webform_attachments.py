"""Attachments from the tip form: checked by content, scrubbed of metadata, stored by sha256.

Every file here is built in the test with Pillow or pypdf, with the metadata a phone or an office
suite would leave in it, so each test first checks the metadata really is in the input.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from services.runtime.attachments import (
    ALLOWED_MEDIA_TYPES,
    MAX_PIXELS,
    AttachmentRejected,
    CleanAttachment,
    RejectionCode,
    sanitize_filename,
    scrub,
    sniff,
)
from services.runtime.blobs import BlobReader, BlobStore

MB = 1024 * 1024
AUTHOR = "Jane Reporter"
CAMERA = "SecretCam"
GPS_IFD = 0x8825
ARTIST, MAKE, MODEL, ORIENTATION = 0x013B, 0x010F, 0x0110, 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>XmpCreatorName</dc:creator>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _rejected(data: bytes, *, filename: str | None = None, declared_type: str | None = None,
              max_bytes: int = 10 * MB) -> AttachmentRejected:
    with pytest.raises(AttachmentRejected) as caught:
        scrub(data, filename=filename, declared_type=declared_type, max_bytes=max_bytes)
    return caught.value


def _scrub(data: bytes, *, filename: str | None = None, declared_type: str | None = None) -> CleanAttachment:
    return scrub(data, filename=filename, declared_type=declared_type, max_bytes=10 * MB)


# ---------------------------------------------------------------- building files


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ARTIST] = AUTHOR
    exif[MAKE] = CAMERA
    exif[MODEL] = "Model X9"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 31.5)
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 12.25)
    return exif


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _two_tone(size: tuple[int, int] = (40, 20)) -> Image.Image:
    # Left half red, right half blue, so a rotation shows in the pixels and not just the size.
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def _jpeg(orientation: int = 1) -> bytes:
    out = io.BytesIO()
    _two_tone().save(out, "JPEG", exif=_exif(orientation), xmp=XMP, icc_profile=_icc(),
                     comment=b"CommentSecret")
    return out.getvalue()


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Description", "taken outside the safe house", lang="en")
    out = io.BytesIO()
    _two_tone().save(out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_icc())
    return out.getvalue()


def _png(width: int = 4, height: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims width x height pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def _pdf(*, encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    first = writer.add_blank_page(width=200, height=300)
    writer.add_blank_page(width=400, height=500)
    _attach_photo(writer, first)
    page_metadata = DecodedStreamObject()
    page_metadata.set_data(b"<x:xmpmeta>PageSecret</x:xmpmeta>")
    page_metadata[NameObject("/Type")] = NameObject("/Metadata")
    page_metadata[NameObject("/Subtype")] = NameObject("/XML")
    first[NameObject("/Metadata")] = writer._add_object(page_metadata)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": CAMERA, "/Title": "Evidence from Elm Street",
                         "/CreationDate": "D:20260316120000+01'00'"})
    writer.xmp_metadata = XMP
    if encrypt:
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attach_photo(writer: PdfWriter, page: DictionaryObject) -> None:
    # A JPEG kept as-is inside the PDF, EXIF and all, the way some "print to PDF" tools embed photos.
    photo = DecodedStreamObject()
    photo.set_data(_jpeg())
    photo.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(40), NameObject("/Height"): NumberObject(20),
        NameObject("/ColorSpace"): NameObject("/DeviceRGB"), NameObject("/BitsPerComponent"): NumberObject(8),
        NameObject("/Filter"): NameObject("/DCTDecode"),
    })
    xobjects = DictionaryObject({NameObject("/Im0"): writer._add_object(photo)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data(b"q 40 0 0 20 10 10 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)


# ---------------------------------------------------------------- images


def test_a_jpeg_loses_gps_author_camera_xmp_icc_and_comment() -> None:
    original = _jpeg()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif()[ARTIST] == AUTHOR and before.getexif().get_ifd(GPS_IFD)
    assert b"Exif\x00\x00" in original and XMP in original and b"CommentSecret" in original

    clean = _scrub(original, filename="IMG_0001.JPG", declared_type="image/jpeg")

    assert clean.media_type == "image/jpeg"
    with Image.open(io.BytesIO(clean.data)) as after:
        exif = after.getexif()
        assert ARTIST not in exif and MAKE not in exif and MODEL not in exif
        assert not exif.get_ifd(GPS_IFD)
        assert "icc_profile" not in after.info and "comment" not in after.info and "xmp" not in after.info
    for leak in (b"Exif\x00\x00", AUTHOR.encode(), CAMERA.encode(), b"XmpCreatorName", b"CommentSecret",
                 b"ICC_PROFILE", b"http://ns.adobe.com/xap"):
        assert leak not in clean.data


def test_a_jpeg_keeps_its_orientation_by_turning_the_pixels() -> None:
    # Orientation 6: the camera was held upright, the picture must be shown turned 90 degrees clockwise.
    clean = _scrub(_jpeg(orientation=6))

    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.size == (20, 40)
        assert ORIENTATION not in after.getexif()
        top, bottom = after.convert("RGB").getpixel((10, 5)), after.convert("RGB").getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60  # the red left half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_cmyk_jpeg_stays_cmyk() -> None:
    out = io.BytesIO()
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(out, "JPEG", exif=_exif())

    clean = _scrub(out.getvalue())

    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.mode == "CMYK" and after.format == "JPEG"
    assert AUTHOR.encode() not in clean.data


def test_a_multi_picture_jpeg_keeps_only_the_main_picture() -> None:
    # Phones write MPO: a JPEG followed by more pictures, each with its own EXIF.
    out = io.BytesIO()
    _two_tone().save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (40, 20))], exif=_exif())
    with Image.open(io.BytesIO(out.getvalue())) as before:
        assert before.format == "MPO"

    clean = _scrub(out.getvalue(), filename="IMG_0003.jpg", declared_type="image/jpeg")

    assert AUTHOR.encode() not in clean.data and b"MPF\x00" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.format == "JPEG" and after.size == (40, 20)


def test_a_png_loses_its_text_chunks_exif_and_icc_profile() -> None:
    original = _png_with_text()
    assert b"tEXt" in original and AUTHOR.encode() in original and b"iCCP" in original

    clean = _scrub(original, filename="screenshot.png", declared_type="image/png")

    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in clean.data
    assert AUTHOR.encode() not in clean.data and b"safe house" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.size == (40, 20) and after.format == "PNG"
        assert not after.getexif()


def test_a_palette_png_keeps_its_transparency() -> None:
    image = Image.new("P", (6, 6), 1)
    image.putpalette([0, 0, 0, 255, 255, 255])
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)

    clean = _scrub(out.getvalue())

    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.mode == "P" and after.info.get("transparency") == 0


def test_a_webp_loses_exif_and_xmp() -> None:
    out = io.BytesIO()
    _two_tone().save(out, "WEBP", exif=_exif(), xmp=XMP, icc_profile=_icc())
    assert AUTHOR.encode() in out.getvalue()

    clean = _scrub(out.getvalue(), filename="photo.webp", declared_type="image/webp")

    assert clean.media_type == "image/webp"
    for leak in (b"EXIF", b"XMP ", b"ICCP", AUTHOR.encode(), b"XmpCreatorName"):
        assert leak not in clean.data
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.size == (40, 20)


def test_a_truncated_jpeg_is_corrupt() -> None:
    original = _jpeg()
    rejected = _rejected(original[: len(original) // 2], filename="IMG_0002.jpg")
    assert rejected.code is RejectionCode.CORRUPT
    assert rejected.detected == "image/jpeg"


def test_a_tiny_png_declaring_ten_billion_pixels_is_refused() -> None:
    bomb = _png_declaring(100_000, 100_000)
    assert len(bomb) < 200

    rejected = _rejected(bomb)

    assert rejected.code is RejectionCode.TOO_LARGE
    assert "megapixels" in str(rejected)


def test_an_image_just_over_the_pixel_limit_is_refused_by_our_own_check() -> None:
    # Between the limit and twice it Pillow only warns; the refusal must not depend on the warning.
    side = int((MAX_PIXELS * 1.2) ** 0.5)
    with pytest.warns(Image.DecompressionBombWarning):
        rejected = _rejected(_png_declaring(side, side))
    assert rejected.code is RejectionCode.TOO_LARGE


def test_a_too_large_file_is_refused_before_anything_parses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parsing(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file was parsed")
    monkeypatch.setattr(Image, "open", no_parsing)
    monkeypatch.setattr("services.runtime.attachment_pdfs.PdfReader", no_parsing)

    for data in (b"\xff\xd8\xff" + b"\x00" * 1000, b"%PDF-1.7\n" + b"x" * 1000):
        rejected = _rejected(data, max_bytes=1000)
        assert rejected.code is RejectionCode.TOO_LARGE
        assert "1000 bytes" in str(rejected)


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    text = b"a" * 100
    assert scrub(text, filename=None, declared_type=None, max_bytes=100).data == text


def test_an_empty_file_is_refused() -> None:
    assert _rejected(b"", filename="nothing.jpg").code is RejectionCode.EMPTY


# ---------------------------------------------------------------- PDFs


def test_a_pdf_loses_info_xmp_page_metadata_and_embedded_photo_exif() -> None:
    original = _pdf()
    for secret in (AUTHOR.encode(), CAMERA.encode(), b"Elm Street", b"XmpCreatorName", b"PageSecret",
                   b"Exif\x00\x00"):
        assert secret in original

    clean = _scrub(original, filename="statement.pdf", declared_type="application/pdf")

    assert clean.media_type == "application/pdf"
    for secret in (AUTHOR.encode(), CAMERA.encode(), b"Elm Street", b"XmpCreatorName", b"PageSecret",
                   b"Exif\x00\x00", b"/Producer", b"/CreationDate", b"ICC_PROFILE", b"CommentSecret"):
        assert secret not in clean.data
    reader = PdfReader(io.BytesIO(clean.data))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
    assert sizes == [(200, 300), (400, 500)]
    assert "/Metadata" not in reader.pages[0]
    [photo] = reader.pages[0].images
    assert photo.image is not None and photo.image.size == (40, 20)  # the photo still decodes


def test_an_encrypted_pdf_is_refused() -> None:
    rejected = _rejected(_pdf(encrypt=True), filename="locked.pdf")
    assert rejected.code is RejectionCode.ENCRYPTED
    assert rejected.detected == "application/pdf"


def test_a_pdf_that_does_not_parse_is_corrupt() -> None:
    rejected = _rejected(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF")
    assert rejected.code is RejectionCode.CORRUPT


# ---------------------------------------------------------------- types and names


@pytest.mark.parametrize(("filename", "declared"), [
    ("evidence.pdf", None),
    ("evidence.png", "application/pdf"),
    (None, "image/jpeg"),
    ("photo.JPG", None),
])
def test_a_png_under_another_name_or_type_is_mislabelled(filename: str | None, declared: str | None) -> None:
    rejected = _rejected(_png(), filename=filename, declared_type=declared)
    assert rejected.code is RejectionCode.MISLABELLED
    assert rejected.detected == "image/png"


@pytest.mark.parametrize("declared", [
    None, "", "application/octet-stream", "image/jpeg", "IMAGE/JPEG", "image/jpg", "image/pjpeg",
    "image/jpeg; charset=binary",
])
def test_declared_types_that_agree_or_say_nothing_are_accepted(declared: str | None) -> None:
    assert _scrub(_jpeg(), filename="IMG_0001.jpeg", declared_type=declared).media_type == "image/jpeg"


def test_unknown_extensions_are_not_compared() -> None:
    assert _scrub(_png(), filename="scan.final").media_type == "image/png"


def test_plain_text_under_a_text_type_is_accepted() -> None:
    clean = _scrub(b"name,place\nA,B\n", filename="notes.csv", declared_type="text/csv")
    assert clean.media_type == "text/plain"


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (2, 2)).save(out, "GIF")
    return out.getvalue()


def _zip(member: str = "photo.jpg") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, b"hello")
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    return out.getvalue()


_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


@pytest.mark.parametrize(("data", "detected"), [
    (_gif(), "image/gif"),
    (_zip(), "application/zip"),
    (_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (_EXE, "application/x-msdownload"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "application/x-executable"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", "image/avif"),
    (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    (b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html"),
])
def test_refused_types_are_named(data: bytes, detected: str) -> None:
    assert sniff(data) == detected
    rejected = _rejected(data, filename="upload")
    assert rejected.code is RejectionCode.UNSUPPORTED_TYPE
    assert rejected.detected == detected
    assert detected in str(rejected)


def test_a_refused_type_is_unsupported_even_when_its_name_agrees() -> None:
    rejected = _rejected(_gif(), filename="cat.gif", declared_type="image/gif")
    assert rejected.code is RejectionCode.UNSUPPORTED_TYPE


@pytest.mark.parametrize("data", [
    b"hello\x00world", b"escape \x1b[31m red", b"caf\xe9 latin-1", b"\x00\x01\x02\x03",
])
def test_bytes_that_are_not_clean_utf8_text_are_refused(data: bytes) -> None:
    rejected = _rejected(data, filename="notes.txt", declared_type="text/plain")
    assert rejected.code is RejectionCode.UNSUPPORTED_TYPE
    assert rejected.detected is None


def test_text_is_stored_as_it_came() -> None:
    text = "Sie hält sie im Keller fest.\r\n\tTel: +49 30 1234\f\n".encode()
    clean = _scrub(text, filename="notes.txt", declared_type="text/plain; charset=UTF-8")
    assert clean.data == text
    assert clean.media_type == "text/plain"


def test_text_starting_like_a_weak_magic_number_is_still_text() -> None:
    assert sniff(b"MZ is where we met them") == "text/plain"
    assert sniff(b"BMW, grey, plate unknown") == "text/plain"


def test_sniff_recognises_every_accepted_type() -> None:
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "WEBP")
    found = {sniff(_jpeg()), sniff(_png()), sniff(out.getvalue()), sniff(_pdf()), sniff(b"hello")}
    assert found == ALLOWED_MEDIA_TYPES
    assert sniff(b"") is None


# ---------------------------------------------------------------- results and errors


def test_the_result_names_its_scrubbed_bytes() -> None:
    clean = _scrub(_jpeg(), filename="C:\\Users\\jane\\Desktop\\IMG_0001.jpg")
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    assert clean.sha256 != hashlib.sha256(_jpeg()).hexdigest()
    assert clean.size_bytes == len(clean.data)
    assert clean.filename == "IMG_0001.jpg"
    assert "IMG_0001" not in repr(clean) and "data" not in repr(clean)


def test_a_rejection_carries_the_sanitized_name_and_never_quotes_content_or_name() -> None:
    rejected = _rejected(b"the trafficker lives at 12 Elm Street\x00", filename="/tmp/ELM\x07.txt")  # noqa: S108 - a name, not a file
    assert rejected.filename == "ELM.txt"
    assert "Elm" not in str(rejected) and "ELM" not in str(rejected)
    assert str(rejected).endswith(".")


@pytest.mark.parametrize(("given", "kept"), [
    (None, None),
    ("", None),
    ("   ", None),
    ("..", None),
    ("uploads/", None),
    ("photo.jpg", "photo.jpg"),
    ("/home/jane/../photo.jpg", "photo.jpg"),
    ("C:\\Users\\jane\\photo.jpg", "photo.jpg"),
    ("..\\..\\etc/passwd", "passwd"),
    ("ph\x00o\x1bto\x7f.jpg", "photo.jpg"),
    ("line\nbreak.txt", "linebreak.txt"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("cafe\u0301.txt", "caf\u00e9.txt"),
    ("Фото з вулиці.jpg", "Фото з вулиці.jpg"),
])
def test_sanitize_filename(given: str | None, kept: str | None) -> None:
    assert sanitize_filename(given) == kept


@pytest.mark.parametrize(("given", "suffix"), [
    ("a" * 300 + ".jpeg", ".jpeg"),
    ("ü" * 200 + ".pdf", ".pdf"),  # two bytes each: the cut must not split one
    ("照" * 100 + ".png", ".png"),
    ("x." + "y" * 300, "y"),  # an "extension" that long is just part of the name
])
def test_long_names_are_cut_to_255_bytes_keeping_the_extension(given: str, suffix: str) -> None:
    kept = sanitize_filename(given)
    assert kept is not None
    assert 250 <= len(kept.encode()) <= 255
    assert kept.endswith(suffix)
    assert kept[:1] == given[:1]


# ---------------------------------------------------------------- the blob store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_blobs_are_stored_content_addressed_and_read_back(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"scrubbed photo bytes"
    digest = hashlib.sha256(data).hexdigest()

    assert not store.exists(digest)
    assert store.put(data) == digest

    assert store.path_for(digest) == tmp_path / "blobs" / digest[:2] / digest[2:4] / digest
    assert store.path_for(digest).read_bytes() == data
    assert store.exists(digest)
    assert store.get(digest) == data
    assert [p.name for p in store.path_for(digest).parent.iterdir()] == [digest]  # no temporary left


def test_storing_the_same_bytes_twice_is_a_no_op(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    digest = store.put(b"same")
    first = store.path_for(digest).stat()

    assert store.put(b"same") == digest

    again = store.path_for(digest).stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)


def test_blobs_are_private_to_the_service(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = BlobStore(tmp_path / "deep" / "blobs")
        digest = store.put(b"evidence")
    finally:
        os.umask(old)
    path = store.path_for(digest)
    assert _mode(tmp_path / "deep" / "blobs") == 0o700
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
    assert _mode(path) == 0o600


def test_an_existing_root_is_made_private(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    root.mkdir(mode=0o755)
    BlobStore(root)
    assert _mode(root) == 0o700


@pytest.mark.parametrize("name", [
    "", "abc", "../" + "a" * 61, "A" * 64, "g" * 64, "a" * 63, "a" * 65, "a" * 64 + "\n", "/" + "a" * 63,
])
def test_blob_names_must_be_a_sha256(tmp_path: Path, name: str) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(ValueError, match="64 lower-case hex"):
        store.path_for(name)
    with pytest.raises(ValueError, match="64 lower-case hex"):
        store.get(name)
    with pytest.raises(ValueError, match="64 lower-case hex"):
        store.exists(name)


def test_a_missing_blob_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        BlobStore(tmp_path / "blobs").get("0" * 64)


def test_a_blob_changed_on_disk_is_an_error(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    digest = store.put(b"original")
    store.path_for(digest).write_bytes(b"tampered")
    with pytest.raises(OSError, match="does not match"):
        store.get(digest)


def test_a_reader_finds_a_blob_in_any_intakes_store_and_creates_nothing(tmp_path: Path) -> None:
    web, mail, absent = tmp_path / "webform-blobs", tmp_path / "email-blobs", tmp_path / "no-such-store"
    web_digest, mail_digest = BlobStore(web).put(b"from the form"), BlobStore(mail).put(b"from a mail")
    reader = BlobReader([absent, web, mail])
    assert reader.get(web_digest) == b"from the form" and reader.get(mail_digest) == b"from a mail"
    assert reader.get("0" * 64) is None and not absent.exists()
    with pytest.raises(ValueError, match="64 lower-case hex"):
        reader.get("../" + "a" * 61)


def test_a_reader_passes_over_a_damaged_copy_and_reports_a_damaged_only_copy(tmp_path: Path) -> None:
    first, second = BlobStore(tmp_path / "one"), BlobStore(tmp_path / "two")
    digest = first.put(b"evidence")
    second.put(b"evidence")
    first.path_for(digest).write_bytes(b"tampered")
    assert BlobReader([first.root, second.root]).get(digest) == b"evidence"
    with pytest.raises(OSError, match="does not match"):
        BlobReader([first.root]).get(digest)
