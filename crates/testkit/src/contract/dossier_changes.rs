//! Writing a computed change to a dossier: a change names the version it
//! was computed from, and one made from a stale version writes nothing at
//! all (no state, no event, no audit entry), also when it is committed in
//! the same batch as changes that succeed (SQLite's group commit).

use anyhow::ensure;
use jiff::Timestamp;
use motcua_domain::audit::verify_chain;
use motcua_domain::dossier::Status;
use motcua_service::ServiceError;
use motcua_service::store::{Dossier, DossierChange, NewEvent};

use super::dossier_import::{dossier, fixture};
use super::{TestDb, all_entries, audit_count, ctx, date, expect_err};

/// A hand-over of `from` to the unit's processing, made `minutes` after
/// 4 March 2024 09:00 (Vietnam).
fn hand_over(from: &Dossier, minutes: i64) -> anyhow::Result<DossierChange> {
    let at = Timestamp::from_millisecond(1_709_517_600_000 + minutes * 60_000)?;
    let mut state = from.state.clone();
    state.status = Status::Processing;
    state.step_no = Some(state.step_no.map_or(1, |n| n + 1));
    Ok(DossierChange {
        id: from.id,
        expected_version: from.version,
        before: from.clone(),
        state,
        event: NewEvent {
            at,
            actor: "tiepnhan".to_owned(),
            action: "hand_over".to_owned(),
            from: Some(from.state.status),
            to: Status::Processing,
            note: String::new(),
            detail: serde_json::json!({ "minutes": minutes }),
        },
        steps: Vec::new(),
        components: None,
        outbox: Vec::new(),
        stats: Vec::new(),
    })
}

/// The first change from version 1 wins; the same change again is a
/// conflict naming both versions and writes nothing; two changes sent
/// together, one current and one stale, give one success and one conflict;
/// an unknown dossier is not found. The answers match what is stored and
/// the audit chain holds one entry per success.
pub async fn a_change_from_a_stale_version_writes_nothing(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let day = date(2024, 3, 4)?;
    let d = store
        .insert_dossier(&ctx()?, &dossier(&f, day, None)?)
        .await?;
    ensure!(d.version == 1, "received at version {}", d.version);

    let v2 = store.change_dossier(&ctx()?, &hand_over(&d, 5)?).await?;
    ensure!(
        (v2.version, v2.state.status, v2.state.step_no) == (2, Status::Processing, Some(1)),
        "answered {v2:?}"
    );
    ensure!(
        store.dossier_by_code(d.code.as_str()).await? == v2,
        "the answer is what is stored"
    );
    let entries = audit_count(&*store).await?;

    let e = expect_err(
        store.change_dossier(&ctx()?, &hand_over(&d, 6)?).await,
        "the same change from version 1 again",
    )?;
    ensure!(
        matches!(&e, ServiceError::Conflict(m) if m.contains("at version 2") && m.contains("from version 1")),
        "{e:?}"
    );
    ensure!(
        store.dossier_by_code(d.code.as_str()).await? == v2,
        "unchanged"
    );
    ensure!(
        store.dossier_events(d.id).await?.len() == 2,
        "no third event"
    );
    ensure!(audit_count(&*store).await? == entries, "no audit entry");

    // Sent together: on SQLite they queue for the writer and share a batch.
    let (current, stale) = (hand_over(&v2, 7)?, hand_over(&d, 8)?);
    let c = ctx()?;
    let (ok, refused) = tokio::join!(
        store.change_dossier(&c, &current),
        store.change_dossier(&c, &stale)
    );
    let v3 = ok?;
    ensure!(
        (v3.version, v3.state.step_no) == (3, Some(2)),
        "answered {v3:?}"
    );
    let e = expect_err(refused, "a stale change beside a current one")?;
    ensure!(matches!(&e, ServiceError::Conflict(_)), "{e:?}");
    ensure!(
        store.dossier_by_code(d.code.as_str()).await? == v3,
        "v3 stored"
    );
    ensure!(
        store.dossier_events(d.id).await?.len() == 3,
        "one more event"
    );
    ensure!(audit_count(&*store).await? == entries + 1, "one more entry");

    let mut gone = hand_over(&v3, 9)?;
    gone.id = 424_242;
    let e = expect_err(
        store.change_dossier(&ctx()?, &gone).await,
        "an unknown dossier",
    )?;
    ensure!(
        matches!(
            &e,
            ServiceError::NotFound {
                what: "dossier",
                ..
            }
        ),
        "{e:?}"
    );
    let all = all_entries(&*store).await?;
    ensure!(
        verify_chain(&all) == Ok(all.len() as u64),
        "the chain verifies"
    );
    Ok(())
}
