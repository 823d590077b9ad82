//! The root component: preferences, state providers and routes.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::app_footer::AppFooter;
use crate::components::app_header::AppHeader;
use crate::components::embed_nav::EmbedNav;
use crate::components::route_focus::RouteFocus;
use crate::components::sync_status::SyncStatus;
use crate::embed::{EmbedOptions, provide_embed};
use crate::first_screen::{FirstScreen, VerifyAnswer};
use crate::i18n::{I18n, Locale, tr};
use crate::pages::account::AccountPage;
use crate::pages::catalog::CatalogPage;
use crate::pages::certificate::CertificatePage;
use crate::pages::credits::CreditsPage;
use crate::pages::grades::GradeCheckerPage;
use crate::pages::home::HomePage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::plans::PlansPage;
use crate::pages::register::RegisterPage;
use crate::pages::registrations::MyRegistrationsPage;
use crate::pages::result::ResultPage;
use crate::pages::results::ResultsPage;
use crate::pages::sign_in::SignInPage;
use crate::pages::ticket::TicketPage;
use crate::pages::verify::VerifyPage;
use crate::prefs::{self, Theme};
use crate::state::account::provide_account;
use crate::state::catalog::provide_catalog_state;
use crate::state::clock::{self, provide_clock};
use crate::state::connection::provide_connection;
use crate::state::network::provide_network;
use crate::state::startup::{CHROME, DRAWN, PAGE, Startup, provide_startup};

/// A route's view as a plain function pointer: every route then has the same view type, so the
/// router's code that opens a page is compiled once instead of once per route.
macro_rules! page {
    ($page:ident) => {
        (|| $page().into_any()) as fn() -> AnyView
    };
}

/// The certificate check the page was rendered with, for the verification page.
#[derive(Clone)]
pub struct FirstVerification(pub Option<VerifyAnswer>);

/// Where the app runs.
#[derive(Clone)]
pub enum Boot {
    /// In the browser: the portal's options when it runs inside a portal's iframe (see `embed`),
    /// and the data the server rendered the page from, if it did.
    Browser {
        embed: Option<EmbedOptions>,
        first: Option<FirstScreen>,
        startup: Startup,
    },
    /// On the server, rendering a page's first screen for a visitor who is not signed in: no
    /// storage, network or timers, only the data and the visitor's language and theme.
    Server {
        first: FirstScreen,
        locale: Locale,
        theme: Theme,
        now: DateTime<Utc>,
    },
}

#[component]
pub fn App(boot: Boot) -> impl IntoView {
    let (embed, first, locale, theme, now, startup) = match boot {
        Boot::Browser {
            embed,
            first,
            startup,
        } => {
            let locale = embed
                .as_ref()
                .and_then(|e| e.locale)
                .unwrap_or_else(prefs::initial_locale);
            let theme = embed
                .as_ref()
                .and_then(|e| e.scheme)
                .unwrap_or_else(prefs::initial_theme);
            (embed, first, locale, theme, clock::now(), Some(startup))
        }
        Boot::Server {
            first,
            locale,
            theme,
            now,
        } => (None, Some(first), locale, theme, now, None),
    };
    let browser = startup.is_some();
    let startup = startup.unwrap_or_else(Startup::drawn);
    provide_startup(startup);
    let locale = RwSignal::new(locale);
    provide_context(I18n { locale });
    Effect::new(move |_| {
        let l = locale.get();
        prefs::apply_locale(l);
        prefs::save_locale(l);
    });
    let theme = RwSignal::new(theme);
    provide_context(theme);
    let embedded = embed.is_some();
    Effect::new(move |_| {
        let t = theme.get();
        prefs::apply_theme(t);
        // A portal's scheme is the portal's, not the student's choice for the site.
        if !embedded {
            prefs::remember_theme(t);
        }
    });

    provide_clock(now, browser);
    let network = provide_network(browser);
    let mut first = first;
    provide_context(FirstVerification(
        first.as_mut().and_then(|f| f.verification.take()),
    ));
    let conn = provide_connection(browser);
    let catalog = provide_catalog_state(conn, network, first, browser);
    let account = provide_account(conn, catalog, network, browser);
    if let Some(options) = embed {
        provide_embed(options, account);
    }

    view! {
        <Router>
            <a class="skip-link" href="#main">{tr(|t| t.skip_to_content)}</a>
            <RouteFocus/>
            <Show when=move || startup.reached(CHROME)>
                {if embedded { view! { <EmbedNav/> }.into_any() } else { view! { <AppHeader/> }.into_any() }}
                <SyncStatus/>
            </Show>
            <main id="main" tabindex="-1">
                <Show when=move || startup.reached(PAGE)>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=page!(HomePage)/>
                        <Route path=path!("/catalog") view=page!(CatalogPage)/>
                        <Route path=path!("/plans") view=page!(PlansPage)/>
                        <Route path=path!("/certificates/:id") view=page!(CertificatePage)/>
                        <Route path=path!("/grades") view=page!(GradeCheckerPage)/>
                        <Route path=path!("/signin") view=page!(SignInPage)/>
                        <Route path=path!("/me") view=page!(AccountPage)/>
                        <Route path=path!("/me/registrations") view=page!(MyRegistrationsPage)/>
                        <Route path=path!("/me/credits") view=page!(CreditsPage)/>
                        <Route path=path!("/register/:plan_id") view=page!(RegisterPage)/>
                        <Route path=path!("/tickets/:client_id") view=page!(TicketPage)/>
                        <Route path=path!("/results") view=page!(ResultsPage)/>
                        <Route path=path!("/results/:id") view=page!(ResultPage)/>
                        <Route path=path!("/verify") view=page!(VerifyPage)/>
                    </Routes>
                </Show>
            </main>
            <Show when=move || !embedded && startup.reached(DRAWN)>
                <AppFooter/>
            </Show>
        </Router>
    }
}
