"""Photos are re-encoded: no EXIF (GPS), XMP, comments or ICC profile survive; orientation is
applied; decompression bombs are refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms

from serop.uploads import UploadField, UploadKind

from . import samples


def clean_photo(data: bytes, name: str = "photo.jpg"):
    return UploadField(kind=UploadKind.PHOTO).clean(SimpleUploadedFile(name, data))


def opened(upload) -> Image.Image:
    upload.seek(0)
    return Image.open(io.BytesIO(upload.read()))


def test_exif_gps_is_removed_from_a_jpeg():
    original = samples.jpeg(exif=samples.gps_exif(), comment=b"Home, Slagelse")
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample really carries GPS
    assert b"Slagelse" in original

    upload = clean_photo(original)
    data = upload.read()
    after = Image.open(io.BytesIO(data))
    assert after.format == "JPEG"
    assert not after.getexif()
    assert "exif" not in after.info and "comment" not in after.info
    assert b"Slagelse" not in data and b"Phone maker" not in data
    assert upload.size == len(data)


def test_xmp_and_icc_profile_are_removed():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-location</rdf:RDF></x:xmpmeta>'
    original = samples.jpeg(icc_profile=profile, xmp=xmp)
    assert b"secret-location" in original
    data = clean_photo(original).read()
    after = Image.open(io.BytesIO(data))
    assert "icc_profile" not in after.info and "xmp" not in after.info
    assert b"secret-location" not in data and b"adobe:ns:meta" not in data


def test_png_text_and_exif_chunks_are_removed():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 55.4 11.3")
    original = samples.png(pnginfo=info, exif=samples.gps_exif())
    assert b"GPS 55.4" in original
    upload = clean_photo(original, "photo.png")
    data = upload.read()
    after = Image.open(io.BytesIO(data))
    assert after.format == "PNG" and after.mode == "RGBA"  # transparency kept
    assert b"GPS 55.4" not in data and not after.getexif()


def test_the_orientation_is_applied_before_the_exif_goes():
    # Orientation 6: the camera was turned; viewers rotate the 40x20 pixels to 20x40.
    original = samples.jpeg((40, 20), exif=samples.gps_exif(orientation=6))
    after = opened(clean_photo(original))
    assert after.size == (20, 40)


def test_an_image_with_too_many_pixels_is_rejected(settings):
    settings.SEROP_UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as raised:
        clean_photo(samples.jpeg((1001, 1000)))
    assert raised.value.code == "image_pixels"
    assert clean_photo(samples.jpeg((1000, 1000))).content_type == "image/jpeg"


def test_a_decompression_bomb_is_rejected_from_its_header_without_decoding():
    bomb = samples.png_header_only(100_000, 100_000)  # 10 gigapixels in ~100 bytes
    with pytest.raises(ValidationError) as raised:
        clean_photo(bomb, "photo.png")
    assert raised.value.code == "image_pixels"


def test_a_truncated_image_is_rejected_as_damaged():
    with pytest.raises(ValidationError) as raised:
        clean_photo(samples.jpeg()[:30])
    assert raised.value.code == "damaged"
