//! Query parameters written into a built request's URL.

use progenitor_client::QueryParam;
use serde::Serialize;

/// Appends an operation's query parameters to its URL in one pass, as progenitor's chain of
/// `RequestBuilder::query(&QueryParam::new(..))` calls would. That chain moved the whole
/// builder (request and all) through every call and rewrote the URL even for an absent
/// parameter; WOZTELL's lists have up to 11 of them.
///
/// ```
/// # use whatsapp_sdk_runtime::QueryWriter;
/// let mut url = reqwest::Url::parse("http://127.0.0.1/templates").unwrap();
/// let mut query = QueryWriter::new(&mut url);
/// query.required("wabaId", &"123");
/// query.optional("after", &None::<String>);
/// query.required("first", &50);
/// query.finish().unwrap();
/// assert_eq!(url.as_str(), "http://127.0.0.1/templates?wabaId=123&first=50");
/// ```
pub struct QueryWriter<'a> {
    state: State<'a>,
    error: Option<String>,
}

enum State<'a> {
    /// Nothing appended yet: the URL is untouched.
    Url(&'a mut reqwest::Url),
    Pairs(form_urlencoded::Serializer<'a, url::UrlQuery<'a>>),
    Finished,
}

impl<'a> QueryWriter<'a> {
    /// A writer that appends to `url`'s query.
    pub fn new(url: &'a mut reqwest::Url) -> Self {
        Self { state: State::Url(url), error: None }
    }

    /// Appends `name=value` (repeated for each item of a sequence).
    pub fn required<T: Serialize>(&mut self, name: &str, value: &T) {
        if self.error.is_some() {
            return;
        }
        self.state = match std::mem::replace(&mut self.state, State::Finished) {
            State::Url(url) => State::Pairs(url.query_pairs_mut()),
            state => state,
        };
        if let State::Pairs(pairs) = &mut self.state
            && let Err(error) = QueryParam::new(name, value).serialize(serde_urlencoded::Serializer::new(pairs))
        {
            self.error = Some(format!("query parameter `{name}`: {error}"));
        }
    }

    /// Appends `name=value` when `value` is present.
    pub fn optional<T: Serialize>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.required(name, value);
        }
    }

    /// Ends the query; the first parameter that could not be written is the error. Like
    /// reqwest, leaves no bare `?` when the parameters wrote nothing (e.g. an empty list).
    pub fn finish(mut self) -> Result<(), String> {
        let url = match std::mem::replace(&mut self.state, State::Finished) {
            State::Url(url) => Some(url),
            State::Pairs(mut pairs) => Some(pairs.finish()),
            State::Finished => None,
        };
        if let Some(url) = url.filter(|url| url.query() == Some("")) {
            url.set_query(None);
        }
        self.error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(url: &str, write: impl FnOnce(&mut QueryWriter<'_>)) -> Result<String, String> {
        let mut url = reqwest::Url::parse(url).unwrap();
        let mut query = QueryWriter::new(&mut url);
        write(&mut query);
        query.finish().map(|()| url.to_string())
    }

    /// The URL progenitor's own chain builds for the same parameters.
    fn progenitor(url: &str, build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> String {
        let client = crate::Config::new("http://127.0.0.1").http_client().unwrap();
        build(client.get(url)).build().map(|r| r.url().to_string()).unwrap()
    }

    #[test]
    fn same_url_as_progenitor_query_params() {
        let tags = Some(vec!["a b", "c&d"]);
        let first = 50;
        let absent: Option<String> = None;
        let none: Vec<&str> = Vec::new();
        for base in ["http://127.0.0.1/list#top", "http://127.0.0.1/list?fixed=1", "http://127.0.0.1/list"] {
            let ours = written(base, |q| {
                q.required("first", &first);
                q.optional("after", &absent);
                q.optional("tags", &tags);
                q.required("none", &none);
            });
            let theirs = progenitor(base, |b| {
                b.query(&QueryParam::new("first", &first))
                    .query(&QueryParam::new("after", &absent))
                    .query(&QueryParam::new("tags", &tags))
                    .query(&QueryParam::new("none", &none))
            });
            assert_eq!(ours.as_deref(), Ok(theirs.as_str()));
        }
        assert_eq!(
            written("http://127.0.0.1/list#top", |q| q.required("first", &first)).as_deref(),
            Ok("http://127.0.0.1/list?first=50#top")
        );
    }

    #[test]
    fn nothing_written_leaves_no_bare_question_mark() {
        let absent: Option<u32> = None;
        let empty: Vec<u32> = Vec::new();
        for base in ["http://127.0.0.1/list", "http://127.0.0.1/list#top"] {
            let ours = written(base, |q| q.optional("after", &absent));
            assert_eq!(ours.as_deref(), Ok(base));
        }
        let ours = written("http://127.0.0.1/list?", |q| q.optional("after", &absent));
        assert_eq!(ours.as_deref(), Ok("http://127.0.0.1/list"));
        let ours = written("http://127.0.0.1/list", |q| q.required("ids", &empty));
        assert_eq!(ours.as_deref(), Ok("http://127.0.0.1/list"));
    }

    #[test]
    fn a_value_that_is_not_a_query_value_is_an_error_naming_the_parameter() {
        #[derive(Serialize)]
        struct Nested {
            inner: Vec<Vec<u8>>,
        }
        let nested = Nested { inner: vec![vec![1]] };
        let error = written("http://127.0.0.1/list", |q| {
            q.required("filter", &nested);
            q.required("first", &1);
        })
        .unwrap_err();
        assert!(error.starts_with("query parameter `filter`: "), "{error}");
    }
}
