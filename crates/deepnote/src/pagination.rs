//! Lists as streams: every page is fetched in a task of its own as soon as the previous one
//! arrives, so the next page travels while the caller works on the current one. At most two
//! pages are held at a time, whatever the total, and a page token the server repeats ends the
//! stream with an error instead of a loop.

use crate::error::{Error, Result};
use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use std::pin::Pin;
use std::sync::Arc;

/// The largest page the API serves: the `maximum` of `pageSize` in the references, which
/// `tests/sdk/spec_facts.rs` keeps this equal to.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A stream of `Result<T>`, boxed so it can be named and stored.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send + 'static>>;

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in the server's order.
    pub items: Vec<T>,
    /// The token of the next page; `None` on the last page.
    pub next_page_token: Option<String>,
}

impl<T> Page<T> {
    /// A page; an empty token counts as no token.
    pub fn new(items: Vec<T>, next_page_token: Option<String>) -> Self {
        Page {
            items,
            next_page_token: next_page_token.filter(|t| !t.is_empty()),
        }
    }
}

/// A page reads as the slice of its items: `page.len()`, `page[0]`, `page.iter()`.
impl<T> std::ops::Deref for Page<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Fetches the page a token names (`None`: the first page).
pub(crate) type FetchPage<T> =
    Arc<dyn Fn(Option<String>) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

/// Refuse a page size the API would not honour before anything is sent.
pub(crate) fn check_page_size(size: Option<u32>) -> Result<()> {
    match size {
        Some(n) if !(1..=MAX_PAGE_SIZE).contains(&n) => Err(Error::InvalidArgument(format!(
            "page size {n} is outside 1..={MAX_PAGE_SIZE}"
        ))),
        _ => Ok(()),
    }
}

/// Spots a repeated page token in constant memory: the token is compared with the one before
/// it (the common bug) and with a saved token that moves ahead at doubling intervals (Brent's
/// cycle detection), so a cycle of any length is caught within about twice its length.
#[derive(Debug, Default)]
pub(crate) struct LoopGuard {
    last: Option<String>,
    saved: Option<String>,
    steps: u64,
    power: u64,
}

impl LoopGuard {
    /// Record the token of the next request; true when it was seen before.
    pub(crate) fn repeats(&mut self, token: &str) -> bool {
        if self.last.as_deref() == Some(token) || self.saved.as_deref() == Some(token) {
            return true;
        }
        self.steps += 1;
        if self.steps >= self.power.max(1) {
            self.saved = Some(token.to_string());
            self.power = self.power.max(1) * 2;
            self.steps = 0;
        }
        self.last = Some(token.to_string());
        false
    }
}

/// Aborts the prefetch when the stream is dropped, so an abandoned list costs nothing more.
struct Prefetch<T>(tokio::task::JoinHandle<Result<Page<T>>>);

impl<T> Drop for Prefetch<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum State<T> {
    Fetching(Prefetch<T>),
    Failed(Error),
    Done,
}

/// Page by page, from `start` (or the first page).
pub(crate) fn pages<T: Send + 'static>(
    fetch: FetchPage<T>,
    start: Option<String>,
) -> BoxStream<Page<T>> {
    let mut guard = LoopGuard::default();
    if let Some(token) = &start {
        guard.repeats(token);
    }
    let first = Prefetch(tokio::spawn(fetch(start)));
    let stream = futures_util::stream::unfold(
        (State::Fetching(first), guard, fetch),
        |(state, mut guard, fetch)| async move {
            let pending = match state {
                State::Done => return None,
                State::Failed(e) => return Some((Err(e), (State::Done, guard, fetch))),
                State::Fetching(pending) => pending,
            };
            let mut pending = pending;
            let page = match (&mut pending.0).await {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => return Some((Err(e), (State::Done, guard, fetch))),
                Err(join) => {
                    let e = Error::Decode(format!("the page request stopped: {join}"));
                    return Some((Err(e), (State::Done, guard, fetch)));
                }
            };
            let next = match &page.next_page_token {
                None => State::Done,
                Some(token) if guard.repeats(token) => State::Failed(Error::Decode(format!(
                    "the server repeated the page token {token:?}; stopping instead of looping"
                ))),
                Some(token) => State::Fetching(Prefetch(tokio::spawn(fetch(Some(token.clone()))))),
            };
            Some((Ok(page), (next, guard, fetch)))
        },
    );
    Box::pin(stream)
}

/// Item by item across all pages.
pub(crate) fn items<T: Send + 'static>(pages: BoxStream<Page<T>>) -> BoxStream<T> {
    Box::pin(pages.flat_map(|page| {
        let items: Box<dyn Iterator<Item = Result<T>> + Send> = match page {
            Ok(page) => Box::new(page.items.into_iter().map(Ok)),
            Err(e) => Box::new(std::iter::once(Err(e))),
        };
        futures_util::stream::iter(items)
    }))
}

/// A page size as the generated client takes it. Sizes are checked (1 to [`MAX_PAGE_SIZE`])
/// before any request, so a zero cannot reach here; it would become 1.
pub(crate) fn non_zero(size: u32) -> std::num::NonZeroU64 {
    std::num::NonZeroU64::new(u64::from(size)).unwrap_or(std::num::NonZeroU64::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_catches_cycles_of_any_length() {
        for cycle in 1..40usize {
            for tail in 0..5usize {
                let mut guard = LoopGuard::default();
                let tokens = (0..tail)
                    .map(|i| format!("t{i}"))
                    .chain((0..).map(|i| format!("c{}", i % cycle)));
                let caught = tokens
                    .take(10 * (cycle + tail) + 10)
                    .position(|t| guard.repeats(&t));
                let at = caught.expect("a cycle must be caught");
                assert!(
                    at <= tail + 3 * cycle + 2,
                    "cycle {cycle} tail {tail} caught at {at}"
                );
            }
        }
    }

    #[test]
    fn the_guard_lets_distinct_tokens_pass() {
        let mut guard = LoopGuard::default();
        assert!((0..10_000).all(|i| !guard.repeats(&i.to_string())));
    }

    #[test]
    fn page_sizes_are_checked() {
        assert!(check_page_size(None).is_ok());
        assert!(check_page_size(Some(1)).is_ok());
        assert!(check_page_size(Some(100)).is_ok());
        assert!(check_page_size(Some(0)).is_err());
        assert!(check_page_size(Some(101)).is_err());
    }
}
