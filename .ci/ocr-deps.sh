#!/usr/bin/env bash
# Make sure Tesseract (OCR of scanned pages and images) is present with the language packs
# Dossier recognises out of the box - English, Arabic, simplified Chinese, Korean, Russian,
# French - plus poppler-utils (pdftoppm/pdftotext, used by the OCR and table benchmarks).
# As root with apt-get they are installed; otherwise this says exactly what to install.
set -u
langs=(eng ara chi_sim kor rus fra)
pkgs="tesseract-ocr poppler-utils"
for l in "${langs[@]}"; do pkgs+=" tesseract-ocr-${l//_/-}"; done
missing=()
command -v tesseract >/dev/null 2>&1 || missing+=("tesseract")
command -v pdftotext >/dev/null 2>&1 || missing+=("poppler-utils")
if command -v tesseract >/dev/null 2>&1; then
  have=$(tesseract --list-langs 2>/dev/null)
  for l in "${langs[@]}"; do grep -qx "$l" <<<"$have" || missing+=("tesseract language $l"); done
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "OCR needs: ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing them with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs >/dev/null \
    && exit 0
  echo "apt-get failed; install these packages yourself: $pkgs" >&2
  exit 1
fi
echo "install them, e.g. on Debian/Ubuntu: sudo apt-get install $pkgs" >&2
exit 1
