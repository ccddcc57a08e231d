//! Correcting what the desk typed: the applicant's columns, the components
//! and the search terms change with the event and its audit entry in one
//! transaction; a correction made from a stale version writes nothing; no
//! term of the old name or numbers is left behind, also one written by the
//! rule migration 0012 filled older dossiers with.

use anyhow::ensure;
use jiff::Timestamp;
use motcua_domain::dossier::Status;
use motcua_domain::search::dossier::DossierQuery;
use motcua_service::ServiceError;
use motcua_service::store::{
    ComponentCopy, Dossier, DossierCorrection, DossierFilter, NewEvent, ReceivedItem, Store,
};

use super::dossier_import::{dossier, fixture};
use super::{TestDb, all_entries, audit_count, ctx, date, expect_err};

fn item(name: &str, form: ComponentCopy, copies: u32) -> ReceivedItem {
    ReceivedItem {
        name: name.to_owned(),
        form,
        copies,
        digitised: false,
        reused: false,
        file_id: None,
    }
}

/// A correction of `from` to the name, identity and phone given, with the
/// components when given.
fn correction(
    from: &Dossier,
    name: &str,
    identity: &str,
    phone: &str,
    components: Option<Vec<ReceivedItem>>,
) -> anyhow::Result<DossierCorrection> {
    let mut applicant = from.applicant.clone();
    applicant.name = name.to_owned();
    applicant.identity = identity.to_owned();
    applicant.phone = phone.to_owned();
    Ok(DossierCorrection {
        id: from.id,
        expected_version: from.version,
        before: from.clone(),
        applicant,
        components,
        event: NewEvent {
            at: Timestamp::from_millisecond(1_709_524_800_000)?,
            actor: "tiepnhan".to_owned(),
            action: "correct".to_owned(),
            from: Some(from.state.status),
            to: from.state.status,
            note: String::new(),
            detail: serde_json::json!({ "reason": "Nhập nhầm" }),
        },
    })
}

/// The dossiers the search box finds for `q`, by id.
async fn found(store: &dyn Store, q: &str) -> anyhow::Result<Vec<i64>> {
    let f = DossierFilter {
        text: Some(DossierQuery::parse(q)?),
        limit: 50,
        ..DossierFilter::default()
    };
    Ok(store
        .list_dossiers(&f)
        .await?
        .iter()
        .map(|r| r.id)
        .collect())
}

