//! Importing dossier history: the codes the old system gave are kept, a
//! batch is written whole or not at all, and the units' daily sequences move
//! past the imported numbers so live dossiers never collide with them.

use anyhow::{Context, ensure};
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::dossier::{Channel, DossierCode, ReturnMethod, Status};
use motcua_domain::unit::{Level, UnitCode, UnitKind};
use motcua_service::ServiceError;
use motcua_service::store::{Applicant, ApplicantType, DossierState, NewDossier, NewEvent, Store};

use super::{TestDb, audit_count, ctx, date, expect_err, new_unit};

const UNIT: &str = "000.01.21.H40";

/// 4 March 2024 09:00 in Vietnam.
const RECEIVED_MS: i64 = 1_709_517_600_000;

pub(super) struct Fixture {
    unit_id: i64,
    procedure_id: i64,
    version_id: i64,
}

impl Fixture {
    /// The unit's and the procedure's ids.
    pub(super) fn ids(&self) -> (i64, i64) {
        (self.unit_id, self.procedure_id)
    }
}

pub(super) async fn fixture(store: &dyn Store) -> anyhow::Result<Fixture> {
    let unit = store
        .insert_unit(
            &ctx()?,
            &new_unit(
                UNIT,
                "Bộ phận một cửa huyện",
                UnitKind::District,
                Level::District,
                None,
            )?,
        )
        .await?;
    let version = store
        .insert_procedure(
            &ctx()?,
            &super::catalog::draft("1.004222", "Đăng ký thường trú", "Cư trú")?,
        )
        .await?;
    Ok(Fixture {
        unit_id: unit.id,
        procedure_id: version.procedure_id,
        version_id: version.version_id,
    })
}

