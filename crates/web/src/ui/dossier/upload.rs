//! Page forms that carry a file (`multipart/form-data`): a digitised
//! component or result on the dossier page, a catalog file to import.
//!
//! The CSRF layer ([`crate::auth::form_csrf`]) reads url-encoded forms
//! only, so a multipart form is read here, in order: its first part must be
//! the hidden `csrf_token` field (forms write it first), unless the request
//! carries the token as the `x-csrf-token` header (htmx); the token is then
//! checked with the session by [`Staff`], like any page form, before a
//! later part is read. A missing or wrong token is the usual 403 page and
//! the file is never read.
//!
//! A dossier's file is streamed from its part to the file store
//! ([`next_part`]); other forms' files (catalog imports, parsed
//! whole) are read into memory up to a limit. Past a limit the rest of the
//! body is read and dropped (up to the route's body limit), so the browser
//! gets the page that says the file is too large instead of a cut
//! connection.

use axum::extract::multipart::Field;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;

use crate::auth::{CSRF_FIELD, CSRF_HEADER, FormCsrf, MAX_FORM_BYTES};
use crate::ui::Staff;
use crate::ui::StaffState;

/// The largest body an upload route reads: the file limit with room to
/// read and drop a somewhat larger file, so its sender is told why.
pub(crate) const BODY_LIMIT: usize = 64 << 20;

/// The longest CSRF token read from a form (tokens are far shorter).
const MAX_TOKEN_BYTES: usize = 1024;

/// A file part of a form.
pub(crate) struct FilePart {
    /// The file's name as the browser sent it, without folders.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl FilePart {
    /// Whether the file input was left empty (browsers then send a part
    /// with no name and no content).
    pub fn is_unchosen(&self) -> bool {
        self.name.is_empty() && self.bytes.is_empty()
    }
}

/// A form as read: its text fields and its file parts, by field name.
#[derive(Default)]
pub(crate) struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, FilePart)>,
}

impl UploadForm {
    /// The first value of a text field, or empty.
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The file chosen in a file field, if one was, taken out of the form.
    pub fn take_file(&mut self, name: &str) -> Option<FilePart> {
        let i = self
            .files
            .iter()
            .position(|(k, f)| k == name && !f.is_unchosen())?;
        Some(self.files.swap_remove(i).1)
    }
}

/// Why a form could not be read (the reader is signed in and the token was
/// right; the page says what to do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unread {
    /// A part is larger than the limit.
    TooLarge,
    /// Not a form, a broken body, or a text field that is not UTF-8.
    Malformed,
}

/// A page form opened: url-encoded (read whole, it carries no file) or
/// multipart (its parts are read by the caller, after the token).
pub(crate) enum Opened {
    /// An url-encoded form.
    Form(UploadForm),
    /// A multipart form whose CSRF token part has been read.
    Multipart(Multipart),
}

/// Reads the signed-in person and a page form that may carry files of at
/// most `max` bytes each. Url-encoded forms (no file) are read too. `Err`
/// is the answer to give at once: the sign-in page for a visitor, 403 for a
/// missing or wrong CSRF token.
pub(crate) async fn read(
    st: &StaffState,
    req: Request,
    max: usize,
) -> Result<(Staff, Result<UploadForm, Unread>), Response> {
    let (staff, opened) = open(st, req).await?;
    let form = match opened {
        Ok(Opened::Form(f)) => Ok(f),
        Ok(Opened::Multipart(mut m)) => {
            let form = read_parts(&mut m, max).await;
            if form.is_err() {
                drain(&mut m).await;
            }
            form
        }
        Err(e) => Err(e),
    };
    Ok((staff, form))
}

