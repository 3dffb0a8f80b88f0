//! Which command calls each operation of the API. The drift test below reads every operation
//! the generated client knows (`deepnote::api::OPERATIONS`, generated from the merged
//! references): an operation the table lacks fails it, so a spec update forces a decision
//! about the command that exposes the new operation.

/// `(operationId, command)` for every operation of the API. An operation several commands
/// call (`getNotebook`: `notebooks get`, `notebooks inputs`, `blocks list`) names the one
/// that shows it most directly.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("createRun", "run"),
    ("getRun", "runs get"),
    ("createNotebook", "notebooks create"),
    ("getNotebook", "notebooks get"),
    ("deleteNotebook", "notebooks delete"),
    ("listNotebookRuns", "runs list"),
    ("updateNotebook", "notebooks update"),
    ("reorderNotebookBlocks", "blocks reorder"),
    ("listProjects", "projects list"),
    ("createProject", "projects create"),
    ("getProject", "projects get"),
    ("deleteProject", "projects delete"),
    ("exportProject", "projects export"),
    ("importProject", "projects import"),
    ("getMe", "me"),
    ("executeNotebookV1", "execute"),
    ("createBlock", "blocks create"),
    ("getBlock", "blocks get"),
    ("updateBlock", "blocks update"),
    ("deleteBlock", "blocks delete"),
    ("createFile", "files upload"),
    ("downloadFile", "files download"),
    ("deleteFile", "files delete"),
    ("copyFile", "files copy"),
    ("listSchedules", "schedules list"),
    ("createSchedule", "schedules create"),
    ("upsertNotebookSchedule", "schedules set"),
    ("listIntegrations", "integrations list"),
    ("getIntegration", "integrations get"),
    ("listMachineTypes", "machines types"),
    ("getProjectMachine", "machines get"),
    ("updateProjectMachine", "machines set"),
    ("createSession", "sessions create"),
    ("executeInSession", "sessions exec"),
    ("search", "search"),
    ("createStreamlitApp", "apps create"),
    ("listStreamlitApps", "apps list"),
    ("getStreamlitAppStatus", "apps status"),
    ("updateProject", "projects update"),
];

/// The command for an operation id, if one exposes it.
pub fn command_for(operation_id: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|(op, _)| *op == operation_id)
        .map(|(_, command)| *command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_operation_ids() -> Vec<&'static str> {
        deepnote::api::OPERATIONS.iter().map(|op| op.id).collect()
    }

    #[test]
    fn every_operation_of_the_api_has_a_command() {
        let ids = api_operation_ids();
        assert_eq!(ids.len(), 39, "the generated table changed: {ids:?}");
        let missing: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| command_for(id).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "operations with no command: {missing:?}; add each to OPERATIONS in \
             crates/deepnote-cli/src/operations.rs and give it a command"
        );
        let stale: Vec<&str> = OPERATIONS
            .iter()
            .map(|(op, _)| *op)
            .filter(|op| !ids.contains(op))
            .collect();
        assert!(
            stale.is_empty(),
            "OPERATIONS names operations the API dropped: {stale:?}"
        );
    }

    #[test]
    fn every_command_in_the_table_exists() {
        let root = crate::cli::command();
        let mut absent = Vec::new();
        for (op, path) in OPERATIONS {
            let mut command = &root;
            for word in path.split(' ') {
                match command.find_subcommand(word) {
                    Some(sub) => command = sub,
                    None => {
                        absent.push(format!("{op}: deepnote {path}"));
                        break;
                    }
                }
            }
        }
        assert!(absent.is_empty(), "commands that do not exist: {absent:?}");
    }
}
