#!/usr/bin/env bash
# Conformance of the emulator judged by Deepnote's official CLI (PyPI `deepnote-cli`, the
# `deepnote` command; its source is packages/cli in github.com/deepnote/deepnote).
#
# Creates a venv under $CARGO_TARGET_DIR (or target/) with the pinned CLI (a self-contained
# binary: it bundles its own Node runtime), builds and starts the emulator with the sample
# workspace on a free loopback port, then:
#   a. `deepnote run --cloud --notebook-id <sample notebook> -o json` must report a successful run
#      whose snapshot the CLI could read and saved; so must a run of one block (--block) and a run
#      of the saved .deepnote file with an --input; a run made to fail (through the control API,
#      and by a notebook whose code says `raise ValueError("boom")`) must exit 1 with status
#      error and a snapshot as readable, which `validate` accepts;
#   b. `deepnote validate` must accept that saved snapshot, and the emulator's own snapshotContent
#      (as the run answers it) must pass `validate` and carry what Deepnote's snapshot schema adds
#      (environment, execution, metadata.snapshotHash);
#   c. with OFFICIAL_CLI_CLOUD=1: `deepnote sync` pulls the sample workspace into .deepnote files
#      `validate` accepts, an edit pushed by the next sync comes back on a fresh pull, our own
#      `deepnote sync pull` writes files `validate` accepts that its `sync` finds unchanged, and
#      `deepnote schedule FILE --daily --at 09:00 --timezone UTC -o json` reports success;
#   d. with OFFICIAL_CLI_CLOUD=1: `deepnote publish DIR --project-id` uploads a folder under
#      _deepnote_static/ and turns sharing on (the printed app URL serves the folder's index.html),
#      a second publish with --prune removes the file deleted locally (as the project's files
#      show), `deepnote static-site access` turns API access on and, with sharing, off, and
#      `deepnote streamlit publish app.py --project-id` waits until the app runs, then finds the
#      same app with --no-wait.
#   e. with OFFICIAL_CLI_CLOUD=1: every one of Deepnote's public example project files
#      (../shared/deepnote-files and its subfolders; snapshot files are records of a run, not a
#      project, and are left out) goes in through our `deepnote run FILE --push` (the project is
#      created), runs, comes back through our `deepnote projects export`, and `deepnote validate`
#      accepts every file pulled back.
# Every CLI call runs under strace (when installed) and fails the check if it connects or sends
# anywhere but loopback. Exits non-zero on any failure and says which.
#
# Usage: crates/deepnote-emulator/official-cli.sh
# EMULATOR_BIN runs another emulator binary instead of building this one; EMULATOR_ARGS adds
# emulator flags (e.g. '--alternate-shapes 1' or '--snapshot-delay-ms 3000' must still pass; a
# delay past the CLI's ~4.5 s settle window must fail); OFFICIAL_CLI_CLOUD=1 adds sections c, d and e.
set -euo pipefail

DEEPNOTE_CLI_VERSION=0.10.0
PYYAML_VERSION=6.0.3
SAMPLE_KEY=deepnote-emulator-sample-key
SAMPLE_PROJECT_ID=00000000-5a3e-4000-8000-000000000101
SAMPLE_NOTEBOOK_ID=00000000-5a3e-4000-8000-000000000201

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$TARGET/official-cli-venv
WORK=$TARGET/official-cli
rm -rf "$WORK"
mkdir -p "$WORK/home" "$WORK/cwd"
CLI_CWD=$WORK/cwd

installed() {
    "$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true
}
if [ ! -x "$VENV/bin/deepnote" ] || [ "$(installed deepnote-cli)" != "$DEEPNOTE_CLI_VERSION" ] ||
    [ "$(installed PyYAML)" != "$PYYAML_VERSION" ]; then
    echo "official-cli: installing deepnote-cli $DEEPNOTE_CLI_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "deepnote-cli==$DEEPNOTE_CLI_VERSION" "PyYAML==$PYYAML_VERSION"
fi
PY=$VENV/bin/python
CHECK="$PY $HERE/official-cli-check.py"

