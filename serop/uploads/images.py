"""Photos: decoded and encoded again, so that nothing but the pixels is kept (no EXIF with its
GPS position and camera serial, no XMP, no comments, no ICC profile), turned upright first as
the EXIF orientation says."""

import io
import warnings
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

from .content import DAMAGED
from .kinds import JPEG, PNG, FileType

TOO_MANY_PIXELS = _("The image is too large: at most %(limit)s megapixels.")
JPEG_QUALITY = 90


def max_pixels() -> int:
    """The pixel limit: SEROP_UPLOAD_MAX_IMAGE_PIXELS, never above Pillow's own bomb limit."""
    limit = int(getattr(settings, "SEROP_UPLOAD_MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS or 0))
    return min(limit, Image.MAX_IMAGE_PIXELS) if Image.MAX_IMAGE_PIXELS else limit


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colours from an embedded ICC profile to sRGB, so dropping the profile keeps
    them; a profile Pillow cannot use is ignored."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def clean_image(file: IO[bytes], file_type: FileType) -> bytes:
    """The re-encoded image (JPEG stays JPEG, PNG stays PNG). Raises ValidationError for an
    image that cannot be decoded or has more pixels than allowed (a decompression bomb)."""
    limit = max_pixels()
    too_large = ValidationError(
        TOO_MANY_PIXELS, code="image_pixels", params={"limit": limit // 1_000_000}
    )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as opened:
                expected = "JPEG" if file_type == JPEG else "PNG"
                if opened.format != expected:
                    raise ValidationError(DAMAGED, code="damaged")
                width, height = opened.size
                if width * height > limit:
                    raise too_large
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
                image = _to_srgb(image)
                if file_type == PNG:
                    mode = "RGBA" if _has_alpha(image) else "RGB"
                else:
                    mode = "L" if image.mode == "L" else "RGB"
                converted = image.convert(mode)
                # A fresh image holds the pixels and nothing else (its info dict is empty).
                clean = Image.new(mode, converted.size)
                clean.paste(converted)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_large from exc
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds for a broken image
        raise ValidationError(DAMAGED, code="damaged") from exc
    output = io.BytesIO()
    if file_type == PNG:
        clean.save(output, format="PNG")
    else:
        clean.save(output, format="JPEG", quality=JPEG_QUALITY)
    return output.getvalue()
