//! Schedules, in both shapes Deepnote has: one per notebook through
//! `POST /notebooks/{id}/schedule` ([`SchedulesApi::set`], what Deepnote's released CLI
//! uses), and several per notebook through `/schedules` ([`SchedulesApi::list`];
//! [`SchedulesApi::create`], whose answer Deepnote's reference does not show). How the two
//! relate on the server is not known. The API has no call to read or delete one schedule,
//! so neither has this group.
//!
//! A cron expression and a time zone are checked before anything is sent ([`Cron::parse`],
//! [`TimeZone::parse`]).

pub(crate) mod cron;
pub(crate) mod timezone;

pub use cron::Cron;
pub use timezone::TimeZone;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, ScheduleId};
use crate::list::{List, ListQuery};
use crate::pagination::Page;
use chrono::{DateTime, Utc};
use deepnote_api::types;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::{Map, Value};

/// A notebook's schedule, as the server answered it: the fields this crate reads, and the
/// whole object in `raw`. Serialized as `raw`, the object the server sent.
///
/// Setting a schedule ([`SchedulesApi::set`]) answers without an id, so `id` is `None` there;
/// listing ([`SchedulesApi::list`]) and creating ([`SchedulesApi::create`]) give it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Schedule {
    /// Its id, when the answer carried one.
    pub id: Option<ScheduleId>,
    /// The notebook it runs.
    pub notebook_id: NotebookId,
    /// Its cron expression.
    pub cron: String,
    /// The IANA time zone the cron is read in, when the server said.
    pub timezone: Option<String>,
    /// When it runs next, when the server said.
    pub next_run_at: Option<DateTime<Utc>>,
    /// When it was created, when the server said.
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed, when the server said.
    pub updated_at: Option<DateTime<Utc>>,
    /// The object as the server sent it, every field included.
    pub raw: Map<String, Value>,
}

impl serde::Serialize for Schedule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl Schedule {
    /// Read `raw`; `notebook` is the one asked about, for an answer that does not repeat it.
    fn from_object(raw: Map<String, Value>, notebook: &NotebookId) -> Schedule {
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        let time = |k: &str| {
            text(k)
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        Schedule {
            id: text("id").map(ScheduleId::new),
            notebook_id: text("notebookId").map_or_else(|| notebook.clone(), NotebookId::new),
            cron: text("cron").unwrap_or_default(),
            timezone: text("timezone"),
            next_run_at: time("nextRunAt"),
            created_at: time("createdAt"),
            updated_at: time("updatedAt"),
            raw,
        }
    }
}

/// The schedule operations; from [`Client::schedules`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
/// # let notebook = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
/// use deepnote::schedules::Cron;
///
/// // Every day at 09:00 Prague time; the cron and the zone are checked before sending.
/// let schedule = client
///     .schedules()
///     .set(notebook, Cron::daily_at("09:00")?)
///     .timezone("Europe/Prague")
///     .await?;
/// assert_eq!(schedule.cron, "0 9 * * *");
/// let all = client.schedules().list(notebook).await?;
/// assert!(!all.is_empty());
///
/// // A mistyped zone is refused, naming it, before anything is sent.
/// let refused = client.schedules().set(notebook, "0 9 * * *").timezone("Europe/Prag").await;
/// assert!(matches!(refused, Err(deepnote::Error::InvalidArgument(_))));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SchedulesApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> SchedulesApi<'a> {
    /// Set the notebook's one schedule (created, or replaced), through
    /// `POST /notebooks/{id}/schedule`. `cron` is checked before sending; see [`Cron`] and
    /// [`Cron::daily_at`].
    pub fn set(&self, notebook: impl Into<NotebookId>, cron: impl AsRef<str>) -> SetSchedule {
        SetSchedule(ScheduleRequest::new(
            self.client,
            notebook.into(),
            cron.as_ref(),
        ))
    }

    /// Add a schedule to the notebook, next to any it has, through `POST /schedules`.
    pub fn create(&self, notebook: impl Into<NotebookId>, cron: impl AsRef<str>) -> CreateSchedule {
        CreateSchedule(ScheduleRequest::new(
            self.client,
            notebook.into(),
            cron.as_ref(),
        ))
    }

    /// The notebook's schedules, oldest first. The API has no pages: the first page holds them
    /// all. Each keeps every field the server answered in its `raw`.
    pub fn list(&self, notebook: impl Into<NotebookId>) -> List<SchedulesQuery> {
        List::new(
            self.client.clone(),
            SchedulesQuery {
                notebook: notebook.into(),
            },
        )
    }
}

/// The query of [`SchedulesApi::list`].
#[derive(Clone, Debug)]
pub struct SchedulesQuery {
    notebook: NotebookId,
}

impl crate::list::sealed::Sealed for SchedulesQuery {}

