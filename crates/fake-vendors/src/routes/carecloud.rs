//! CareCloud: `POST /users/actions/login`, `GET /customers` (`count`, `offset`, `email`) and
//! `GET /customers/{customer_id}`, below the enterprise interface's base path.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SharedState, bearer, window};
use crate::data::{CITIES, Person, hex};
use crate::fake::Fake;

/// CareCloud's entry in the fakes' registry.
pub(crate) struct FakeCareCloud;

impl Fake for FakeCareCloud {
    fn base_path(&self) -> &'static str {
        "/webservice/rest-api/enterprise-interface/v1.0"
    }

    fn routes(&self) -> Router<SharedState> {
        routes()
    }

    fn credentials(&self) -> &'static [(&'static str, &'static str)] {
        // The login flow rather than the fixed token: it is what a fake can test.
        &[
            ("login", crate::LOGIN),
            ("password", crate::PASSWORD),
            ("app_id", crate::APP_ID),
        ]
    }

    fn salt(&self) -> u64 {
        0x63617265
    }

    fn record(&self, person: &Person, rng: &mut fastrand::Rng) -> Value {
        let local = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        let language = ["cs", "en", "ar", "zh"][rng.usize(..4)];
        json!({
            "customer_id": hex(rng, 26),
            "personal_information": {
                "salutation": format!("Dear {}", person.first),
                "gender": rng.u32(1..3),
                "first_name": person.first,
                "last_name": person.last,
                "pre_nominals": "",
                "post_nominals": "",
                "birthdate": format!("19{}-0{}-1{}", rng.u32(50..99), rng.u32(1..9), rng.u32(0..9)),
                "email": person.email,
                "phone": person.phone_digits,
                "language_id": language,
                "store_id": hex(rng, 12),
                "photo_url": "",
                "address": {"address1": "Vodičkova 12", "zip": "11000", "city": CITIES[rng.usize(..CITIES.len())], "country_code": "cz"},
                "consents": [{"consent_id": hex(rng, 26), "consent_value": rng.u32(0..2), "last_change": local(person.created)}],
            },
            // Double opt-in times (text, not the seed page's booleans), absent when none.
            "doi_email": rng.bool().then(|| local(person.created)),
            "doi_phone": rng.bool().then(|| local(person.updated)),
            "last_change": local(person.updated),
            "state": if person.index % 11 == 5 { 2 } else { 1 },
        })
    }

    fn id_field(&self) -> &'static str {
        "customer_id"
    }

    fn too_many_requests(&self, _wait_seconds: u64, _limit: u32) -> Response {
        // CareCloud documents no body for 429.
        StatusCode::TOO_MANY_REQUESTS.into_response()
    }

    fn unavailable(&self) -> Response {
        // CareCloud documents no body for 503.
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    }
}

fn routes() -> Router<SharedState> {
    Router::new()
        .route("/users/actions/login", post(login))
        .route("/customers", get(list))
        .route("/customers/{customer_id}", get(one))
}

fn error(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({"error": {"type": "error", "exception": "FakeException", "title": title, "detail": detail}});
    (status, Json(body)).into_response()
}

fn authorized(state: &SharedState, headers: &HeaderMap) -> bool {
    match bearer(headers) {
        Some(crate::TOKEN) => true,
        Some(token) => state
            .tokens
            .lock()
            .is_ok_and(|tokens| tokens.contains(token)),
        None => false,
    }
}

fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "The bearer token is invalid or expired.",
    )
}

async fn login(State(state): State<SharedState>, Json(body): Json<Value>) -> Response {
    let valid = body["user_external_application_id"] == crate::APP_ID
        && body["login"] == crate::LOGIN
        && body["password"] == crate::PASSWORD;
    if !valid {
        return error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Invalid login or password.",
        );
    }
    let token = match state.tokens.lock() {
        Ok(mut tokens) => {
            let token = format!("issued-token-{}", tokens.len() + 1);
            tokens.insert(token.clone());
            token
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    Json(json!({"data": {"bearer_token": token, "valid_to": "2099-12-31 23:59:59"}}))
        .into_response()
}

#[derive(Deserialize)]
struct Params {
    count: Option<String>,
    offset: Option<String>,
    email: Option<String>,
}

async fn list(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let parse =
        |value: Option<&str>, default: usize, min: usize| match value.map(str::parse::<usize>) {
            None => Ok(default),
            Some(Ok(n)) if n >= min => Ok(n),
            Some(_) => Err(()),
        };
    let (Ok(count), Ok(offset)) = (
        parse(params.count.as_deref(), 100, 1),
        parse(params.offset.as_deref(), 0, 0),
    ) else {
        let body = json!({"error": {"type": "validation", "exception": "InvalidParameterException", "title": "Invalid parameters",
            "detail": "One or more parameters are invalid.",
            "error_data": {"invalid_params": [{"name": "count", "reason": "out_of_range", "value": params.count, "message": "count must be a number of at least 1"}]}}});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    };
    let served = state.served();
    let matching: Vec<&Value> = served
        .records
        .iter()
        .filter(|r| {
            params
                .email
                .as_deref()
                .is_none_or(|e| r["personal_information"]["email"] == e)
        })
        .collect();
    let total = matching.len();
    let body =
        json!({"data": {"customers": window(matching, offset, count), "total_items": total}});
    drop(served);
    state.page_served();
    Json(body).into_response()
}

async fn one(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(customer_id): Path<String>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    match state
        .served()
        .records
        .iter()
        .find(|r| r["customer_id"] == customer_id.as_str())
    {
        Some(record) => Json(json!({"data": record})).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "Not found",
            "No customer has this id.",
        ),
    }
}
