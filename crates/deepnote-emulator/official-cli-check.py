"""Checks for official-cli.sh: reads what Deepnote's official CLI printed and wrote.

Each subcommand prints one line per problem (prefixed "FAIL: ") and exits 1 if there was any,
so the shell script can report exactly what the emulator got wrong. The rules cited are
Deepnote's own (github.com/deepnote/deepnote, the source of `deepnote-cli`).
"""

import json
import os
import sys
import urllib.request

import yaml

problems = []


class Loader(yaml.SafeLoader):
    """YAML as Deepnote's `yaml` package reads it here: timestamps stay strings (an edit that
    round-trips a file must not rewrite `createdAt` into another format)."""


Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text):
    return yaml.load(text, Loader=Loader)


def fail(message):
    problems.append(message)
    print(f"FAIL: {message}")


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: not the JSON document the CLI prints with -o json ({e})")
        return None


def run_result(path, want_status="success"):
    """`deepnote run --cloud -o json` (CloudRunResult, packages/cli/src/utils/run-in-cloud.ts:51).

    A failed run (`want_status` error) reports success false, yet its snapshot is still fetched
    and saved (run-in-cloud.ts:391-431), so the snapshot checks are the same."""
    result = load_json(path)
    if not isinstance(result, dict):
        return
    want_success = want_status == "success"
    if result.get("success") is not want_success:
        fail(f"run: success is {result.get('success')!r}, not {str(want_success).lower()} (error: "
             f"{result.get('error')!r}, artifactError: {result.get('artifactError')!r})")
    if result.get("status") != want_status:
        fail(f"run: status is {result.get('status')!r}, not {want_status!r}")
    if result.get("artifactStatus") != "saved":
        fail(f"run: artifactStatus is {result.get('artifactStatus')!r}, not 'saved' (the emulator's snapshot "
             "must be delivered, not synthesized or missing)")
    snapshot = result.get("snapshotPath")
    if not snapshot or not os.path.isfile(snapshot):
        fail(f"run: snapshotPath {snapshot!r} is not a file")
    elif not snapshot.endswith("_latest.snapshot.deepnote"):
        # The CLI names the file after the project only when the content parses as a Deepnote
        # snapshot or file (run-in-cloud.ts parseSnapshotContent/writeCloudSnapshot); content it
        # cannot read is written raw as snapshots/deepnote-run-<runId>.snapshot.deepnote.
        fail(f"run: the CLI could not read the emulator's snapshotContent as a .deepnote document "
             f"(saved raw as {os.path.basename(snapshot)}, not <slug>_<projectId>_<notebookId>_latest.snapshot.deepnote)")
    print(result.get("runId", ""))
    print(snapshot or "")