# The CLI reads DEEPNOTE_TOKEN and .env files; give it a home and working directories of its own
# so nothing from the caller's environment decides what it sends.
cli_env=(env -u DEEPNOTE_TOKEN HOME="$WORK/home" NO_COLOR=1 NO_PROXY='*')

# strace needs ptrace, which some containers forbid: probe it rather than fail every CLI call.
if command -v strace >/dev/null 2>&1 && strace -f -qq -e trace=connect -o /dev/null true 2>/dev/null; then
    NETCHECK=1
else
    NETCHECK=0
    echo "official-cli: strace is missing or cannot trace here; not checking that the CLI stays on loopback" >&2
fi

status=0
failures=0
failed() {
    echo "official-cli: FAIL: $*" >&2
    status=1
    failures=$((failures + 1))
}

# deepnote NAME ARGS...: runs the CLI in $CLI_CWD; stdout to $WORK/NAME.out, stderr to
# $WORK/NAME.err; returns its exit code. Any connect() or datagram to an address other than
# loopback fails the check (telemetry, update checks, DNS: the CLI has none, this makes sure).
deepnote() {
    local name=$1 rc=0
    shift
    local cmd=("$VENV/bin/deepnote" "$@")
    if [ "$NETCHECK" = 1 ]; then
        cmd=(strace -f -qq -e "trace=connect,sendto,sendmsg" -o "$WORK/$name.strace" "${cmd[@]}")
    fi
    (cd "$CLI_CWD" && "${cli_env[@]}" "${cmd[@]}") >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
    if [ "$NETCHECK" = 1 ]; then
        local outside
        outside=$(grep -E 'AF_INET6?' "$WORK/$name.strace" |
            grep -vE 'inet_addr\("127\.0\.0\.1"\)|inet_pton\(AF_INET6, "(::1|::ffff:127\.0\.0\.1)"' || true)
        if [ -n "$outside" ]; then
            failed "deepnote $1 connected or sent outside loopback:"
            echo "$outside" >&2
        fi
    fi
    return "$rc"
}

show() {
    sed 's/^/    /' "$WORK/$1.out" "$WORK/$1.err" >&2
}

version=$("$VENV/bin/deepnote" --version)
[ "$version" = "$DEEPNOTE_CLI_VERSION" ] || { echo "official-cli: deepnote --version says $version" >&2; exit 1; }

if [ -n "${EMULATOR_BIN:-}" ]; then
    BIN=$EMULATOR_BIN
else
    echo "official-cli: building the emulator"
    (cd "$ROOT" && cargo build --quiet -p deepnote-emulator --bin deepnote-emulator)
    BIN=$TARGET/debug/deepnote-emulator
fi

# shellcheck disable=SC2086 # EMULATOR_ARGS is a list of flags.
"$BIN" --port 0 --seed sample ${EMULATOR_ARGS:-} >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true' EXIT
URL=
for _ in $(seq 1 100); do
    URL=$(grep -o 'http://[0-9.:]*' "$WORK/emulator.out" 2>/dev/null || true)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "official-cli: the emulator did not start" >&2; cat "$WORK/emulator.err" >&2; exit 1; }
echo "official-cli: deepnote-cli $version against the emulator at $URL ($BIN)"
API=(--url "$URL" --token "$SAMPLE_KEY")

# journal NAME [show]: saves (and clears) the emulator's journal as $WORK/NAME.journal.json, and
# with `show` prints the requests it holds.
journal() {
    local lines
    lines=$($CHECK journal "$URL" "${DEEPNOTE_EMULATOR_ADMIN_TOKEN:-}" "$WORK/$1.journal.json" 2>&1 || true)
    if [ "${2:-}" = show ]; then
        echo "official-cli: the requests the emulator saw (in $WORK/$1.journal.json):" >&2
        echo "$lines" >&2
    fi
}

