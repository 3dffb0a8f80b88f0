#!/usr/bin/env bash
# Spec conformance: start Stoplight Prism (a pinned version, installed under target/) as a mock
# of the upstream spec, run the SDK's conformance test against it, stop Prism.
# Usage: crates/deepnote/prism.sh   (from anywhere; needs node and npm)
set -euo pipefail

PRISM_VERSION="5.16.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PREFIX="$TARGET/prism-$PRISM_VERSION"
PRISM="$PREFIX/node_modules/.bin/prism"
PORT="${PRISM_PORT:-4010}"

if [[ ! -x "$PRISM" ]]; then
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION"
fi

LOG="$PREFIX/prism.log"
"$PRISM" mock -h 127.0.0.1 -p "$PORT" "$ROOT/deepnote-openapi.yml" >"$LOG" 2>&1 &
PRISM_PID=$!
trap 'kill "$PRISM_PID" 2>/dev/null || true; wait "$PRISM_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if curl -s -o /dev/null -H 'Authorization: Bearer ready' "http://127.0.0.1:$PORT/me"; then
    break
  fi
  if ! kill -0 "$PRISM_PID" 2>/dev/null; then
    echo "Prism did not start:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.2
done

cd "$ROOT"
DEEPNOTE_PRISM_URL="http://127.0.0.1:$PORT" cargo test -p deepnote --test prism -- --ignored
