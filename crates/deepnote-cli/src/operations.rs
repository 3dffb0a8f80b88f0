//! Which command calls each operation of the spec. The drift test below reads every
//! `operationId` of `deepnote-openapi.yml`: an operation the table lacks fails it, so a spec
//! update forces a decision about the command that exposes the new operation.

/// `(operationId, command)` for every operation of the spec.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("createRun", "run"),
    ("getRun", "runs get"),
    ("createNotebook", "notebooks create"),
    ("getNotebook", "notebooks get"),
    ("deleteNotebook", "notebooks delete"),
    ("listNotebookRuns", "notebooks runs"),
    ("listProjects", "projects list"),
    ("createProject", "projects create"),
    ("getProject", "projects get"),
    ("deleteProject", "projects delete"),
    ("exportProject", "projects export"),
    ("importProject", "projects import"),
    ("getMe", "me"),
    ("executeNotebookV1", "execute"),
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
    use clap::CommandFactory;

    const SPEC: &str = include_str!("../../../deepnote-openapi.yml");
    /// The live reference, whose operations the table may already name.
    const LIVE: &str = include_str!("../../../openapi/live.yml");

    fn spec_operation_ids() -> Vec<String> {
        operation_ids(SPEC)
    }

    fn operation_ids(spec: &str) -> Vec<String> {
        spec.lines()
            .filter_map(|line| line.trim().strip_prefix("operationId:"))
            .map(|id| id.trim().trim_matches(['"', '\'']).to_string())
            .collect()
    }

    #[test]
    fn every_operation_of_the_spec_has_a_command() {
        let ids = spec_operation_ids();
        assert!(
            ids.len() >= 12,
            "the spec scan found too few operations: {ids:?}"
        );
        let missing: Vec<&String> = ids.iter().filter(|id| command_for(id).is_none()).collect();
        assert!(
            missing.is_empty(),
            "operations of the spec with no command: {missing:?}; add each to OPERATIONS \
             in crates/deepnote-cli/src/operations.rs and give it a command"
        );
        let live = operation_ids(LIVE);
        let stale: Vec<&str> = OPERATIONS
            .iter()
            .map(|(op, _)| *op)
            .filter(|op| !ids.iter().chain(&live).any(|id| id == op))
            .collect();
        assert!(
            stale.is_empty(),
            "OPERATIONS names operations the spec dropped: {stale:?}"
        );
    }

    #[test]
    fn every_command_in_the_table_exists() {
        let root = crate::cli::Cli::command();
        for (op, path) in OPERATIONS {
            let mut command = &root;
            for word in path.split(' ') {
                command = command
                    .find_subcommand(word)
                    .unwrap_or_else(|| panic!("{op}: no command `deepnote {path}`"));
            }
        }
    }
}
