#!/bin/sh
# Removes the PATH link the install made.
set -e
if [ -L /usr/bin/export-manager ] && [ ! -e /usr/bin/export-manager ]; then rm -f /usr/bin/export-manager; fi