/// The first correction from version 1 writes the applicant, the
/// components, the event and one audit entry, and moves the search terms
/// (the old name and phone find nothing, the new ones find the dossier, the
/// unchanged identity still does); the same correction again is a conflict
/// that writes nothing.
pub async fn a_correction_rewrites_the_applicant_and_the_search_terms(
    db: &TestDb,
) -> anyhow::Result<()> {
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let mut new = dossier(&f, date(2024, 3, 4)?, None)?;
    new.applicant.identity = "040095000123".to_owned();
    new.applicant.phone = "0912 345 678".to_owned();
    new.components = vec![item("Tờ khai", ComponentCopy::Original, 1)];
    let d = store.insert_dossier(&ctx()?, &new).await?;
    ensure!(
        found(store.as_ref(), "tran thi").await? == vec![d.id],
        "found by name"
    );
    ensure!(
        found(store.as_ref(), "0912345").await? == vec![d.id],
        "by phone"
    );
    let entries = audit_count(store.as_ref()).await?;

    let items = vec![
        item("Tờ khai", ComponentCopy::Copy, 2),
        item("Giấy chứng sinh", ComponentCopy::Original, 1),
    ];
    let c = correction(
        &d,
        "Lê Văn Cường",
        "040095000123",
        "0987 654 321",
        Some(items.clone()),
    )?;
    let after = store.correct_dossier(&ctx()?, &c).await?;
    ensure!(
        after.version == 2 && after.applicant.name == "Lê Văn Cường",
        "answered {after:?}"
    );
    ensure!(after.state == d.state, "the state is untouched");
    ensure!(
        store.dossier_by_code(d.code.as_str()).await? == after,
        "the answer is what is stored"
    );
    ensure!(
        store.dossier_components(d.id).await? == items,
        "components replaced"
    );
    let events = store.dossier_events(d.id).await?;
    ensure!(events.len() == 2, "{events:?}");
    let e = &events[1].event;
    ensure!(
        e.action == "correct" && e.from == Some(Status::Received) && e.to == Status::Received,
        "{e:?}"
    );
    ensure!(
        audit_count(store.as_ref()).await? == entries + 1,
        "one audit entry"
    );
    let last = all_entries(store.as_ref()).await?;
    let last = last.last().ok_or_else(|| anyhow::anyhow!("no entry"))?;
    ensure!(
        last.action == "dossier.correct" && last.subject == format!("dossier:{}", d.code),
        "{last:?}"
    );
    ensure!(
        found(store.as_ref(), "tran thi").await?.is_empty(),
        "old name"
    );
    ensure!(
        found(store.as_ref(), "0912345").await?.is_empty(),
        "old phone"
    );
    ensure!(
        found(store.as_ref(), "le van cuong").await? == vec![d.id],
        "new name"
    );
    ensure!(
        found(store.as_ref(), "cuong").await? == vec![d.id],
        "a later word"
    );
    ensure!(
        found(store.as_ref(), "0987654").await? == vec![d.id],
        "new phone"
    );
    ensure!(
        found(store.as_ref(), "040095").await? == vec![d.id],
        "same identity"
    );
    let terms = db
        .query_i64(&format!(
            "SELECT count(*) FROM dossier_search WHERE dossier_id = {}",
            d.id
        ))
        .await?;
    // "le van cuong", "van cuong", "cuong", "#040095000123", "#0987654321".
    ensure!(terms == 5, "{terms} terms");

    let e = expect_err(
        store
            .correct_dossier(&ctx()?, &correction(&d, "Phạm Thị Dung", "", "", None)?)
            .await,
        "the same correction from version 1 again",
    )?;
    ensure!(
        matches!(&e, ServiceError::Conflict(m) if m.contains("at version 2")),
        "{e:?}"
    );
    ensure!(
        store.dossier_by_code(d.code.as_str()).await? == after,
        "unchanged"
    );
    ensure!(store.dossier_events(d.id).await?.len() == 2, "no event");
    ensure!(
        audit_count(store.as_ref()).await? == entries + 1,
        "no audit entry"
    );
    ensure!(
        found(store.as_ref(), "pham thi").await?.is_empty(),
        "no term"
    );
    Ok(())
}

/// A dossier whose number term the migration wrote with punctuation the
/// live rule drops loses that term too when the number is corrected.
pub async fn a_correction_removes_the_migrations_terms_too(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let mut new = dossier(&f, date(2024, 3, 4)?, None)?;
    new.applicant.identity = "ab_12".to_owned();
    let d = store.insert_dossier(&ctx()?, &new).await?;
    // As migration 0012 filled it for a dossier received before it.
    db.execute(&format!(
        "INSERT INTO dossier_search (term, dossier_id) VALUES ('#AB_12', {})",
        d.id
    ))
    .await?;
    let terms = format!(
        "SELECT count(*) FROM dossier_search WHERE dossier_id = {} AND term LIKE '#%'",
        d.id
    );
    ensure!(db.query_i64(&terms).await? == 2, "'#AB12' and '#AB_12'");
    store
        .correct_dossier(
            &ctx()?,
            &correction(&d, &d.applicant.name, "040095000123", "", None)?,
        )
        .await?;
    ensure!(
        db.query_i64(&terms).await? == 1,
        "only the new number's term"
    );
    ensure!(
        found(store.as_ref(), "040095000123").await? == vec![d.id],
        "new"
    );
    ensure!(
        found(store.as_ref(), "tran thi").await? == vec![d.id],
        "same name"
    );
    Ok(())
}
