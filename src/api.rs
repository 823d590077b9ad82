//! The HTTP client for the server's JSON API (`/api/v1`).
//!
//! Every response is validated by the same core code the server uses, so a malformed catalog is
//! rejected here with a precise message and the last good catalog stays on screen.

use chrono::{DateTime, Utc};
use gloo_net::http::{Request, RequestBuilder, Response};
use kaozheng_core::rules::RuleDocument;
use kaozheng_core::{Catalog, ExamPlan, ExamResult, Registration, Site, Student};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

mod error;

pub use error::{ApiError, ErrorCode, ErrorDetail, error_detail};

/// Where the API lives; same origin as the app.
pub const API_BASE: &str = "/api/v1";
/// Phones on weak networks: give up on a request after this long and keep showing saved data.
const TIMEOUT_MS: u32 = 20_000;

/// A catalog response: new content with its tag, or "what you have is current".
pub enum Fetched<T> {
    Fresh { value: T, etag: Option<String> },
    NotModified,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PlansResponse {
    #[serde(with = "kaozheng_core::time::cst")]
    pub as_of: DateTime<Utc>,
    pub plans: Vec<ExamPlan>,
}

#[derive(Debug, Clone, Deserialize)]
struct SitesResponse {
    sites: Vec<Site>,
}

/// Sends a request with a timeout; only a failure to get any answer is an error here.
async fn send(req: RequestBuilder, body: Option<String>) -> Result<Response, ApiError> {
    let controller = web_sys::AbortController::new().map_err(|e| ApiError::Network(js_text(&e)))?;
    let signal = controller.signal();
    let timer = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let req = req
        .header("Accept", "application/json")
        // Revalidation is ours (ETag in IndexedDB); the HTTP cache would only hide 304s.
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(Some(&signal));
    let res = match body {
        Some(b) => {
            req.header("Content-Type", "application/json")
                .body(b)
                .map_err(|e| ApiError::Network(e.to_string()))?
                .send()
                .await
        }
        None => req.send().await,
    }
    .map_err(|e| ApiError::Network(e.to_string()));
    drop(timer);
    res
}

fn with_token(req: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(t) => req.header("Authorization", &format!("Bearer {t}")),
        None => req,
    }
}

async fn get(path: &str, etag: Option<&str>) -> Result<Response, ApiError> {
    let mut req = Request::get(&format!("{API_BASE}{path}"));
    if let Some(tag) = etag {
        req = req.header("If-None-Match", tag);
    }
    send(req, None).await
}

async fn get_auth(path: &str, token: &str) -> Result<Response, ApiError> {
    send(
        with_token(Request::get(&format!("{API_BASE}{path}")), Some(token)),
        None,
    )
    .await
}

async fn error_for(res: Response) -> ApiError {
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    let code = error_detail(&text).map(|d| d.code).unwrap_or_default();
    ApiError::Status { status, code }
}

async fn json<T: serde::de::DeserializeOwned>(res: Response, what: &str) -> Result<T, ApiError> {
    if !(200..300).contains(&res.status()) {
        return Err(error_for(res).await);
    }
    let text = body(res).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Invalid(format!("{what}: {e}")))
}

/// Any HTTP answer, kept whole so the outbox can classify it.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

async fn answer(res: Response) -> Result<Answer, ApiError> {
    let status = res.status();
    Ok(Answer {
        status,
        body: body(res).await?,
    })
}

