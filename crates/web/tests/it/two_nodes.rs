//! Two nodes over one database: a change made through one node's services
//! reaches the other node's caches at their next use, because caches follow
//! revision numbers kept in the database, not the handlers of one node.

use jiff::civil::date;
use motcua_service::Services;
use motcua_service::access::Actor;
use motcua_service::admin::Scope;
use motcua_service::calendar::CULTURE_DAY_SETTING;
use motcua_service::store::Unit;
use motcua_testkit::{Backend, TestApp, codes};

use crate::api_auth::on_both;

on_both!(a_calendar_change_on_one_node_is_seen_by_the_other);

async fn working(node: &Services, unit: &Unit, day: jiff::civil::Date) -> bool {
    node.calendars()
        .of_unit(unit)
        .await
        .unwrap()
        .calendar
        .is_working(day)
        .unwrap()
}

async fn a_calendar_change_on_one_node_is_seen_by_the_other(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let one = Services::plain(app.db.store());
    let other = Services::plain(motcua_testkit::open_store(app.db.url()).await.unwrap());
    let system = Actor::system("cli:test");
    let unit = one.units().find_unit("unit", codes::DESK_A).await.unwrap();
    // Thursday 4 December 2025, an ordinary working day: the other node
    // loads and keeps the desk's calendar.
    let day = date(2025, 12, 4);
    assert!(working(&other, &unit, day).await);
    assert!(
        working(&other, &unit, day).await,
        "read again from the cache"
    );

    one.admin()
        .set_day_as(&system, Some(&unit), day, false, "Mất điện toàn huyện")
        .await
        .unwrap();
    assert!(
        !working(&other, &unit, day).await,
        "the other node sees the correction made through the first"
    );
    one.admin()
        .unset_day_as(&system, Some(&unit), day)
        .await
        .unwrap();
    assert!(working(&other, &unit, day).await, "and its removal");

    // A setting the calendar is built from: Culture Day (Monday 24
    // November) becomes a day off from 2025.
    let culture_day = date(2025, 11, 24);
    assert!(working(&other, &unit, culture_day).await);
    one.admin()
        .put_setting(&system, Scope::Global, CULTURE_DAY_SETTING, "2025")
        .await
        .unwrap();
    assert!(!working(&other, &unit, culture_day).await);
}
