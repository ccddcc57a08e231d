//! Form templates of the catalog (issue 19, point 1): a catalog keeper
//! uploads the file behind a component's form template name (the blank
//! "Tờ khai …" a citizen fills in), and the portal's procedure page offers
//! it for download. Files are told by their content (PDF, Word, Excel,
//! OpenDocument), kept in the file store under their SHA-256, and offered
//! only for the names the version in force uses.

use motcua_domain::catalog::Component;

use crate::access::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::files::{InMemory, file_name_problem};
use crate::store::TemplateFile;

/// The largest template accepted (blank forms are small).
pub const MAX_TEMPLATE_BYTES: usize = 10 << 20;
/// The longest file name kept.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// The type of a template told from its first bytes, with its file name's
/// extension to tell the zipped and the compound-document formats apart;
/// `None` for anything else (a page, a script, an image).
pub fn template_type(file_name: &str, head: &[u8]) -> Option<&'static str> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if head.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if head.starts_with(b"PK\x03\x04") {
        return match ext.as_str() {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            _ => None,
        };
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return match ext.as_str() {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            _ => None,
        };
    }
    None
}

fn names_template(components: &[Component], name: &str) -> bool {
    components
        .iter()
        .any(|c| c.form_template.as_deref().map(str::trim) == Some(name))
}

impl crate::services::Procedures<'_> {
    /// A catalog keeper puts the file of the template `name` of procedure
    /// `code` (a name some version's component gives), replacing any
    /// earlier one.
    pub async fn put_template(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        file_name: &str,
        content: &[u8],
    ) -> ServiceResult<TemplateFile> {
        crate::procedures::require_catalog_keeper(self.store(), actor, self.now()).await?;
        let versions = self.versions(code).await?;
        let Some(latest) = versions.first() else {
            return Err(ServiceError::not_found("procedure", code.trim()));
        };
        let name = name.trim();
        if !versions
            .iter()
            .any(|v| names_template(&v.draft.components, name))
        {
            return Err(ServiceError::invalid(
                "name",
                "no component of the procedure names this template",
            ));
        }
        let file_name = file_name.trim();
        if file_name.is_empty() {
            return Err(ServiceError::invalid("file_name", "the file's name"));
        }
        if let Some(problem) = file_name_problem(file_name, MAX_FILE_NAME_CHARS) {
            return Err(ServiceError::invalid("file_name", problem));
        }
        if content.len() > MAX_TEMPLATE_BYTES {
            return Err(ServiceError::TooLarge {
                field: "body".into(),
                limit_bytes: MAX_TEMPLATE_BYTES as u64,
            });
        }
        let Some(media_type) = template_type(file_name, content) else {
            return Err(ServiceError::invalid(
                "body",
                "a PDF, DOC, DOCX, XLS, XLSX or ODT file (told by its content and name)",
            ));
        };
        let files = self.services().dossiers().files()?;
        let stored = files.put_stream(&mut InMemory::new(content)).await?;
        let t = TemplateFile {
            procedure_code: latest.draft.code.to_string(),
            name: name.to_owned(),
            file_name: file_name.to_owned(),
            media_type: media_type.to_owned(),
            sha256: stored.sha256,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            uploaded_at: self.now(),
        };
        self.store()
            .put_template(&actor.context(self.now()), &t)
            .await?;
        Ok(t)
    }
}

impl crate::services::Portal<'_> {
    /// The template files of the version of `code` in force, by name.
    pub async fn templates(&self, code: &str) -> ServiceResult<Vec<TemplateFile>> {
        let p = self.procedure(code).await?;
        let all = self
            .store()
            .templates_of(p.version.draft.code.as_str())
            .await?;
        Ok(all
            .into_iter()
            .filter(|t| names_template(&p.version.draft.components, &t.name))
            .collect())
    }

    /// One template file of the version of `code` in force, with its
    /// content; a name it does not use answers as missing.
    pub async fn template(&self, code: &str, name: &str) -> ServiceResult<(TemplateFile, Vec<u8>)> {
        let t = self
            .templates(code)
            .await?
            .into_iter()
            .find(|t| t.name == name.trim())
            .ok_or_else(|| ServiceError::not_found("template", name.trim()))?;
        let content = self.services().dossiers().files()?.get(&t.sha256).await?;
        Ok((t, content))
    }
}

#[cfg(test)]
mod tests {
    use super::template_type;

    #[test]
    fn templates_are_told_by_content_and_name() {
        assert_eq!(
            template_type("to-khai.pdf", b"%PDF-1.7"),
            Some("application/pdf")
        );
        // A PDF's content wins over a misleading name.
        assert_eq!(
            template_type("to-khai.docx", b"%PDF-1.4"),
            Some("application/pdf")
        );
        assert!(
            template_type("to-khai.docx", b"PK\x03\x04rest")
                .unwrap()
                .contains("wordprocessingml")
        );
        assert!(
            template_type("bang.xlsx", b"PK\x03\x04rest")
                .unwrap()
                .contains("spreadsheetml")
        );
        assert_eq!(template_type("to-khai.zip", b"PK\x03\x04rest"), None);
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0];
        assert_eq!(
            template_type("to-khai.doc", &ole),
            Some("application/msword")
        );
        assert_eq!(template_type("to-khai.pdf", &ole), None);
        assert_eq!(template_type("to-khai.pdf", b"<html><script>"), None);
        assert_eq!(template_type("to-khai.docx", b""), None);
    }
}
