//! Typed identifiers, so a notebook's ID cannot be passed where a project's is expected. IDs
//! are opaque strings but for runs' (UUIDs, checked when parsed); a call that needs a project's,
//! a session's or an integration's as a UUID checks it before sending.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

macro_rules! string_id {
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

            /// The ID as a plain string.
            pub fn into_string(self) -> String {
                self.0
            }

            /// An empty ID would address the collection instead of one item: refuse it.
            pub(crate) fn checked(&self) -> Result<&str, Error> {
                if self.0.trim().is_empty() {
                    Err(Error::InvalidArgument(concat!("the ", $what, " ID is empty").into()))
                } else {
                    Ok(&self.0)
                }
            }

            /// The ID as the UUID a reference says it is, for calls that take one as such.
            #[allow(dead_code)]
            pub(crate) fn uuid(&self) -> Result<uuid::Uuid, Error> {
                uuid::Uuid::parse_str(self.checked()?.trim()).map_err(|_| {
                    Error::InvalidArgument(format!(
                        concat!("{:?} is not a ", $what, " ID (a UUID)"),
                        self.0
                    ))
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

string_id!(
    /// The ID of a project.
    ProjectId,
    "project"
);

string_id!(
    /// The ID of a notebook.
    NotebookId,
    "notebook"
);

string_id!(
    /// The ID of a block of a notebook.
    BlockId,
    "block"
);

string_id!(
    /// The ID of a schedule of a notebook.
    ScheduleId,
    "schedule"
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

string_id!(
    /// The ID of a Streamlit app (a UUID).
    AppId,
    "app"
);

/// A project's ID as the UUID the newer operations' paths and queries say it is.
pub(crate) fn project_uuid(project: &ProjectId) -> Result<uuid::Uuid, Error> {
    project.uuid()
}

/// The ID of a run: a UUID, checked when it is made from text.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct RunId(uuid::Uuid);

impl RunId {
    /// Parse a run ID; anything but a UUID is an [`Error::InvalidArgument`].
    pub fn parse(id: &str) -> Result<Self, Error> {
        uuid::Uuid::parse_str(id.trim())
            .map(RunId)
            .map_err(|_| Error::InvalidArgument(format!("{id:?} is not a run ID (a UUID)")))
    }

    /// The UUID.
    pub fn as_uuid(&self) -> &uuid::Uuid {
        &self.0
    }
}

impl From<uuid::Uuid> for RunId {
    fn from(id: uuid::Uuid) -> Self {
        RunId(id)
    }
}

impl From<&RunId> for RunId {
    fn from(id: &RunId) -> Self {
        *id
    }
}

impl From<RunId> for uuid::Uuid {
    fn from(id: RunId) -> Self {
        id.0
    }
}

impl FromStr for RunId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RunId::parse(s)
    }
}

impl TryFrom<&str> for RunId {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        RunId::parse(s)
    }
}

impl fmt::Debug for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RunId({})", self.0)
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_checked() {
        let id = RunId::parse("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap();
        assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
                .parse::<RunId>()
                .unwrap(),
            id
        );
        for bad in ["", "run-1", "67e55044-10b1-426f-9247", "../etc/passwd"] {
            assert!(
                matches!(RunId::parse(bad), Err(Error::InvalidArgument(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn string_ids_refuse_empty() {
        assert!(ProjectId::new("  ").checked().is_err());
        assert_eq!(NotebookId::from("nb").checked().unwrap(), "nb");
        assert_eq!(format!("{:?}", ProjectId::from("p")), "ProjectId(\"p\")");
    }

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