# --- a. run a notebook in the "cloud" -----------------------------------------------------------
echo "official-cli: a. deepnote run --cloud --notebook-id $SAMPLE_NOTEBOOK_ID -o json"
# By id only, the CLI saves the snapshot under ./snapshots of its working directory.
mkdir -p "$WORK/run"
CLI_CWD=$WORK/run
run_id=
snapshot=
if deepnote run run --cloud --notebook-id "$SAMPLE_NOTEBOOK_ID" "${API[@]}" -o json; then
    if result=$($CHECK run-result "$WORK/run.out"); then
        run_id=$(sed -n 1p <<<"$result")
        snapshot=$(sed -n 2p <<<"$result")
        echo "official-cli: a. passed: run $run_id, snapshot $snapshot"
    else
        failed "a. deepnote run --cloud: the result is not a successful run with a readable snapshot"
        grep '^FAIL' <<<"$result" | sed 's/^/    /' >&2
        run_id=$(grep -v '^FAIL' <<<"$result" | sed -n 1p)
        snapshot=$(grep -v '^FAIL' <<<"$result" | sed -n 2p)
        show run
    fi
else
    failed "a. deepnote run --cloud exited non-zero"
    show run
    run_id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("runId",""))' "$WORK/run.out" 2>/dev/null || true)
fi
journal run "$([ "$status" = 0 ] || echo show)"

# a2. one block: the CLI sends {blockIds:[B], detached:false} (block runs are live runs).
# a3. the notebook's .deepnote file with an input: the CLI types `--input` against the file's input
#     block and sends {inputs:{NAME:"EMEA"}, detached:true}.
# Both must succeed with a snapshot, like a. The block and the input come from a's snapshot.
cloud_run() {
    local name=$1 what=$2 before=$failures result
    shift 2
    if deepnote "$name" run --cloud "$@" "${API[@]}" -o json; then
        if ! result=$($CHECK run-result "$WORK/$name.out"); then
            failed "$what: the result is not a successful run with a readable snapshot"
            grep '^FAIL' <<<"$result" | sed 's/^/    /' >&2
            show "$name"
        fi
    else
        failed "$what: deepnote run --cloud exited non-zero"
        show "$name"
    fi
    if [ "$failures" = "$before" ]; then
        echo "official-cli: $what passed"
        journal "$name"
    else
        journal "$name" show
    fi
}
mkdir -p "$WORK/run-block"
CLI_CWD=$WORK/run-block
if [ -n "$snapshot" ] && [ -f "$snapshot" ]; then
    if code=$($CHECK first-block "$snapshot" code); then
        block=$(sed -n 1p <<<"$code")
        echo "official-cli: a2. deepnote run --cloud --notebook-id $SAMPLE_NOTEBOOK_ID --block $block"
        cloud_run run-block a2 --notebook-id "$SAMPLE_NOTEBOOK_ID" --block "$block"
    else
        failed "a2. ${code#FAIL: }"
    fi
    if input=$($CHECK first-block "$snapshot" input-text); then
        variable=$(sed -n 2p <<<"$input")
        mkdir -p "$WORK/run-file"
        cp "$snapshot" "$WORK/run-file/sample.deepnote"
        echo "official-cli: a3. deepnote run sample.deepnote --cloud --input $variable=EMEA"
        cloud_run run-input a3 "$WORK/run-file/sample.deepnote" --input "$variable=EMEA"
    else
        failed "a3. ${input#FAIL: }"
    fi
else
    failed "a2/a3. no readable snapshot from a to take a block and an input from"
fi

# a4. a failing run (the emulator's control API makes the sample notebook's next runs fail): the
#     CLI exits 1 with status error, and still saves the run's snapshot, which must be readable
#     (a failed run's snapshot carries the error output and execution.error).
echo "official-cli: a4. a failing run of $SAMPLE_NOTEBOOK_ID"
mkdir -p "$WORK/run-error"
CLI_CWD=$WORK/run-error
if $CHECK behaviour "$URL" "${DEEPNOTE_EMULATOR_ADMIN_TOKEN:-}" "$SAMPLE_NOTEBOOK_ID" \
    '{"durationMs":500,"outcome":"error","message":"ZeroDivisionError: division by zero"}' >"$WORK/behaviour.out"; then
    before=$failures
    rc=0
    deepnote run-error run --cloud --notebook-id "$SAMPLE_NOTEBOOK_ID" "${API[@]}" -o json || rc=$?
    if [ "$rc" != 1 ]; then
        failed "a4. deepnote run --cloud of a failing run exited $rc, not 1"
        show run-error
    elif ! result=$($CHECK run-result "$WORK/run-error.out" error); then
        failed "a4. the result is not a failed run with a readable snapshot"
        grep '^FAIL' <<<"$result" | sed 's/^/    /' >&2
        show run-error
    else
        error_snapshot=$(sed -n 2p <<<"$result")
        if ! deepnote validate-error validate "$error_snapshot" -o json; then
            failed "a4. deepnote validate rejects the failed run's snapshot"
            show validate-error
        fi
    fi
    if [ "$failures" = "$before" ]; then
        echo "official-cli: a4 passed"
        journal run-error
    else
        journal run-error show
    fi
    $CHECK behaviour "$URL" "${DEEPNOTE_EMULATOR_ADMIN_TOKEN:-}" "$SAMPLE_NOTEBOOK_ID" >"$WORK/behaviour.out" ||
        failed "a4. could not reset the notebook's run behaviour: $(cat "$WORK/behaviour.out")"
