#!/usr/bin/env bash
# Spec conformance: start Stoplight Prism (a pinned version, installed under target/) as a mock
# of each reference in turn (the original spec, then the live reference), run the SDK's
# conformance test against it, stop Prism. Fails if either run fails.
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

judge() {
  local reference=$1 spec=$2
  local LOG="$PREFIX/prism-$reference.log"
  echo "prism: the SDK against a mock of the $reference reference ($spec)"
  "$PRISM" mock -h 127.0.0.1 -p "$PORT" "$spec" >"$LOG" 2>&1 &
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
  local status=0
  (cd "$ROOT" && DEEPNOTE_PRISM_URL="http://127.0.0.1:$PORT" DEEPNOTE_PRISM_REFERENCE="$reference" \
    cargo test -p deepnote --test prism -- --ignored) || status=1
  kill "$PRISM_PID" 2>/dev/null || true
  wait "$PRISM_PID" 2>/dev/null || true
  return "$status"
}

# The live reference with the overlay's `live` section (facts it leaves out, such as run ids
# being UUIDs), as `cargo xtask spec reference live` gives it: the one merge implementation.
LIVE_SPEC="$PREFIX/live-reference.json"
(cd "$ROOT" && cargo run -q -p xtask -- spec reference live) >"$LIVE_SPEC"

status=0
judge upstream "$ROOT/deepnote-openapi.yml" || status=1
judge live "$LIVE_SPEC" || status=1
exit "$status"
