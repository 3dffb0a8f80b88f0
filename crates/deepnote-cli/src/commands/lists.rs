//! Printing a paged list: every page by default, `--limit` to stop early.

use crate::app::Context;
use crate::exit::CliResult;
use crate::output::{Column, Output};
use clap::Args;
use deepnote::{StreamExt, list::BoxStream};

/// How many items a list shows, and how it asks for them.
#[derive(Debug, Args, Clone)]
pub struct ListArgs {
    /// Stop after this many items [default: every item, page by page]
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Items per request (1 to the API's largest page; the API's default when absent)
    #[arg(
        long,
        value_name = "N",
        help = format!(
            "Items per request (1-{}; the API's default when absent)",
            deepnote::list::MAX_PAGE_SIZE
        ),
        value_parser = clap::value_parser!(u32).range(1..=i64::from(deepnote::list::MAX_PAGE_SIZE))
    )]
    pub page_size: Option<u32>,
}

/// The page size to ask for: `--page-size`, else no more than `--limit` needs.
pub fn page_size(list: &ListArgs) -> Option<u32> {
    list.page_size.or_else(|| {
        let max = deepnote::list::MAX_PAGE_SIZE as usize;
        list.limit.map(|limit| limit.clamp(1, max) as u32)
    })
}

/// Prints the stream's items (each with `print_one`) until it ends or `--limit` is reached.
pub async fn print<T>(
    ctx: &mut Context,
    mut items: BoxStream<T>,
    list: &ListArgs,
    print_one: impl Fn(&mut Output, &T) -> std::io::Result<()>,
    columns: &[Column],
    noun: &str,
) -> CliResult {
    let mut printed = 0usize;
    while list.limit.is_none_or(|limit| printed < limit) {
        match items.next().await {
            Some(item) => {
                print_one(&mut ctx.out, &item?)?;
                printed += 1;
            }
            None => break,
        }
    }
    ctx.out.finish_list(columns, noun)?;
    Ok(())
}
