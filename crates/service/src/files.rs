//! The file port: digitised components and results are kept outside the
//! database, addressed by their SHA-256, so the same content is stored once
//! and a stored file can be checked against its hash at any time.

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::{ServiceError, ServiceResult};

/// Content arriving piece by piece (an upload being received), so that a
/// file never has to be held whole in memory.
#[async_trait]
pub trait ByteSource: Send {
    /// The next piece, or `None` at the end.
    async fn next_chunk(&mut self) -> ServiceResult<Option<Bytes>>;
}

/// A source that is one piece already in memory.
pub struct InMemory(Option<Bytes>);

impl InMemory {
    /// The whole content.
    pub fn new(content: &[u8]) -> Self {
        Self(Some(Bytes::copy_from_slice(content)))
    }
}

#[async_trait]
impl ByteSource for InMemory {
    async fn next_chunk(&mut self) -> ServiceResult<Option<Bytes>> {
        Ok(self.0.take())
    }
}

/// What was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Its length in bytes.
    pub size: u64,
}

/// Where file contents live: a local directory by default; an
/// S3-compatible store when several nodes run.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores content read from `source` piece by piece, hashing as it
    /// goes, and answers only once the content is durable. An error of the
    /// source (too large, a broken upload) stores nothing.
    async fn put_stream(&self, source: &mut dyn ByteSource) -> ServiceResult<Stored>;
    /// Stores content and returns its SHA-256 as lower-case hex.
    async fn put(&self, content: &[u8]) -> ServiceResult<String> {
        Ok(self.put_stream(&mut InMemory::new(content)).await?.sha256)
    }
    /// The content stored under a hash, or `NotFound`.
    async fn get(&self, sha256: &str) -> ServiceResult<Vec<u8>>;
}

/// A source cut off past `max` bytes with [`ServiceError::TooLarge`], and
/// whose first bytes were read ahead (to tell the type) and are replayed.
pub struct Bounded<'a> {
    inner: &'a mut dyn ByteSource,
    head: Option<Bytes>,
    seen: u64,
    max: u64,
    field: &'static str,
}

impl<'a> Bounded<'a> {
    /// At most `max` bytes of `inner`; `field` names the input in errors.
    pub fn new(inner: &'a mut dyn ByteSource, max: u64, field: &'static str) -> Self {
        Self {
            inner,
            head: None,
            seen: 0,
            max,
            field,
        }
    }

    /// Reads ahead until at least `want` bytes (or the end) and returns
    /// them; they are given again by [`next_chunk`](ByteSource::next_chunk).
    pub async fn peek(&mut self, want: usize) -> ServiceResult<Bytes> {
        let mut buf = self.head.take().map(Vec::from).unwrap_or_default();
        while buf.len() < want {
            match self.pull().await? {
                Some(c) => buf.extend_from_slice(&c),
                None => break,
            }
        }
        let head = Bytes::from(buf);
        self.head = Some(head.clone());
        Ok(head)
    }

    /// Bytes read from the source so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    async fn pull(&mut self) -> ServiceResult<Option<Bytes>> {
        let chunk = self.inner.next_chunk().await?;
        if let Some(c) = &chunk {
            self.seen = self.seen.saturating_add(c.len() as u64);
            if self.seen > self.max {
                return Err(ServiceError::TooLarge {
                    field: self.field.to_owned(),
                    limit_bytes: self.max,
                });
            }
        }
        Ok(chunk)
    }
}

#[async_trait]
impl ByteSource for Bounded<'_> {
    async fn next_chunk(&mut self) -> ServiceResult<Option<Bytes>> {
        match self.head.take() {
            Some(h) if !h.is_empty() => Ok(Some(h)),
            _ => self.pull().await,
        }
    }
}

/// The type of a file a dossier accepts (PDF, JPEG, PNG, XML), told from
/// its first bytes rather than from what the sender declared; `None` when
/// it is none of them. `name` helps only for XML without a declaration.
pub fn sniff(name: &str, head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = &text[start..];
    let xml_name = name.to_ascii_lowercase().ends_with(".xml");
    if text.starts_with(b"<?xml") || (xml_name && text.starts_with(b"<") && !is_html(text)) {
        return Some("application/xml");
    }
    None
}

/// Whether text starts like an HTML page (never accepted as XML: a
/// browser would run its scripts).
fn is_html(text: &[u8]) -> bool {
    let lower: Vec<u8> = text.iter().take(16).map(u8::to_ascii_lowercase).collect();
    lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html")
}

/// Why a file name is refused, if it is: folders, control characters, the
/// bidirectional overrides and isolates that make `gpj.exe` look like
/// `exe.jpg` (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), or
/// more than `max` characters.
pub fn file_name_problem(name: &str, max: usize) -> Option<String> {
    if name.chars().count() > max {
        return Some(format!("at most {max} characters"));
    }
    if name.contains(['/', '\\']) {
        return Some("a file name without folders".to_owned());
    }
    let bad = name.chars().find(|c| {
        c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    });
    bad.map(|c| {
        format!(
            "a file name without control or direction characters (U+{:04X})",
            u32::from(c)
        )
    })
}

/// The hex SHA-256 of content.
pub fn sha256_hex(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(content))
}

/// Whether `s` looks like a SHA-256 in lower-case hex (so it can be a path
/// component without escaping anything).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_the_known_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex("../../etc/passwd"));
        assert!(!is_sha256_hex(&"A".repeat(64)));
    }

    #[test]
    fn file_types_are_told_from_the_content() {
        assert_eq!(sniff("a.pdf", b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff("scan", b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff("x.png", b"\x89PNG\r\n\x1a\n\0\0"), Some("image/png"));
        assert_eq!(
            sniff("k.bin", b"\xEF\xBB\xBF  <?xml version=\"1.0\"?><a/>"),
            Some("application/xml")
        );
        assert_eq!(sniff("ky-so.XML", b"<Signature/>"), Some("application/xml"));
        // A renamed program, an HTML page (even named .xml), an empty file.
        assert_eq!(sniff("a.pdf", b"MZ\x90\0"), None);
        assert_eq!(sniff("a.html", b"<html></html>"), None);
        assert_eq!(sniff("a.xml", b"<!DOCTYPE html><p>"), None);
        assert_eq!(sniff("a.pdf", b""), None);
    }

    #[test]
    fn file_names_with_direction_or_control_characters_are_refused() {
        assert_eq!(file_name_problem("giấy chứng sinh.pdf", 200), None);
        // "invoice\u{202E}fdp.exe" shows as "invoiceexe.pdf".
        for bad in [
            "invoice\u{202E}fdp.exe",
            "a\u{2066}b.pdf",
            "a\u{200F}.pdf",
            "a\u{061C}.pdf",
            "a\nb.pdf",
            "a\u{7}.pdf",
            "a/b.pdf",
        ] {
            assert!(file_name_problem(bad, 200).is_some(), "{bad:?}");
        }
        assert!(file_name_problem(&"a".repeat(201), 200).is_some());
        assert_eq!(file_name_problem(&"ă".repeat(200), 200), None);
    }
}
