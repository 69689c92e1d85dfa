#!/usr/bin/env bash
# Make sure the system libraries Qt needs are present (EGL, GL, fontconfig, xkbcommon, dbus, the
# xcb libraries, GLib) plus one font family, without which Qt draws no text, and Pango/HarfBuzz,
# which WeasyPrint lays out the PDF evidence report with. As root with apt-get they are installed;
# otherwise this says exactly what to install.
set -u
libs=(libEGL.so.1 libGL.so.1 libfontconfig.so.1 libxkbcommon.so.0 libxkbcommon-x11.so.0
      libdbus-1.so.3 libxcb.so.1 libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-image.so.0
      libxcb-keysyms.so.1 libxcb-randr.so.0 libxcb-render-util.so.0 libxcb-shape.so.0
      libxcb-xinerama.so.0 libxcb-xkb.so.1 libX11-xcb.so.1 libglib-2.0.so.0
      libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libharfbuzz-subset.so.0)
pkgs="libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libxcb1
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
      libglib2.0-0 fonts-dejavu-core fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b
      libharfbuzz-subset0"
missing=()
cache=$(ldconfig -p 2>/dev/null)
for lib in "${libs[@]}"; do
  grep -q "$lib" <<<"$cache" || missing+=("$lib")
done
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list 2>/dev/null | head -n 1)" ]; then
  missing+=("a font family (DejaVu)")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

source "$(dirname "$0")/apt-install.sh"
install_or_explain "Qt and the PDF report need system libraries that are missing: ${missing[*]}" $pkgs
