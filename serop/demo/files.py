"""Small real files for demo uploads: one-page PDFs, PNG/JPEG images and an animated GIF.

Real files rather than placeholders, so that previews, downloads, exports and erasure (which
must delete the file, not just the row) can be tried on the demo data.
"""

import io
from typing import Any

from django.core.files.base import ContentFile


def pdf(lines: list[str]) -> bytes:
    """A valid one-page A4 PDF showing ``lines`` in Helvetica (Windows-1252, so æøå work)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 12 Tf", "16 TL", "72 770 Td", *(f"({escape(x)}) Tj T*" for x in lines), "ET"]
    stream = "\n".join(ops).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def image(
    size: tuple[int, int], colour: tuple[int, int, int], *, fmt: str = "PNG", label: str = ""
) -> bytes:
    """A small one-colour image with a lighter band (a "logo" or a "passport photo")."""
    from PIL import Image, ImageDraw  # imported late: only the demo needs Pillow here

    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    width, height = size
    light = tuple(min(255, c + 90) for c in colour)
    draw.rectangle((width // 6, height // 3, width - width // 6, height // 2), fill=light)
    if label:
        draw.text((width // 6, height * 2 // 3), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def animation(size: tuple[int, int] = (64, 48), frames: int = 4) -> bytes:
    """A tiny animated GIF: the demo stand-in for a video introduction."""
    from PIL import Image

    shades = [(40 + 50 * i, 90, 160) for i in range(frames)]
    images = [Image.new("RGB", size, shade) for shade in shades]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=250)
    return buffer.getvalue()


def store(field: Any, original_name: str, content: bytes) -> str:
    """Write ``content`` where ``field`` would put an upload called ``original_name``; return
    the stored name (the field's ``upload_to`` decides folder and server-generated name)."""
    name = field.generate_filename(None, original_name)
    return str(field.storage.save(name, ContentFile(content), max_length=field.max_length))
