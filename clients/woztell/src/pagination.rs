//! Cursor paging (`first` / `after`, `paging.cursors.after`, `paging.hasNext`) as streams.

use futures::Stream;
use whatsapp_sdk_runtime::pagination::{Page, cursor_stream};

use crate::types::{FlowSummary, MessageTemplate, Paging, Product};
use crate::{Client, Error, SignedClient, builder};

/// The cursor of the next page, when the response says there is one.
fn next_cursor(paging: Option<Paging>) -> Option<String> {
    let paging = paging?;
    let after = paging.cursors.and_then(|cursors| cursors.after);
    if paging.has_next.unwrap_or(after.is_some()) { after } else { None }
}

impl Client {
    /// Every template, page by page. `configure` sets the query (`waba_id`, `first`, filters);
    /// the stream sets `after`.
    pub fn templates<'a>(
        &'a self,
        configure: impl Fn(builder::ListTemplates<'a>) -> builder::ListTemplates<'a> + 'a,
    ) -> impl Stream<Item = Result<MessageTemplate, Error>> + 'a {
        templates(self.raw(), configure)
    }
}

impl SignedClient {
    /// Every template, page by page; see [`Client::templates`].
    pub fn templates<'a>(
        &'a self,
        configure: impl Fn(builder::ListTemplates<'a>) -> builder::ListTemplates<'a> + 'a,
    ) -> impl Stream<Item = Result<MessageTemplate, Error>> + 'a {
        templates(self.raw(), configure)
    }

    /// Every flow, page by page. `configure` sets the query (`limit`); the stream sets `after`.
    pub fn flows<'a>(
        &'a self,
        configure: impl Fn(builder::ListFlows<'a>) -> builder::ListFlows<'a> + 'a,
    ) -> impl Stream<Item = Result<FlowSummary, Error>> + 'a {
        cursor_stream(move |cursor: Option<String>| {
            let mut request = configure(builder::ListFlows::new(self.raw()));
            if let Some(cursor) = cursor {
                request = request.after(cursor);
            }
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: next_cursor(page.paging) })
            }
        })
    }

    /// Every product of a catalog, page by page. `configure` sets `catalog_id`; the stream
    /// sets `after`.
    pub fn products<'a>(
        &'a self,
        configure: impl Fn(builder::ListProducts<'a>) -> builder::ListProducts<'a> + 'a,
    ) -> impl Stream<Item = Result<Product, Error>> + 'a {
        cursor_stream(move |cursor: Option<String>| {
            let mut request = configure(builder::ListProducts::new(self.raw()));
            if let Some(cursor) = cursor {
                request = request.after(cursor);
            }
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: next_cursor(page.paging) })
            }
        })
    }
}

fn templates<'a>(
    raw: &'a woztell_api::Client,
    configure: impl Fn(builder::ListTemplates<'a>) -> builder::ListTemplates<'a> + 'a,
) -> impl Stream<Item = Result<MessageTemplate, Error>> + 'a {
    cursor_stream(move |cursor: Option<String>| {
        let mut request = configure(builder::ListTemplates::new(raw));
        if let Some(cursor) = cursor {
            request = request.after(cursor);
        }
        async move {
            let page = request.send().await?.into_inner();
            Ok::<_, Error>(Page { items: page.data, next_cursor: next_cursor(page.paging) })
        }
    })
}
