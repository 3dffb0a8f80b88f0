//! The builder every list operation returns: page size and start token, then one page
//! (`send`), page by page (`pages`) or item by item (`stream`). What differs between lists
//! (the operation, its filters, how an item is read) is a [`ListQuery`].

use crate::client::Client;
use crate::error::Result;
use crate::pagination::{self, FetchPage};
use futures_util::future::BoxFuture;
use std::sync::Arc;

pub use crate::pagination::{BoxStream, MAX_PAGE_SIZE, Page};

/// One kind of list: the request for one page and how its items are read. Implemented by this
/// crate's list queries only.
pub trait ListQuery: sealed::Sealed + Clone + Send + Sync + 'static {
    /// What the list yields.
    type Item: Send + 'static;

    /// Fetch the page `token` names (`None`: the first), with `size` items (`None`: the
    /// server's default). The size has been checked already.
    #[doc(hidden)]
    fn fetch(
        self,
        client: Client,
        size: Option<u32>,
        token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<Self::Item>>>;
}

/// One page out of a list answer: its items read one by one (the first bad item fails the
/// page) and the next token from its pagination block.
pub(crate) fn read_page<T, U>(
    items: Vec<T>,
    read: impl FnMut(T) -> Result<U>,
    pagination: Option<deepnote_api::types::CursorPagination>,
) -> Result<Page<U>> {
    let items = items.into_iter().map(read).collect::<Result<Vec<_>>>()?;
    Ok(Page::new(items, pagination.and_then(|p| p.next_page_token)))
}

pub(crate) mod sealed {
    /// Keeps [`super::ListQuery`] to this crate, so it can grow without breaking anyone.
    pub trait Sealed {}
}

/// A list to fetch; every list operation returns one. Nothing is sent until it is awaited (or
/// [`List::send`]: the first page, or the one at [`List::page_token`]), or until
/// [`List::pages`] or [`List::stream`] are polled. A list the API does not page comes whole
/// as its first page.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// use deepnote::TryStreamExt;
///
/// // One page: awaited, a list sends one request.
/// let page = client.projects().list().page_size(1).await?;
/// assert_eq!(page.len(), 1);
/// // The next page, from its token (`None` on the last page).
/// if let Some(token) = &page.next_page_token {
///     let next = client.projects().list().page_size(1).page_token(token).await?;
///     assert_ne!(next[0].id, page[0].id);
/// }
/// // Every item, page after page (the next page fetched while this one is used).
/// let every: Vec<_> = client.projects().list().page_size(1).stream().try_collect().await?;
/// // Or every page.
/// let pages: Vec<_> = client.projects().list().page_size(1).pages().try_collect().await?;
/// assert_eq!(pages.iter().map(|p| p.len()).sum::<usize>(), every.len());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a list does nothing until it is sent or streamed"]
pub struct List<Q> {
    client: Client,
    pub(crate) query: Q,
    page_size: Option<u32>,
    page_token: Option<String>,
}

impl<Q: ListQuery> List<Q> {
    pub(crate) fn new(client: Client, query: Q) -> Self {
        List {
            client,
            query,
            page_size: None,
            page_token: None,
        }
    }

    /// Items per page, 1 to 100 (checked before anything is sent); the server's default if unset.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Start at this page token instead of the first page.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    fn fetcher(&self) -> FetchPage<Q::Item> {
        let (client, query, size) = (self.client.clone(), self.query.clone(), self.page_size);
        Arc::new(move |token: Option<String>| {
            if let Err(e) = pagination::check_page_size(size) {
                return Box::pin(std::future::ready(Err(e)));
            }
            query.clone().fetch(client.clone(), size, token)
        })
    }

    /// The one page this list names (the first, or the one at [`List::page_token`]).
    pub async fn send(self) -> Result<Page<Q::Item>> {
        (self.fetcher())(self.page_token).await
    }

    /// Every page, fetching each next page while the caller works on the current one.
    pub fn pages(self) -> BoxStream<Page<Q::Item>> {
        pagination::pages(self.fetcher(), self.page_token)
    }

    /// Every item across all pages, holding at most two pages at a time.
    pub fn stream(self) -> BoxStream<Q::Item> {
        pagination::items(self.pages())
    }
}

impl<Q: ListQuery> std::future::IntoFuture for List<Q> {
    type Output = Result<Page<Q::Item>>;
    type IntoFuture = BoxFuture<'static, Result<Page<Q::Item>>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
