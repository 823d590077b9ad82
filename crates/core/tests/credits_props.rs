//! Property tests of the credit account on random tables, certificates and passed courses: caps are
//! never exceeded, every refusal reason is true, the result ignores input order, a similar group
//! counts once (its best member, the highest level on a tie), holding more never lowers the total,
//! the total is the best possible, and `what_if` is exactly a difference of two accounts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kaozheng_core::model::XLevel;
use kaozheng_core::rules::{
    Citation, ConversionKind, ConversionRule, Course, CourseCategory, CreditAccount, CreditCaps,
    Credits, LevelScope, RefusalWhy, SchoolCreditPolicy, credit_account, what_if,
};
use proptest::prelude::*;

const CERTS: [&str; 5] = ["a", "b", "c", "d", "e"];
const COURSES: usize = 7;

#[derive(Debug, Clone)]
struct World {
    policy: SchoolCreditPolicy,
    passed: Vec<(String, XLevel)>,
    courses: Vec<String>,
}

fn level() -> impl Strategy<Value = XLevel> {
    prop::sample::select(XLevel::ALL.to_vec())
}

/// A valid table under the Hunan level scopes: courses of fixed category and 0.5–4 credits, rules
/// for random (certificate, course, minimum level), maybe one similar group.
fn policy(
    max_rules: usize,
    grad: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = SchoolCreditPolicy> {
    (
        prop::collection::vec((any::<bool>(), 1u32..=8), COURSES),
        prop::collection::vec((0..CERTS.len(), 0..COURSES, level()), 0..=max_rules),
        prop::option::of(prop::sample::subsequence(CERTS.to_vec(), 2..=3)),
        grad,
        4u32..=8,
    )
        .prop_map(|(courses, rules, group, grad, per_cert)| {
            let mut seen = BTreeSet::new();
            let conversions = rules
                .into_iter()
                .filter(|(c, k, _)| seen.insert((*c, *k)))
                .map(|(c, k, min)| {
                    let (core, halves) = courses[k];
                    ConversionRule {
                        id: format!("r{}{k}", CERTS[c]),
                        certificate_id: CERTS[c].into(),
                        min_level: min,
                        course: Course {
                            code: format!("K{k}"),
                            name: format!("课程{k}"),
                            category: if core {
                                CourseCategory::Core
                            } else {
                                CourseCategory::Foundation
                            },
                            credits: Credits::from_tenths(halves * 5),
                        },
                        kind: ConversionKind::Credits,
                    }
                })
                .collect();
            SchoolCreditPolicy {
                school: "s".into(),
                major: None,
                example: true,
                graduation_credits: Credits::whole(grad),
                caps: CreditCaps {
                    max_credits_per_certificate: Credits::whole(per_cert),
                    total_share_percent: 50,
                },
                levels: vec![
                    LevelScope {
                        level: XLevel::Primary,
                        categories: vec![CourseCategory::Foundation],
                    },
                    LevelScope {
                        level: XLevel::Intermediate,
                        categories: vec![CourseCategory::Core],
                    },
                    LevelScope {
                        level: XLevel::Advanced,
                        categories: vec![CourseCategory::Foundation, CourseCategory::Core],
                    },
                ],
                conversions,
                exemptions: vec![],
                similar_groups: group
                    .map(|g| vec![g.into_iter().map(String::from).collect()])
                    .unwrap_or_default(),
                citations: vec![Citation {
                    title: "t".into(),
                    issuer: "i".into(),
                    document_no: None,
                    issued_on: None,
                    url: None,
                    quote: "q".into(),
                    added: Vec::new(),
                }],
            }
        })
}

fn world_with(
    max_rules: usize,
    max_passed: usize,
    grad: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = World> {
    (
        policy(max_rules, grad),
        prop::collection::vec((0..CERTS.len(), level()), 0..=max_passed),
        prop::collection::vec(0..COURSES, 0..3),
    )
        .prop_map(|(policy, passed, courses)| World {
            policy,
            passed: passed
                .into_iter()
                .map(|(c, l)| (CERTS[c].to_string(), l))
                .collect(),
            courses: courses.into_iter().map(|k| format!("K{k}")).collect(),
        })
}

fn world() -> impl Strategy<Value = World> {
    world_with(14, 6, 4..=40)
}

fn account(w: &World) -> CreditAccount {
    credit_account(&w.policy, &w.passed, &w.courses)
}

fn eligible(p: &SchoolCreditPolicy, r: &ConversionRule, level: XLevel, courses: &[String]) -> bool {
    level >= r.min_level && p.allows(level, r.course.category) && !courses.contains(&r.course.code)
}

/// The group a certificate counts in: its similar group, else itself.
fn group_of(p: &SchoolCreditPolicy, cert: &str) -> String {
    p.similar_groups
        .iter()
        .position(|g| g.iter().any(|c| c == cert))
        .map_or(cert.to_string(), |g| format!("#{g}"))
}

/// The most credits any allocation allowed by the rules converts, by exhaustive search.
fn best_total(w: &World) -> u32 {
    let p = &w.policy;
    let held: BTreeSet<(String, XLevel)> = w.passed.iter().cloned().collect();
    let mut groups: BTreeMap<String, Vec<Vec<(String, u32)>>> = BTreeMap::new();
    for (cert, level) in &held {
        let items = p
            .conversions
            .iter()
            .filter(|r| r.certificate_id == *cert && eligible(p, r, *level, &w.courses))
            .map(|r| (r.course.code.clone(), r.course.credits.tenths()))
            .collect();
        groups.entry(group_of(p, cert)).or_default().push(items);
    }
    let groups: Vec<Vec<Vec<(String, u32)>>> = groups.into_values().collect();
    let cap = p.caps.max_credits_per_certificate.tenths();
    let total_cap = p.cap_total().tenths();
    fn go(
        groups: &[Vec<Vec<(String, u32)>>],
        used: &mut BTreeSet<String>,
        total: u32,
        cap: u32,
        total_cap: u32,
    ) -> u32 {
        let Some((first, rest)) = groups.split_first() else {
            return total;
        };
        let mut best = go(rest, used, total, cap, total_cap);
        for items in first {
            for mask in 1u32..(1 << items.len()) {
                let pick: Vec<&(String, u32)> = (0..items.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| &items[i])
                    .collect();
                let sum: u32 = pick.iter().map(|i| i.1).sum();
                let codes: BTreeSet<&String> = pick.iter().map(|i| &i.0).collect();
                if sum > cap
                    || total + sum > total_cap
                    || codes.len() < pick.len()
                    || codes.iter().any(|c| used.contains(*c))
                {
                    continue;
                }
                for c in &codes {
                    used.insert((*c).clone());
                }
                best = best.max(go(rest, used, total + sum, cap, total_cap));
                for c in &codes {
                    used.remove(*c);
                }
            }
        }
        best
    }
    go(&groups, &mut BTreeSet::new(), 0, cap, total_cap)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// 8 per certificate (Hunan), ≤ 50 % in total (gdpt), each course once (Hunan), only eligible
    /// conversions, and every rule of a held certificate either applied or refused for a true reason.
    #[test]
    fn caps_are_never_exceeded_and_every_refusal_is_true(w in world()) {
        let p = &w.policy;
        let acc = account(&w);
        let cap = p.caps.max_credits_per_certificate;
        prop_assert!(acc.total_credits <= acc.cap_total);
        prop_assert_eq!(acc.cap_total, p.cap_total());
        prop_assert_eq!(acc.total_credits, acc.applied.iter().map(|a| a.credits).sum::<Credits>());
        let mut per_cert: HashMap<&str, Credits> = HashMap::new();
        let mut courses = BTreeSet::new();
        for a in &acc.applied {
            let r = p.conversions.iter().find(|r| r.id == a.rule_id).unwrap();
            prop_assert!(w.passed.contains(&(a.certificate_id.clone(), a.level)));
            prop_assert!(eligible(p, r, a.level, &w.courses), "{:?}", a);
            prop_assert!(courses.insert(a.course.code.clone()), "course twice: {}", a.course.code);
            let e = per_cert.entry(a.certificate_id.as_str()).or_default();
            *e = *e + a.credits;
        }
        for (cert, credits) in &per_cert {
            prop_assert!(*credits <= cap, "{} converts {}", cert, credits);
        }
        for pc in &acc.per_certificate {
            prop_assert_eq!(pc.credits, per_cert.get(pc.certificate_id.as_str()).copied().unwrap_or_default());
            prop_assert_eq!(pc.cap, cap);
        }
        let held: BTreeSet<&str> = w.passed.iter().map(|(c, _)| c.as_str()).collect();
        for r in &p.conversions {
            let n_applied = acc.applied.iter().filter(|a| a.rule_id == r.id).count();
            let n_refused = acc.refused.iter().filter(|x| x.rule_id == r.id).count();
            let want = usize::from(held.contains(r.certificate_id.as_str()));
            prop_assert_eq!(n_applied + n_refused, want, "rule {}", r.id);
        }
        for x in &acc.refused {
            let r = p.conversions.iter().find(|r| r.id == x.rule_id).unwrap();
            let c = r.course.credits;
            match &x.why {
                RefusalWhy::LevelTooLow { min_level } => prop_assert!(x.level < *min_level),
                RefusalWhy::CategoryNotAllowed { category, .. } => {
                    prop_assert!(!p.allows(x.level, *category))
                }
                RefusalWhy::PerCertificateCap { cap: k, used } => {
                    prop_assert_eq!(*k, cap);
                    prop_assert_eq!(*used, per_cert.get(x.certificate_id.as_str()).copied().unwrap_or_default());
                    prop_assert!(*used + c > cap);
                }
                RefusalWhy::CourseAlreadyReplaced { by_rule, .. } => {
                    prop_assert!(acc.applied.iter().any(|a| a.rule_id == *by_rule && a.course.code == r.course.code))
                }
                RefusalWhy::CourseAlreadyPassed => prop_assert!(w.courses.contains(&r.course.code)),
                RefusalWhy::SimilarCertificateCounted { counted_certificate_id, counted_level } => {
                    prop_assert!(eligible(p, r, x.level, &w.courses));
                    prop_assert_eq!(group_of(p, counted_certificate_id), group_of(p, &x.certificate_id));
                    prop_assert!(acc.applied.iter().any(|a| a.certificate_id == *counted_certificate_id && a.level == *counted_level));
                }
                RefusalWhy::TotalCap { cap: k, used, share_percent } => {
                    prop_assert_eq!(*share_percent, p.caps.total_share_percent);
                    prop_assert_eq!(*k, acc.cap_total);
                    prop_assert_eq!(*used, acc.total_credits);
                    prop_assert!(*used + c > *k);
                }
            }
        }
    }

    /// The inputs are sets: shuffling (and repeating) them, or reordering the table's rules, changes
    /// nothing.
    #[test]
    fn the_result_does_not_depend_on_input_order(
        (w, passed, courses, rules) in world().prop_flat_map(|w| {
            let passed = Just(w.passed.clone()).prop_shuffle();
            let courses = Just(w.courses.clone()).prop_shuffle();
            let rules = Just(w.policy.conversions.clone()).prop_shuffle();
            (Just(w), passed, courses, rules)
        })
    ) {
        let mut passed = passed;
        if let Some(first) = passed.first().cloned() {
            passed.push(first);
        }
        let mut policy = w.policy.clone();
        policy.conversions = rules;
        let shuffled = credit_account(&policy, &passed, &courses);
        prop_assert_eq!(shuffled, account(&w));
    }

    /// gdpt: a similar group (and one certificate's levels) converts once; the member counted is
    /// the one converting most, the highest level when several convert as much.
    #[test]
    fn a_similar_group_counts_once_its_best_member_highest_level_first(w in world_with(14, 6, 200..=200)) {
        let acc = account(&w);
        let mut counted: BTreeMap<String, BTreeSet<(String, XLevel)>> = BTreeMap::new();
        for a in &acc.applied {
            counted
                .entry(group_of(&w.policy, &a.certificate_id))
                .or_default()
                .insert((a.certificate_id.clone(), a.level));
        }
        for (group, members) in &counted {
            prop_assert_eq!(members.len(), 1, "group {} counts {:?}", group, members);
        }
        // Only the members of the first similar group held: each member alone, then together.
        let Some(group) = w.policy.similar_groups.first() else { return Ok(()) };
        let options: BTreeSet<(String, XLevel)> =
            w.passed.iter().filter(|(c, _)| group.contains(c)).cloned().collect();
        let alone = |o: &(String, XLevel)| {
            credit_account(&w.policy, std::slice::from_ref(o), &w.courses).total_credits
        };
        let together: Vec<_> = options.iter().cloned().collect();
        let acc = credit_account(&w.policy, &together, &w.courses);
        let best = options.iter().map(alone).max().unwrap_or_default();
        prop_assert_eq!(acc.total_credits, best);
        if best > Credits::ZERO {
            let want = options
                .iter()
                .filter(|o| alone(o) == best)
                .min_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)))
                .unwrap();
            for a in &acc.applied {
                prop_assert_eq!(&(a.certificate_id.clone(), a.level), want);
            }
        }
    }

    /// Passing one more certificate never lowers the total.
    #[test]
    fn adding_a_passed_certificate_never_lowers_the_total(
        w in world(),
        extra in (0..CERTS.len(), level()),
    ) {
        let before = account(&w);
        let mut more = w.passed.clone();
        more.push((CERTS[extra.0].to_string(), extra.1));
        let after = credit_account(&w.policy, &more, &w.courses);
        prop_assert!(after.total_credits >= before.total_credits,
            "{} < {}", after.total_credits, before.total_credits);
    }

    /// what_if(x) == account(with x) − account(without x).
    #[test]
    fn what_if_is_the_difference_of_two_accounts(
        w in world(),
        extra in (0..CERTS.len(), level()),
    ) {
        let cert = CERTS[extra.0];
        let without = account(&w);
        let mut more = w.passed.clone();
        more.push((cert.to_string(), extra.1));
        let with = credit_account(&w.policy, &more, &w.courses);
        let d = what_if(&w.policy, &w.passed, &w.courses, cert, extra.1);
        prop_assert_eq!(d.added_credits + without.total_credits, with.total_credits);
        let key = |a: &kaozheng_core::rules::AppliedConversion| (a.rule_id.clone(), a.certificate_id.clone(), a.level);
        let with_keys: BTreeSet<_> = with.applied.iter().map(key).collect();
        let without_keys: BTreeSet<_> = without.applied.iter().map(key).collect();
        let new: BTreeSet<_> = d.new_conversions.iter().map(key).collect();
        let lost: BTreeSet<_> = d.lost_conversions.iter().map(key).collect();
        prop_assert_eq!(new, with_keys.difference(&without_keys).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(lost, without_keys.difference(&with_keys).cloned().collect::<BTreeSet<_>>());
        let refused_before: BTreeSet<_> = without.refused.iter().map(|r| (r.rule_id.clone(), r.certificate_id.clone())).collect();
        for r in &d.newly_refused {
            prop_assert!(!refused_before.contains(&(r.rule_id.clone(), r.certificate_id.clone())));
            prop_assert!(with.refused.contains(r));
        }
        let sum = |xs: &[kaozheng_core::rules::AppliedConversion]| xs.iter().map(|a| a.credits.tenths()).sum::<u32>();
        prop_assert_eq!(
            i64::from(sum(&d.new_conversions)) - i64::from(sum(&d.lost_conversions)),
            i64::from(d.added_credits.tenths())
        );
    }

    /// No allocation allowed by the rules converts more than the account.
    #[test]
    fn the_total_is_the_best_possible(w in world_with(8, 3, 4..=30)) {
        prop_assert_eq!(account(&w).total_credits.tenths(), best_total(&w));
    }
}
