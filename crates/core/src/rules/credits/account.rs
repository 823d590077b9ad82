//! The conversion engine (account, refusals, what-if), apart from the data it reads and returns.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::allocate;
use super::{
    AppliedConversion, CertificateCredits, ConversionRule, CreditAccount, Credits, RefusalWhy,
    RefusedConversion, SchoolCreditPolicy, WhatIf,
};
use crate::model::XLevel;
use crate::order;

/// Similar certificates share a group; any other certificate is a group of its own (its levels are
/// still alternatives: one certificate counts once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey<'a> {
    Similar(usize),
    Alone(&'a str),
}

/// The student's account under `policy`: which conversion rules of the held certificates apply and
/// why the others do not.
///
/// - A certificate level converts a course when the level reaches the rule's `min_level`, the
///   school lets that level convert the course's category, and the student has not passed the
///   course itself.
/// - Of a similar group (and of one certificate held at several levels) one (certificate, level)
///   counts: the one converting the most credits, the highest level on a tie. "以最高级所认定的学分
///   进行转换" presumes the highest level converts the most; where the level/category table makes a
///   higher level convert less (中级 may not convert 专业基础课), the student keeps the better one
///   rather than lose credits for passing a higher exam.
/// - Caps: each course once, each certificate at most `max_credits_per_certificate`, all together at
///   most `cap_total()`. Courses convert whole, and the combination converting the most credits is
///   chosen, so holding one more certificate never lowers the total.
/// - When several combinations convert as much: groups whose highest held level is higher come
///   first (then by certificate id) and each takes as many credits as it can; within a certificate
///   higher-credit courses, then smaller rule ids, are preferred.
///
/// The inputs are sets: order and duplicates do not matter.
pub fn credit_account(
    policy: &SchoolCreditPolicy,
    passed: &[(String, XLevel)],
    passed_courses: &[String],
) -> CreditAccount {
    let mut done = BTreeSet::new();
    done.extend(passed_courses.iter().map(|c| c.trim()));
    let mut held: BTreeMap<&str, BTreeSet<XLevel>> = BTreeMap::new();
    for (c, l) in passed {
        held.entry(c.trim()).or_default().insert(*l);
    }
    let mut rules: Vec<&ConversionRule> = policy.conversions.iter().collect();
    order::sort_by(&mut rules, |a, b| a.id.cmp(&b.id));
    let rules_of = |cert: &str| -> Vec<&ConversionRule> {
        rules
            .iter()
            .copied()
            .filter(|r| r.certificate_id == cert)
            .collect()
    };
    let eligible = |r: &ConversionRule, l: XLevel| {
        l >= r.min_level
            && policy.allows(l, r.course.category)
            && !done.contains(r.course.code.as_str())
    };
    let mut similar: HashMap<&str, usize> = HashMap::new();
    for (g, group) in policy.similar_groups.iter().enumerate() {
        for id in group {
            similar.entry(id.as_str()).or_insert(g);
        }
    }
    let key = |cert| {
        similar
            .get(cert)
            .map_or(GroupKey::Alone(cert), |&g| GroupKey::Similar(g))
    };

    // Groups of alternatives, each option a held (certificate, level), higher level first.
    let mut by_key: BTreeMap<GroupKey, Vec<(&str, XLevel)>> = BTreeMap::new();
    for (&cert, levels) in &held {
        for &l in levels {
            by_key.entry(key(cert)).or_default().push((cert, l));
        }
    }
    let mut groups: Vec<Vec<(&str, XLevel)>> = by_key.into_values().collect();
    for g in &mut groups {
        order::sort_by(g, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    }
    order::sort_by_cached_key(&mut groups, |g| {
        let first_cert = g.iter().map(|o| o.0).min().map(str::to_string);
        (std::cmp::Reverse(g[0].1), first_cert)
    });

    // Each option's convertible rules, higher credits then smaller id first, one per course.
    let mut course_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut option_rules: Vec<Vec<Vec<&ConversionRule>>> = Vec::new();
    let mut alloc_groups = Vec::new();
    for g in &groups {
        let mut opts = Vec::new();
        let mut opt_rules = Vec::new();
        for &(cert, level) in g {
            let mut rs = rules_of(cert);
            rs.retain(|r| eligible(r, level));
            order::sort_by(&mut rs, |a, b| {
                b.course
                    .credits
                    .cmp(&a.course.credits)
                    .then(a.id.cmp(&b.id))
            });
            let mut seen = HashSet::new();
            rs.retain(|r| seen.insert(r.course.code.as_str()));
            let items = rs
                .iter()
                .map(|r| {
                    let n = course_index.len();
                    allocate::Item {
                        course: *course_index.entry(r.course.code.as_str()).or_insert(n),
                        tenths: r.course.credits.tenths(),
                    }
                })
                .collect();
            opts.push(allocate::Opt { items });
            opt_rules.push(rs);
        }
        alloc_groups.push(allocate::Group { options: opts });
        option_rules.push(opt_rules);
    }
    let cap = policy.caps.max_credits_per_certificate;
    let cap_total = policy.cap_total();
    let picks = allocate::allocate(&alloc_groups, cap.tenths(), cap_total.tenths());

    let mut applied = Vec::new();
    let mut counted: Vec<Option<(&str, XLevel)>> = vec![None; groups.len()];
    let mut group_used = vec![Credits::ZERO; groups.len()];
    for (g, pick) in picks.iter().enumerate() {
        let Some((o, items)) = pick else { continue };
        let (cert, level) = groups[g][*o];
        counted[g] = Some((cert, level));
        for &i in items {
            let r = option_rules[g][*o][i];
            group_used[g] = group_used[g] + r.course.credits;
            applied.push(AppliedConversion {
                rule_id: r.id.clone(),
                certificate_id: cert.to_string(),
                level,
                course: r.course.clone(),
                kind: r.kind,
                credits: r.course.credits,
            });
        }
    }
    order::sort_by(&mut applied, |a, b| {
        (&a.certificate_id, &a.rule_id).cmp(&(&b.certificate_id, &b.rule_id))
    });
    let total: Credits = applied.iter().map(|a| a.credits).sum();
    let replaced: HashMap<&str, &AppliedConversion> = applied
        .iter()
        .map(|a| (a.course.code.as_str(), a))
        .collect();
    let group_of: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, opts)| opts.iter().map(move |o| (o.0, g)))
        .collect();

    let mut refused = Vec::new();
    for (&cert, levels) in &held {
        let g = group_of[cert];
        let highest = *levels
            .iter()
            .next_back()
            .expect("a held certificate has a level");
        // Why a rule that could apply at `level` did not: the course went elsewhere, or a cap.
        let capped = |r: &ConversionRule, used: Credits| {
            if let Some(a) = replaced.get(r.course.code.as_str()) {
                RefusalWhy::CourseAlreadyReplaced {
                    by_rule: a.rule_id.clone(),
                    by_certificate_id: a.certificate_id.clone(),
                }
            } else if used + r.course.credits > cap {
                RefusalWhy::PerCertificateCap { cap, used }
            } else {
                // Optimality: the course was free and fitted its certificate, so only the total
                // cap can have kept it out.
                RefusalWhy::TotalCap {
                    cap: cap_total,
                    used: total,
                    share_percent: policy.caps.total_share_percent,
                }
            }
        };
        for r in rules_of(cert) {
            if applied
                .iter()
                .any(|a| a.rule_id == r.id && a.certificate_id == cert)
            {
                continue;
            }
            let (level, why) = if done.contains(r.course.code.as_str()) {
                (highest, RefusalWhy::CourseAlreadyPassed)
            } else if let Some((_, cl)) = counted[g].filter(|&(c, cl)| c == cert && eligible(r, cl))
            {
                (cl, capped(r, group_used[g]))
            } else if let Some(&l) = levels.iter().rev().find(|&&l| eligible(r, l)) {
                match counted[g] {
                    Some((c, cl)) => (
                        l,
                        RefusalWhy::SimilarCertificateCounted {
                            counted_certificate_id: c.to_string(),
                            counted_level: cl,
                        },
                    ),
                    None => (l, capped(r, Credits::ZERO)),
                }
            } else if highest < r.min_level {
                (
                    highest,
                    RefusalWhy::LevelTooLow {
                        min_level: r.min_level,
                    },
                )
            } else {
                (
                    highest,
                    RefusalWhy::CategoryNotAllowed {
                        category: r.course.category,
                        allowed: policy.categories(highest),
                    },
                )
            };
            refused.push(RefusedConversion {
                rule_id: r.id.clone(),
                certificate_id: cert.to_string(),
                level,
                course: r.course.clone(),
                why,
            });
        }
    }

    let per_certificate = held
        .iter()
        .map(|(&cert, levels)| {
            let g = group_of[cert];
            let level = counted[g]
                .filter(|(c, _)| *c == cert)
                .map_or(*levels.iter().next_back().expect("held"), |(_, l)| l);
            CertificateCredits {
                certificate_id: cert.to_string(),
                level,
                credits: applied
                    .iter()
                    .filter(|a| a.certificate_id == cert)
                    .map(|a| a.credits)
                    .sum(),
                cap,
            }
        })
        .collect();

    CreditAccount {
        school: policy.school.clone(),
        major: policy.major.clone(),
        example: policy.example,
        applied,
        refused,
        total_credits: total,
        cap_total,
        per_certificate,
    }
}