impl ListQuery for SchedulesQuery {
    type Item = Schedule;

    fn fetch(
        self,
        client: Client,
        _size: Option<u32>,
        _token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<Schedule>>> {
        async move {
            let call = client.api().list_schedules_with(self.notebook.checked()?);
            let Some(Value::Array(list)) = client.send(call).await?.remove("schedules") else {
                return Err(Error::Decode("the answer holds no `schedules` list".into()));
            };
            let items = list
                .into_iter()
                .map(|s| match s {
                    Value::Object(o) => Ok(Schedule::from_object(o, &self.notebook)),
                    _ => Err(Error::Decode("a schedule that is not an object".into())),
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Page::new(items, None))
        }
        .boxed()
    }
}

fn checked_timezone(timezone: Option<String>) -> Result<Option<String>> {
    timezone
        .map(|tz| TimeZone::parse(&tz).map(String::from))
        .transpose()
}

/// What setting and creating a schedule both send: the notebook, the cron, the zone.
#[derive(Debug)]
struct ScheduleRequest {
    client: Client,
    notebook: NotebookId,
    cron: Result<Cron>,
    timezone: Option<String>,
}

impl ScheduleRequest {
    fn new(client: &Client, notebook: NotebookId, cron: &str) -> Self {
        ScheduleRequest {
            client: client.clone(),
            notebook,
            cron: Cron::parse(cron),
            timezone: None,
        }
    }

    /// The checked cron and zone, before anything is sent.
    fn checked(&mut self) -> Result<(Cron, Option<String>)> {
        let cron = std::mem::replace(&mut self.cron, Err(Error::InvalidArgument(String::new())))?;
        Ok((cron, checked_timezone(self.timezone.take())?))
    }
}

/// The notebook's one schedule to set; from [`SchedulesApi::set`]. Await it or `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct SetSchedule(ScheduleRequest);

/// A schedule to add; from [`SchedulesApi::create`]. Await it or `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSchedule(ScheduleRequest);

impl SetSchedule {
    /// The IANA time zone the cron is read in (`Europe/Prague`, or a [`TimeZone`]); the
    /// server's default (UTC in Deepnote's CLI) when not given. Checked against the IANA
    /// database before sending: an unknown zone is an [`Error::InvalidArgument`] naming it and
    /// the nearest valid names.
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.0.timezone = Some(timezone.into());
        self
    }

    /// Set it.
    pub async fn send(mut self) -> Result<Schedule> {
        let (cron, timezone) = self.0.checked()?;
        let body = types::UpsertNotebookScheduleBody {
            cron: cron
                .as_str()
                .try_into()
                .map_err(|_| cron::invalid(cron.as_str(), "it is empty"))?,
            timezone: timezone
                .map(|tz| tz.as_str().try_into())
                .transpose()
                .map_err(|_| Error::InvalidArgument("the time zone is empty".into()))?,
        };
        let ScheduleRequest {
            client, notebook, ..
        } = self.0;
        let call = client
            .api()
            .upsert_notebook_schedule()
            .notebook_id(notebook.checked()?)
            .body(body)
            .send();
        client
            .create("schedule", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                match serde_json::to_value(&answer.schedule) {
                    Ok(Value::Object(raw)) => Ok(Schedule::from_object(raw, &notebook)),
                    _ => Err("the schedule is not an object".to_string()),
                }
            })
            .await
    }
}

impl CreateSchedule {
    /// The IANA time zone the cron is read in; checked as [`SetSchedule::timezone`] is.
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.0.timezone = Some(timezone.into());
        self
    }

    /// Add it. The answer's shape is not visible in Deepnote's reference: a
    /// `{"schedule": {...}}` or a bare object is read, and an empty answer gives a schedule of
    /// what was sent.
    pub async fn send(mut self) -> Result<Schedule> {
        let (cron, timezone) = self.0.checked()?;
        let ScheduleRequest {
            client, notebook, ..
        } = self.0;
        let body = types::CreateScheduleBody {
            notebook_id: notebook.checked()?.to_string(),
            cron: cron.to_string(),
            timezone: timezone.clone(),
        };
        let call = client.api().create_schedule().body(body).send();
        let mut object = client
            .create("schedule", call, |answer| {
                Ok(answer.cloned().unwrap_or_default())
            })
            .await?;
        if let Some(Value::Object(inner)) = object.remove("schedule") {
            object = inner;
        }
        if object.is_empty() {
            object.insert("notebookId".into(), notebook.as_str().into());
            object.insert("cron".into(), cron.to_string().into());
            if let Some(tz) = timezone {
                object.insert("timezone".into(), tz.into());
            }
        }
        Ok(Schedule::from_object(object, &notebook))
    }
}

crate::into_future::send_on_await!(SetSchedule => Schedule, CreateSchedule => Schedule);
