//! The catalog's form template files (migration 0019), the same on both
//! databases.

use motcua_service::error::ServiceResult;
use motcua_service::store::{AuditContext, TemplateFile};
use serde_json::json;

use crate::conn::{Backend, Conn, Sql, commit};
use crate::convert::{instant, millis};
use crate::error::db;

/// A form template's file was put in the catalog.
pub const CATALOG_TEMPLATE: &str = "catalog.template";

pub(crate) async fn put_template<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    t: &TemplateFile,
) -> ServiceResult<()> {
    let mut tx = b.begin_write().await?;
    let c: &mut B::Conn = &mut tx;
    c.execute(
        Sql::new(
            "INSERT INTO catalog_templates (procedure_code, name, file_name, media_type, sha256, \
             size_bytes, uploaded_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (procedure_code, name) DO UPDATE SET file_name = excluded.file_name, \
             media_type = excluded.media_type, sha256 = excluded.sha256, \
             size_bytes = excluded.size_bytes, uploaded_at_ms = excluded.uploaded_at_ms",
        )
        .text(t.procedure_code.clone())
        .text(t.name.clone())
        .text(t.file_name.clone())
        .text(t.media_type.clone())
        .text(t.sha256.clone())
        .int(t.size_bytes)
        .int(millis(t.uploaded_at)),
    )
    .await
    .map_err(db)?;
    c.append(
        ctx,
        CATALOG_TEMPLATE,
        &format!("procedure:{}", t.procedure_code),
        &json!({ "name": t.name, "file_name": t.file_name, "sha256": t.sha256, "size": t.size_bytes }),
    )
    .await?;
    commit(tx).await
}

/// `name, file_name, media_type, sha256, size_bytes, uploaded_at_ms`.
type Row = (String, String, String, String, i64, i64);

pub(crate) async fn templates_of<B: Backend>(
    b: &B,
    procedure_code: &str,
) -> ServiceResult<Vec<TemplateFile>> {
    let rows: Vec<Row> = b
        .read()
        .await?
        .all(
            Sql::new(
                "SELECT name, file_name, media_type, sha256, size_bytes, uploaded_at_ms \
                 FROM catalog_templates WHERE procedure_code = $1 ORDER BY name",
            )
            .text(procedure_code),
        )
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(|(name, file_name, media_type, sha256, size_bytes, at)| {
            Ok(TemplateFile {
                procedure_code: procedure_code.to_owned(),
                name,
                file_name,
                media_type,
                sha256,
                size_bytes,
                uploaded_at: instant(at, "catalog_templates.uploaded_at_ms")?,
            })
        })
        .collect()
}

/// Implements `TemplateStore` for `$store` (called from `store_ports!`).
macro_rules! template_ports {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use motcua_service::error::ServiceResult;
            use motcua_service::store::{AuditContext, TemplateFile, TemplateStore};

            use $crate::ports::templates as tp;

            #[async_trait]
            impl TemplateStore for $store {
                async fn put_template(
                    &self,
                    ctx: &AuditContext,
                    t: &TemplateFile,
                ) -> ServiceResult<()> {
                    tp::put_template(self, ctx, t).await
                }

                async fn templates_of(
                    &self,
                    procedure_code: &str,
                ) -> ServiceResult<Vec<TemplateFile>> {
                    tp::templates_of(self, procedure_code).await
                }
            }
        };
    };
}
pub(crate) use template_ports;
