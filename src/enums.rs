//! Open enums: the API is in preview and "new enum values will appear", so a value this crate
//! does not know is kept as `Unknown(String)` instead of failing the whole response.
//! progenitor's own enums are closed; codegen replaces these four with the types below.

use std::fmt;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know; the API sent it as is.
            Unknown(String),
        }

        impl $name {
            /// Every value the spec names, in the spec's order.
            pub const KNOWN: &'static [$name] = &[$( $name::$variant ),+];

            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok($name::from(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from(value.as_ref()))
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_string()
            }

            fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                // The known values, as the spec lists them; any other string is accepted too.
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(schemars::schema::Metadata {
                        description: Some(format!(
                            "One of {:?}, or any other string a newer API sends",
                            [$( $wire ),+]
                        )),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

open_enum! {
    /// Where a run is in its life. Deepnote's own client treats `success`, `error`,
    /// `internal_error` and `stopped` as terminal, and anything else as still running.
    RunStatus {
        /// Accepted, not started yet.
        Pending = "pending",
        /// Executing.
        Running = "running",
        /// Finished, every block succeeded.
        Success = "success",
        /// Finished, a block failed.
        Error = "error",
        /// Finished, Deepnote itself failed.
        InternalError = "internal_error",
        /// Stopped before it finished.
        Stopped = "stopped",
    }
}

impl RunStatus {
    /// True for the statuses a run never leaves. Unknown statuses count as still running,
    /// as in Deepnote's own client.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            RunStatus::Success | RunStatus::Error | RunStatus::InternalError | RunStatus::Stopped
        )
    }
}

open_enum! {
    /// The kind of a project.
    ProjectType {
        /// An ordinary project.
        Standard = "standard",
        /// A single-notebook project: it refuses new notebooks (409).
        Notebook = "notebook",
        /// A project made by or for Deepnote's agent; it refuses new notebooks too.
        Agent = "agent",
    }
}

open_enum! {
    /// The caller's access level in its workspace, lowest first.
    AccessLevel {
        /// Guest.
        Guest = "guest",
        /// Restricted user.
        RestrictedUser = "restricted_user",
        /// May read.
        Viewer = "viewer",
        /// May read and change.
        Editor = "editor",
        /// May do anything.
        Admin = "admin",
    }
}

open_enum! {
    /// Where a Streamlit app is. Deepnote's client waits for `running`; `unavailable` can be
    /// temporary while the project's machine restarts (creating an app restarts it).
    StreamlitAppStatus {
        /// Serving.
        Running = "running",
        /// Starting (the machine is booting or the app is loading).
        Starting = "starting",
        /// Not serving now; during a machine restart this passes.
        Unavailable = "unavailable",
    }
}

impl StreamlitAppStatus {
    /// True only for `running`, the status Deepnote's client waits for.
    pub fn is_running(&self) -> bool {
        matches!(self, StreamlitAppStatus::Running)
    }
}
