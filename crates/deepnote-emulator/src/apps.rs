//! Apps Deepnote hosts from a project (live dialect): the settings of the static-file app
//! served from `_deepnote_static/`, and Streamlit apps serving a project file, whose status
//! follows the project machine's restart on the emulator's clock.

use crate::clock::{Millis, rfc3339};
use crate::error::Refusal;
use crate::shared::Shared;
use crate::state::{ProjectRecord, StaticFiles, Store, StreamlitAppRecord};
use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

/// Where a project's static-file app lives among its files.
pub(crate) const STATIC_ROOT: &str = "_deepnote_static";

/// Deepnote's client's words for the one refused combination.
pub(crate) const API_ACCESS_NEEDS_SHARING: &str =
    "API access cannot be enabled while static file sharing is disabled.";

/// `http://HOST` as the client addressed the emulator (its bound address without a `Host`).
pub(crate) fn public_base(s: &Shared, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| s.addr.to_string());
    format!("http://{host}")
}

/// The address the emulator serves a project's static-file app at (see the control API).
pub(crate) fn static_url(base: &str, project_id: &str) -> String {
    format!("{base}/_emulator/static/{project_id}/")
}

/// The live `staticFiles` of a project: its settings (off until set) and the app's `url`.
pub(crate) fn static_files_json(base: &str, p: &ProjectRecord) -> Value {
    let sf = p.static_files.unwrap_or_default();
    json!({
        "sharingEnabled": sf.sharing_enabled,
        "apiAccessEnabled": sf.api_access_enabled,
        "url": static_url(base, &p.id),
    })
}

/// The settings after an update asking for `sharing` and `api`; what is not asked keeps its
/// value. Turning sharing off turns API access off; asking for API access without sharing
/// (in the request, or as the project stands) is refused, as Deepnote's client refuses it.
pub(crate) fn updated_static_files(
    current: StaticFiles,
    sharing: Option<bool>,
    api: Option<bool>,
) -> Result<StaticFiles, Refusal> {
    let sharing_enabled = sharing.unwrap_or(current.sharing_enabled);
    if !sharing_enabled && api == Some(true) {
        return Err(Refusal::bad(API_ACCESS_NEEDS_SHARING));
    }
    Ok(StaticFiles {
        sharing_enabled,
        api_access_enabled: sharing_enabled && api.unwrap_or(current.api_access_enabled),
    })
}

/// An entrypoint as Deepnote's client compares it: a project path without leading `/`.
/// `None` for a path no project file can have.
pub(crate) fn normalized_entrypoint(raw: &str) -> Option<String> {
    crate::api::clean_path(raw).ok()
}

/// A Streamlit app as the API shows it.
pub(crate) fn streamlit_app_json(base: &str, app: &StreamlitAppRecord) -> Value {
    json!({
        "id": app.id,
        "projectId": app.project_id,
        "entrypoint": app.entrypoint,
        "url": format!("{base}/_emulator/streamlit/{}/", app.id),
        "createdAt": rfc3339(app.created_at),
    })
}

/// An app's status at `now`: a status forced through the control API; else `starting` while
/// the machine restarts for it; `unavailable` while the machine restarts for a later app;
/// `running` otherwise.
pub(crate) fn streamlit_status(
    s: &Shared,
    store: &Store,
    app: &StreamlitAppRecord,
    now: Millis,
) -> String {
    if let Some(forced) = &app.forced_status {
        return forced.clone();
    }
    let up = |since: Millis| now >= since.saturating_add(s.streamlit_start_ms);
    if !up(app.created_at) {
        return "starting".into();
    }
    let restarted = store
        .project(&app.project_id)
        .and_then(|p| p.machine_started_at)
        .filter(|t| *t > app.created_at);
    match restarted {
        Some(t) if !up(t) => "unavailable".into(),
        _ => "running".into(),
    }
}

/// True while `p`'s machine restarts for a Streamlit app, at `now`.
pub(crate) fn machine_restarting(s: &Shared, p: &ProjectRecord, now: Millis) -> bool {
    p.machine_started_at
        .is_some_and(|t| now < t.saturating_add(s.streamlit_start_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: StaticFiles = StaticFiles {
        sharing_enabled: true,
        api_access_enabled: true,
    };
    const OFF: StaticFiles = StaticFiles {
        sharing_enabled: false,
        api_access_enabled: false,
    };

    #[test]
    fn turning_sharing_off_turns_api_access_off() {
        assert_eq!(updated_static_files(ON, Some(false), None).unwrap(), OFF);
        assert_eq!(
            updated_static_files(ON, Some(false), Some(false)).unwrap(),
            OFF
        );
    }

    #[test]
    fn api_access_without_sharing_is_refused() {
        for (current, sharing) in [(ON, Some(false)), (OFF, None), (OFF, Some(false))] {
            let e = updated_static_files(current, sharing, Some(true)).unwrap_err();
            assert_eq!(e.to_string(), API_ACCESS_NEEDS_SHARING);
        }
    }

    #[test]
    fn omitted_settings_keep_their_value() {
        let sharing_only = StaticFiles {
            sharing_enabled: true,
            api_access_enabled: false,
        };
        assert_eq!(
            updated_static_files(OFF, Some(true), None).unwrap(),
            sharing_only
        );
        assert_eq!(updated_static_files(ON, None, None).unwrap(), ON);
        assert_eq!(
            updated_static_files(sharing_only, None, Some(true)).unwrap(),
            ON
        );
    }

    #[test]
    fn entrypoints_are_compared_without_a_leading_slash() {
        assert_eq!(
            normalized_entrypoint("/apps/dash.py").as_deref(),
            Some("apps/dash.py")
        );
        for bad in ["", "/", "a/../b.py", "a//b.py", "dir/", "a\\b.py", "./a.py"] {
            assert_eq!(normalized_entrypoint(bad), None, "{bad:?}");
        }
    }
}
