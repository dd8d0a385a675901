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
            let mut request = wapio_api::builder::ListSessions::new(self.raw());
            if let Some(status) = status.clone() {
                request = request.status(status);
            }
            if let Some(size) = page_size {
                request = request.limit(i64::from(size));
            }
            if let Some(cursor) = cursor {
                request = request.before_id(cursor);
            }
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: page.next_cursor })
            }
        })
    }
}