def raw_snapshot(base_url, key, run_id, out):
    """Fetches the run as the CLI does and writes the emulator's own snapshotContent to `out`."""
    req = urllib.request.Request(
        f"{base_url}/v2/runs/{run_id}?snapshotDelivery=inline",
        headers={"Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.load(resp)
    run = body.get("run", body) if isinstance(body, dict) else {}
    nested = run.get("snapshot") if isinstance(run.get("snapshot"), dict) else {}
    content = run.get("snapshotContent") or nested.get("snapshotContent")
    if not isinstance(content, str) or not content:
        fail("raw snapshot: GET /v2/runs/{id}?snapshotDelivery=inline carries no snapshotContent")
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(content)
    try:
        doc = load_yaml(content)
    except yaml.YAMLError as e:
        fail(f"raw snapshot: snapshotContent is not YAML ({e})")
        return
    if not isinstance(doc, dict):
        fail("raw snapshot: snapshotContent is not a YAML mapping")
        return
    # deepnoteSnapshotSchema (packages/blocks/src/deepnote-file/deepnote-file-schema.ts:621-631)
    # is the file schema with these three made required.
    if not isinstance(doc.get("environment"), dict):
        fail("raw snapshot: `environment` missing or not a mapping (required in a snapshot, deepnote-file-schema.ts:622)")
    if not isinstance(doc.get("execution"), dict):
        fail("raw snapshot: `execution` missing or not a mapping (required in a snapshot, deepnote-file-schema.ts:623)")
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    if not isinstance(metadata.get("snapshotHash"), str):
        fail("raw snapshot: `metadata.snapshotHash` missing or not a string (required, deepnote-file-schema.ts:629)")


def sync_result(path, want_action, project_id):
    """`deepnote sync -o json` (SyncResult, packages/cli/src/commands/sync.ts:873-879)."""
    result = load_json(path)
    if not isinstance(result, dict):
        return
    if result.get("success") is not True:
        fail(f"sync: success is {result.get('success')!r}, not true")
    projects = result.get("projects") or []
    for outcome in projects:
        if outcome.get("action") == "error":
            fail(f"sync: project {outcome.get('name')!r}: {outcome.get('detail')}")
    if not projects:
        fail("sync: no project synced")
    mine = [o for o in projects if o.get("projectId") == project_id]
    if not mine:
        fail(f"sync: the sample project {project_id} is not among the synced projects")
    elif mine[0].get("action") != want_action:
        fail(f"sync: the sample project was {mine[0].get('action')!r}, not {want_action!r} "
             f"({mine[0].get('detail')!r})")


def find_notebook_file(root, notebook_id):
    """The pulled .deepnote file holding `notebook_id`, printed for the script."""
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".deepnote"):
                continue
            path = os.path.join(dirpath, name)
            try:
                doc = load_yaml(open(path, encoding="utf-8"))
            except yaml.YAMLError:
                continue
            notebooks = ((doc or {}).get("project") or {}).get("notebooks") or []
            if any(nb.get("id") == notebook_id for nb in notebooks):
                print(path)
                return
    fail(f"sync: no pulled .deepnote file holds the sample notebook {notebook_id}")


def first_block(path, kind):
    """Prints the id of the first block of `kind`, and for an input block its variable name."""
    doc = load_yaml(open(path, encoding="utf-8"))
    for nb in doc["project"]["notebooks"]:
        for block in nb.get("blocks", []):
            if block.get("type") == kind:
                print(block.get("id"))
                print((block.get("metadata") or {}).get("deepnote_variable_name", ""))
                return
    fail(f"{path} has no {kind} block")


def edit(path, marker):
    """Appends `marker` to the first code block's content, as a user editing the file would."""
    doc = load_yaml(open(path, encoding="utf-8"))
    for nb in doc["project"]["notebooks"]:
        for block in nb.get("blocks", []):
            if block.get("type") == "code":
                block["content"] = (block.get("content") or "") + f"\n# {marker}"
                with open(path, "w", encoding="utf-8") as f:
                    yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True)
                return
    fail(f"edit: {path} has no code block to edit")


def has_marker(path, marker):
    doc = load_yaml(open(path, encoding="utf-8"))
    for nb in doc["project"]["notebooks"]:
        for block in nb.get("blocks", []):
            if marker in (block.get("content") or ""):
                return
    fail(f"sync: the pushed edit ({marker!r}) did not come back on the next pull of {path}")


def schedule_result(path, notebook_id):
    """`deepnote schedule -o json` (renderResult in packages/cli/src/commands/schedule.ts)."""
    result = load_json(path)
    if not isinstance(result, dict):
        return
    if result.get("success") is not True:
        fail(f"schedule: success is {result.get('success')!r}")
    schedule = result.get("schedule") or {}
    if schedule.get("cron") != "0 9 * * *":
        fail(f"schedule: cron is {schedule.get('cron')!r}, not '0 9 * * *'")
    if schedule.get("timezone") != "UTC":
        fail(f"schedule: timezone is {schedule.get('timezone')!r}, not 'UTC'")
    if result.get("notebookId") != notebook_id:
        fail(f"schedule: scheduled notebook {result.get('notebookId')!r}, not the sample notebook {notebook_id}")
    if result.get("created"):
        fail("schedule: the CLI created a new cloud notebook instead of scheduling the existing one")


def journal(base_url, admin_token, out):
    """Saves the emulator's journal, prints the requests it saw, one per line, and clears it, so
    the next section's journal holds only that section's requests."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    url = f"{base_url}/_emulator/journal"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as resp:
        entries = json.load(resp)
    urllib.request.urlopen(urllib.request.Request(url, headers=headers, method="DELETE"), timeout=30).close()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1)
    for e in entries:
        print(f"  {e.get('method')} {e.get('path')} -> {e.get('status')}")


def behaviour(base_url, admin_token, notebook_id, body=""):
    """Sets (a JSON body) or clears (no body) the emulator's run behaviour for a notebook."""
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    url = f"{base_url}/_emulator/behaviours/{notebook_id}"
    if body:
        headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=body.encode(), headers=headers, method="PUT")
    else:
        req = urllib.request.Request(url, headers=headers, method="DELETE")
    try:
        urllib.request.urlopen(req, timeout=30).close()
    except OSError as e:
        fail(f"{req.get_method()} {url}: {e}")


