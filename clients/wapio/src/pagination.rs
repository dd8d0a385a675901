//! Sessions as a stream that follows `next_cursor` → `before_id` to the last page.

use futures::Stream;
use whatsapp_sdk_runtime::pagination::{Page, cursor_stream};

use crate::auth::Credential;
use crate::types::{Session, SessionStatus};
use crate::{Client, Error};

impl<C: Credential> Client<C> {
    /// Every session, newest first, fetched page by page (`page_size` per request, the
    /// server's default when `None`), optionally only those with `status`.
    ///
    /// With a session key the server lists only the key's own session.
    pub fn sessions(
        &self,
        status: Option<SessionStatus>,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Session, Error>> + '_ {
        cursor_stream(move |cursor: Option<String>| {
            let request = wapio_api::builder::ListSessionsParams::new(self.raw())
                .maybe_status(status.clone())
                .maybe_limit(page_size.map(i64::from))
                .maybe_before_id(cursor);
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: page.next_cursor })
            }
        })
    }
}
