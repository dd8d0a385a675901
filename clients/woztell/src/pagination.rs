//! Cursor paging (`first` / `after`, `paging.cursors.after`, `paging.hasNext`) as streams.
//!
//! Each stream takes a `configure` closure that sets the query of every page; the operation's
//! required values (`waba_id` and `first` for templates, `limit` for flows, `catalog_id` for
//! products) must be set there, or the call does not compile. The stream sets `after`, so
//! `configure` must leave it unset. `configure` runs once (`FnOnce`: captured values are moved
//! in, not cloned per page); each page sends a copy of the builder it returned.

use futures::Stream;
use whatsapp_sdk_runtime::pagination::{Page, cursor_stream};

use crate::builder::{
    ListFlows, ListFlowsParams, ListProducts, ListProductsParams, ListTemplates, ListTemplatesParams, list_flows_state,
    list_products_state, list_templates_state,
};
// bon's marker that a member is not set yet, re-exported by every state module.
use crate::types::{FlowSummary, MessageTemplate, Paging, Product};
use crate::{Client, Error, SignedClient};
use list_templates_state::IsUnset;

/// The cursor of the next page, when the response says there is one.
fn next_cursor(paging: Option<Paging>) -> Option<String> {
    let paging = paging?;
    let after = paging.cursors.and_then(|cursors| cursors.after);
    if paging.has_next.unwrap_or(after.is_some()) { after } else { None }
}

impl Client {
    /// Every template, page by page:
    /// `client.templates(|list| list.waba_id("waba_1").first(50).status(r#"["APPROVED"]"#))`.
    pub fn templates<'a, S>(
        &'a self,
        configure: impl FnOnce(ListTemplates<'a>) -> ListTemplates<'a, S>,
    ) -> impl Stream<Item = Result<MessageTemplate, Error>> + 'a
    where
        S: list_templates_state::IsComplete<After: IsUnset> + 'a,
    {
        templates(self.raw(), configure)
    }
}

impl SignedClient {
    /// Every template, page by page; see [`Client::templates`].
    pub fn templates<'a, S>(
        &'a self,
        configure: impl FnOnce(ListTemplates<'a>) -> ListTemplates<'a, S>,
    ) -> impl Stream<Item = Result<MessageTemplate, Error>> + 'a
    where
        S: list_templates_state::IsComplete<After: IsUnset> + 'a,
    {
        templates(self.raw(), configure)
    }

    /// Every flow, page by page: `signed.flows(|list| list.limit(20))`.
    pub fn flows<'a, S>(
        &'a self,
        configure: impl FnOnce(ListFlows<'a>) -> ListFlows<'a, S>,
    ) -> impl Stream<Item = Result<FlowSummary, Error>> + 'a
    where
        S: list_flows_state::IsComplete<After: IsUnset> + 'a,
    {
        let configured = configure(ListFlowsParams::new(self.raw()));
        cursor_stream(move |cursor: Option<String>| {
            let request = configured.clone().maybe_after(cursor);
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: next_cursor(page.paging) })
            }
        })
    }

    /// Every product of a catalog, page by page: `signed.products(|list| list.catalog_id("c1"))`.
    pub fn products<'a, S>(
        &'a self,
        configure: impl FnOnce(ListProducts<'a>) -> ListProducts<'a, S>,
    ) -> impl Stream<Item = Result<Product, Error>> + 'a
    where
        S: list_products_state::IsComplete<After: IsUnset> + 'a,
    {
        let configured = configure(ListProductsParams::new(self.raw()));
        cursor_stream(move |cursor: Option<String>| {
            let request = configured.clone().maybe_after(cursor);
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: next_cursor(page.paging) })
            }
        })
    }
}

fn templates<'a, S>(
    raw: &'a woztell_api::Client,
    configure: impl FnOnce(ListTemplates<'a>) -> ListTemplates<'a, S>,
) -> impl Stream<Item = Result<MessageTemplate, Error>> + 'a
where
    S: list_templates_state::IsComplete<After: IsUnset> + 'a,
{
    let configured = configure(ListTemplatesParams::new(raw));
    cursor_stream(move |cursor: Option<String>| {
        let request = configured.clone().maybe_after(cursor);
        async move {
            let page = request.send().await?.into_inner();
            Ok::<_, Error>(Page { items: page.data, next_cursor: next_cursor(page.paging) })
        }
    })
}
