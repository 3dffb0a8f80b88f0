#!/usr/bin/env bash
# Conformance of the emulator to both references, judged by schemathesis.
#
# Creates a venv under $CARGO_TARGET_DIR (or target/) with a pinned schemathesis, builds the
# emulator binary, and judges it twice, each time on a fresh emulator with the sample workspace
# on a free loopback port:
#   1. the original spec (deepnote-openapi.yml with the `upstream` section of
#      openapi/overlay.yml) against `--dialect spec`;
#   2. the live reference (openapi/live.yml with the overlay's `live` section, empty: verbatim)
#      against the default (live) dialect.
# Each judgement runs the /v2 operations and the legacy /v1 execute in positive mode (status
# codes, content types, response schemas, auth, use after free) and in negative mode (invalid
# input is refused with a 4xx, never a server error). The spec judgement covers its 12
# operations; the live one all 39 (the import's ZIP body goes through conformance_hooks.py,
# loaded with SCHEMATHESIS_HOOKS, which also keeps `updateProject` bodies to what the
# reference's description allows).
# Exits non-zero on any failure.
#
# Usage: crates/deepnote-emulator/conformance.sh [extra schemathesis args]
# EMULATOR_ARGS adds emulator flags; e.g. EMULATOR_ARGS='--error-rate 0.2' must make it fail.
# CONFORMANCE_REFERENCES=spec (or live) judges by one reference only.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${CONFORMANCE_EXAMPLES:-20}
REFERENCES=${CONFORMANCE_REFERENCES:-spec live}

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
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

# Each reference with its section of openapi/overlay.yml applied, from the one implementation
# (crates/deepnote-spec, through xtask): the original spec with `upstream`, the live reference
# with `live` (empty: the live reference judges verbatim).
SPEC=$WORK/reference-upstream.json
LIVE=$WORK/reference-live.json
(cd "$ROOT" && cargo run --quiet -p xtask -- spec reference upstream) >"$SPEC"
(cd "$ROOT" && cargo run --quiet -p xtask -- spec reference live) >"$LIVE"

# The /v2 operations: the original spec's 12 (the live reference names them the same), and
# every /v2 operation of the live reference.
SPEC_V2_OPS='^(listProjects|createProject|getProject|deleteProject|createNotebook|getNotebook|deleteNotebook|listNotebookRuns|createRun|getRun|getMe)$'
# Every /v2 operation of the live reference (all but the /v1 execute, judged on its own).
LIVE_V2_OPS='^(?!executeNotebookV1$)'
V1_OPS='^executeNotebookV1$'
export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=conformance_hooks

KEY=deepnote-emulator-sample-key
EMU_PID=
stop_emulator() {
    if [ -n "$EMU_PID" ]; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
        EMU_PID=
    fi
}
trap stop_emulator EXIT

start_emulator() { # DIALECT
    local out=$WORK/emulator-$1.out
    : >"$out"
    # shellcheck disable=SC2086 # EMULATOR_ARGS is a list of flags.
    "$BIN" --port 0 --seed sample --dialect "$1" ${EMULATOR_ARGS:-} >"$out" 2>"$WORK/emulator-$1.err" &
    EMU_PID=$!
    URL=
    for _ in $(seq 1 100); do
        URL=$(grep -o 'http://[0-9.:]*' "$out" 2>/dev/null || true)
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { echo "conformance: the emulator did not start" >&2; cat "$WORK/emulator-$1.err" >&2; exit 1; }
    echo "conformance: $1-dialect emulator at $URL"
}

# schemathesis keeps a cache in its working directory; keep it out of the source tree.
cd "$WORK"

POSITIVE=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth,use_after_free
NEGATIVE=not_a_server_error,negative_data_rejection
judge() { # REFERENCE-FILE BASE OPS MODE CHECKS [extra args]
    local reference=$1 base=$2 ops=$3 mode=$4 checks=$5
    shift 5
    "$VENV/bin/schemathesis" run "$reference" --url "$URL$base" \
        -H "Authorization: Bearer $KEY" \
        -n "$EXAMPLES" --seed 1 --generation-database none \
        --include-operation-id-regex "$ops" \
        --mode "$mode" -c "$checks" --no-color "$@"
}

status=0
for reference in $REFERENCES; do
    case $reference in
        spec) file=$SPEC v2_ops=$SPEC_V2_OPS ;;
        live) file=$LIVE v2_ops=$LIVE_V2_OPS ;;
        *) echo "conformance: unknown reference $reference" >&2; exit 2 ;;
    esac
    start_emulator "$reference"
    for mode in positive negative; do
        checks=$POSITIVE
        [ "$mode" = negative ] && checks=$NEGATIVE
        echo "conformance: $reference reference, $mode, /v2 operations"
        judge "$file" /v2 "$v2_ops" "$mode" "$checks" "$@" || status=1
        echo "conformance: $reference reference, $mode, /v1 execute"
        judge "$file" /v1 "$V1_OPS" "$mode" "$checks" "$@" || status=1
    done
    stop_emulator
done

if [ "$status" -ne 0 ]; then
    echo "conformance: FAILED" >&2
else
    echo "conformance: passed"
fi
exit "$status"