async fn body(res: Response) -> Result<String, ApiError> {
    res.text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// Fetches the catalog, sending the tag of the copy we hold.
pub async fn fetch_catalog(etag: Option<&str>) -> Result<Fetched<Catalog>, ApiError> {
    let res = get("/catalog", etag).await?;
    match res.status() {
        304 => Ok(Fetched::NotModified),
        200 => {
            let etag = res.headers().get("etag");
            let text = body(res).await?;
            let value = Catalog::parse(&text).map_err(|e| ApiError::Invalid(e.to_string()))?;
            Ok(Fetched::Fresh { value, etag })
        }
        _ => Err(error_for(res).await),
    }
}

/// The exam plans, checked for times in order, or "yours is current" for the tag the phone holds.
pub async fn fetch_plans(etag: Option<&str>) -> Result<Fetched<PlansResponse>, ApiError> {
    let res = get("/plans", etag).await?;
    match res.status() {
        304 => Ok(Fetched::NotModified),
        200 => {
            let etag = res.headers().get("etag");
            let text = body(res).await?;
            let plans: PlansResponse = serde_json::from_str(&text)
                .map_err(|e| ApiError::Invalid(format!("exam plans: {e}")))?;
            for p in &plans.plans {
                p.check_times().map_err(|field| {
                    ApiError::Invalid(format!("exam plan {}: {field} out of order", p.id))
                })?;
            }
            Ok(Fetched::Fresh { value: plans, etag })
        }
        _ => Err(error_for(res).await),
    }
}

/// The exam sites, or "yours is current" for the tag the phone holds.
pub async fn fetch_sites(etag: Option<&str>) -> Result<Fetched<Vec<Site>>, ApiError> {
    let res = get("/sites", etag).await?;
    match res.status() {
        304 => Ok(Fetched::NotModified),
        200 => {
            let etag = res.headers().get("etag");
            let text = body(res).await?;
            let sites = serde_json::from_str::<SitesResponse>(&text)
                .map(|s| s.sites)
                .map_err(|e| ApiError::Invalid(format!("exam sites: {e}")))?;
            Ok(Fetched::Fresh { value: sites, etag })
        }
        _ => Err(error_for(res).await),
    }
}

/// A readable text for a JS exception.
pub fn js_text(v: &wasm_bindgen::JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string()
        .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "unknown error".into())
}

#[derive(Debug, Clone, Deserialize)]
pub struct SignedIn {
    pub token: String,
    #[serde(with = "kaozheng_core::time::cst")]
    pub expires_at: DateTime<Utc>,
    pub student: Student,
}

#[derive(Serialize)]
struct Login<'a> {
    student_no: &'a str,
    password: &'a str,
}

/// `POST /auth/login`. A wrong number or password is an `ApiError::Status` with code
/// `invalid_credentials`.
pub async fn login(student_no: &str, password: &str) -> Result<SignedIn, ApiError> {
    let body = serde_json::to_string(&Login {
        student_no,
        password,
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    json(
        send(Request::post(&format!("{API_BASE}/auth/login")), Some(body)).await?,
        "sign-in",
    )
    .await
}

#[derive(Serialize)]
struct Embed<'a> {
    assertion: &'a str,
}

/// `POST /auth/embed`: a portal's signed assertion becomes a session.
pub async fn embed(assertion: &str) -> Result<SignedIn, ApiError> {
    let body = serde_json::to_string(&Embed { assertion })
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    json(
        send(Request::post(&format!("{API_BASE}/auth/embed")), Some(body)).await?,
        "sign-in",
    )
    .await
}

/// `POST /auth/logout`: revokes the token on the server (best effort: sign-out works offline too).
pub async fn logout(token: &str) -> Result<(), ApiError> {
    let res = send(
        with_token(
            Request::post(&format!("{API_BASE}/auth/logout")),
            Some(token),
        ),
        None,
    )
    .await?;
    if (200..300).contains(&res.status()) {
        Ok(())
    } else {
        Err(error_for(res).await)
    }
}

pub async fn me(token: &str) -> Result<Student, ApiError> {
    json(get_auth("/me", token).await?, "profile").await
}

#[derive(Serialize)]
struct NewRegistration<'a> {
    client_id: &'a str,
    plan_id: &'a str,
}

/// `POST /registrations`, answered whole for the outbox to classify.
pub async fn register(token: &str, client_id: &str, plan_id: &str) -> Result<Answer, ApiError> {
    let body = serde_json::to_string(&NewRegistration { client_id, plan_id })
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let req = with_token(
        Request::post(&format!("{API_BASE}/registrations")),
        Some(token),
    );
    answer(send(req, Some(body)).await?).await
}

/// `DELETE /registrations/{id}`, answered whole for the outbox to classify.
pub async fn cancel(token: &str, registration_id: &str) -> Result<Answer, ApiError> {
    let path = format!(
        "{API_BASE}/registrations/{}",
        js_sys::encode_uri_component(registration_id)
    );
    answer(send(with_token(Request::delete(&path), Some(token)), None).await?).await
}

#[derive(Deserialize)]
struct RegistrationList {
    registrations: Vec<Registration>,
}

pub async fn registrations(token: &str) -> Result<Vec<Registration>, ApiError> {
    json::<RegistrationList>(get_auth("/registrations", token).await?, "registrations")
        .await
        .map(|l| l.registrations)
}

#[derive(Deserialize)]
struct ResultList {
    results: Vec<ExamResult>,
}

