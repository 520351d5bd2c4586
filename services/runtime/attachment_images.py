"""Photos scrubbed: decoded and re-encoded without EXIF (GPS, camera, author), XMP, ICC, comments, text."""

from __future__ import annotations

import io
from typing import Final

from PIL import Image, ImageOps

from services.runtime.attachment_types import AttachmentRejected, RejectionCode, corrupt

# Pillow's own guard warns above MAX_IMAGE_PIXELS and raises above twice that. 50 megapixels is more
# than any phone camera produces; a small file declaring more is a decompression bomb. The module-level
# setting is deliberate: this process only decodes untrusted images, so the stricter limit is right
# for every caller. scrub() also checks the size itself so the limit does not rest on a warning.
MAX_PIXELS: Final = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_JPEG_QUALITY: Final = 90
_WEBP_QUALITY: Final = 90
PILLOW_FORMATS: Final[dict[str, str]] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _too_many_pixels(media_type: str, filename: str | None) -> AttachmentRejected:
    return AttachmentRejected(
        RejectionCode.TOO_LARGE,
        f"The image has more than {MAX_PIXELS // 1_000_000} megapixels, which is more than is accepted.",
        filename=filename, detected=media_type,
    )


def scrub_image(data: bytes, media_type: str, filename: str | None) -> bytes:
    pillow_format = PILLOW_FORMATS[media_type]
    try:
        # formats= keeps Pillow from trying every other decoder on bytes we already identified.
        with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(media_type, filename)
            # Turn the pixels the way the camera meant, since the Orientation tag goes with the rest.
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, pillow_format)
    except AttachmentRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(media_type, filename) from exc
    except Exception as exc:
        # Pillow reports damaged input with many exception types (OSError, SyntaxError, ValueError,
        # struct.error...); to the reporter they all mean the same thing.
        raise corrupt(media_type, filename) from exc


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    # Savers fall back to image.info for ICC profiles (PNG) and comments (JPEG): start from nothing and
    # keep only palette transparency, which is part of the picture rather than about it.
    transparency = image.info.get("transparency")
    image.info = {}
    out = io.BytesIO()
    if pillow_format == "JPEG":
        image.save(out, format="JPEG", quality=_JPEG_QUALITY)
    elif pillow_format == "PNG":
        extra = {} if transparency is None else {"transparency": transparency}
        image.save(out, format="PNG", optimize=False, **extra)
    else:
        image.save(out, format="WEBP", quality=_WEBP_QUALITY)
    return out.getvalue()