else
    failed "a4. the emulator refused a run behaviour: $(cat "$WORK/behaviour.out")"
fi

# a5. a run that fails by its own source, with no control API: a notebook whose code block says
#     `raise ValueError("boom")`. The CLI exits 1 with status error and saves a snapshot that
#     `validate` accepts, whose error output and execution.error are ValueError: boom.
echo "official-cli: a5. a run failing by its source (raise ValueError(\"boom\"))"
mkdir -p "$WORK/run-raise"
CLI_CWD=$WORK/run-raise
if failing=$($CHECK failing-notebook "$URL" "$SAMPLE_KEY" "$SAMPLE_PROJECT_ID" "Failing run" 'raise ValueError("boom")'); then
    before=$failures
    rc=0
    deepnote run-raise run --cloud --notebook-id "$failing" "${API[@]}" -o json || rc=$?
    if [ "$rc" != 1 ]; then
        failed "a5. deepnote run --cloud of a raising notebook exited $rc, not 1"
        show run-raise
    elif ! result=$($CHECK run-result "$WORK/run-raise.out" error); then
        failed "a5. the result is not a failed run with a readable snapshot"
        grep '^FAIL' <<<"$result" | sed 's/^/    /' >&2
        show run-raise
    else
        raise_snapshot=$(sed -n 2p <<<"$result")
        if ! deepnote validate-raise validate "$raise_snapshot" -o json; then
            failed "a5. deepnote validate rejects the raising run's snapshot"
            show validate-raise
        fi
        if ! out=$($CHECK error-output "$raise_snapshot" ValueError boom); then
            failed "a5. ${out#FAIL: }"
        fi
    fi
    if [ "$failures" = "$before" ]; then
        echo "official-cli: a5 passed"
        journal run-raise
    else
        journal run-raise show
    fi
else
    failed "a5. ${failing#FAIL: }"
fi
CLI_CWD=$WORK/cwd

# --- b. validate the snapshot -------------------------------------------------------------------
if [ -n "$snapshot" ] && [ -f "$snapshot" ]; then
    echo "official-cli: b. deepnote validate $(basename "$snapshot")"
    if deepnote validate-saved validate "$snapshot" -o json; then
        echo "official-cli: b. passed: the saved snapshot is valid"
    else
        failed "b. deepnote validate rejects the snapshot the run saved"
        show validate-saved
    fi
else
    failed "b. no snapshot was saved by the run, nothing to validate"
fi
if [ -n "$run_id" ]; then
    echo "official-cli: b. the emulator's own snapshotContent for run $run_id"
    raw=$WORK/raw.snapshot.deepnote
    if $CHECK raw-snapshot "$URL" "$SAMPLE_KEY" "$run_id" "$raw" >"$WORK/raw-check.out"; then
        echo "official-cli: b. passed: snapshotContent has what a snapshot requires"
    else
        failed "b. the emulator's snapshotContent is not a Deepnote snapshot"
        sed 's/^/    /' "$WORK/raw-check.out" >&2
    fi
    if [ -f "$raw" ]; then
        if deepnote validate-raw validate "$raw" -o json; then
            echo "official-cli: b. passed: deepnote validate accepts the emulator's snapshotContent"
        else
            failed "b. deepnote validate rejects the emulator's snapshotContent"
            show validate-raw
        fi
    fi
fi

journal validate

