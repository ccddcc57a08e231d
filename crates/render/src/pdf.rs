//! Typst compiled in-process to PDF over a closed world: the template (one of
//! `templates/*.typ`, embedded), the fonts in `assets/fonts/` (embedded) and
//! the virtual files the caller hands in (the data as `/data.json`, images).
//! Nothing is read from the host's disk or the network: there is no package
//! support, so `#import "@preview/…"` is an error, not a download.

use std::sync::LazyLock;

use serde::Serialize;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::RenderError;

/// The fonts the forms may use. Templates name the family "Noto Serif".
const FONTS: &[&[u8]] = &[
    include_bytes!("../assets/fonts/NotoSerif-Regular.ttf"),
    include_bytes!("../assets/fonts/NotoSerif-Bold.ttf"),
    include_bytes!("../assets/fonts/NotoSerif-Italic.ttf"),
    include_bytes!("../assets/fonts/NotoSerif-BoldItalic.ttf"),
];

/// Fonts and the standard library, built once per process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// A template: its virtual path (for diagnostics) and its text.
pub(crate) struct Template {
    pub(crate) path: &'static str,
    pub(crate) text: &'static str,
}

fn file_id(path: &str) -> Result<FileId, RenderError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| RenderError::Pdf(format!("bad virtual path {path}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One compilation: the template as main file plus the caller's files.
struct FormWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl World for FormWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(bytes.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_owned()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.files
            .iter()
            .find(|(fid, _)| *fid == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// Forms print the moments they are given, never the clock.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// Compiles `template` with `files` (virtual path, content) to PDF bytes.
/// Errors carry typst's diagnostics as text.
pub(crate) fn compile_pdf(
    template: &Template,
    files: Vec<(&str, Vec<u8>)>,
) -> Result<Vec<u8>, RenderError> {
    let main = Source::new(file_id(template.path)?, template.text.to_owned());
    let files = files
        .into_iter()
        .map(|(path, data)| Ok((file_id(path)?, Bytes::new(data))))
        .collect::<Result<Vec<_>, RenderError>>()?;
    let world = FormWorld { main, files };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| RenderError::Pdf(diagnostics(&world, &errors)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| RenderError::Pdf(diagnostics(&world, &errors)))
}

/// The pieces forms 02 to 07 share (page, heading, signature), imported by
/// their templates as `/templates/common.typ`.
pub(crate) const COMMON: &str = include_str!("../templates/common.typ");

/// Compiles a form whose template reads `data` from `/data.json` and may
/// import `/templates/common.typ`. Keeping every value in the data file is
/// what makes user text print literally: it is never part of typst source.
pub(crate) fn compile_form<T: Serialize>(
    template: &Template,
    data: &T,
) -> Result<Vec<u8>, RenderError> {
    let json = serde_json::to_vec(data).map_err(|e| RenderError::Pdf(e.to_string()))?;
    compile_pdf(
        template,
        vec![
            ("/data.json", json),
            ("/templates/common.typ", COMMON.as_bytes().to_vec()),
        ],
    )
}

/// Typst's diagnostics as lines of text: `path:line: error: message (hint: …)`.
fn diagnostics(world: &FormWorld, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let location = d
                .span
                .id()
                .and_then(|id| {
                    let source = world.source(id).ok()?;
                    let range = world.range(d.span)?;
                    let line = source.lines().byte_to_line(range.start)? + 1;
                    Some(format!("{}:{line}: ", id.vpath().get_with_slash()))
                })
                .unwrap_or_default();
            let mut text = format!("{location}{severity}: {}", d.message);
            for hint in &d.hints {
                text.push_str(&format!(" (hint: {})", hint.v));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_template_is_an_error_with_typst_diagnostics() {
        let template = Template {
            path: "/templates/broken.typ",
            text: "= Tiêu đề\n#let d = json(\"/data.json\")\n#d.missing\n",
        };
        let err = compile_pdf(&template, vec![("/data.json", b"{}".to_vec())]);
        let Err(RenderError::Pdf(text)) = err else {
            panic!("expected a compile error, got {err:?}");
        };
        assert!(text.contains("/templates/broken.typ:3: error:"), "{text}");
        assert!(text.contains("missing"), "{text}");
    }

    #[test]
    fn packages_are_not_fetched() {
        let template = Template {
            path: "/templates/package.typ",
            text: "#import \"@preview/example:0.1.0\": *\n",
        };
        assert!(matches!(
            compile_pdf(&template, vec![]),
            Err(RenderError::Pdf(_))
        ));
    }
}
