//! The HTTP client for the server's JSON API (`/api/v1`).
//!
//! Every response is validated by the same core code the server uses, so a malformed catalog is
//! rejected here with a precise message and the last good catalog stays on screen.

use gloo_net::http::{Request, RequestBuilder, Response};
use kaozheng_api::auth::{EmbedRequest, LoginRequest};
use kaozheng_api::endpoint::with_query;
use kaozheng_api::endpoints::{
    CancelRegistration, Embed, FeedbackAggregates, GetCatalog, GetEmbedConfig, GetMe, GetRuleSet,
    ListFeedback, ListPlans, ListRegistrations, ListResults, ListSites, Login, Logout, PutFeedback,
    Register, VerifyCertificate,
};
use kaozheng_api::feedback::{FeedbackList, FeedbackRequest};
use kaozheng_api::{
    EmbedConfig, Endpoint, NewRegistration, RegistrationList, ResultList, SiteList,
};
use kaozheng_core::rules::RuleDocument;
use kaozheng_core::{Catalog, ExamPlan, ExamResult, Registration, Site, Student};
use wasm_bindgen::JsCast;

mod error;

pub use error::{ApiError, ErrorCode, ErrorDetail, error_detail};
pub use kaozheng_api::auth::Session as SignedIn;
pub use kaozheng_api::verify::{CertificateStatus, CertificateVerification as Verification};

/// The exam plans as the app keeps them: each item read as its bare plan.
pub type PlansResponse = kaozheng_api::plans::PlanList<ExamPlan>;

/// Phones on weak networks: give up on a request after this long and keep showing saved data.
const TIMEOUT_MS: u32 = 20_000;

/// A catalog response: new content with its tag, or "what you have is current".
pub enum Fetched<T> {
    Fresh { value: T, etag: Option<String> },
    NotModified,
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

/// A path or query value, percent-encoded.
fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// The path of an endpoint without parameters.
fn path<E: Endpoint>() -> &'static str {
    E::PATH
}

async fn get(path: &str, etag: Option<&str>) -> Result<Response, ApiError> {
    let mut req = Request::get(path);
    if let Some(tag) = etag {
        req = req.header("If-None-Match", tag);
    }
    send(req, None).await
}

