#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker-compose config -q` parses, interpolates and
# schema-checks the file. Uses Debian's docker-compose (1.29), installed on demand, and also Compose v2
# (`docker compose`) when that plugin happens to be present. Exits non-zero when the file is invalid.
#
#   bash scripts/check-compose.sh [path/to/compose.yml]
set -euo pipefail

# A path given as argument is taken relative to the caller's directory; the default is the repo's file.
if [[ $# -ge 1 ]]; then
  file="$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")"
else
  file="$(cd "$(dirname "$0")/.." && pwd)/docker-compose.yml"
fi
cd "$(dirname "$file")" 2>/dev/null || true

if [[ ! -f "$file" ]]; then
  echo "check-compose: $file not found" >&2
  exit 2
fi

if ! command -v docker-compose >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "check-compose: installing docker-compose via apt-get" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "check-compose: installing docker-compose via sudo apt-get" >&2
    (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null
  else
    echo "check-compose: docker-compose is not installed and this user ($(id -un)) cannot install it." >&2
    echo "check-compose: run as root, or first: sudo apt-get update && sudo apt-get install -y docker-compose" >&2
    exit 3
  fi
  if ! command -v docker-compose >/dev/null 2>&1; then
    echo "check-compose: docker-compose still not found after apt-get install" >&2
    exit 3
  fi
fi

status=0

echo "check-compose: $(docker-compose version --short 2>/dev/null || echo '?') -> docker-compose -f $file config -q" >&2
if docker-compose -f "$file" config -q; then
  echo "check-compose: docker-compose (v1): $file is valid"
else
  echo "check-compose: docker-compose (v1): $file is INVALID" >&2
  status=1
fi

# Compose v2 is optional here (Debian bookworm does not package it); check with it too when present.
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  if docker compose -f "$file" config -q; then
    echo "check-compose: docker compose (v2): $file is valid"
  else
    echo "check-compose: docker compose (v2): $file is INVALID" >&2
    status=1
  fi
fi

exit "$status"
