//! The root component: preferences, state providers and routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::app_footer::AppFooter;
use crate::components::app_header::AppHeader;
use crate::components::embed_nav::EmbedNav;
use crate::components::route_focus::RouteFocus;
use crate::components::sync_status::SyncStatus;
use crate::embed::{EmbedOptions, provide_embed};
use crate::i18n::{I18n, tr};
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
use crate::prefs;
use crate::state::account::provide_account;
use crate::state::catalog::provide_catalog_state;
use crate::state::clock::provide_clock;
use crate::state::connection::provide_connection;
use crate::state::network::provide_network;

/// `embed`: the portal's options when the app runs inside a portal's iframe (see `embed`).
#[component]
pub fn App(embed: Option<EmbedOptions>) -> impl IntoView {
    let locale = RwSignal::new(
        embed
            .as_ref()
            .and_then(|e| e.locale)
            .unwrap_or_else(prefs::initial_locale),
    );
    provide_context(I18n { locale });
    Effect::new(move |_| {
        let l = locale.get();
        prefs::apply_locale(l);
        prefs::save_locale(l);
    });
    let theme = RwSignal::new(
        embed
            .as_ref()
            .and_then(|e| e.scheme)
            .unwrap_or_else(prefs::initial_theme),
    );
    provide_context(theme);
    Effect::new(move |_| prefs::apply_theme(theme.get()));

    provide_clock();
    let network = provide_network();
    let conn = provide_connection();
    let catalog = provide_catalog_state(conn, network);
    let account = provide_account(conn, catalog, network);
    let embedded = embed.is_some();
    if let Some(options) = embed {
        provide_embed(options, account);
    }

    view! {
        <Router>
            <a class="skip-link" href="#main">{tr(|t| t.skip_to_content)}</a>
            <RouteFocus/>
            {if embedded { view! { <EmbedNav/> }.into_any() } else { view! { <AppHeader/> }.into_any() }}
            <SyncStatus/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/catalog") view=CatalogPage/>
                    <Route path=path!("/plans") view=PlansPage/>
                    <Route path=path!("/certificates/:id") view=CertificatePage/>
                    <Route path=path!("/grades") view=GradeCheckerPage/>
                    <Route path=path!("/signin") view=SignInPage/>
                    <Route path=path!("/me") view=AccountPage/>
                    <Route path=path!("/me/registrations") view=MyRegistrationsPage/>
                    <Route path=path!("/me/credits") view=CreditsPage/>
                    <Route path=path!("/register/:plan_id") view=RegisterPage/>
                    <Route path=path!("/tickets/:client_id") view=TicketPage/>
                    <Route path=path!("/results") view=ResultsPage/>
                    <Route path=path!("/results/:id") view=ResultPage/>
                    <Route path=path!("/verify") view=VerifyPage/>
                </Routes>
            </main>
            {(!embedded).then(|| view! { <AppFooter/> })}
        </Router>
    }
}
