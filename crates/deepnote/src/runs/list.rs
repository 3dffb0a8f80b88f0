//! Listing a notebook's runs, newest first, page by page.

use crate::client::Client;
use crate::error::Result;
use crate::ids::NotebookId;
use crate::list::{List, ListQuery, Page, read_page, sealed};
use crate::runs::Run;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// A list of a notebook's runs; from [`RunsApi::list`](crate::runs::RunsApi::list).
pub type ListRuns = List<NotebookRunsQuery>;

/// Whose runs a [`ListRuns`] lists.
#[derive(Clone, Debug)]
pub struct NotebookRunsQuery {
    pub(crate) notebook: NotebookId,
}

impl sealed::Sealed for NotebookRunsQuery {}

impl ListQuery for NotebookRunsQuery {
    type Item = Run;

    fn fetch(
        self,
        client: Client,
        size: Option<u32>,
        token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<Run>>> {
        async move {
            let mut call = client
                .api()
                .list_notebook_runs()
                .notebook_id(self.notebook.checked()?);
            if let Some(size) = size {
                call = call.page_size(crate::pagination::non_zero(size));
            }
            if let Some(token) = token {
                call = call.page_token(token);
            }
            let answer = client.answer(call.send()).await?;
            let answer = answer.into_inner();
            read_page(answer.runs, Run::from_summary, answer.pagination)
        }
        .boxed()
    }
}
