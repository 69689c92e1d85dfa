#!/usr/bin/env bash
# Make sure what pip needs to build the one locked package that ships no wheel for this platform
# is present: PyICU (transliteration for entity-name matching, via normality) compiles against
# ICU, found with pkg-config, using the C++ compiler. As root with apt-get they are installed;
# otherwise this says exactly what to install.
set -u
pkgs="pkg-config libicu-dev g++"
missing=()
command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-uc 2>/dev/null || missing+=("ICU development files (pkg-config icu-uc)")
command -v g++ >/dev/null 2>&1 || missing+=("g++")
[ ${#missing[@]} -eq 0 ] && exit 0

source "$(dirname "$0")/apt-install.sh"
install_or_explain "Building PyICU needs: ${missing[*]}" $pkgs
