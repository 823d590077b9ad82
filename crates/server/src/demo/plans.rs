//! The demo school's exam sites and exam plans, timed around `now` so that every lifecycle state
//! shows: announced, open (full, with a single seat left, with clashing exams), closed,
//! examining, scoring, publicized, ended, and a draft (not listed publicly).
//!
//! Demo records are marked as such: ids start with `demo-`, site names contain 示例, addresses say
//! they are fictional, and fees are demo values, not any organisation's real fee.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use kaozheng_core::{
    Catalog, Certificate, ExamPlan, FeePayment, PayMethod, PlanPhase, Site, XLevel, time,
};

/// Five demo exam sites in the provinces the project's seeds mention. Fictional: every name says
/// 示例 (example) and every address says 虚构 (fictional).
pub fn demo_sites_list() -> Vec<Site> {
    let site = |id: &str, name: &str, province: &str, city: &str, address: &str| Site {
        id: id.into(),
        name: name.into(),
        province: province.into(),
        city: city.into(),
        address: address.into(),
    };
    vec![
        site(
            "demo-site-zhengzhou",
            "示例职业技术学院考点",
            "河南",
            "郑州",
            "郑州市示例区演示路1号（虚构地址，仅供演示）",
        ),
        site(
            "demo-site-tianjin",
            "示例职业大学考点",
            "天津",
            "天津",
            "天津市示例区样板道8号（虚构地址，仅供演示）",
        ),
        site(
            "demo-site-hefei",
            "示例信息工程学校考点",
            "安徽",
            "合肥",
            "合肥市示例区模拟街16号（虚构地址，仅供演示）",
        ),
        site(
            "demo-site-nanjing",
            "示例技师学院考点",
            "江苏",
            "南京",
            "南京市示例区范例路20号（虚构地址，仅供演示）",
        ),
        site(
            "demo-site-taiyuan",
            "示例交通职业技术学院考点",
            "山西",
            "太原",
            "太原市示例区演练街3号（虚构地址，仅供演示）",
        ),
    ]
}

/// Certificates the demo prefers, by short name, when the catalog has them: well-known ones make a
/// more convincing demo. Others fill up to [`DEMO_CERTIFICATES`] in catalog order.
const PREFERRED: [&str; 8] = [
    "建筑信息模型（BIM）",
    "云计算平台运维与开发",
    "工业机器人应用编程",
    "人工智能数据处理",
    "网络安全评估",
    "业财一体信息化应用",
    "移动应用软件测试",
    "数据资产管理",
];
pub const DEMO_CERTIFICATES: usize = 8;

/// Where a demo plan stands at the seeding moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Draft,
    Open,
    /// Open, no seat left (booked by other schools).
    OpenFull,
    /// Open, one seat left.
    OpenNearlyFull,
    /// Open; every plan in this scenario has its exam at the same time, so registering for two of
    /// them is refused as a clash.
    OpenClashing,
    Announced,
    Closed,
    Examining,
    Scoring,
    Publicized,
    Ended,
}

/// Scenarios by plan index (every level of every chosen certificate gets the next one); the plan at
/// [`EXAMINING_AT`] is the single one being examined at `now`.
const CYCLE: [Scenario; 12] = [
    Scenario::Open,
    Scenario::Announced,
    Scenario::OpenFull,
    Scenario::Closed,
    Scenario::Scoring,
    Scenario::OpenClashing,
    Scenario::Publicized,
    Scenario::OpenNearlyFull,
    Scenario::Ended,
    Scenario::Draft,
    Scenario::Closed,
    Scenario::OpenClashing,
];
const EXAMINING_AT: usize = 3;
const CAPACITIES: [u32; 6] = [30, 45, 60, 80, 100, 120];

/// Demo exam plans for up to [`DEMO_CERTIFICATES`] certificates × their levels, timed around `now`
/// so every lifecycle state shows up: draft, announced, open (full, one seat left, clashing),
/// closed, one being examined, scoring, publicized and ended. Pure: the same inputs give the same
/// plans.
pub fn demo_plans(catalog: &Catalog, sites: &[Site], now: DateTime<Utc>) -> Vec<ExamPlan> {
    if sites.is_empty() {
        return Vec::new();
    }
    let mut chosen: Vec<&Certificate> = Vec::new();
    for short in PREFERRED {
        if let Some(c) = catalog
            .certificates
            .iter()
            .find(|c| !c.levels.is_empty() && c.short_name() == short)
        {
            chosen.push(c);
        }
    }
    for c in &catalog.certificates {
        if chosen.len() >= DEMO_CERTIFICATES {
            break;
        }
        if !c.levels.is_empty() && !chosen.iter().any(|x| x.id == c.id) {
            chosen.push(c);
        }
    }
    chosen.truncate(DEMO_CERTIFICATES);

    let today = time::to_china(now).date_naive();
    let mut plans = Vec::new();
    for (ci, cert) in chosen.iter().enumerate() {
        for info in &cert.levels {
            let k = plans.len();
            let scenario = if k == EXAMINING_AT {
                Scenario::Examining
            } else {
                CYCLE[k % CYCLE.len()]
            };
            plans.push(demo_plan(
                cert, ci, info.level, k, scenario, sites, today, now,
            ));
        }
    }
    plans
}

