//! Sessions as a stream that follows `next_cursor` → `before_id` to the last page.

use futures::Stream;
use whatsapp_sdk_runtime::pagination::{Page, cursor_stream};

use crate::auth::Credential;
use crate::builder::{ListSessions, ListSessionsParams, list_sessions_state};
use crate::types::Session;
use crate::{Client, Error};
// bon's marker that a member is not set yet, re-exported by every state module.
use list_sessions_state::IsUnset;

impl<C: Credential> Client<C> {
    /// Every session, newest first, page by page. `configure` sets the query of every page,
    /// with the same setters as [`list_sessions`](crate::operations::AccountTokenOperations::list_sessions)
    /// (`limit` per page, `status`); the stream sets `before_id`, so `configure` leaves it unset:
    ///
    /// ```no_run
    /// # use futures::TryStreamExt;
    /// # use wapio::types::SessionStatus;
    /// # async fn run(client: wapio::Client) -> wapio::Result<()> {
    /// let all: Vec<_> = client.sessions(|list| list).try_collect().await?;
    /// let connected: Vec<_> = client.sessions(|list| list.limit(50).status(SessionStatus::Connected)).try_collect().await?;
    /// # let _ = (all, connected); Ok(()) }
    /// ```
    ///
    /// `configure` runs once (`FnOnce`: captured values are moved in, not cloned per page);
    /// each page sends a copy of the builder it returned.
    ///
    /// With a session key the server lists only the key's own session.
    pub fn sessions<'a, S>(
        &'a self,
        configure: impl FnOnce(ListSessions<'a>) -> ListSessions<'a, S>,
    ) -> impl Stream<Item = Result<Session, Error>> + 'a
    where
        S: list_sessions_state::IsComplete<BeforeId: IsUnset> + 'a,
    {
        let configured = configure(ListSessionsParams::new(self.raw()));
        cursor_stream(move |cursor: Option<String>| {
            let request = configured.clone().maybe_before_id(cursor);
            async move {
                let page = request.send().await?.into_inner();
                Ok::<_, Error>(Page { items: page.data, next_cursor: page.next_cursor })
            }
        })
    }
}