/// Checks the session and the CSRF token of a page form and opens it,
/// reading no file part. `Err` as for [`read`].
pub(crate) async fn open(
    st: &StaffState,
    req: Request,
) -> Result<(Staff, Result<Opened, Unread>), Response> {
    let (mut parts, body) = req.into_parts();
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media == "application/x-www-form-urlencoded" {
        // The CSRF layer has lifted the token out of the body already.
        let staff = Staff::from_request_parts(&mut parts, st).await?;
        let form = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => serde_urlencoded::from_bytes(&b)
                .map(|fields| {
                    Opened::Form(UploadForm {
                        fields,
                        files: Vec::new(),
                    })
                })
                .map_err(|_| Unread::Malformed),
            Err(_) => Err(Unread::TooLarge),
        };
        return Ok((staff, form));
    }
    // The multipart reader needs the headers (boundary) and extensions (the
    // route's body limit); `parts` stays for the session check.
    let mut inner = Request::new(body);
    *inner.headers_mut() = parts.headers.clone();
    *inner.extensions_mut() = parts.extensions.clone();
    let mut multipart = Multipart::from_request(inner, st).await.ok();
    if !parts.headers.contains_key(CSRF_HEADER)
        && let Some(m) = multipart.as_mut()
        && let Some(token) = first_token(m).await
    {
        parts.extensions.insert(FormCsrf(token));
    }
    let staff = Staff::from_request_parts(&mut parts, st).await?;
    Ok((
        staff,
        multipart.map(Opened::Multipart).ok_or(Unread::Malformed),
    ))
}

/// One part of a multipart form, as [`next_part`] reads it.
pub(crate) enum Part<'a> {
    /// A text field, read.
    Text(String, String),
    /// A chosen file, with its name, unread: the caller streams it where
    /// it goes.
    File(String, Box<Field<'a>>),
    /// A file input left empty (read and dropped).
    Unchosen,
    /// No more parts.
    End,
}

/// The next part of a form. Text fields take from `budget` (what is kept
/// in memory); a file part is handed over unread.
pub(crate) async fn next_part<'a>(
    m: &'a mut Multipart,
    budget: &mut usize,
) -> Result<Part<'a>, Unread> {
    let Some(mut field) = m.next_field().await.map_err(|e| unread(&e))? else {
        return Ok(Part::End);
    };
    let name = field.name().unwrap_or_default().to_owned();
    if let Some(file_name) = field.file_name().map(base_name) {
        if !file_name.is_empty() {
            return Ok(Part::File(file_name, Box::new(field)));
        }
        while field.chunk().await.map_err(|e| unread(&e))?.is_some() {}
        return Ok(Part::Unchosen);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| unread(&e))? {
        if chunk.len() > *budget {
            return Err(Unread::TooLarge);
        }
        *budget -= chunk.len();
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(bytes).map_err(|_| Unread::Malformed)?;
    Ok(Part::Text(name, text))
}

/// The first part's text when it is the `csrf_token` field.
async fn first_token(m: &mut Multipart) -> Option<String> {
    let mut field = m.next_field().await.ok()??;
    if field.name() != Some(CSRF_FIELD) {
        return None;
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.ok()? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_TOKEN_BYTES {
            return None;
        }
    }
    String::from_utf8(bytes).ok()
}

fn unread(e: &axum::extract::multipart::MultipartError) -> Unread {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Unread::TooLarge
    } else {
        Unread::Malformed
    }
}

/// Every part after the token, each at most `max` bytes, and all of them
/// at most `max` plus a page form's worth of text (what is kept in memory).
async fn read_parts(m: &mut Multipart, max: usize) -> Result<UploadForm, Unread> {
    let mut form = UploadForm::default();
    let mut budget = max.saturating_add(MAX_FORM_BYTES);
    while let Some(mut field) = m.next_field().await.map_err(|e| unread(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(base_name);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| unread(&e))? {
            if bytes.len() + chunk.len() > max || chunk.len() > budget {
                return Err(Unread::TooLarge);
            }
            budget -= chunk.len();
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            Some(file_name) => form.files.push((
                name,
                FilePart {
                    name: file_name,
                    bytes,
                },
            )),
            None => {
                let text = String::from_utf8(bytes).map_err(|_| Unread::Malformed)?;
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}

/// Reads and drops what is left of the body, so the answer reaches a
/// browser that is still sending.
pub(crate) async fn drain(m: &mut Multipart) {
    while let Ok(Some(mut field)) = m.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

/// A file name without the folders some browsers put before it.
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_dropped_from_file_names() {
        assert_eq!(base_name(r"C:\Users\lan\ket-qua.pdf"), "ket-qua.pdf");
        assert_eq!(base_name("a/b/to-khai.pdf"), "to-khai.pdf");
        assert_eq!(base_name(" giấy chứng sinh.png "), "giấy chứng sinh.png");
        assert_eq!(base_name(""), "");
    }
}
