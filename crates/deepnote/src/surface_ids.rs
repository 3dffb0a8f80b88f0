//! The typed IDs of the resources beyond projects, notebooks and runs: blocks, sessions and
//! integrations. Blocks' IDs are opaque strings; sessions' and integrations' are UUIDs in the
//! reference, checked when a call needs one as such.

use crate::error::Error;
use crate::ids::string_id;
use std::fmt;

string_id!(
    /// The ID of a block of a notebook.
    BlockId,
    "block"
);

string_id!(
    /// The ID of an interactive session (a UUID).
    SessionId,
    "session"
);

string_id!(
    /// The ID of a data-source integration (a UUID).
    IntegrationId,
    "integration"
);

/// A project's ID as the UUID the newer operations' paths and queries say it is.
pub(crate) fn project_uuid(project: &crate::ids::ProjectId) -> Result<uuid::Uuid, Error> {
    project.uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(BlockId::new(" ").checked().is_err());
        assert_eq!(BlockId::from("b1").checked().unwrap(), "b1");
        assert!(matches!(
            SessionId::from("s").uuid(),
            Err(Error::InvalidArgument(_))
        ));
        let u = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        assert_eq!(IntegrationId::from(u).uuid().unwrap().to_string(), u);
        assert_eq!(format!("{:?}", BlockId::from("b")), "BlockId(\"b\")");
    }
}
