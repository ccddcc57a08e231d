//! What anyone may read without signing in: the catalog as it is in force
//! today, where each procedure is submitted, and a dossier's status by the
//! code and check value printed on its receipt.
//!
//! These use cases take no principal on purpose: the catalog is public by
//! law (Decree 63/2010, the national portal publishes it), and the status
//! lookup is guarded by the receipt's secret instead of an account. What
//! they return is limited to what is published: versions in force today
//! (never a draft for next month, never a superseded text), units that
//! exist today, and a dossier's progress without the applicant's data.

use jiff::civil::Date;
use motcua_domain::search::{SearchHit, fold_vi};
use motcua_domain::unit::Level;

use crate::error::{ServiceError, ServiceResult};
use crate::procedures::parse_code;
use crate::services::Portal;
use crate::store::{ProcedureFilter, ProcedureVersion, PublicStatus, Unit};

/// The longest search text a visitor may send.
pub const MAX_QUERY_CHARS: usize = 200;

/// Procedures a visitor asked for.
#[derive(Debug, Clone)]
pub enum Found {
    /// No search text: the catalog in code order, one page.
    Listed {
        /// Procedures in force today.
        items: Vec<ProcedureVersion>,
        /// The last code of this page when another may follow.
        next_after: Option<String>,
    },
    /// Ranked hits for the search text.
    Hits(Vec<SearchHit>),
}

/// A procedure's public page: the version in force and where it is
/// submitted.
#[derive(Debug, Clone)]
pub struct PublicProcedure {
    /// The version in force today.
    pub version: ProcedureVersion,
    /// Units that receive it today, top level first, then by name in
    /// Vietnamese order (diacritics folded).
    pub places: Vec<Unit>,
}

/// Whether a unit exists on `day`.
fn exists_on(u: &Unit, day: Date) -> bool {
    u.valid_from <= day && u.valid_to.is_none_or(|t| t >= day)
}

fn level_rank(l: Level) -> u8 {
    match l {
        Level::Central => 0,
        Level::Province => 1,
        Level::District => 2,
        Level::Commune => 3,
    }
}

impl Portal<'_> {
    /// The catalog in force today: ranked hits for `query` (at most
    /// `limit`), or, without a query, a page in code order after `after`.
    pub async fn find_procedures(
        &self,
        query: &str,
        after: Option<&str>,
        limit: u32,
    ) -> ServiceResult<Found> {
        let query = query.trim();
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(ServiceError::invalid(
                "q",
                format!("a search of at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        let filter = ProcedureFilter {
            on: Some(self.services().today()),
            ..ProcedureFilter::default()
        };
        let limit = limit.clamp(1, 100);
        if query.is_empty() {
            let after = after.map(str::trim).filter(|a| !a.is_empty());
            let items =
                crate::procedures::list(self.store(), &filter, after.map(str::to_owned), limit)
                    .await?;
            let next_after = (items.len() == limit as usize)
                .then(|| items.last().map(|v| v.draft.code.to_string()))
                .flatten();
            return Ok(Found::Listed { items, next_after });
        }
        let hits = crate::procedures::search(self.store(), query, &filter, limit).await?;
        Ok(Found::Hits(hits))
    }

    /// A procedure as in force today with the units that receive it; an
    /// unknown code, or one not yet (or no longer) in force, is not found.
    pub async fn procedure(&self, code: &str) -> ServiceResult<PublicProcedure> {
        let code = parse_code("code", code.trim())?;
        let today = self.services().today();
        let version = self.store().procedure(&code, Some(today)).await?;
        let ids = self.store().procedure_units(&code).await?;
        let mut places: Vec<Unit> = self
            .store()
            .list_units()
            .await?
            .into_iter()
            .filter(|u| ids.contains(&u.id) && exists_on(u, today))
            .collect();
        // "Đô Lương" among the D's, not after "Yên Thành" as bytes would.
        places.sort_by_cached_key(|u| (level_rank(u.level), fold_vi(&u.name), u.name.clone()));
        Ok(PublicProcedure { version, places })
    }

    /// The one-stop units an online submission of `code` may go to today:
    /// desks and service centres under a unit that receives the procedure,
    /// in Vietnamese order.
    pub async fn online_places(&self, code: &str) -> ServiceResult<Vec<Unit>> {
        use motcua_domain::unit::UnitKind;
        let code = parse_code("procedure", code.trim())?;
        let today = self.services().today();
        let assigned = self.store().procedure_units(&code).await?;
        let all = self.store().list_units().await?;
        let parent: std::collections::HashMap<i64, Option<i64>> =
            all.iter().map(|u| (u.id, u.parent_id)).collect();
        let under_assigned = |mut id: Option<i64>| {
            // The tree is shallow; the bound stops a corrupt cycle.
            for _ in 0..16 {
                let Some(i) = id else { return false };
                if assigned.contains(&i) {
                    return true;
                }
                id = parent.get(&i).copied().flatten();
            }
            false
        };
        let mut out: Vec<Unit> = all
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Desk | UnitKind::ServiceCentre))
            .filter(|u| exists_on(u, today) && under_assigned(Some(u.id)))
            .cloned()
            .collect();
        out.sort_by_cached_key(|u| (fold_vi(&u.name), u.name.clone()));
        Ok(out)
    }

    /// A dossier's public status by its code and the check value on its
    /// receipt; a wrong value answers like an unknown code.
    pub async fn status(&self, code: &str, check: &str) -> ServiceResult<PublicStatus> {
        if code.len() > 100 || check.len() > 200 {
            return Err(ServiceError::not_found("dossier", "?"));
        }
        self.services().dossiers().public_status(code, check).await
    }
}