/// The difference passing `certificate_id` at `level` makes: the account with it minus the account
/// without it.
pub fn what_if(
    policy: &SchoolCreditPolicy,
    passed: &[(String, XLevel)],
    passed_courses: &[String],
    certificate_id: &str,
    level: XLevel,
) -> WhatIf {
    let without = credit_account(policy, passed, passed_courses);
    let mut more = passed.to_vec();
    more.push((certificate_id.trim().to_string(), level));
    let with = credit_account(policy, &more, passed_courses);
    let same = |a: &AppliedConversion, b: &AppliedConversion| {
        a.rule_id == b.rule_id && a.certificate_id == b.certificate_id && a.level == b.level
    };
    let minus = |xs: &[AppliedConversion], ys: &[AppliedConversion]| -> Vec<AppliedConversion> {
        xs.iter()
            .filter(|x| !ys.iter().any(|y| same(x, y)))
            .cloned()
            .collect()
    };
    WhatIf {
        certificate_id: certificate_id.trim().to_string(),
        level,
        added_credits: with.total_credits.saturating_sub(without.total_credits),
        new_conversions: minus(&with.applied, &without.applied),
        lost_conversions: minus(&without.applied, &with.applied),
        newly_refused: with
            .refused
            .iter()
            .filter(|r| {
                !without
                    .refused
                    .iter()
                    .any(|w| w.rule_id == r.rule_id && w.certificate_id == r.certificate_id)
            })
            .cloned()
            .collect(),
    }
}