async fn get_auth(path: &str, token: &str) -> Result<Response, ApiError> {
    send(with_token(Request::get(path), Some(token)), None).await
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
    kaozheng_core::objects::from_str(&text).map_err(|e| ApiError::Invalid(format!("{what}: {e}")))
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

/// A revalidated GET: the body with its tag, or "yours is current" for the tag the phone holds.
/// One non-generic path for every tagged set, so each set adds only its parsing.
pub async fn fetch_text(path: &str, etag: Option<&str>) -> Result<Fetched<String>, ApiError> {
    let res = get(path, etag).await?;
    match res.status() {
        304 => Ok(Fetched::NotModified),
        200 => {
            let etag = res.headers().get("etag");
            Ok(Fetched::Fresh {
                value: body(res).await?,
                etag,
            })
        }
        _ => Err(error_for(res).await),
    }
}

impl<T> Fetched<T> {
    /// Parses fresh content; "yours is current" stays as it is.
    fn parse<U>(self, f: impl FnOnce(T) -> Result<U, ApiError>) -> Result<Fetched<U>, ApiError> {
        Ok(match self {
            Fetched::Fresh { value, etag } => Fetched::Fresh {
                value: f(value)?,
                etag,
            },
            Fetched::NotModified => Fetched::NotModified,
        })
    }
}

/// Fetches the catalog, sending the tag of the copy we hold.
pub async fn fetch_catalog(etag: Option<&str>) -> Result<Fetched<Catalog>, ApiError> {
    fetch_text(path::<GetCatalog>(), etag)
        .await?
        .parse(|text| Catalog::parse(&text).map_err(|e| ApiError::Invalid(e.to_string())))
}

/// The exam plans, checked for times in order, or "yours is current" for the tag the phone holds.
pub async fn fetch_plans(etag: Option<&str>) -> Result<Fetched<PlansResponse>, ApiError> {
    fetch_text(path::<ListPlans>(), etag).await?.parse(|text| {
        let plans: PlansResponse = kaozheng_core::objects::from_str(&text)
            .map_err(|e| ApiError::Invalid(format!("exam plans: {e}")))?;
        for p in &plans.plans {
            p.check_times().map_err(|field| {
                ApiError::Invalid(format!("exam plan {}: {field} out of order", p.id))
            })?;
        }
        Ok(plans)
    })
}

/// The exam sites, or "yours is current" for the tag the phone holds.
pub async fn fetch_sites(etag: Option<&str>) -> Result<Fetched<Vec<Site>>, ApiError> {
    fetch_text(path::<ListSites>(), etag).await?.parse(|text| {
        kaozheng_core::objects::from_str::<SiteList>(&text)
            .map(|s| s.sites)
            .map_err(|e| ApiError::Invalid(format!("exam sites: {e}")))
    })
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

/// `POST /auth/login`. A wrong number or password is an `ApiError::Status` with code
/// `invalid_credentials`.
pub async fn login(student_no: &str, password: &str) -> Result<SignedIn, ApiError> {
    let body = serde_json::to_string(&LoginRequest {
        student_no: student_no.into(),
        password: password.into(),
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    json(
        send(Request::post(path::<Login>()), Some(body)).await?,
        "sign-in",
    )
    .await
}

/// `POST /auth/embed`: a portal's signed assertion becomes a session.
pub async fn embed(assertion: &str) -> Result<SignedIn, ApiError> {
    let body = serde_json::to_string(&EmbedRequest {
        assertion: assertion.into(),
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    json(
        send(Request::post(path::<Embed>()), Some(body)).await?,
        "sign-in",
    )
    .await
}

/// `POST /auth/logout`: revokes the token on the server (best effort: sign-out works offline too).
pub async fn logout(token: &str) -> Result<(), ApiError> {
    let res = send(
        with_token(Request::post(path::<Logout>()), Some(token)),
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
    json(get_auth(path::<GetMe>(), token).await?, "profile").await
}

/// `POST /registrations`, answered whole for the outbox to classify.
pub async fn register(token: &str, client_id: &str, plan_id: &str) -> Result<Answer, ApiError> {
    let body = serde_json::to_string(&NewRegistration {
        client_id: client_id.into(),
        plan_id: plan_id.into(),
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let req = with_token(Request::post(path::<Register>()), Some(token));
    answer(send(req, Some(body)).await?).await
}

/// `DELETE /registrations/{id}`, answered whole for the outbox to classify.
pub async fn cancel(token: &str, registration_id: &str) -> Result<Answer, ApiError> {
    let path = CancelRegistration::path(&[registration_id], encode);
    answer(send(with_token(Request::delete(&path), Some(token)), None).await?).await
}

pub async fn registrations(token: &str) -> Result<Vec<Registration>, ApiError> {
    json::<RegistrationList>(
        get_auth(path::<ListRegistrations>(), token).await?,
        "registrations",
    )
    .await
    .map(|l| l.registrations)
}

pub async fn results(token: &str) -> Result<Vec<ExamResult>, ApiError> {
    json::<ResultList>(get_auth(path::<ListResults>(), token).await?, "results")
        .await
        .map(|l| l.results)
}

/// Where the rule documents are served together; [`fetch_text`] gets them, [`rule_members`]
/// splits them and [`parse_rules`] checks each before anything keeps it.
pub fn rule_set_path() -> &'static str {
    path::<GetRuleSet>()
}

/// The members of a rule set as the texts they were sent as, by kind, so that each is checked,
/// shown and stored on its own (a refused one leaves the last good copy of that kind alone).
pub fn rule_members(text: &str) -> Result<Vec<(&str, &str)>, ApiError> {
    kaozheng_core::objects::members(text)
        .ok_or_else(|| ApiError::Invalid("rules: not an object of rule documents".into()))
}

/// A rule document of kind `T`: it passes its own checks ([`RuleDocument::problems`]) or is
/// refused, so the last good one stays.
pub fn parse_rules<T: RuleDocument>(text: &str) -> Result<T, ApiError> {
    let kind = T::KIND;
    let rules: T = kaozheng_core::objects::from_str(text)
        .map_err(|e| ApiError::Invalid(format!("{kind} rules: {e}")))?;
    let problems = rules.problems();
    if !problems.is_empty() {
        return Err(ApiError::Invalid(format!(
            "{kind} rules: {}",
            problems.join("; ")
        )));
    }
    Ok(rules)
}

/// The origins allowed to embed the app and talk to it (`GET /embed/config`).
pub async fn embed_config() -> Result<Vec<String>, ApiError> {
    json::<EmbedConfig>(get(path::<GetEmbedConfig>(), None).await?, "embed config")
        .await
        .map(|c| c.portal_origins)
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
    let body = serde_json::to_string(&FeedbackRequest {
        client_id: client_id.into(),
        ratings: *ratings,
        comment: comment.map(str::to_string),
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let path = PutFeedback::path(&[certificate_id, level.as_str()], encode);
    answer(send(with_token(Request::put(&path), Some(token)), Some(body)).await?).await
}

/// `GET /feedback`: the student's own feedback.
pub async fn my_feedback(token: &str) -> Result<Vec<kaozheng_core::feedback::Feedback>, ApiError> {
    json::<FeedbackList>(get_auth(path::<ListFeedback>(), token).await?, "feedback")
        .await
        .map(|l| l.feedback)
}

/// `GET /feedback/aggregates?certificate_id=`: only levels with enough respondents.
pub async fn feedback_aggregates(
    certificate_id: &str,
) -> Result<kaozheng_core::feedback::CertificateAggregates, ApiError> {
    let path = with_query(
        path::<FeedbackAggregates>().into(),
        &[("certificate_id", Some(certificate_id))],
        encode,
    );
    json(get(&path, None).await?, "feedback aggregates").await
}

/// `GET /certificates/verify?no=…&check=…` (from a QR) or `&name=…` (typed by an employer).
pub async fn verify_certificate(
    no: &str,
    check: Option<&str>,
    name: Option<&str>,
) -> Result<Verification, ApiError> {
    let path = with_query(
        path::<VerifyCertificate>().into(),
        &[("no", Some(no)), ("check", check), ("name", name)],
        encode,
    );
    json(get(&path, None).await?, "verification").await
}
