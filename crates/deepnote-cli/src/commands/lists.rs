//! Printing a paged list: every page by default, `--limit` to stop early.

use crate::app::Context;
use crate::cli::ListArgs;
use crate::exit::CliResult;
use crate::output::{Column, Output};
use deepnote::{BoxStream, StreamExt};

/// The page size to ask for: `--page-size`, else no more than `--limit` needs.
pub fn page_size(list: &ListArgs) -> Option<u32> {
    list.page_size.or_else(|| {
        let max = deepnote::MAX_PAGE_SIZE as usize;
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