# --- c. sync and schedule (operations the emulator is still growing) ----------------------------
# `deepnote validate` on every .deepnote file under DIR (calls named validate-TAG-<file>); says
# which it rejects, as WHAT <path>, and fails if any.
validate_all() {
    local dir=$1 tag=$2 what=$3 section=${4:-c} f name ok=0
    while IFS= read -r -d '' f; do
        name=validate-$tag-$(basename "$f" .deepnote)
        if ! deepnote "$name" validate "$f" -o json; then
            failed "$section. deepnote validate rejects $what ${f#"$dir"/}"
            show "$name"
            ok=1
        fi
    done < <(find "$dir" -name '*.deepnote' -print0)
    return $ok
}

if [ "${OFFICIAL_CLI_CLOUD:-0}" = 1 ]; then
    sync_dir=$WORK/sync
    synced_file=
    echo "official-cli: c. deepnote sync $sync_dir (pull)"
    if deepnote sync-pull sync "$sync_dir" "${API[@]}" --on-conflict skip -o json &&
        $CHECK sync-result "$WORK/sync-pull.out" pulled "$SAMPLE_PROJECT_ID" >"$WORK/sync-pull.check"; then
        invalid=0
        validate_all "$sync_dir" sync "the pulled" || invalid=1
        synced_file=$($CHECK find-notebook-file "$sync_dir" "$SAMPLE_NOTEBOOK_ID") ||
            { failed "c. $synced_file"; synced_file=; }
        [ "$invalid" = 0 ] && echo "official-cli: c. passed: pull; every pulled file is valid"
        journal sync-pull
    else
        failed "c. deepnote sync (pull) failed"
        cat "$WORK/sync-pull.check" >&2 2>/dev/null || true
        show sync-pull
        journal sync-pull show
    fi

    if [ -n "$synced_file" ]; then
        marker="edited by official-cli.sh $$"
        echo "official-cli: c. edit ${synced_file#"$sync_dir"/}, deepnote sync (push), pull into a fresh directory"
        if $CHECK edit "$synced_file" "$marker" &&
            deepnote sync-push sync "$sync_dir" "${API[@]}" --on-conflict skip -o json &&
            $CHECK sync-result "$WORK/sync-push.out" pushed "$SAMPLE_PROJECT_ID" >"$WORK/sync-push.check" &&
            deepnote sync-repull sync "$WORK/sync2" "${API[@]}" --on-conflict skip -o json &&
            repulled=$($CHECK find-notebook-file "$WORK/sync2" "$SAMPLE_NOTEBOOK_ID") &&
            $CHECK has-marker "$repulled" "$marker"; then
            echo "official-cli: c. passed: the pushed edit came back"
        else
            failed "c. the edit did not make the round trip (push, then pull)"
            cat "$WORK/sync-push.check" >&2 2>/dev/null || true
            show sync-push
            [ -f "$WORK/sync-repull.out" ] && show sync-repull
            journal sync-push show
        fi
    fi

    # Our own `deepnote sync pull` (crates/deepnote-cli) judged by Deepnote's CLI: `validate`
    # accepts every file, and its `sync` on that folder finds the sample project unchanged, where
    # it expects it (the layout and the .deepnote-sync.json state are its own).
    ours_dir=$WORK/ours-sync
    echo "official-cli: c. our deepnote sync pull $ours_dir, judged by deepnote validate and sync"
    (cd "$ROOT" && cargo build --quiet -p deepnote-cli --bin deepnote)
    if env DEEPNOTE_API_KEY="$SAMPLE_KEY" DEEPNOTE_CONFIG_DIR="$WORK/home" \
        "$TARGET/debug/deepnote" --base-url "$URL" -q sync pull "$ours_dir" -o json \
        >"$WORK/ours-pull.out" 2>"$WORK/ours-pull.err"; then
        invalid=0
        validate_all "$ours_dir" ours "our pulled" || invalid=1
        if deepnote ours-resync sync "$ours_dir" "${API[@]}" --on-conflict skip -o json &&
            $CHECK sync-result "$WORK/ours-resync.out" unchanged "$SAMPLE_PROJECT_ID" >"$WORK/ours-resync.check" &&
            ! grep -q '"moved from' "$WORK/ours-resync.out"; then
            [ "$invalid" = 0 ] && echo "official-cli: c. passed: our pull is valid and in sync for Deepnote's CLI"
        else
            failed "c. Deepnote's sync does not find our pulled folder unchanged where it expects it"
            cat "$WORK/ours-resync.check" >&2 2>/dev/null || true
            show ours-resync
        fi
    else
        failed "c. our deepnote sync pull failed"
        show ours-pull
    fi

    # A file that names the sample notebook: the pulled one, else the run's snapshot (both carry
    # the project and notebook ids, which is what schedule resolves first).
    schedule_file=${synced_file:-$snapshot}
    if [ -n "$schedule_file" ]; then
        echo "official-cli: c. deepnote schedule $(basename "$schedule_file") --daily --at 09:00 --timezone UTC"
        if deepnote schedule schedule "$schedule_file" --daily --at 09:00 --timezone UTC "${API[@]}" -o json &&
            $CHECK schedule-result "$WORK/schedule.out" "$SAMPLE_NOTEBOOK_ID" >"$WORK/schedule.check"; then
            echo "official-cli: c. passed: schedule"
        else
            failed "c. deepnote schedule failed"
            cat "$WORK/schedule.check" >&2 2>/dev/null || true
            show schedule
            journal schedule show
        fi
    else
        failed "c. no .deepnote file naming the sample notebook to schedule"
    fi

    # --- d. apps: publish a static site, its access settings, a Streamlit app -----------------
    site=$WORK/site
    mkdir -p "$site/assets"
    echo "<h1>published by official-cli.sh $$</h1>" >"$site/index.html"
    echo "console.log('app')" >"$site/assets/app.js"
    echo "gone after --prune" >"$site/old.txt"
    P=$SAMPLE_PROJECT_ID
    ST=_deepnote_static
    echo "official-cli: d. deepnote publish $(basename "$site") --project-id $P"
    if deepnote publish publish "$site" --project-id "$P" "${API[@]}" --no-sync-root &&
        $CHECK project-files "$URL" "$SAMPLE_KEY" "$P" "$ST/index.html,$ST/assets/app.js,$ST/old.txt" >"$WORK/publish.check" &&
        $CHECK static-files "$URL" "$SAMPLE_KEY" "$P" true false >>"$WORK/publish.check" &&
        $CHECK served "$WORK/publish.out" "$site/index.html" >>"$WORK/publish.check"; then
        echo "official-cli: d. passed: publish uploaded the folder, turned sharing on, and the app URL serves it"
    else
        failed "d. deepnote publish failed"
        cat "$WORK/publish.check" >&2 2>/dev/null || true
        show publish
        journal publish show
    fi
    rm "$site/old.txt"
    echo "official-cli: d. deepnote publish --prune after deleting old.txt locally"
    if deepnote publish-prune publish "$site" --project-id "$P" "${API[@]}" --no-sync-root --prune &&
        $CHECK project-files "$URL" "$SAMPLE_KEY" "$P" "$ST/index.html,$ST/assets/app.js" "$ST/old.txt" >"$WORK/publish-prune.check"; then
        echo "official-cli: d. passed: publish --prune removed the file deleted locally"
    else
        failed "d. deepnote publish --prune failed or left the deleted file"
        cat "$WORK/publish-prune.check" >&2 2>/dev/null || true
        show publish-prune
        journal publish-prune show
    fi

    echo "official-cli: d. deepnote static-site access --project-id $P --api-access enabled, then --sharing disabled"
    if deepnote access-on static-site access --project-id "$P" "${API[@]}" --api-access enabled &&
        $CHECK static-files "$URL" "$SAMPLE_KEY" "$P" true true >"$WORK/access.check" &&
        deepnote access-off static-site access --project-id "$P" "${API[@]}" --sharing disabled &&
        $CHECK static-files "$URL" "$SAMPLE_KEY" "$P" false false >>"$WORK/access.check"; then
        echo "official-cli: d. passed: static-site access (sharing off turned API access off)"
    else
        failed "d. deepnote static-site access failed"
        cat "$WORK/access.check" >&2 2>/dev/null || true
        show access-on
        [ -f "$WORK/access-off.out" ] && show access-off
        journal access show
    fi

    echo "import streamlit as st" >"$WORK/app.py"
    said() { cat "$WORK/$1.out" "$WORK/$1.err" | grep -q "$2"; }
    echo "official-cli: d. deepnote streamlit publish dash.py --no-wait, app.py (waits), app.py --no-wait (found)"
    if $CHECK upload "$URL" "$SAMPLE_KEY" "$P" dash.py "$WORK/app.py" >"$WORK/streamlit.check" &&
        $CHECK upload "$URL" "$SAMPLE_KEY" "$P" app.py "$WORK/app.py" >>"$WORK/streamlit.check" &&
        deepnote streamlit-created streamlit publish dash.py --project-id "$P" "${API[@]}" --no-wait &&
        said streamlit-created "Created app" &&
        deepnote streamlit streamlit publish app.py --project-id "$P" "${API[@]}" &&
        said streamlit "App is running" &&
        deepnote streamlit-nowait streamlit publish app.py --project-id "$P" "${API[@]}" --no-wait &&
        said streamlit-nowait "already served by app"; then
        echo "official-cli: d. passed: streamlit publish (created with --no-wait; created and waited until running; found again)"
    else
        failed "d. deepnote streamlit publish failed"
        cat "$WORK/streamlit.check" >&2 2>/dev/null || true
        for n in streamlit-created streamlit streamlit-nowait; do
            if [ -f "$WORK/$n.out" ]; then show "$n"; fi
        done
        journal streamlit show
    fi

    # --- e. Deepnote's own example files go in, run and come back valid ----------------------
    examples=$ROOT/../shared/deepnote-files
    ours() {
        local name=$1
        shift
        env DEEPNOTE_API_KEY="$SAMPLE_KEY" DEEPNOTE_CONFIG_DIR="$WORK/home" \
            "$TARGET/debug/deepnote" --base-url "$URL" -q "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    }
    if [ -d "$examples" ]; then
        count=0
        before=$failures
        while IFS= read -r -d '' f; do
            base=$(basename "$f" .deepnote)
            dir=$WORK/examples/$base
            mkdir -p "$dir"
            # A push records the new project's ids in the file: push a copy, never the original.
            cp "$f" "$dir/$base.deepnote"
            pick=()
            last=$("$PY" -c 'import sys, yaml
nbs = yaml.safe_load(open(sys.argv[1]))["project"]["notebooks"]
print(nbs[-1]["name"] if len(nbs) > 1 else "")' "$f")
            [ -n "$last" ] && pick=(--notebook "$last")
            if ! (cd "$dir" && ours "ex-run-$base" run "$dir/$base.deepnote" --push "${pick[@]}" -o json); then
                failed "e. our deepnote run $base.deepnote --push failed"
                show "ex-run-$base"
                continue
            fi
            # The file, with the new ids recorded in it, is still one Deepnote's CLI accepts.
            if ! deepnote "validate-ex-file-$base" validate "$dir/$base.deepnote" -o json; then
                failed "e. deepnote validate rejects $base.deepnote once the new ids are recorded in it"
                show "validate-ex-file-$base"
            fi
            project=$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["project"]["id"])' "$dir/$base.deepnote")
            if ! ours "ex-pull-$base" projects export "$project" "$dir/pulled"; then
                failed "e. our deepnote projects export $project ($base) failed"
                show "ex-pull-$base"
                continue
            fi
            validate_all "$dir/pulled" "ex-$base" "the pulled $base:" e || true
            count=$((count + 1))
        done < <(find "$examples" -maxdepth 2 -name '*.deepnote' ! -name '*.snapshot.deepnote' -print0 | sort -z)
        if [ "$count" = 0 ]; then
            failed "e. no example project file under $examples"
        elif [ "$failures" = "$before" ]; then
            echo "official-cli: e. passed: $count Deepnote example files pushed, run, pulled back and valid"
        fi
    else
        echo "official-cli: e. skipped: no $examples" >&2
    fi
fi

if [ "$status" -ne 0 ]; then
    echo "official-cli: FAILED (outputs in $WORK)" >&2
else
    echo "official-cli: passed"
fi
exit "$status"
