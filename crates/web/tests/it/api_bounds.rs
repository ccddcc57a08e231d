//! Bounded input as a class (issue 16, point 6): every JSON body the API
//! document declares, and every page form, refuses a string, a list or a
//! nesting beyond the edge bounds with 422 naming the field, and writes
//! nothing. The operations are read from `/api/openapi.json`, so a route
//! added later is covered without a new test.

use motcua_domain::role::Role;
use motcua_testkit::{Backend, TestApp, codes};
use serde_json::{Map, Value, json};

use crate::api_auth::on_both;

on_both!(
    every_json_body_refuses_oversized_values_and_writes_nothing,
    page_forms_refuse_oversized_fields_and_write_nothing,
);

/// Bounds restated from the intent rather than read from the code:
/// a string of ten thousand and one characters and a list of a thousand and
/// one items are more than any field of motcua holds.
const TOO_LONG: usize = 10_001;
const TOO_MANY: usize = 1_001;

/// Resolves `{"$ref": "#/components/schemas/X"}` against the document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(doc, |v, k| &v[k]))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The top-level property names of a body schema, through `allOf`, `oneOf`
/// and `anyOf` (tagged actions declare theirs in variants).
fn properties(doc: &Value, schema: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    let schema = resolve(doc, schema);
    if let Some(p) = schema["properties"].as_object() {
        for k in p.keys() {
            if !out.contains(k) {
                out.push(k.clone());
            }
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            properties(doc, s, out, depth + 1);
        }
    }
}

/// `(method, path with parameters filled, property names)` of every
/// operation taking a JSON body.
fn json_operations(doc: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op
                .pointer("/requestBody/content/application~1json/schema")
                .filter(|s| !s.is_null())
            else {
                continue;
            };
            let mut props = Vec::new();
            properties(doc, schema, &mut props, 0);
            // Path parameters: "1" parses as an id and as any code string;
            // the body is held to its bounds before either is looked up.
            let filled: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            ops.push((method.to_uppercase(), filled, props));
        }
    }
    ops
}

async fn every_json_body_refuses_oversized_values_and_writes_nothing(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let admin = app
        .client("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let doc: Value = admin
        .http
        .get(admin.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops = json_operations(&doc);
    // The document declares bodies for at least sign-in, units, users,
    // procedures, processes, reviews, dossiers and their actions.
    assert!(
        ops.len() >= 12,
        "only {} JSON operations: {ops:?}",
        ops.len()
    );
    let before = app.audit_count().await.unwrap();
    let mut checked = 0;
    for (method, path, props) in &ops {
        let mut bodies: Vec<(String, Value)> = Vec::new();
        for p in props {
            bodies.push((p.clone(), json!({ p: "ư".repeat(TOO_LONG) })));
            bodies.push((p.clone(), json!({ p: vec![0; TOO_MANY] })));
        }
        // Whatever the schema, a nesting seventeen levels deep is refused.
        let mut deep = json!(0);
        for _ in 0..17 {
            deep = json!([deep]);
        }
        bodies.push(("deep".to_owned(), json!({ "deep": deep })));
        for (field, body) in bodies {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let r = admin
                .http
                .request(m, admin.url(path))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let ctype = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let problem: Value = r.json().await.unwrap_or(Value::Null);
            assert_eq!(status, 422, "{method} {path} {field}: {problem}");
            assert_eq!(ctype, "application/problem+json", "{method} {path}");
            let named = problem["field"].as_str().unwrap_or("");
            assert!(
                named == field || named.starts_with(&format!("{field}[")),
                "{method} {path}: the problem names {named:?}, not {field:?}: {problem}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} bodies checked");
    assert_eq!(
        app.audit_count().await.unwrap(),
        before,
        "a refused body wrote nothing"
    );
    app.close().await;
}

async fn page_forms_refuse_oversized_fields_and_write_nothing(b: Backend) {
    let app = TestApp::start(b).await.unwrap();
    let admin = app
        .client("quantri", Role::SystemAdmin, codes::PROVINCE)
        .await
        .unwrap();
    let before = app.audit_count().await.unwrap();
    let long = "ư".repeat(TOO_LONG);
    let many: Vec<(String, String)> = (0..TOO_MANY)
        .map(|i| (format!("f{i}"), "1".to_owned()))
        .collect();
    // A new unit from the administration page: a name of 10,001
    // characters, then a form of a thousand and one fields.
    let mut long_form = Map::new();
    long_form.insert("csrf_token".into(), json!(admin.csrf));
    long_form.insert("code".into(), json!("000.30.21.H40"));
    long_form.insert("name".into(), json!(long));
    let r = admin
        .http
        .post(admin.url("/quan-tri/don-vi"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&long_form).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(!page.contains(&long), "the long value is not echoed back");
    let mut fields = many;
    fields.push(("csrf_token".to_owned(), admin.csrf.clone()));
    let r = admin
        .http
        .post(admin.url("/quan-tri/don-vi"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&fields).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // The sign-in form, before anyone is known: nothing of it is written.
    let r = reqwest::Client::new()
        .post(app.url("/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([("username", long.as_str()), ("password", "x")]).unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.audit_count().await.unwrap(), before);
    let failures = app
        .db
        .query_i64("SELECT count(*) FROM login_attempts WHERE key LIKE '%ưưư%'")
        .await
        .unwrap();
    assert_eq!(
        failures, 0,
        "an oversized sign-in is not counted by its name"
    );
    app.close().await;
}
