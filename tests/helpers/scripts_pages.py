"""Scanned pages in Korean and Arabic, made for the OCR tests and benchmarks.

Korean is typeset with reportlab in a Korean font (Debian's fonts-nanum, installed by
``.ci/ocr-deps.sh``) and rasterised like any digital page. reportlab does not shape Arabic
(joined letter forms, right to left), so the Arabic page is drawn with Pillow's complex text
layout (libraqm) directly at 300 dpi. Both return what they printed, the ground truth for OCR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

KOREAN_FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
ARABIC_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

#: A passage on North Korea's overseas workers (written for these tests).
KOREAN = [
    "북한은 수만 명의 노동자를 러시아와 중국, 중동의 건설 현장과 공장으로 보내 왔다.",
    "이들은 하루 열두 시간 이상 일하지만 임금의 대부분은 국가 기관이 가져간다.",
    "유엔 안전보장이사회는 2017년 결의안으로 해외 노동자의 신규 고용을 금지했다.",
    "그러나 조사에 따르면 일부 회사는 중개업체를 통해 노동자를 계속 고용하고 있다.",
    "송금은 현금으로 이루어지거나 제3국의 은행 계좌를 거쳐 평양으로 보내진다.",
    "노동자들은 여권을 빼앗기고 외부와의 연락도 제한된다.",
    "전문가들은 이 제도가 매년 수억 달러의 외화를 벌어들인다고 추정한다.",
    "기자들은 계약서와 급여 명세서를 입수해 자금의 흐름을 추적했다.",
]

#: A paragraph on a payment and unpaid workers (written for these tests).
ARABIC = [
    "أرسلت الشركة مبلغ مليوني دولار إلى حساب في بنك خارجي في شهر مارس.",
    "وقال المحققون إن العمال لم يحصلوا على أجورهم لعدة أشهر متتالية.",
    "ووقع العقد نائب المدير، وتوجد نسخة منه في أرشيف المحكمة.",
    "وتظهر السجلات أن الأموال مرت عبر وسيط مسجل في قبرص.",
    "ويعمل آلاف العمال في مواقع البناء لساعات طويلة دون عطلة.",
    "وطالبت منظمات حقوق الإنسان بفتح تحقيق مستقل في هذه القضية.",
]


def korean_pdf(path: Path, lines: list[str] = KOREAN, size: float = 12.0) -> Path:
    """A digital A4 page of ``lines`` in NanumGothic (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NanumGothic", str(KOREAN_FONT)))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("NanumGothic", size)
    for i, line in enumerate(lines):
        c.drawString(56, A4[1] - 80 - 2 * size * i, line)
    c.showPage()
    c.save()
    return path


def arabic_page(lines: list[str] = ARABIC, dpi: int = 300, size: float = 13.0) -> Any:
    """A greyscale A4 page image of ``lines``, right-aligned, shaped right to left (Pillow)."""
    from PIL import Image, ImageDraw, ImageFont, features

    if not features.check("raqm"):
        raise RuntimeError("Pillow lacks complex text layout (libraqm): Arabic cannot be drawn")
    scale = dpi / 72.0
    width, height = round(595 * scale), round(842 * scale)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(ARABIC_FONT), round(size * scale),
                              layout_engine=ImageFont.Layout.RAQM)
    right = width - round(56 * scale)
    for i, line in enumerate(lines):
        y = round((80 + 2 * size * i) * scale)
        draw.text((right, y), line, font=font, fill=0, anchor="rs", direction="rtl",
                  language="ar")
    return image
