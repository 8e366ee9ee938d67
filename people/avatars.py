"""Turning an uploaded picture into a safe avatar: only real JPEG, PNG, WebP or GIF images within size and
dimension limits are read; the result is re-encoded from pixels (a centred square JPEG), so no metadata
(EXIF location, camera, comments) and nothing but pixels from the upload survives."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_PX = 256  # shown at 2-3 rem; twice that for sharp screens
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MIN_SIDE = 32
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000  # a decompression bomb is refused from its header, before any pixel is read


def too_big_message() -> str:
    return _("That file is larger than %(mb)s MB. Choose a smaller picture.") % {
        "mb": f"{settings.AVATAR_MAX_UPLOAD_BYTES / 1_000_000:g}"
    }


def avatar_from_upload(upload) -> bytes:
    """The re-encoded avatar, or ValidationError with a message for the form."""
    if upload.size > settings.AVATAR_MAX_UPLOAD_BYTES:
        raise ValidationError(too_big_message(), code="too_big")
    not_a_picture = ValidationError(
        _("That file is not a picture we can read. Use a JPEG, PNG, WebP or GIF image."), code="not_an_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=sorted(ALLOWED_FORMATS))
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise ValidationError(
                    _("That picture is %(w)s × %(h)s pixels; at most %(max)s pixels a side, please.")
                    % {"w": width, "h": height, "max": MAX_SIDE},
                    code="too_large_dimensions",
                )
            if width < MIN_SIDE or height < MIN_SIDE:
                raise ValidationError(
                    _("That picture is %(w)s × %(h)s pixels; at least %(min)s pixels a side, please.")
                    % {"w": width, "h": height, "min": MIN_SIDE},
                    code="too_small_dimensions",
                )
            image.load()
            image = ImageOps.exif_transpose(image)  # phones store rotation in EXIF, which is dropped below
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, (255, 255, 255))
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            else:
                image = image.convert("RGB")
            square = ImageOps.fit(image, (AVATAR_PX, AVATAR_PX), method=Image.Resampling.LANCZOS)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise not_a_picture from None
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=85, optimize=True)  # no exif=, icc_profile=: nothing carried over
    return out.getvalue()