pub async fn results(token: &str) -> Result<Vec<ExamResult>, ApiError> {
    json::<ResultList>(get_auth("/results", token).await?, "results")
        .await
        .map(|l| l.results)
}

/// A rule document of kind `T` with its JSON text for storing as served, or "yours is current"
/// for the tag the phone holds. The document passes its own checks ([`RuleDocument::problems`])
/// or is refused, so the last good one stays.
pub async fn rules<T: RuleDocument>(etag: Option<&str>) -> Result<Fetched<(T, String)>, ApiError> {
    let kind = T::KIND;
    let res = get(&format!("/rules/{kind}"), etag).await?;
    match res.status() {
        304 => Ok(Fetched::NotModified),
        200 => {
            let etag = res.headers().get("etag");
            let text = body(res).await?;
            let rules: T = serde_json::from_str(&text)
                .map_err(|e| ApiError::Invalid(format!("{kind} rules: {e}")))?;
            let problems = rules.problems();
            if !problems.is_empty() {
                return Err(ApiError::Invalid(format!(
                    "{kind} rules: {}",
                    problems.join("; ")
                )));
            }
            Ok(Fetched::Fresh {
                value: (rules, text),
                etag,
            })
        }
        _ => Err(error_for(res).await),
    }
}

#[derive(Deserialize)]
struct EmbedConfig {
    portal_origins: Vec<String>,
}

/// The origins allowed to embed the app and talk to it (`GET /embed/config`).
pub async fn embed_config() -> Result<Vec<String>, ApiError> {
    json::<EmbedConfig>(get("/embed/config", None).await?, "embed config")
        .await
        .map(|c| c.portal_origins)
}

#[derive(Serialize)]
struct FeedbackBody<'a> {
    client_id: &'a str,
    ratings: &'a kaozheng_core::feedback::Ratings,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

/// `PUT /feedback/{certificate_id}/{level}`, answered whole for the outbox to classify.
pub async fn put_feedback(
    token: &str,
    client_id: &str,
    certificate_id: &str,
    level: kaozheng_core::XLevel,
    ratings: &kaozheng_core::feedback::Ratings,
    comment: Option<&str>,
) -> Result<Answer, ApiError> {
    let body = serde_json::to_string(&FeedbackBody {
        client_id,
        ratings,
        comment,
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let path = format!(
        "{API_BASE}/feedback/{}/{}",
        js_sys::encode_uri_component(certificate_id),
        level.as_str()
    );
    answer(send(with_token(Request::put(&path), Some(token)), Some(body)).await?).await
}

#[derive(Deserialize)]
struct FeedbackList {
    feedback: Vec<kaozheng_core::feedback::Feedback>,
}

/// `GET /feedback`: the student's own feedback.
pub async fn my_feedback(token: &str) -> Result<Vec<kaozheng_core::feedback::Feedback>, ApiError> {
    json::<FeedbackList>(get_auth("/feedback", token).await?, "feedback")
        .await
        .map(|l| l.feedback)
}

/// `GET /feedback/aggregates?certificate_id=`: only levels with enough respondents.
pub async fn feedback_aggregates(
    certificate_id: &str,
) -> Result<kaozheng_core::feedback::CertificateAggregates, ApiError> {
    let path = format!(
        "/feedback/aggregates?certificate_id={}",
        js_sys::encode_uri_component(certificate_id)
    );
    json(get(&path, None).await?, "feedback aggregates").await
}

/// The public certificate look-up's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Verification {
    pub valid: bool,
    /// `valid`, or `public_notice` while the result is in 公示 and may change.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
    #[serde(default)]
    pub certificate_id: Option<String>,
    #[serde(default)]
    pub certificate_name: Option<String>,
    #[serde(default)]
    pub level: Option<kaozheng_core::XLevel>,
    #[serde(default, with = "kaozheng_core::time::date_opt")]
    pub issued_on: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub org_name: Option<String>,
}

/// `GET /certificates/verify?no=…&check=…` (from a QR) or `&name=…` (typed by an employer).
pub async fn verify_certificate(
    no: &str,
    check: Option<&str>,
    name: Option<&str>,
) -> Result<Verification, ApiError> {
    let mut path = format!(
        "/certificates/verify?no={}",
        js_sys::encode_uri_component(no)
    );
    if let Some(c) = check {
        path.push_str(&format!("&check={}", js_sys::encode_uri_component(c)));
    }
    if let Some(n) = name {
        path.push_str(&format!("&name={}", js_sys::encode_uri_component(n)));
    }
    json(get(&path, None).await?, "verification").await
}
