//! Corrections of what the desk typed (the service's
//! `dossiers::corrections`): the applicant's columns, the components, the
//! search terms and the event with its audit entry, in one transaction and
//! only if the dossier is still at the version the correction was computed
//! from. No status, step or statistics row is touched.
//!
//! The search terms are replaced term by term on `dossier_search`'s key
//! (term, dossier): the old ones are computed from the applicant as stored,
//! by the rule new dossiers are written with and by the rule migration 0012
//! filled older dossiers with (which keeps punctuation other than spaces,
//! dots, dashes, slashes and '+' in a number), so no term of the old name
//! or numbers is left behind without reading the table by dossier, which no
//! index serves.

use motcua_domain::search::dossier::dossier_terms;
use motcua_service::error::ServiceResult;
use motcua_service::store::{Applicant, AuditContext, Dossier, DossierCorrection};

use super::dossiers::{INSERT_TERM, event_audit, event_sql, insert_components, stale_at};
use crate::conn::{Backend, Conn, Sql, TxState, Undo, insert_audit, next_audit};
use crate::convert::millis;
use crate::error::db;

const UPDATE_APPLICANT: &str = "UPDATE dossiers SET applicant_kind = $3, applicant_name = $4, \
     applicant_folded = $5, applicant_identity = $6, applicant_phone = $7, applicant_email = $8, \
     applicant_address = $9, updated_at_ms = $10, version = version + 1 \
     WHERE id = $1 AND version = $2";

const DELETE_TERM: &str = "DELETE FROM dossier_search WHERE term = $1 AND dossier_id = $2";

/// Writes a correction; queued with the other writes (see
/// [`Backend::transact`]).
pub(crate) async fn correct_dossier<B: Backend>(
    b: &B,
    ctx: &AuditContext,
    c: &DossierCorrection,
) -> ServiceResult<Dossier> {
    let (ctx, c) = (ctx.clone(), c.clone());
    b.transact(Undo::Savepoint, move |conn, st| {
        Box::pin(async move { apply(conn, st, &ctx, &c).await })
    })
    .await
}

async fn apply<C: Conn>(
    c: &mut C,
    st: &mut TxState,
    ctx: &AuditContext,
    k: &DossierCorrection,
) -> ServiceResult<Dossier> {
    let after = k.after(ctx.at);
    let a = &k.applicant;
    let update = Sql::new(UPDATE_APPLICANT)
        .int(k.id)
        .int(k.expected_version)
        .text(a.kind.as_str())
        .text(a.name.clone())
        .text(motcua_domain::search::fold_vi(&a.name))
        .text(a.identity.clone())
        .text(a.phone.clone())
        .text(a.email.clone())
        .text(a.address.clone())
        .int(millis(ctx.at));
    if c.execute(update).await.map_err(db)? == 0 {
        return Err(stale_at(c, k.id, k.expected_version)
            .await
            .unwrap_or_else(|| {
                motcua_service::ServiceError::Internal("the dossier did not change".into())
            }));
    }
    if let Some(items) = &k.components {
        c.execute(Sql::new("DELETE FROM dossier_components WHERE dossier_id = $1").int(k.id))
            .await
            .map_err(db)?;
        insert_components(c, k.id, items).await?;
    }
    let mut rest = search_sql(k.id, &k.before.applicant, a);
    rest.push(event_sql(k.id, &k.event, false));
    c.execute_all(rest).await.map_err(db)?;
    let action = format!("dossier.{}", k.event.action);
    let code = motcua_service::store::dossier_subject(after.code.as_str());
    let detail = event_audit(after.code.as_str(), &k.event);
    // Last, so that PostgreSQL holds the chain's lock only for the end of
    // the transaction.
    let entry = next_audit(c, st, ctx, &action, &code, &detail).await?;
    c.execute(insert_audit(&entry)).await.map_err(db)?;
    st.appended(&entry);
    Ok(after)
}

/// The statements that move dossier `id`'s search terms from `before` to
/// `after`: none when the name and numbers did not change.
fn search_sql(id: i64, before: &Applicant, after: &Applicant) -> Vec<Sql> {
    let old = dossier_terms(&before.name, &before.identity, &before.phone);
    let new = dossier_terms(&after.name, &after.identity, &after.phone);
    if old == new {
        return Vec::new();
    }
    let mut gone = old;
    gone.extend(
        [&before.identity, &before.phone]
            .into_iter()
            .filter_map(|n| backfilled_number(n)),
    );
    gone.sort_unstable();
    gone.dedup();
    gone.into_iter()
        .map(|t| Sql::new(DELETE_TERM).text(t).int(id))
        .chain(
            new.into_iter()
                .map(|t| Sql::new(INSERT_TERM).text(t).int(id)),
        )
        .collect()
}

/// A number's term as migration 0012 wrote it for dossiers received before
/// it: spaces, dots, dashes, slashes and '+' dropped, upper case, a
/// leading "+84" written as "0", cut to 60 characters; `None` when empty.
fn backfilled_number(n: &str) -> Option<String> {
    let k: String = n
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '+'))
        .flat_map(char::to_uppercase)
        .collect();
    if k.is_empty() {
        return None;
    }
    let k = if n.trim_start().starts_with("+84") {
        format!("0{}", k.chars().skip(2).collect::<String>())
    } else {
        k
    };
    Some(format!("#{}", k.chars().take(60).collect::<String>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backfilled_numbers_follow_the_migrations_rule() {
        assert_eq!(
            backfilled_number("0912 345.678").as_deref(),
            Some("#0912345678")
        );
        assert_eq!(
            backfilled_number("+84 912 345 678").as_deref(),
            Some("#0912345678")
        );
        assert_eq!(backfilled_number("ab_12").as_deref(), Some("#AB_12"));
        assert_eq!(backfilled_number(" - "), None);
    }
}
