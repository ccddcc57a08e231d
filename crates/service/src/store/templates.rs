//! The catalog's form templates (migration 0019): which file stands behind
//! a component's form template name in a procedure.

use async_trait::async_trait;
use jiff::Timestamp;
use serde::Serialize;

use super::AuditContext;
use crate::error::ServiceResult;

/// A form template's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateFile {
    /// The procedure's code.
    pub procedure_code: String,
    /// The template's name as the components give it.
    pub name: String,
    /// The name the file is saved under.
    pub file_name: String,
    /// Its type, told from its content.
    pub media_type: String,
    /// Its SHA-256 in the file store.
    pub sha256: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// When it was uploaded.
    pub uploaded_at: Timestamp,
}

/// Form template files, audited under `procedure:<code>`.
#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// Keeps (or replaces) the file of a procedure's template.
    async fn put_template(&self, ctx: &AuditContext, t: &TemplateFile) -> ServiceResult<()>;
    /// The template files of a procedure, by name.
    async fn templates_of(&self, procedure_code: &str) -> ServiceResult<Vec<TemplateFile>>;
}
