//! Synthetic catalogs for search, storage and size tests at scale. They are marked as such in every
//! way a reader could meet them: `synthetic: true`, a source saying so, and "（模拟）" in every
//! certificate and organisation name.

mod rng;
mod words;

use std::collections::HashSet;

use kaozheng_core::catalog::{FORMAT, MAX_CERTIFICATES};
use kaozheng_core::model::CERTIFICATE_SUFFIX;
use kaozheng_core::{Catalog, Certificate, EvaluationOrg, LevelInfo, XLevel};

use crate::error::BuildError;
use crate::finish;
use crate::hash::stable_id;
use crate::romanize::name_pinyin;
use rng::SplitMix64;
use words::{ACTIVITIES, BRAND_FIRST, BRAND_SECOND, CITIES, DOMAINS, ORG_KINDS};

/// In every synthetic name, so no one mistakes one for a real certificate or organisation.
pub const MARKER: &str = "（模拟）";
/// One organisation per this many certificates, about the real system's ratio.
const CERTIFICATES_PER_ORG: usize = 20;

const BRANDS: u64 = (BRAND_FIRST.len() * BRAND_SECOND.len()) as u64;
const NAME_SPACE: u64 = BRANDS * DOMAINS.len() as u64 * ACTIVITIES.len() as u64;
const ORG_SPACE: u64 = CITIES.len() as u64 * BRANDS * ORG_KINDS.len() as u64;

/// A catalog of `count` invented certificates, the same for the same `seed`.
pub fn build_synthetic(count: usize, seed: u64) -> Result<Catalog, BuildError> {
    if count > MAX_CERTIFICATES {
        return Err(BuildError::Synthetic(format!(
            "{count} certificates is more than a catalog may hold ({MAX_CERTIFICATES})"
        )));
    }
    let mut rng = SplitMix64::new(seed);
    let org_count = count.div_ceil(CERTIFICATES_PER_ORG);

    let orgs = distinct(&mut rng, ORG_SPACE, org_count)
        .into_iter()
        .map(|i| {
            let (city, i) = split(i, CITIES.len());
            let (kind, brand) = split(i, ORG_KINDS.len());
            let name = format!(
                "{}{}{}{MARKER}",
                CITIES[city],
                brand_word(brand),
                ORG_KINDS[kind]
            );
            Ok(EvaluationOrg {
                id: stable_id('o', &name),
                pinyin: name_pinyin(&name)?,
                name,
                aliases: Vec::new(),
                url: None,
            })
        })
        .collect::<Result<Vec<_>, BuildError>>()?;

    let mut certificates = Vec::with_capacity(count);
    for (n, i) in distinct(&mut rng, NAME_SPACE, count)
        .into_iter()
        .enumerate()
    {
        let (domain, i) = split(i, DOMAINS.len());
        let (activity, brand) = split(i, ACTIVITIES.len());
        let (domain, field) = DOMAINS[domain];
        let name = format!(
            "{}{domain}{}{MARKER}{CERTIFICATE_SUFFIX}",
            brand_word(brand),
            ACTIVITIES[activity]
        );
        // The first certificates go one to each organisation, so none is left without any.
        let org = if n < org_count {
            n
        } else {
            rng.below(org_count as u64) as usize
        };
        certificates.push(Certificate {
            id: stable_id('c', &name),
            pinyin: name_pinyin(&name)?,
            name,
            org_id: orgs[org].id.clone(),
            batch: Some(batch(&mut rng)),
            field: Some(field.to_string()),
            levels: levels(&mut rng).into_iter().map(LevelInfo::new).collect(),
            description: None,
        });
    }

    finish(Catalog {
        format: FORMAT,
        version: String::new(),
        source: format!(
            "模拟生成的测试数据（种子 {seed}，{count} 个证书），证书与组织均不存在。\
             Generated test data (seed {seed}, {count} certificates); none of these certificates \
             or organisations exist."
        ),
        synthetic: true,
        total_in_system: None,
        orgs,
        certificates,
    })
}

/// `count` distinct numbers below `space` (`count <= space`): a random draw, moved on to the next
/// free number when taken, so it always ends and never needs a retry limit.
fn distinct(rng: &mut SplitMix64, space: u64, count: usize) -> Vec<u64> {
    debug_assert!(count as u64 <= space);
    let mut taken = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let mut i = rng.below(space);
        while !taken.insert(i) {
            i = (i + 1) % space;
        }
        out.push(i);
    }
    out
}

/// Splits a mixed-radix number into its lowest digit (`0..radix`) and the rest.
fn split(i: u64, radix: usize) -> (usize, u64) {
    ((i % radix as u64) as usize, i / radix as u64)
}

fn brand_word(i: u64) -> String {
    let (first, second) = split(i, BRAND_FIRST.len());
    format!("{}{}", BRAND_FIRST[first], BRAND_SECOND[second as usize])
}

/// Batches weighted roughly like the real ones (few in 1 and 2, most in 3 and 4).
fn batch(rng: &mut SplitMix64) -> u8 {
    match rng.below(100) {
        0..5 => 1,
        5..15 => 2,
        15..50 => 3,
        _ => 4,
    }
}

/// One to three levels, ascending.
fn levels(rng: &mut SplitMix64) -> Vec<XLevel> {
    match rng.below(3) {
        0 => vec![XLevel::ALL[rng.below(3) as usize]],
        1 => {
            let skip = rng.below(3) as usize;
            XLevel::ALL
                .into_iter()
                .enumerate()
                .filter(|&(i, _)| i != skip)
                .map(|(_, l)| l)
                .collect()
        }
        _ => XLevel::ALL.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_space_covers_the_largest_catalog() {
        assert!(NAME_SPACE >= MAX_CERTIFICATES as u64);
        assert!(ORG_SPACE >= MAX_CERTIFICATES.div_ceil(CERTIFICATES_PER_ORG) as u64);
    }

    #[test]
    fn distinct_fills_a_small_space_exactly() {
        let mut rng = SplitMix64::new(3);
        let mut v = distinct(&mut rng, 10, 10);
        v.sort_unstable();
        assert_eq!(v, (0..10).collect::<Vec<_>>());
    }
}
