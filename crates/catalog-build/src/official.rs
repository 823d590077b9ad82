//! The bundled default catalog: the platform's certificate-level rows merged with the pilot batch
//! list. Only what the sources say goes in; whatever they do not say stays empty.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kaozheng_core::{Catalog, Certificate, EvaluationOrg, LevelInfo};

use crate::error::BuildError;
use crate::source::{BATCH_FILE, BatchRow, LEVELS_FILE, LevelRow, read_batches, read_levels};
use crate::{finish, hash::stable_id, romanize::name_pinyin};

/// How many certificates the 1+X system has over its four pilot batches (6 + 10 + 76 + the rest).
pub const TOTAL_IN_SYSTEM: u32 = 447;

pub const SOURCE: &str = "国家职业技能等级证书信息管理服务平台证书目录（节选，2026-08-30 采集）；\
教育部职业技术教育中心研究所第一、二批试点证书名单。\
National 1+X certificate catalog (subset collected 2026-08-30) and the pilot batch 1–2 lists of \
the Ministry of Education's vocational education research centre.";

/// Reads both source tables from `dir` and builds the validated, versioned default catalog.
pub fn build_default(dir: &Path) -> Result<Catalog, BuildError> {
    let batch_file = dir.join(BATCH_FILE);
    let levels_file = dir.join(LEVELS_FILE);
    let batches = read_batches(&batch_file)?;
    let levels = read_levels(&levels_file)?;
    merge(&batch_file, &batches, &levels_file, &levels)
}

/// What the sources say about one certificate.
#[derive(Default)]
struct Draft<'a> {
    batch: Option<u8>,
    /// The organisation as the platform names it, with the line that says so.
    platform_org: Option<(&'a str, u64)>,
    /// The organisation as the batch list names it.
    batch_org: Option<&'a str>,
    levels: Vec<LevelInfo>,
}

fn merge(
    batch_file: &Path,
    batches: &[BatchRow],
    levels_file: &Path,
    levels: &[LevelRow],
) -> Result<Catalog, BuildError> {
    let field_error =
        |file: &Path, line: u64, field: &'static str, message: String| BuildError::Field {
            file: file.to_path_buf(),
            line,
            field,
            message,
        };

    let mut drafts: BTreeMap<&str, Draft> = BTreeMap::new();
    let mut platform_ids: BTreeMap<&str, u64> = BTreeMap::new();
    for row in levels {
        if let Some(first) = platform_ids.insert(&row.certificate_id, row.line) {
            return Err(field_error(
                levels_file,
                row.line,
                "certificate_id",
                format!("{:?} repeats line {first}", row.certificate_id),
            ));
        }
        let d = drafts.entry(&row.certificate_name).or_default();
        match d.platform_org {
            Some((org, line)) if org != row.evaluation_org => {
                return Err(field_error(
                    levels_file,
                    row.line,
                    "evaluation_org",
                    format!(
                        "{:?} differs from {org:?} on line {line} for the same certificate",
                        row.evaluation_org
                    ),
                ));
            }
            Some(_) => {}
            None => d.platform_org = Some((&row.evaluation_org, row.line)),
        }
        if d.levels.iter().any(|l| l.level == row.level) {
            return Err(field_error(
                levels_file,
                row.line,
                "level",
                format!(
                    "{} of {:?} is listed twice",
                    row.level.zh(),
                    row.certificate_name
                ),
            ));
        }
        d.levels.push(LevelInfo {
            platform_id: Some(row.certificate_id.clone()),
            updated_on: Some(row.state_dt),
            ..LevelInfo::new(row.level)
        });
    }
    for row in batches {
        let d = drafts.entry(&row.certificate_name).or_default();
        if d.batch.is_some() {
            return Err(field_error(
                batch_file,
                row.line,
                "certificate_name",
                format!("{:?} is listed twice", row.certificate_name),
            ));
        }
        d.batch = Some(row.batch);
        d.batch_org = Some(&row.evaluation_org);
    }

    // The platform's name for an organisation wins; a different name in the batch list for the
    // same certificate becomes an alias, unless the platform uses that name for an organisation too.
    let platform_orgs: BTreeSet<&str> = levels.iter().map(|r| r.evaluation_org.as_str()).collect();
    let mut alias_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, d) in &drafts {
        if let (Some((platform, _)), Some(listed)) = (d.platform_org, d.batch_org)
            && platform != listed
            && !platform_orgs.contains(listed)
            && let Some(other) = alias_of.insert(listed, platform)
            && other != platform
        {
            let line = batches
                .iter()
                .find(|r| r.certificate_name == *name)
                .map_or(0, |r| r.line);
            return Err(field_error(
                batch_file,
                line,
                "evaluation_org",
                format!("{listed:?} stands for both {other:?} and {platform:?} on the platform"),
            ));
        }
    }

    let mut org_aliases: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut certificates = Vec::with_capacity(drafts.len());
    for (name, mut d) in drafts {
        let org = match (d.platform_org, d.batch_org) {
            (Some((platform, _)), _) => platform,
            (None, Some(listed)) => alias_of.get(listed).copied().unwrap_or(listed),
            (None, None) => unreachable!("every draft comes from a row"),
        };
        org_aliases.entry(org).or_default();
        d.levels.sort_by_key(|l| l.level);
        certificates.push(Certificate {
            id: stable_id('c', name),
            name: name.to_string(),
            org_id: stable_id('o', org),
            batch: d.batch,
            field: None,
            levels: d.levels,
            pinyin: name_pinyin(name)?,
            description: None,
        });
    }
    for (alias, org) in alias_of {
        org_aliases.entry(org).or_default().insert(alias);
    }
    let orgs = org_aliases
        .into_iter()
        .map(|(name, aliases)| {
            Ok(EvaluationOrg {
                id: stable_id('o', name),
                name: name.to_string(),
                aliases: aliases.into_iter().map(str::to_string).collect(),
                pinyin: name_pinyin(name)?,
                url: None,
            })
        })
        .collect::<Result<Vec<_>, BuildError>>()?;

    finish(Catalog {
        format: kaozheng_core::catalog::FORMAT,
        version: String::new(),
        source: SOURCE.to_string(),
        synthetic: false,
        total_in_system: Some(TOTAL_IN_SYSTEM),
        orgs,
        certificates,
    })
}
