//! Signing in and out of the staff page: the form posts a username and password, the answer sets
//! the session cookie (HttpOnly, SameSite=Strict, path `/staff`).

use super::*;

#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
}

pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    if !same_origin(&headers) {
        return stale_form(lang, None);
    }
    let Ok(Form(f)) = form else {
        return html(
            StatusCode::BAD_REQUEST,
            sign_in_page(
                lang,
                Some(lang.pick("登录表单无法读取。", "The sign-in form could not be read.")),
            ),
        );
    };
    match roles::sign_in(&state, f.username.trim(), &f.password, &addr, "form").await {
        Ok(login) => {
            let mut res = see_other("/staff");
            let c = format!(
                "{COOKIE}={}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age={}{}",
                login.token,
                roles::SESSION_HOURS * 3600,
                if over_tls(&state, &headers) {
                    "; Secure"
                } else {
                    ""
                }
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) if e.status.is_server_error() => failure(lang, None, &e),
        Err(e) => {
            let mut res = html(e.status, sign_in_page(lang, Some(message(lang, &e))));
            for (name, value) in &e.headers {
                if name == header::RETRY_AFTER {
                    res.headers_mut().insert(name, value.clone());
                }
            }
            res
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let lang = lang_of(&headers, None);
    let s = match signed_in(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return see_other("/staff"),
        Err(e) => return failure(lang, None, &e),
    };
    if !same_origin(&headers) || form.ok().map(|Form(f)| f.csrf) != Some(s.csrf.clone()) {
        return stale_form(lang, Some(&s));
    }
    if let Err(e) =
        db::staff::revoke_session(&state.db.pool, &s.token_hash, state.now().timestamp()).await
    {
        return failure(lang, Some(&s), &e.into());
    }
    tracing::info!(staff = %s.account.username, "staff signed out");
    let mut res = see_other("/staff");
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("kz_staff=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    res
}