#[allow(clippy::too_many_arguments)]
fn demo_plan(
    cert: &Certificate,
    cert_index: usize,
    level: XLevel,
    k: usize,
    scenario: Scenario,
    sites: &[Site],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> ExamPlan {
    let at = |days: i64, hour: u32| china_time(today, days, hour);
    let spread = (k % 3) as i64;
    // Later rounds of the cycle (large catalogs) move their exams apart from the first round's.
    let round = (k / CYCLE.len()) as i64 * 2;
    let duration = Duration::minutes(match level {
        XLevel::Primary => 120,
        XLevel::Intermediate => 150,
        XLevel::Advanced => 180,
    });
    let (phase, opens, closes, starts) = match scenario {
        Scenario::Draft => (PlanPhase::Draft, at(10, 9), at(25, 17), at(40, 9)),
        Scenario::Open => (
            PlanPhase::Published,
            at(-5, 9),
            at(10 + spread, 17),
            at(20 + (k % 7) as i64 + round, 9),
        ),
        Scenario::OpenFull => (
            PlanPhase::Published,
            at(-4, 9),
            at(6, 17),
            at(16 + round, 9),
        ),
        Scenario::OpenNearlyFull => (
            PlanPhase::Published,
            at(-3, 9),
            at(5, 17),
            at(18 + round, 14),
        ),
        Scenario::OpenClashing => (PlanPhase::Published, at(-2, 9), at(12, 17), at(27, 14)),
        Scenario::Announced => (
            PlanPhase::Published,
            at(7 + spread, 9),
            at(21, 17),
            at(35 + spread, 9),
        ),
        Scenario::Closed => (
            PlanPhase::Published,
            at(-30, 9),
            at(-2, 17),
            at(8 + spread, 9),
        ),
        Scenario::Examining => {
            let hour = now
                .with_minute(0)
                .and_then(|t| t.with_second(0))
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now);
            (
                PlanPhase::Published,
                at(-40, 9),
                at(-10, 17),
                hour - Duration::hours(1),
            )
        }
        Scenario::Scoring => (PlanPhase::Scoring, at(-60, 9), at(-45, 17), at(-30, 9)),
        Scenario::Publicized => (PlanPhase::Publicized, at(-75, 9), at(-60, 17), at(-45, 9)),
        Scenario::Ended => (PlanPhase::Ended, at(-150, 9), at(-135, 17), at(-120, 9)),
    };
    let ends = if scenario == Scenario::Examining {
        starts + Duration::hours(3)
    } else {
        starts + duration
    };
    let capacity = CAPACITIES[k % CAPACITIES.len()];
    let seats_left = match scenario {
        Scenario::Open => capacity - capacity * (k % 3 + 1) as u32 / 5,
        Scenario::OpenFull => 0,
        Scenario::OpenNearlyFull => 1,
        Scenario::OpenClashing => capacity / 2,
        Scenario::Draft | Scenario::Announced => capacity,
        Scenario::Closed if k.is_multiple_of(2) => 0,
        Scenario::Closed => capacity / 4,
        Scenario::Examining | Scenario::Scoring | Scenario::Publicized | Scenario::Ended => {
            capacity / 5
        }
    };
    let fee_fen = match level {
        XLevel::Primary => 25_000,
        XLevel::Intermediate => 32_000,
        XLevel::Advanced => 40_000,
    } + (cert_index % 5) as u32 * 2_000;
    let site = &sites[k % sites.len()];
    ExamPlan {
        id: format!("demo-{}-{}", cert.id, level_slug(level)),
        name: format!("{}{}（{}）考试", exam_month(starts), cert.name, level.zh()),
        certificate_id: cert.id.clone(),
        level,
        province: site.province.clone(),
        site_id: site.id.clone(),
        phase,
        window_opens_at: opens,
        window_closes_at: closes,
        exam_starts_at: starts,
        exam_ends_at: ends,
        capacity,
        seats_left,
        fee_fen,
        payment: demo_payment(k, closes),
    }
}

/// How a demo plan's fee is paid: collected by the school, paid online, or not said (a plan whose
/// data has no payment details), in turn. Due when the registration window closes.
fn demo_payment(k: usize, closes: DateTime<Utc>) -> Option<FeePayment> {
    let (method, place) = match k % 3 {
        0 => (PayMethod::SchoolCollects, "学校财务处（示例）"),
        1 => (PayMethod::Online, "评价组织报名平台的缴费页（示例）"),
        _ => return None,
    };
    Some(FeePayment {
        method,
        place: Some(place.into()),
        due_at: Some(closes),
    })
}

