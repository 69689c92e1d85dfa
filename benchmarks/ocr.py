"""OCR: accuracy against the digital text, and throughput against the plain tesseract program.

Corpus pages with a text layer are rasterised with poppler's ``pdftoppm`` (200 and 300 dpi) into
PNGs and into image-only PDFs; Dossier imports the image-only PDFs with OCR (its worker pool, two
processes, the OCR cache turned off) and the recognised text is compared with the page's digital
text (Dossier's own extraction): token F1 (multiset of lower-cased words), per language.

Throughput: pages per second of Dossier's OCR (render + recognise + build text, in the workers)
against plain ``tesseract page.png out tsv`` on the same 300-dpi PNGs, two at a time (2 cores),
each with OMP_THREAD_LIMIT=1, in the same run. Target: at least 0.8 of the CLI's throughput;
English F1 at 300 dpi at least 0.95.

Usage: python benchmarks/ocr.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "pdf"

#: (file, 1-based pages, Tesseract language) - pages that have a text layer.
PAGES = [
    ("federal-register-2020-17221.pdf", [1, 2, 3], "eng"),
    ("google-doc-document.pdf", [1], "eng"),
    ("scotus-transcript-p1.pdf", [1], "eng"),
    ("2023-06-20-PV.pdf", [1, 2], "fra"),
    ("habibi.pdf", [1], "ara+eng"),
    ("issue-71-duplicate-chars.pdf", [1], "chi_sim"),
]
TARGET_RATIO = 0.8
TARGET_F1 = 0.95


def tokens(text: str, lang: str) -> Counter[str]:
    # Base letters: vowel marks (Arabic harakat, accents) are compared apart from their letters.
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch))
    if lang.startswith("chi"):  # no word spaces: compare characters
        return Counter(ch for ch in text if ch.isalnum())
    return Counter(re.findall(r"\w+", text.lower()))


RUSSIAN = [
    "Министерство перевело 2 450 000 рублей на счёт компании в марте 2019 года.",
    "Второй платёж прошёл через посредника, зарегистрированного на Кипре.",
    "Договор подписал заместитель директора; копия хранится в архиве суда.",
    "Свидетели подтвердили, что работники не получали заработную плату.",
]


def generated_russian(out: Path) -> Path:
    """A page of Russian text set in DejaVu Sans (the corpus has no Russian PDF)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdfmetrics.registerFont(TTFont("DejaVu", str(font)))
    path = out / "russian.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("DejaVu", 12)
    for i, line in enumerate(RUSSIAN * 3):
        c.drawString(60, 780 - 22 * i, line)
    c.save()
    return path


def printed_pages(out: Path) -> list[tuple[str, int, str, str]]:
    """(lang, dpi, OCR text, printed text) for a Korean passage typeset with reportlab and
    rasterised by pdftoppm, and an Arabic paragraph drawn with Pillow's text shaping, at 200 and
    300 dpi, imported as image-only PDFs. A page whose font or shaping is missing is skipped."""
    from tests.helpers.scripts_pages import (
        ARABIC,
        ARABIC_FONT,
        KOREAN,
        KOREAN_FONT,
        arabic_page,
        korean_pdf,
    )

    results = []
    if KOREAN_FONT.exists():
        pdf = korean_pdf(out / "korean.pdf")
        for dpi in (200, 300):
            scan = image_pdf([rasterise(pdf, 1, dpi, out)], dpi, out / f"korean-{dpi}.pdf")
            results.append(("kor", dpi, dossier_ocr(scan, "kor")[0], "\n".join(KOREAN)))
    else:
        print(f"(Korean skipped: {KOREAN_FONT} missing; .ci/ocr-deps.sh installs it)")
    if ARABIC_FONT.exists():
        for dpi in (200, 300):
            try:
                png = out / f"arabic-{dpi}.png"
                arabic_page(dpi=dpi).save(png)
            except RuntimeError as exc:
                print(f"(Arabic skipped: {exc})")
                break
            scan = image_pdf([png], dpi, out / f"arabic-{dpi}.pdf")
            results.append(("ara", dpi, dossier_ocr(scan, "ara")[0], "\n".join(ARABIC)))
    return results


def f1(got: Counter[str], want: Counter[str]) -> float:
    common = sum((got & want).values())
    if not common:
        return 0.0
    p, r = common / sum(got.values()), common / sum(want.values())
    return 2 * p * r / (p + r)


def rasterise(pdf: Path, page: int, dpi: int, out: Path) -> Path:
    stem = out / f"{pdf.stem}-{page}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-gray",
                    "-png", "-singlefile", str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def image_pdf(pngs: list[Path], dpi: int, out: Path) -> Path:
    from PIL import Image

    images = [Image.open(p) for p in pngs]
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out


