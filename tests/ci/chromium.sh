#!/usr/bin/env bash
# Install Debian's chromium for the report test when it is missing.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq chromium) >&2
fi
command -v chromium
