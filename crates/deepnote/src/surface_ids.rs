//! The typed IDs of the resources beyond projects, notebooks and runs: blocks, sessions and
//! integrations. Blocks' IDs are opaque strings; sessions' and integrations' are UUIDs in the
//! reference, checked when a call needs one as such.

use crate::error::Error;
use std::fmt;

macro_rules! surface_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Wrap the ID of a ", $what, " as the API gives it.")]
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The ID as the API spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// An empty ID would address the collection instead of one item: refuse it.
            pub(crate) fn checked(&self) -> Result<&str, Error> {
                if self.0.trim().is_empty() {
                    Err(Error::InvalidArgument(concat!("the ", $what, " ID is empty").into()))
                } else {
                    Ok(&self.0)
                }
            }

            /// The ID as the UUID the reference says it is.
            #[allow(dead_code)]
            pub(crate) fn uuid(&self) -> Result<uuid::Uuid, Error> {
                uuid::Uuid::parse_str(self.checked()?.trim()).map_err(|_| {
                    Error::InvalidArgument(format!(concat!("{:?} is not a ", $what, " ID (a UUID)"), self.0))
                })
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

surface_id!(
    /// The ID of a block of a notebook.
    BlockId,
    "block"
);

surface_id!(
    /// The ID of an interactive session (a UUID).
    SessionId,
    "session"
);

surface_id!(
    /// The ID of a data-source integration (a UUID).
    IntegrationId,
    "integration"
);

/// A project's ID as the UUID the newer operations' paths and queries say it is.
pub(crate) fn project_uuid(project: &crate::ids::ProjectId) -> Result<uuid::Uuid, Error> {
    uuid::Uuid::parse_str(project.checked()?.trim())
        .map_err(|_| Error::InvalidArgument(format!("project id {project:?} is not a UUID")))
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
