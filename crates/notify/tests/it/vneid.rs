//! The VNeID adapter against the simulator: the whole authorisation-code
//! flow as a browser and the server would run it, and what the provider
//! refuses (a reused or forged code, another redirect address, a wrong
//! client secret) reaching the server as refusals, a provider that does
//! not answer as unavailable.

use motcua_notify::simulators::{VneidSimulator, demo_people};
use motcua_notify::vneid::{OidcIdentity, OidcSettings};
use motcua_service::ServiceError;
use motcua_service::identity::IdentityProvider;

const BACK: &str = "http://127.0.0.1:9/cong-dan/vneid/ve";

/// What a browser does: opens the authorisation page, picks the person
/// in `line`, follows the approval; answers the code and state the
/// provider sent back.
async fn browse(adapter: &OidcIdentity, state: &str, line: usize) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(adapter.authorize_url(state, BACK))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let links: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let link = links[line].replace("&amp;", "&");
    let base = adapter.authorize_url("", BACK);
    let origin: String = base.split("/authorize").next().unwrap().to_owned();
    let r = http.get(format!("{origin}{link}")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(BACK), "{location}");
    let q: Vec<(String, String)> =
        serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).unwrap().1.clone();
    (get("code"), get("state"))
}

fn adapter(sim: &VneidSimulator, secret: &str) -> OidcIdentity {
    OidcIdentity::new(sim.settings("motcua-demo", secret)).unwrap()
}

#[tokio::test]
async fn a_person_signs_in_and_the_code_works_once() {
    let sim = VneidSimulator::start("motcua-demo", "bi-mat", demo_people())
        .await
        .unwrap();
    let a = adapter(&sim, "bi-mat");
    let (code, state) = browse(&a, "trang-thai-1", 1).await;
    assert_eq!(state, "trang-thai-1");
    let who = a.exchange(&code, BACK).await.unwrap();
    let expected = &demo_people()[1];
    assert_eq!(who.subject, expected.subject);
    assert_eq!(who.full_name, expected.name);
    assert_eq!(who.identity_number, expected.identity_number);
    assert_eq!(who.phone.as_deref(), Some(expected.phone.as_str()));
    assert_eq!(who.level, expected.level);
    // Replayed: refused.
    let again = a.exchange(&code, BACK).await.unwrap_err();
    assert!(
        matches!(again, ServiceError::Unauthenticated(_)),
        "{again:?}"
    );
}

#[tokio::test]
async fn forged_codes_other_addresses_and_wrong_secrets_are_refused() {
    let sim = VneidSimulator::start("motcua-demo", "bi-mat", demo_people())
        .await
        .unwrap();
    let a = adapter(&sim, "bi-mat");
    for code in ["", "khong-co", &"x".repeat(600)] {
        let e = a.exchange(code, BACK).await.unwrap_err();
        assert!(
            matches!(e, ServiceError::Unauthenticated(_)),
            "{code}: {e:?}"
        );
    }
    let (code, _) = browse(&a, "s", 0).await;
    let e = a
        .exchange(&code, "http://127.0.0.1:9/khac")
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Unauthenticated(_)), "{e:?}");
    // The code died with the failed try: the right address no longer works.
    assert!(a.exchange(&code, BACK).await.is_err());
    let (code, _) = browse(&a, "s", 0).await;
    let wrong = adapter(&sim, "sai-bi-mat");
    let e = wrong.exchange(&code, BACK).await.unwrap_err();
    assert!(matches!(e, ServiceError::Unauthenticated(_)), "{e:?}");
}

#[tokio::test]
async fn a_provider_that_does_not_answer_is_unavailable_and_bad_settings_are_named() {
    let dead = OidcIdentity::new(OidcSettings {
        authorize_url: "http://127.0.0.1:9/authorize".into(),
        token_url: "http://127.0.0.1:9/token".into(),
        userinfo_url: "http://127.0.0.1:9/userinfo".into(),
        client_id: "c".into(),
        client_secret: motcua_notify::Secret::new("s"),
        timeout_secs: 2,
    })
    .unwrap();
    let e = dead.exchange("ma", BACK).await.unwrap_err();
    assert!(matches!(e, ServiceError::Unavailable(_)), "{e:?}");
    let bad = OidcIdentity::new(OidcSettings {
        authorize_url: "khong-phai-dia-chi".into(),
        token_url: "http://127.0.0.1:9/token".into(),
        userinfo_url: "http://127.0.0.1:9/userinfo".into(),
        client_id: "c".into(),
        client_secret: motcua_notify::Secret::new("s"),
        timeout_secs: 2,
    });
    match bad {
        Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "vneid.authorize_url"),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("accepted a bad address"),
    }
}
