//! The sample workspace: a few projects, notebooks with blocks, and finished runs.
//!
//! Its ids are fixed, so docs and tests can name them; its runs finished in the past relative
//! to the virtual clock at seeding time.

use crate::auth::{KeySpec, Role};
use crate::error::Refusal;
use crate::runs::{Behaviour, Outcome};
use crate::shared::Shared;
use crate::state::{BlockRecord, Change, NotebookRecord, ProjectRecord, RunRecord};
use std::time::Duration;

/// The key `seed_sample` configures: admin of the sample workspace.
pub const SAMPLE_KEY: &str = "deepnote-emulator-sample-key";
/// The sample workspace's id.
pub const SAMPLE_WORKSPACE_ID: &str = "00000000-5a3e-4000-8000-00000000000a";
/// The sample user's id.
pub const SAMPLE_USER_ID: &str = "00000000-5a3e-4000-8000-00000000000b";
/// The folder "Sales analysis" sits in.
pub(crate) const SAMPLE_FOLDER_ID: &str = "00000000-5a3e-4000-8000-0000000f0001";
/// That folder's name.
pub(crate) const SAMPLE_FOLDER_NAME: &str = "Reports";
/// The first sample project ("Sales analysis").
pub const SAMPLE_PROJECT_ID: &str = "00000000-5a3e-4000-8000-000000000101";
/// Its notebook "Quarterly report", with finished runs and real blocks: a markdown heading,
/// three inputs (`region`, a text input, `EMEA` by default; `limit`, a slider taking a numeric
/// string; `include_returns`, a checkbox), two code blocks that print using them and a SQL
/// block. A run's snapshot shows the values it was given in the inputs and in the outputs.
pub const SAMPLE_NOTEBOOK_ID: &str = "00000000-5a3e-4000-8000-000000000201";

/// The sample key's spec.
pub fn sample_key_spec() -> KeySpec {
    KeySpec::new(SAMPLE_KEY)
        .workspace(SAMPLE_WORKSPACE_ID)
        .workspace_name("Sample workspace")
        .user(SAMPLE_USER_ID)
        .access(Role::Admin)
}

fn block(id: &str, kind: &str, content: &str, variable: Option<&str>) -> BlockRecord {
    let mut b = BlockRecord::new(id, kind, content);
    b.variable = variable.map(str::to_string);
    b
}

fn input(id: &str, kind: &str, name: &str, metadata: serde_json::Value) -> BlockRecord {
    let mut b = block(id, kind, "", Some(name));
    b.metadata = metadata.as_object().cloned().unwrap_or_default();
    b
}

fn printing(id: &str, kind: &str, content: &str, output: &str) -> BlockRecord {
    let mut b = block(id, kind, content, None);
    b.output = Some(output.into());
    b
}

/// The sample notebook's blocks.
fn quarterly_report() -> Vec<BlockRecord> {
    use serde_json::json;
    vec![
        block("b-intro", "markdown", "# Quarterly report", None),
        input(
            "b-region",
            "input-text",
            "region",
            json!({ "deepnote_input_label": "Region", "deepnote_variable_value": "EMEA" }),
        ),
        input(
            "b-limit",
            "input-slider",
            "limit",
            json!({
                "deepnote_input_label": "Top customers",
                "deepnote_variable_value": "10",
                "deepnote_slider_min_value": 1,
                "deepnote_slider_max_value": 100,
                "deepnote_slider_step": 1,
            }),
        ),
        input(
            "b-returns",
            "input-checkbox",
            "include_returns",
            json!({ "deepnote_input_label": "Include returns", "deepnote_variable_value": false }),
        ),
        printing(
            "b-load",
            "code",
            "df = load_sales(region, include_returns=include_returns)\nprint(f\"Loaded sales for {region} (returns included: {include_returns})\")",
            "Loaded sales for {region} (returns included: {include_returns})",
        ),
        printing(
            "b-top",
            "sql",
            "SELECT customer, SUM(amount) AS total FROM sales\nWHERE region = {{ region }}\nGROUP BY customer ORDER BY total DESC LIMIT {{ limit }}",
            "   customer    total\n0  Acme ({region})  125000\n[top {limit} customers]",
        ),
        printing(
            "b-plot",
            "code",
            "df.plot(title=f\"Sales in {region}\")",
            "<Axes: title={'center': 'Sales in {region}'}>",
        ),
    ]
}

