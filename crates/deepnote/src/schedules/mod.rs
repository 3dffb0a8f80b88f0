//! Schedules, in both shapes Deepnote has: one per notebook through
//! `POST /notebooks/{id}/schedule` ([`SchedulesApi::set`], what Deepnote's released CLI
//! uses), and several per notebook through `/schedules` ([`SchedulesApi::list`];
//! [`SchedulesApi::create`], whose answer Deepnote's reference does not show). How the two
//! relate on the server is not known. The API has no call to read or delete one schedule,
//! so neither has this group.
//!
//! A cron expression and a time zone are checked before anything is sent ([`Cron::parse`],
//! [`TimeZone::parse`]).

pub(crate) mod timezone;

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
use std::fmt;
use std::str::FromStr;

/// Longest cron expression accepted: far beyond any real one, short enough to check cheaply.
const MAX_CRON_LEN: usize = 256;

/// A five-field cron expression (minute, hour, day of month, month, day of week), checked:
/// each field is `*`, a number, a range `a-b`, any of those with a step `/n`, or a
/// comma-separated list of them, within the field's bounds (day of week 0-7, 0 and 7 both
/// Sunday). Names (`MON`, `JAN`) and the `@daily` shorthands are refused, since nothing
/// Deepnote publishes shows it accepting them.
///
/// ```
/// use deepnote::schedules::Cron;
///
/// let weekdays = Cron::parse("0 9 * * 1-5")?;
/// assert_eq!(weekdays.as_str(), "0 9 * * 1-5");
/// // A bad field is refused, named, before anything is sent.
/// let e = Cron::parse("0 25 * * *").unwrap_err();
/// assert!(e.to_string().contains("hour"), "{e}");
/// # Ok::<(), deepnote::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cron(String);

/// The bounds of the five fields, in order.
const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
];

impl Cron {
    /// Check `expression`; a bad one is an [`Error::InvalidArgument`] naming the field.
    pub fn parse(expression: &str) -> Result<Cron> {
        if expression.len() > MAX_CRON_LEN {
            return Err(invalid(expression, "it is too long"));
        }
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != FIELDS.len() {
            return Err(invalid(
                expression,
                &format!("it has {} fields, not 5", fields.len()),
            ));
        }
        for (field, (name, low, high)) in fields.iter().zip(FIELDS) {
            check_field(field, low, high)
                .map_err(|why| invalid(expression, &format!("its {name} field {field:?} {why}")))?;
        }
        Ok(Cron(fields.join(" ")))
    }

    /// Every day at `at`, a 24-hour `HH:MM` time (`"09:00"`, `"17:30"`), in the schedule's
    /// time zone.
    pub fn daily_at(at: &str) -> Result<Cron> {
        let bad = || Error::InvalidArgument(format!("{at:?} is not a time of day (HH:MM)"));
        let (hour, minute) = at.trim().split_once(':').ok_or_else(bad)?;
        let digits = |s: &str, max_len: usize| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let hour = digits(hour, 2).filter(|h| *h <= 23).ok_or_else(bad)?;
        let minute = digits(minute, 2)
            .filter(|m| *m <= 59 && minute.len() == 2)
            .ok_or_else(bad)?;
        Ok(Cron(format!("{minute} {hour} * * *")))
    }

    /// The expression, its fields separated by one space.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cron({:?})", self.0)
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cron {
    type Err = Error;
    fn from_str(s: &str) -> Result<Cron> {
        Cron::parse(s)
    }
}

impl TryFrom<&str> for Cron {
    type Error = Error;
    fn try_from(s: &str) -> Result<Cron> {
        Cron::parse(s)
    }
}

impl TryFrom<String> for Cron {
    type Error = Error;
    fn try_from(s: String) -> Result<Cron> {
        Cron::parse(&s)
    }
}

impl AsRef<str> for Cron {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn invalid(expression: &str, why: &str) -> Error {
    let shown: String = expression.chars().take(64).collect();
    Error::InvalidArgument(format!("cron expression {shown:?}: {why}"))
}

/// One field: a comma-separated list of `*`, `n` or `a-b`, each with an optional `/step`.
fn check_field(field: &str, low: u32, high: u32) -> std::result::Result<(), String> {
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            let step = number(step).ok_or_else(|| format!("has a bad step in {item:?}"))?;
            if step == 0 || step > high {
                return Err(format!("has a step out of 1..={high} in {item:?}"));
            }
        }
        if base == "*" {
            continue;
        }
        let (from, to) = match base.split_once('-') {
            Some((from, to)) => (from, to),
            None => (base, base),
        };
        let from = number(from).ok_or_else(|| format!("has a bad value in {item:?}"))?;
        let to = number(to).ok_or_else(|| format!("has a bad value in {item:?}"))?;
        for v in [from, to] {
            if v < low || v > high {
                return Err(format!("has {v}, out of {low}..={high}"));
            }
        }
        if from > to {
            return Err(format!("has a backwards range {item:?}"));
        }
    }
    Ok(())
}

/// A plain decimal of at most three digits (no sign, no spaces).
fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

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
                .map_err(|_| invalid(cron.as_str(), "it is empty"))?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_expressions_pass() {
        for ok in [
            "* * * * *",
            "0 9 * * 1-5",
            "*/15 0-23/2 1,15,31 1-12 0,7",
            "59 23 31 12 7",
            " 0  9 * * * ",
        ] {
            assert!(Cron::parse(ok).is_ok(), "{ok:?}");
        }
        assert_eq!(Cron::parse(" 0  9 * * * ").unwrap().as_str(), "0 9 * * *");
    }

    #[test]
    fn bad_expressions_name_their_field() {
        for (bad, says) in [
            ("* * * *", "4 fields"),
            ("* * * * * *", "6 fields"),
            ("60 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day of week"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"),
            ("MON * * * *", "bad value"),
            ("1,,2 * * * *", "bad value"),
            ("-1 * * * *", "bad value"),
            ("@daily", "1 fields"),
        ] {
            let e = Cron::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn daily_at_builds_the_cron() {
        assert_eq!(Cron::daily_at("09:00").unwrap().as_str(), "0 9 * * *");
        assert_eq!(Cron::daily_at("23:59").unwrap().as_str(), "59 23 * * *");
        assert_eq!(Cron::daily_at("7:05").unwrap().as_str(), "5 7 * * *");
        for bad in [
            "24:00", "09:60", "9", "09:5", "", "a:b", "-1:00", "09:00:00",
        ] {
            assert!(Cron::daily_at(bad).is_err(), "{bad:?}");
        }
    }
}
