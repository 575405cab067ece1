#!/bin/sh
# Puts `export-manager` (CLI and desktop app) on PATH and registers the app's sandbox helper.
set -e
app="/opt/${sanitizedProductName}"
ln -sf "$app/resources/bin/export-manager" /usr/bin/export-manager
if [ -f "$app/chrome-sandbox" ]; then chmod 4755 "$app/chrome-sandbox" || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
