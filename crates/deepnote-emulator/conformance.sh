#!/usr/bin/env bash
# Conformance of the emulator to Deepnote's spec, judged by schemathesis.
#
# Creates a venv under $CARGO_TARGET_DIR (or target/) with a pinned schemathesis, builds and
# starts the emulator binary on a free loopback port with the sample workspace, and runs
# schemathesis against the merged spec (deepnote-openapi.yml + openapi/overlay.yml): once for
# the /v2 operations, once for the legacy /v1 execute. Exits non-zero on any failure.
#
# Usage: crates/deepnote-emulator/conformance.sh [extra schemathesis args]
# EMULATOR_ARGS adds emulator flags; e.g. EMULATOR_ARGS='--error-rate 0.2' must make it fail.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${CONFORMANCE_EXAMPLES:-20}

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$TARGET/conformance-venv
WORK=$TARGET/conformance
mkdir -p "$WORK"

if [ ! -x "$VENV/bin/schemathesis" ] ||
    [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))')" != "$SCHEMATHESIS_VERSION" ]; then
    echo "conformance: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "conformance: building the emulator"
(cd "$ROOT" && cargo build --quiet -p deepnote-emulator --bin deepnote-emulator)
BIN=$TARGET/debug/deepnote-emulator

# The merged spec: RFC 7396 merge patch of the overlay onto the upstream spec (what
# `cargo xtask spec merged` prints), done here so the script needs no xtask build.
SPEC=$WORK/deepnote-openapi.merged.json
"$VENV/bin/python" - "$ROOT/deepnote-openapi.yml" "$ROOT/openapi/overlay.yml" >"$SPEC" <<'PY'
import json, sys, yaml
def merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge(target.get(k), v)
    return target
spec = yaml.safe_load(open(sys.argv[1]))
overlay = yaml.safe_load(open(sys.argv[2]))['upstream']
json.dump(merge(spec, overlay), sys.stdout, indent=1)
PY

KEY=deepnote-emulator-sample-key
# shellcheck disable=SC2086 # EMULATOR_ARGS is a list of flags.
"$BIN" --port 0 --seed sample ${EMULATOR_ARGS:-} >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    URL=$(grep -o 'http://[0-9.:]*' "$WORK/emulator.out" 2>/dev/null || true)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "conformance: the emulator did not start" >&2; cat "$WORK/emulator.err" >&2; exit 1; }
echo "conformance: emulator at $URL"

# schemathesis keeps a cache in its working directory; keep it out of the source tree.
cd "$WORK"

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth,use_after_free
run() {
    "$VENV/bin/schemathesis" run "$SPEC" \
        -H "Authorization: Bearer $KEY" \
        -n "$EXAMPLES" --seed 1 --generation-database none \
        --mode positive -c "$CHECKS" --no-color "$@"
}

status=0
echo "conformance: /v2 operations"
run --url "$URL/v2" --exclude-path-regex '/execute$' "$@" || status=1
echo "conformance: /v1 execute"
run --url "$URL/v1" --include-path-regex '/execute$' "$@" || status=1

# Robustness: whatever schemathesis sends (negative mode too), never a server error.
echo "conformance: negative inputs never get a 5xx"
"$VENV/bin/schemathesis" run "$SPEC" --url "$URL/v2" \
    -H "Authorization: Bearer $KEY" -n "$EXAMPLES" --seed 1 --generation-database none \
    --mode negative -c not_a_server_error --exclude-path-regex '/execute$' --no-color "$@" || status=1

if [ "$status" -ne 0 ]; then
    echo "conformance: FAILED" >&2
else
    echo "conformance: passed"
fi
exit "$status"
