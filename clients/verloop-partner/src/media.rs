//! `upload_media`, written by hand because progenitor cannot generate multipart bodies. It
//! stays in the spec; this sends it through the generated client's runtime, so it shares the
//! credential, retries, error decoding and error messages of every other operation.

use std::path::Path;

use bytes::Bytes;
use reqwest::header::ACCEPT;
use reqwest::multipart::{Form, Part};
use whatsapp_sdk_runtime::{ClientInfo, Reply, Response};

use crate::types::UploadMediaResponse;
use crate::{Error, Management};

/// A file to upload: its bytes, and optionally the name and MIME type to store.
#[derive(Debug, Clone)]
pub struct MediaUpload {
    bytes: Bytes,
    file_name: Option<String>,
    file_type: Option<String>,
}

impl MediaUpload {
    /// A file from memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        Self { bytes: bytes.into(), file_name: None, file_type: None }
    }

    /// A file from disk; its name becomes the stored file name.
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await?;
        let file_name = path.file_name().and_then(|n| n.to_str()).map(str::to_string);
        Ok(Self { bytes: bytes.into(), file_name, file_type: None })
    }

    /// The file name to store (the `file_name` part).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The MIME type (the `file_type` part, also the file part's `Content-Type`).
    pub fn file_type(mut self, mime: impl Into<String>) -> Self {
        self.file_type = Some(mime.into());
        self
    }
}

impl Management {
    /// `POST /whatsapp/upload_media` (multipart: `client_id`, `file`, `file_name`, `file_type`):
    /// uploads a file and returns its asset handle.
    pub async fn upload_media(
        &self,
        client_id: &str,
        upload: MediaUpload,
    ) -> Result<Response<UploadMediaResponse>, Error> {
        let raw = self.raw();
        let operation = verloop_partner_api::operation("upload_media")
            .ok_or_else(|| Error::invalid_request("upload_media is missing from the operation table"))?;
        // Called again for a retry (a refused connection, a 429): the form is a stream, built
        // anew from the upload, whose bytes are shared, not copied.
        let build = move || {
            let mut file = Part::stream(reqwest::Body::from(upload.bytes.clone()))
                .file_name(upload.file_name.clone().unwrap_or_else(|| "file".to_string()));
            if let Some(mime) = &upload.file_type {
                file =
                    file.mime_str(mime).map_err(|_| Error::invalid_request(format!("`{mime}` is not a MIME type")))?;
            }
            let mut form = Form::new().text("client_id", client_id.to_string()).part("file", file);
            if let Some(name) = &upload.file_name {
                form = form.text("file_name", name.clone());
            }
            if let Some(mime) = &upload.file_type {
                form = form.text("file_type", mime.clone());
            }
            raw.client()
                .post(format!("{}/whatsapp/upload_media", raw.baseurl()))
                .header(ACCEPT, "application/json")
                .multipart(form)
                .build()
                .map_err(Error::unbuildable)
        };
        let reply = |status| match status {
            200 => Reply::Success,
            400 | 500 => Reply::Error,
            _ => Reply::Unexpected,
        };
        raw.runtime().respond(raw.client(), operation, build, reply).await
    }
}
