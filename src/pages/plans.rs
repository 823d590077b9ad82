use leptos::prelude::*;

use crate::components::plan_sections::PlanSections;
use crate::i18n::tr;

/// Every exam plan saved on the phone, all provinces: the navigation's way to the plans.
#[component]
pub fn PlansPage() -> impl IntoView {
    view! {
        <section class="page plans-page">
            <h1>{tr(|t| t.plans_title)}</h1>
            <PlanSections province=Signal::stored(None::<String>)/>
        </section>
    }
}