def api_get(base_url, key, path):
    req = urllib.request.Request(f"{base_url}/v2{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def api_post(base_url, key, path, body):
    req = urllib.request.Request(
        f"{base_url}/v2{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def project_files(base_url, key, project_id, present, absent=""):
    """The project's files (GET /v2/projects/{id}) hold every comma-separated path of `present`
    and none of `absent`."""
    files = {f.get("path") for f in api_get(base_url, key, f"/projects/{project_id}")["project"].get("files", [])}
    for path in filter(None, present.split(",")):
        if path not in files:
            fail(f"project files: {path} is missing (the project holds {sorted(files)})")
    for path in filter(None, absent.split(",")):
        if path in files:
            fail(f"project files: {path} is still there")


def static_files(base_url, key, project_id, sharing, api_access):
    """The project's staticFiles (GET /v2/projects/{id}) say sharing and API access as given
    (`true`/`false`)."""
    settings = api_get(base_url, key, f"/projects/{project_id}")["project"].get("staticFiles")
    if not isinstance(settings, dict):
        fail(f"staticFiles: GET project has none ({settings!r})")
        return
    for field, want in (("sharingEnabled", sharing), ("apiAccessEnabled", api_access)):
        if settings.get(field) is not (want == "true"):
            fail(f"staticFiles: {field} is {settings.get(field)!r}, not {want}")


def upload(base_url, key, project_id, path, local):
    """Uploads a local file to the project at `path` (POST /v2/files, multipart)."""
    boundary = "official-cli-check"
    with open(local, "rb") as f:
        data = f.read()
    body = b""
    for name, value, extra in (
        ("projectId", project_id.encode(), ""),
        ("path", path.encode(), ""),
        ("file", data, '; filename="upload"'),
    ):
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode()
        body += value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        f"{base_url}/v2/files",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        stored = json.load(resp)["file"]["path"]
    if stored != path:
        fail(f"upload: stored at {stored}, not {path}")


def served(out, local):
    """The `App URL:` Deepnote's `publish` printed serves the local file's bytes."""
    with open(out, encoding="utf-8") as f:
        urls = [line.split("App URL:", 1)[1].strip() for line in f if "App URL:" in line]
    if not urls:
        fail("publish printed no App URL")
        return
    with open(local, "rb") as f:
        want = f.read()
    try:
        with urllib.request.urlopen(urls[-1], timeout=30) as resp:
            got = resp.read()
    except OSError as e:
        fail(f"the app URL {urls[-1]} does not answer: {e}")
        return
    if got != want:
        fail(f"the app URL {urls[-1]} serves {len(got)} bytes that are not {local}")


def failing_notebook(base_url, key, project_id, name, source):
    """Creates notebook `name` in the project with a printing block, then a block of `source`
    (which fails by the emulator's source rule); prints the notebook's id."""
    try:
        nb = api_post(base_url, key, "/notebooks", {"projectId": project_id, "name": name})["notebook"]["id"]
        for content in ["print('before')", source]:
            api_post(base_url, key, "/blocks", {"notebookId": nb, "type": "code", "content": content})
    except (OSError, ValueError, KeyError) as e:
        fail(f"failing notebook: cannot create it through the API ({e})")
        return
    print(nb)


def error_output(path, ename, evalue):
    """The snapshot at `path` has an error output `ename: evalue` and `execution.error` says so."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = load_yaml(f.read())
    except (OSError, yaml.YAMLError) as e:
        fail(f"error output: {path} is not readable YAML ({e})")
        return
    outputs = [
        o
        for nb in doc.get("project", {}).get("notebooks", [])
        for b in nb.get("blocks", [])
        for o in b.get("outputs") or []
        if o.get("output_type") == "error"
    ]
    if not any(o.get("ename") == ename and o.get("evalue") == evalue for o in outputs):
        fail(f"error output: no error output {ename}: {evalue} in {path} (found {outputs!r})")
    err = (doc.get("execution") or {}).get("error") or {}
    if (err.get("name"), err.get("message")) != (ename, evalue):
        fail(f"error output: execution.error is {err!r}, not {ename}: {evalue}")


COMMANDS = {
    "project-files": project_files,
    "static-files": static_files,
    "upload": upload,
    "served": served,
    "failing-notebook": failing_notebook,
    "error-output": error_output,
    "behaviour": behaviour,
    "run-result": run_result,
    "raw-snapshot": raw_snapshot,
    "sync-result": sync_result,
    "find-notebook-file": find_notebook_file,
    "first-block": first_block,
    "edit": edit,
    "has-marker": has_marker,
    "schedule-result": schedule_result,
    "journal": journal,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
    sys.exit(1 if problems else 0)