def digital_text(pdf: Path, page: int) -> str:
    from app.importers.pdf import extract_pdf

    return extract_pdf(pdf, workers=1).pages[page - 1].text


def dossier_ocr(pdf: Path, lang: str, workers: int = 2) -> list[str]:
    from app.importers.ocr import OcrOptions
    from app.importers.pdf import extract_pdf

    doc = extract_pdf(pdf, workers=workers, ocr=OcrOptions("auto", lang))
    return [p.text for p in doc.pages]


def png_ocr(png: Path, lang: str) -> str:
    from app.importers.image import extract_image
    from app.importers.ocr import OcrOptions

    return extract_image(png.read_bytes(), png.name, ocr=OcrOptions("auto", lang)).text


def cli_ocr(pngs: list[Path], lang: str, out: Path) -> float:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(png: Path) -> None:
        subprocess.run(["tesseract", str(png), str(out / png.stem), "--psm", "3", "-l", lang,
                        "tsv"], check=True, env=env, capture_output=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, pngs))
    return time.perf_counter() - start


def main() -> int:
    os.environ["DOSSIER_OCR_CACHE"] = ""  # measure recognition, not the cache
    from app.importers.ocr import tesseract_version

    print(f"tesseract {tesseract_version()}; pages rasterised with pdftoppm; 2 worker processes")
    ok = True
    with tempfile.TemporaryDirectory(prefix="dossier-ocr-bench-") as tmp:
        out = Path(tmp)
        by_lang: dict[tuple[str, int], list[float]] = {}
        eng_pngs: list[Path] = []
        jobs = [(CORPUS / name, pages, lang) for name, pages, lang in PAGES]
        if Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
            jobs.append((generated_russian(out), [1], "rus"))
        for pdf, pages, lang in jobs:
            want = [digital_text(pdf, p) for p in pages]
            for dpi in (200, 300):
                pngs = [rasterise(pdf, p, dpi, out) for p in pages]
                if dpi == 300 and lang == "eng":
                    eng_pngs += pngs
                scan = image_pdf(pngs, dpi, out / f"{pdf.stem}-{dpi}.pdf")
                got = dossier_ocr(scan, lang)
                for g, w in zip(got, want, strict=True):
                    by_lang.setdefault((lang, dpi), []).append(f1(tokens(g, lang), tokens(w, lang)))
        # Korean (typeset with reportlab) and Arabic (shaped with Pillow) against what was printed.
        for lang, dpi, got, truth in printed_pages(out):
            by_lang.setdefault((f"{lang} *", dpi), []).append(
                f1(tokens(got, lang), tokens(truth, lang)))
        png_scores = []
        for pdf, pages, lang in jobs[:3]:  # the English pages, imported as PNG images
            for p in pages:
                png = out / f"{pdf.stem}-{p}-300.png"
                got_png = png_ocr(png, lang)
                png_scores.append(f1(tokens(got_png, lang), tokens(digital_text(pdf, p), lang)))
        by_lang[("eng PNG", 300)] = png_scores
        print("\ntoken F1 of OCR against the digital text (mean over pages; "
              "* = against the printed text of a generated page)")
        for (lang, dpi), scores in sorted(by_lang.items()):
            mean = sum(scores) / len(scores)
            mark = ""
            if lang == "eng" and dpi == 300:
                mark = "  target >= 0.95: " + ("holds" if mean >= TARGET_F1 else "FAILS")
                ok &= mean >= TARGET_F1
            print(f"  {lang:<8} {dpi} dpi  pages {len(scores)}  F1 {mean:.3f}{mark}")

        print("\nthroughput on the same 300-dpi English pages "
              f"({len(eng_pngs)} pages, 2 processes)")
        cli = cli_ocr(eng_pngs, "eng", out)
        scan = image_pdf(eng_pngs, 300, out / "throughput.pdf")
        start = time.perf_counter()
        dossier_ocr(scan, "eng")
        ours = time.perf_counter() - start
        n = len(eng_pngs)
        ratio = (n / ours) / (n / cli)
        print(f"  tesseract CLI   {n / cli:5.2f} pages/s   ({cli:.1f} s)")
        print(f"  Dossier import  {n / ours:5.2f} pages/s   ({ours:.1f} s)   "
              f"ratio {ratio:.2f}  target >= {TARGET_RATIO}: "
              + ("holds" if ratio >= TARGET_RATIO else "FAILS"))
        ok &= ratio >= TARGET_RATIO
    print("\n(figures from a shared machine are noisy; run again when it is quiet)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