/// `2026年12月`: the exam's year and month in UTC+8, as plan names start.
fn exam_month(starts: DateTime<Utc>) -> String {
    let day = time::to_china(starts);
    format!(
        "{}年{}月",
        chrono::Datelike::year(&day),
        chrono::Datelike::month(&day)
    )
}

/// A demo plan's name for a moved exam: the leading `YYYY年M月` becomes the new exam month.
pub fn with_exam_month(name: &str, starts: DateTime<Utc>) -> String {
    let prefix_len = name
        .find('年')
        .filter(|&y| y == 4 && name[..4].bytes().all(|b| b.is_ascii_digit()))
        .and_then(|y| {
            let rest = &name[y + '年'.len_utf8()..];
            let m = rest.find('月')?;
            (1..=2)
                .contains(&m)
                .then_some(y + '年'.len_utf8() + m + '月'.len_utf8())
        });
    match prefix_len {
        Some(n) => format!("{}{}", exam_month(starts), &name[n..]),
        None => name.to_string(),
    }
}

fn level_slug(level: XLevel) -> &'static str {
    match level {
        XLevel::Primary => "primary",
        XLevel::Intermediate => "intermediate",
        XLevel::Advanced => "advanced",
    }
}

/// `hour`:00 China time, `days` after `today`.
fn china_time(today: NaiveDate, days: i64, hour: u32) -> DateTime<Utc> {
    let day = today + Duration::days(days);
    let local = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("a valid hour"));
    time::china()
        .from_local_datetime(&local)
        .single()
        .expect("UTC+8 has no gaps or folds")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use kaozheng_core::PlanState;

    use super::*;
    use crate::seed::default_catalog;

    fn fixture() -> Catalog {
        Catalog::parse(include_str!("../../tests/fixtures/catalog.json")).unwrap()
    }

    fn now() -> DateTime<Utc> {
        // 2026-11-21 15:37:12 in China.
        Utc.with_ymd_and_hms(2026, 11, 21, 7, 37, 12).unwrap()
    }

    #[test]
    fn demo_sites_are_clearly_fictional_and_unique() {
        let sites = demo_sites_list();
        assert!((4..=6).contains(&sites.len()));
        let ids: HashSet<_> = sites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), sites.len());
        for s in &sites {
            assert!(s.id.starts_with("demo-"), "{}", s.id);
            assert!(s.name.contains("示例"), "{}", s.name);
            assert!(s.address.contains("虚构"), "{}", s.address);
        }
        assert!(
            sites
                .iter()
                .any(|s| s.province == "河南" && s.city == "郑州")
        );
    }

    #[test]
    fn demo_plans_cover_every_state_at_now() {
        let catalog = fixture();
        let sites = demo_sites_list();
        let plans = demo_plans(&catalog, &sites, now());
        // Every fixture certificate with levels, each level once: 3 + 3 + 3 + 2 + 2 + 1.
        assert_eq!(plans.len(), 14);
        let states: Vec<PlanState> = plans.iter().map(|p| p.state_at(now())).collect();
        for s in [
            PlanState::Draft,
            PlanState::Open,
            PlanState::Announced,
            PlanState::Closed,
            PlanState::Examining,
            PlanState::Scoring,
            PlanState::Publicized,
            PlanState::Ended,
        ] {
            assert!(states.contains(&s), "no plan is {s:?}: {states:?}");
        }
        assert_eq!(
            states
                .iter()
                .filter(|s| **s == PlanState::Examining)
                .count(),
            1
        );
        let open: Vec<&ExamPlan> = plans
            .iter()
            .filter(|p| p.state_at(now()) == PlanState::Open)
            .collect();
        assert_eq!(
            open.iter().filter(|p| p.seats_left == 0).count(),
            1,
            "one full"
        );
        assert_eq!(
            open.iter().filter(|p| p.seats_left == 1).count(),
            1,
            "one last seat"
        );
        // Exactly one pair of open plans has overlapping exams.
        let mut clashes = Vec::new();
        for (i, a) in open.iter().enumerate() {
            for b in &open[i + 1..] {
                if a.exam_starts_at < b.exam_ends_at && b.exam_starts_at < a.exam_ends_at {
                    clashes.push((a.id.clone(), b.id.clone()));
                }
            }
        }
        assert_eq!(clashes.len(), 1, "{clashes:?}");
    }

    #[test]
    fn the_built_in_catalog_gets_a_full_demo_too() {
        let catalog = default_catalog().unwrap();
        let plans = demo_plans(&catalog, &demo_sites_list(), now());
        let certs: HashSet<&str> = plans.iter().map(|p| p.certificate_id.as_str()).collect();
        assert_eq!(
            certs.len(),
            DEMO_CERTIFICATES.min(
                catalog
                    .certificates
                    .iter()
                    .filter(|c| !c.levels.is_empty())
                    .count(),
            )
        );
        let states: HashSet<PlanState> = plans.iter().map(|p| p.state_at(now())).collect();
        assert_eq!(states.len(), 8, "every state: {states:?}");
        for p in &plans {
            assert_eq!(p.check_times(), Ok(()), "{}", p.id);
            assert!(
                catalog
                    .certificate(&p.certificate_id)
                    .unwrap()
                    .has_level(p.level)
            );
        }
    }

    #[test]
    fn demo_plans_are_consistent_records() {
        let catalog = fixture();
        let sites = demo_sites_list();
        let plans = demo_plans(&catalog, &sites, now());
        let ids: HashSet<_> = plans.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), plans.len());
        for p in &plans {
            assert_eq!(p.check_times(), Ok(()), "{}", p.id);
            assert!((30..=120).contains(&p.capacity), "{}", p.capacity);
            assert!(p.seats_left <= p.capacity);
            assert!((25_000..=48_000).contains(&p.fee_fen), "{}", p.fee_fen);
            let cert = catalog.certificate(&p.certificate_id).unwrap();
            assert!(cert.has_level(p.level));
            let site = sites.iter().find(|s| s.id == p.site_id).unwrap();
            assert_eq!(p.province, site.province);
            let day = time::to_china(p.exam_starts_at);
            let want = format!(
                "{}年{}月{}（{}）考试",
                chrono::Datelike::year(&day),
                chrono::Datelike::month(&day),
                cert.name,
                p.level.zh()
            );
            assert_eq!(p.name, want);
            assert!(p.id.starts_with("demo-"));
        }
        // The certificate without levels gets no plan.
        assert!(plans.iter().all(|p| p.certificate_id != "smart-home"));
    }

    #[test]
    fn demo_plans_are_deterministic_and_follow_now() {
        let catalog = fixture();
        let sites = demo_sites_list();
        let a = demo_plans(&catalog, &sites, now());
        assert_eq!(a, demo_plans(&catalog, &sites, now()));
        let later = now() + Duration::days(40);
        let b = demo_plans(&catalog, &sites, later);
        assert_eq!(
            b[0].window_opens_at - a[0].window_opens_at,
            Duration::days(40)
        );
        assert_eq!(a[0].state_at(now()), b[0].state_at(later));
    }

    #[test]
    fn names_use_the_exam_month_in_china() {
        // 2026-11-30 20:00 UTC is already December 1st in China.
        let catalog = fixture();
        let sites = demo_sites_list();
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 20, 0, 0).unwrap();
        let plans = demo_plans(&catalog, &sites, t);
        let examining = plans
            .iter()
            .find(|p| p.state_at(t) == PlanState::Examining)
            .unwrap();
        assert!(
            examining.name.starts_with("2026年12月"),
            "{}",
            examining.name
        );
    }

    #[test]
    fn moved_plans_are_renamed_for_their_new_month() {
        let jan = Utc.with_ymd_and_hms(2027, 1, 10, 1, 0, 0).unwrap();
        assert_eq!(
            with_exam_month("2026年12月Web前端开发职业技能等级证书（中级）考试", jan),
            "2027年1月Web前端开发职业技能等级证书（中级）考试"
        );
        assert_eq!(
            with_exam_month("2026年9月物流管理（初级）考试", jan),
            "2027年1月物流管理（初级）考试"
        );
        assert_eq!(with_exam_month("春季考试", jan), "春季考试");
        assert_eq!(with_exam_month("12345年1月x", jan), "12345年1月x");
    }

    #[test]
    fn preferred_certificates_come_first_and_the_count_is_capped() {
        let mut catalog = fixture();
        // Twelve more certificates with levels: still only eight are used.
        for i in 0..12 {
            let mut c = catalog.certificates[1].clone();
            c.id = format!("extra-{i}");
            c.name = format!("扩展{i}职业技能等级证书");
            c.pinyin = format!("kuo zhan {i} zhi ye ji neng deng ji zheng shu");
            catalog.certificates.insert(0, c);
        }
        let plans = demo_plans(&catalog, &demo_sites_list(), now());
        let certs: Vec<&str> = plans.iter().map(|p| p.certificate_id.as_str()).collect();
        assert_eq!(certs[0], "bim");
        let distinct: HashSet<_> = certs.iter().collect();
        assert_eq!(distinct.len(), DEMO_CERTIFICATES);
        assert!(demo_plans(&catalog, &[], now()).is_empty());
    }
}
