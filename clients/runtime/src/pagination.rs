//! Cursor pagination as a `futures::Stream` of items.

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};

/// One page of a cursor-paginated listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The page's items, in server order.
    pub items: Vec<T>,
    /// The cursor to request the next page with; `None` (or empty) on the last page.
    pub next_cursor: Option<String>,
}

/// Streams every item of a listing: calls `fetch(None)` for the first page, then
/// `fetch(Some(cursor))` with each page's `next_cursor` until a page has none. The first error
/// ends the stream. A cursor the server repeats ends it too, instead of looping forever.
pub fn cursor_stream<T, E, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    struct State<F> {
        fetch: F,
        cursor: Option<String>,
        done: bool,
    }
    let state = State { fetch, cursor: None, done: false };
    stream::try_unfold(state, |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let page = (state.fetch)(state.cursor.clone()).await?;
        let next = page.next_cursor.filter(|cursor| !cursor.is_empty());
        state.done = next.is_none() || next == state.cursor;
        state.cursor = next;
        Ok(Some((page.items, state)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn follows_cursors_until_the_last_page() {
        let mut calls = Vec::new();
        let items: Vec<u32> = cursor_stream(|cursor: Option<String>| {
            calls.push(cursor.clone());
            async move {
                Ok::<_, ()>(match cursor.as_deref() {
                    None => Page { items: vec![1, 2], next_cursor: Some("c1".into()) },
                    Some("c1") => Page { items: vec![3], next_cursor: Some("c2".into()) },
                    _ => Page { items: vec![4], next_cursor: None },
                })
            }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, [1, 2, 3, 4]);
        assert_eq!(calls, [None, Some("c1".to_string()), Some("c2".to_string())]);
    }

    #[tokio::test]
    async fn stops_on_error_and_on_a_repeated_cursor() {
        let failing: Vec<Result<u32, &str>> = cursor_stream(|cursor: Option<String>| async move {
            match cursor {
                None => Ok(Page { items: vec![1], next_cursor: Some("c1".into()) }),
                Some(_) => Err("boom"),
            }
        })
        .collect()
        .await;
        assert_eq!(failing, [Ok(1), Err("boom")]);

        let repeated: Vec<u32> = cursor_stream(|_cursor: Option<String>| async {
            Ok::<_, ()>(Page { items: vec![7], next_cursor: Some("same".into()) })
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(repeated, [7, 7]);
    }
}
