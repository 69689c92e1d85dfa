#!/usr/bin/env bash
# Make sure Tesseract (OCR of scanned pages and images) is present with the language packs
# Dossier recognises out of the box - English, Arabic, simplified Chinese, Korean, Russian,
# French - plus poppler-utils (pdftoppm/pdftotext, used by the OCR and table benchmarks) and a
# Korean font (fonts-nanum: the Korean OCR test and benchmark typeset their page in it).
# As root with apt-get they are installed; otherwise this says exactly what to install.
set -u
langs=(eng ara chi_sim kor rus fra)
pkgs="tesseract-ocr poppler-utils fonts-nanum"
for l in "${langs[@]}"; do pkgs+=" tesseract-ocr-${l//_/-}"; done
missing=()
command -v tesseract >/dev/null 2>&1 || missing+=("tesseract")
command -v pdftotext >/dev/null 2>&1 || missing+=("poppler-utils")
[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || missing+=("fonts-nanum")
if command -v tesseract >/dev/null 2>&1; then
  have=$(tesseract --list-langs 2>/dev/null)
  for l in "${langs[@]}"; do grep -qx "$l" <<<"$have" || missing+=("tesseract language $l"); done
fi
[ ${#missing[@]} -eq 0 ] && exit 0

source "$(dirname "$0")/apt-install.sh"
install_or_explain "OCR needs: ${missing[*]}" $pkgs