/// A received dossier of the fixture's unit; `code` is `None` for a live one.
pub(super) fn dossier(f: &Fixture, day: Date, code: Option<&str>) -> anyhow::Result<NewDossier> {
    let at = Timestamp::from_millisecond(RECEIVED_MS)?;
    Ok(NewDossier {
        code: code.map(DossierCode::parse).transpose()?,
        unit_id: f.unit_id,
        unit_code: UnitCode::parse(UNIT)?,
        code_date: day,
        procedure_id: f.procedure_id,
        procedure_version_id: f.version_id,
        process_id: None,
        channel: Channel::InPerson,
        applicant: Applicant {
            kind: ApplicantType::Citizen,
            name: "Trần Thị Bình".to_owned(),
            identity: String::new(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
        },
        sets: 1,
        fee_dong: 20_000,
        components: Vec::new(),
        scans: Vec::new(),
        state: DossierState {
            status: Status::Received,
            return_method: ReturnMethod::InPerson,
            submitted_at: None,
            received_at: Some(at),
            original_due: None,
            current_due: None,
            near_due: None,
            clock_running: false,
            clock: None,
            holder_unit_id: Some(f.unit_id),
            holder_user_id: None,
            step_no: None,
            supplement_count: 0,
            extension_count: 0,
            ended_at: None,
            outcome: None,
            classification: None,
            result_digitised: false,
            returned_at: None,
            return_detail: None,
        },
        lookup_token: format!("token-{}", code.unwrap_or("live")),
        owner_account_id: None,
        owner_identity_verified: false,
        imported: code.is_some(),
        received_by: "import".to_owned(),
        event: NewEvent {
            at,
            actor: "import".to_owned(),
            action: "receive".to_owned(),
            from: None,
            to: Status::Received,
            note: String::new(),
            detail: serde_json::json!({ "source": "old.csv", "row": 2 }),
        },
        steps: Vec::new(),
        more_events: Vec::new(),
        outbox: Vec::new(),
        stats: Vec::new(),
    })
}

async fn dossier_count(db: &TestDb) -> anyhow::Result<i64> {
    db.query_i64("SELECT count(*) FROM dossiers").await
}

/// A batch keeps its codes; a batch with a code already taken (in the
/// database, or earlier in the batch) is refused naming that dossier's
/// index, and writes nothing, not even its good dossiers or an audit entry.
pub async fn imports_keep_codes_and_a_duplicate_writes_nothing(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let day = date(2024, 3, 4)?;
    let first = [
        dossier(&f, day, Some("000.01.21.H40-240304-0005"))?,
        dossier(&f, day, Some("000.01.21.H40-240304-0007"))?,
    ];
    let n = store.import_dossiers(&ctx()?, "old.csv", &first).await?;
    ensure!(n == 2, "two imported, got {n}");
    let d = store.dossier_by_code("000.01.21.H40-240304-0005").await?;
    ensure!(d.imported && d.code.sequence() == 5, "{d:?}");
    let events = store.dossier_events(d.id).await?;
    ensure!(
        events.len() == 1 && events[0].event.detail["source"] == "old.csv",
        "{events:?}"
    );
    let audit = audit_count(store.as_ref()).await?;

    let again = [
        dossier(&f, day, Some("000.01.21.H40-240304-0009"))?,
        dossier(&f, day, Some("000.01.21.H40-240304-0007"))?,
    ];
    let e = expect_err(
        store.import_dossiers(&ctx()?, "again.csv", &again).await,
        "importing a code already in the database",
    )?;
    ensure!(
        matches!(&e, ServiceError::Invalid { field, reason }
            if field == "dossiers[1].code" && reason.contains("000.01.21.H40-240304-0007")),
        "{e:?}"
    );
    let twice = [
        dossier(&f, day, Some("000.01.21.H40-240304-0011"))?,
        dossier(&f, day, Some("000.01.21.H40-240304-0011"))?,
    ];
    let e = expect_err(
        store.import_dossiers(&ctx()?, "twice.csv", &twice).await,
        "importing one code twice",
    )?;
    ensure!(
        matches!(&e, ServiceError::Invalid { field, .. } if field == "dossiers[1].code"),
        "{e:?}"
    );
    ensure!(
        dossier_count(db).await? == 2,
        "nothing of the refused batches was written"
    );
    for code in ["000.01.21.H40-240304-0009", "000.01.21.H40-240304-0011"] {
        let e = expect_err(store.dossier_by_code(code).await, code)?;
        ensure!(matches!(e, ServiceError::NotFound { .. }), "{code}: {e:?}");
    }
    ensure!(
        audit_count(store.as_ref()).await? == audit,
        "a refused import leaves no audit entry"
    );
    // A dossier without a code, or with another unit's code, is refused.
    let e = expect_err(
        store
            .import_dossiers(&ctx()?, "x.csv", &[dossier(&f, day, None)?])
            .await,
        "an import without a code",
    )?;
    ensure!(
        matches!(&e, ServiceError::Invalid { field, .. } if field == "dossiers[0].code"),
        "{e:?}"
    );
    let e = expect_err(
        store
            .import_dossiers(
                &ctx()?,
                "x.csv",
                &[dossier(&f, day, Some("000.02.21.H40-240304-0001"))?],
            )
            .await,
        "another unit's code",
    )?;
    ensure!(
        matches!(&e, ServiceError::Invalid { field, .. } if field == "dossiers[0].code"),
        "{e:?}"
    );
    ensure!(dossier_count(db).await? == 2, "still two");
    Ok(())
}

/// After an import, a live dossier of the same unit and day gets the number
/// after the highest imported one; a later import of lower numbers does not
/// move the sequence back; another day starts at 1.
pub async fn live_dossiers_are_numbered_after_imported_ones(db: &TestDb) -> anyhow::Result<()> {
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let day = date(2024, 3, 4)?;
    store
        .import_dossiers(
            &ctx()?,
            "old.csv",
            &[
                dossier(&f, day, Some("000.01.21.H40-240304-0007"))?,
                dossier(&f, day, Some("000.01.21.H40-240304-0002"))?,
            ],
        )
        .await?;
    let live = store
        .insert_dossier(&ctx()?, &dossier(&f, day, None)?)
        .await
        .context("live insert after the import")?;
    ensure!(
        live.code.as_str() == "000.01.21.H40-240304-0008",
        "got {}",
        live.code
    );
    store
        .import_dossiers(
            &ctx()?,
            "older.csv",
            &[dossier(&f, day, Some("000.01.21.H40-240304-0003"))?],
        )
        .await?;
    let next = store
        .insert_dossier(&ctx()?, &dossier(&f, day, None)?)
        .await?;
    ensure!(
        next.code.as_str() == "000.01.21.H40-240304-0009",
        "got {}",
        next.code
    );
    let other_day = store
        .insert_dossier(&ctx()?, &dossier(&f, date(2024, 3, 5)?, None)?)
        .await?;
    ensure!(
        other_day.code.as_str() == "000.01.21.H40-240305-0001",
        "got {}",
        other_day.code
    );
    Ok(())
}

/// A batch larger than one multi-row insert (the bulk path writes 64 rows a
/// statement): every dossier gets its own components and events, in order,
/// with increasing ids; a live dossier after it gets a fresh id; a batch
/// whose 101st code is taken is refused naming that dossier (the bulk
/// statement fails, the rows are written again one at a time to find it)
/// and writes nothing.
pub async fn large_batches_keep_each_dossiers_rows_and_name_a_taken_code(
    db: &TestDb,
) -> anyhow::Result<()> {
    use motcua_service::store::{ComponentCopy, ReceivedItem};
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let day = date(2024, 3, 4)?;
    let code = |n: usize| format!("000.01.21.H40-240304-{n:04}");
    let batch = (1..=150)
        .map(|n| {
            let mut d = dossier(&f, day, Some(&code(n)))?;
            d.event.detail = serde_json::json!({ "source": "big.csv", "row": n + 1 });
            // What separates values and rows in a bulk write (PostgreSQL's
            // COPY text), or stands for NULL there, must come back as given.
            d.applicant.address = format!("Số {n}\tXóm 2\r\nxã Nghi Phú\\Vinh");
            d.applicant.email = "\\N".to_owned();
            d.event.note = format!("Ghi chú\n{n}\t\\.");
            let mut second = d.event.clone();
            second.action = "handover".to_owned();
            second.from = Some(Status::Received);
            second.to = Status::Processing;
            second.at = second
                .at
                .checked_add(jiff::SignedDuration::from_mins(n as i64))?;
            d.more_events.push(second);
            d.components = (0..1 + n % 3)
                .map(|i| ReceivedItem {
                    name: format!("Giấy tờ {i}\tcủa hồ sơ {n}\\"),
                    form: ComponentCopy::Copy,
                    copies: 1 + i as u32,
                    digitised: n % 2 == 0,
                    reused: false,
                    file_id: None,
                })
                .collect();
            Ok(d)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let n = store.import_dossiers(&ctx()?, "big.csv", &batch).await?;
    ensure!(n == 150, "150 imported, got {n}");
    let mut last_id = 0;
    for (i, want) in batch.iter().enumerate() {
        let d = store.dossier_by_code(&code(i + 1)).await?;
        ensure!(
            d.id > last_id,
            "ids follow the batch: {} after {last_id}",
            d.id
        );
        last_id = d.id;
        ensure!(
            d.applicant == want.applicant,
            "dossier {}: {:?}",
            i + 1,
            d.applicant
        );
        let events = store.dossier_events(d.id).await?;
        ensure!(
            events.len() == 2
                && events[0].event.detail == want.event.detail
                && events[0].event.note == want.event.note
                && events[1].event.at == want.more_events[0].at
                && events[0].id < events[1].id,
            "dossier {}: {events:?}",
            i + 1
        );
        let items = store.dossier_components(d.id).await?;
        ensure!(items == want.components, "dossier {}: {items:?}", i + 1);
    }
    let live = store
        .insert_dossier(&ctx()?, &dossier(&f, day, None)?)
        .await?;
    ensure!(
        live.id > last_id && live.code.as_str() == code(151),
        "live dossier {} {} after {last_id}",
        live.id,
        live.code
    );

    let before = dossier_count(db).await?;
    let audit = audit_count(store.as_ref()).await?;
    let refused = (1..=150)
        .map(|n| {
            // The 101st takes the live dossier's code.
            let n = if n == 101 { 151 } else { 200 + n };
            dossier(&f, day, Some(&code(n)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let e = expect_err(
        store.import_dossiers(&ctx()?, "again.csv", &refused).await,
        "a large batch with a taken code",
    )?;
    ensure!(
        matches!(&e, ServiceError::Invalid { field, reason }
            if field == "dossiers[100].code" && reason.contains(&code(151))),
        "{e:?}"
    );
    ensure!(
        dossier_count(db).await? == before && audit_count(store.as_ref()).await? == audit,
        "the refused batch wrote nothing"
    );
    Ok(())
}

/// Batches over more days than one multi-row statement holds (64 days'
/// sequences, 200 counter rows; PostgreSQL then stages them and upserts
/// them in one statement): every day's sequence is raised to the highest
/// imported number, a second batch on the same days raises them again,
/// and every day's, month's and year's counters hold what both batches
/// brought, counted here from the days the test chose.
pub async fn batches_over_many_days_raise_each_days_sequence_and_count_each_day(
    db: &TestDb,
) -> anyhow::Result<()> {
    use motcua_domain::stats::{Counts, DayChange, Grain, Measure};
    let store = db.store();
    let f = fixture(store.as_ref()).await?;
    let first_day = date(2024, 1, 1)?;
    let days: Vec<Date> = (0..300)
        .map(|n| first_day.checked_add(jiff::Span::new().days(n)))
        .collect::<Result<_, _>>()?;
    let batch = |number: &dyn Fn(usize) -> u32| {
        days.iter()
            .enumerate()
            .map(|(n, day)| {
                let code = format!("{UNIT}-{}-{:04}", day.strftime("%y%m%d"), number(n));
                let mut d = dossier(&f, *day, Some(&code))?;
                let mut counts = Counts::default();
                counts.add(Measure::Received, 1);
                counts.add(Measure::Resolved, (n % 2) as i64);
                d.stats = vec![DayChange { day: *day, counts }];
                Ok(d)
            })
            .collect::<anyhow::Result<Vec<_>>>()
    };
    let first = batch(&|n| 5 + (n % 3) as u32)?;
    ensure!(store.import_dossiers(&ctx()?, "days.csv", &first).await? == 300);
    for n in [0usize, 100, 299] {
        let live = store
            .insert_dossier(&ctx()?, &dossier(&f, days[n], None)?)
            .await?;
        let want = format!("{UNIT}-{}-{:04}", days[n].strftime("%y%m%d"), 6 + n % 3);
        ensure!(
            live.code.as_str() == want,
            "day {n}: {} not {want}",
            live.code
        );
    }
    let second = batch(&|_| 20)?;
    ensure!(store.import_dossiers(&ctx()?, "again.csv", &second).await? == 300);
    let live = store
        .insert_dossier(&ctx()?, &dossier(&f, days[150], None)?)
        .await?;
    let want = format!("{UNIT}-{}-0021", days[150].strftime("%y%m%d"));
    ensure!(live.code.as_str() == want, "{} not {want}", live.code);

    let rows = store.stat_rows().await?;
    let of = |grain: Grain, bucket: Date| {
        rows.iter()
            .find(|r| r.grain == grain && r.bucket == bucket && r.key.unit_id == f.unit_id)
            .map(|r| {
                (
                    r.counts.get(Measure::Received),
                    r.counts.get(Measure::Resolved),
                )
            })
    };
    for (n, day) in days.iter().enumerate() {
        let want = (2, 2 * (n % 2) as i64);
        ensure!(
            of(Grain::Day, *day) == Some(want),
            "{day}: {:?}",
            of(Grain::Day, *day)
        );
    }
    let mut months: std::collections::BTreeMap<Date, (i64, i64)> = Default::default();
    for (n, day) in days.iter().enumerate() {
        let m = months.entry(day.first_of_month()).or_default();
        m.0 += 2;
        m.1 += 2 * (n % 2) as i64;
    }
    ensure!(
        months.len() == 10,
        "300 days from 1 January span ten months"
    );
    for (month, want) in &months {
        ensure!(
            of(Grain::Month, *month) == Some(*want),
            "{month}: {:?}",
            of(Grain::Month, *month)
        );
    }
    ensure!(
        of(Grain::Year, first_day) == Some((600, 300)),
        "2024: {:?}",
        of(Grain::Year, first_day)
    );
    Ok(())
}