/// Load the sample workspace, unless it is already there.
pub(crate) fn seed_sample(s: &Shared) -> Result<(), Refusal> {
    let mut store = s.store.write().expect("store lock");
    if store.project(SAMPLE_PROJECT_ID).is_some() {
        return Ok(());
    }
    let now = s.clock.now_ms();
    let mut changes = Vec::new();
    let projects = [
        (
            SAMPLE_PROJECT_ID,
            "Sales analysis",
            "standard",
            Some(SAMPLE_FOLDER_ID),
        ),
        (
            "00000000-5a3e-4000-8000-000000000102",
            "Churn model",
            "standard",
            None,
        ),
        (
            "00000000-5a3e-4000-8000-000000000103",
            "Support agent",
            "agent",
            None,
        ),
    ];
    for (id, name, kind, folder) in projects {
        changes.push(Change::PutProject(ProjectRecord {
            id: id.into(),
            workspace_id: SAMPLE_WORKSPACE_ID.into(),
            name: name.into(),
            project_type: kind.into(),
            folder_id: folder.map(str::to_string),
            seq: store.take_seq(),
            created_at: now - 7 * 86_400_000,
            suspended: false,
            modified_at: now,
            machine_type: None,
            static_files: None,
            machine_started_at: None,
        }));
    }
    let notebooks = [
        (
            SAMPLE_NOTEBOOK_ID,
            SAMPLE_PROJECT_ID,
            "Quarterly report",
            quarterly_report(),
        ),
        (
            "00000000-5a3e-4000-8000-000000000202",
            SAMPLE_PROJECT_ID,
            "Scratch",
            vec![],
        ),
        (
            "00000000-5a3e-4000-8000-000000000203",
            "00000000-5a3e-4000-8000-000000000102",
            "Training",
            vec![block("b-train", "code", "model.fit(X, y)", None)],
        ),
        (
            "00000000-5a3e-4000-8000-000000000204",
            "00000000-5a3e-4000-8000-000000000103",
            "Agent",
            vec![block(
                "b-agent",
                "markdown",
                "Answers support tickets.",
                None,
            )],
        ),
    ];
    for (id, project, name, blocks) in notebooks {
        changes.push(Change::PutNotebook(NotebookRecord {
            id: id.into(),
            project_id: project.into(),
            name: name.into(),
            blocks,
            seq: store.take_seq(),
        }));
    }
    let hour = 3_600_000;
    let runs = [
        (
            "00000000-5a3e-4000-8000-000000000301",
            SAMPLE_NOTEBOOK_ID,
            SAMPLE_PROJECT_ID,
            48 * hour,
            Outcome::Success,
            None,
            Some("EMEA"),
        ),
        (
            "00000000-5a3e-4000-8000-000000000302",
            SAMPLE_NOTEBOOK_ID,
            SAMPLE_PROJECT_ID,
            24 * hour,
            Outcome::Error,
            Some("NameError: name 'df' is not defined"),
            None,
        ),
        (
            "00000000-5a3e-4000-8000-000000000303",
            SAMPLE_NOTEBOOK_ID,
            SAMPLE_PROJECT_ID,
            hour,
            Outcome::Success,
            None,
            Some("APAC"),
        ),
        (
            "00000000-5a3e-4000-8000-000000000304",
            "00000000-5a3e-4000-8000-000000000203",
            "00000000-5a3e-4000-8000-000000000102",
            2 * hour,
            Outcome::Success,
            None,
            None,
        ),
    ];
    for (id, nb, project, ago, outcome, message, region) in runs {
        let mut inputs = serde_json::Map::new();
        if let Some(r) = region {
            inputs.insert("region".into(), serde_json::json!(r));
        }
        let run = RunRecord {
            id: id.into(),
            notebook_id: nb.into(),
            project_id: project.into(),
            seq: store.take_seq(),
            created_at: now - ago,
            behaviour: Behaviour {
                duration: Duration::from_secs(42),
                outcome,
                message: message.map(str::to_string),
                report_error: None,
            },
            inputs,
            block_ids: None,
            run_dependent_blocks: false,
            detached: false,
            detached_run_storage_mode: None,
            trigger: "api".into(),
            ran: None,
        };
        // Seeded runs ran the seeded notebooks: freeze them as any run is at its start.
        let project = changes.iter().find_map(|c| match c {
            Change::PutProject(p) if p.id == run.project_id => Some(p.clone()),
            _ => None,
        });
        let notebook = changes.iter().find_map(|c| match c {
            Change::PutNotebook(n) if n.id == run.notebook_id => Some(n.clone()),
            _ => None,
        });
        let run = match (project, notebook) {
            (Some(p), Some(n)) => crate::ran::started(run, &p, &n),
            _ => run,
        };
        changes.push(Change::PutRun(run));
    }
    s.commit(&mut store, changes)
}
