//! China's 31 province-level divisions under one name each.
//!
//! Rules are provincial, so a student stored as `河南省` must meet the rules written for `河南`.
//! Every province a person, a file or a query gives is normalised to its short name (the code
//! stored and compared everywhere): with or without 省/市/自治区, the full autonomous-region names,
//! and the English names, in any letter case.

/// One province-level division: its short name (the stored code), full name and English name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    pub code: &'static str,
    pub full: &'static str,
    pub en: &'static str,
    /// Other Latin spellings in use (`Xizang` for Tibet, `Nei Mongol` for Inner Mongolia).
    aliases: &'static [&'static str],
}

const fn p(code: &'static str, full: &'static str, en: &'static str) -> Province {
    Province {
        code,
        full,
        en,
        aliases: &[],
    }
}

/// The 31 divisions, in the order of the national statistics (GB/T 2260).
pub const PROVINCES: [Province; 31] = [
    p("北京", "北京市", "Beijing"),
    p("天津", "天津市", "Tianjin"),
    p("河北", "河北省", "Hebei"),
    p("山西", "山西省", "Shanxi"),
    Province {
        code: "内蒙古",
        full: "内蒙古自治区",
        en: "Inner Mongolia",
        aliases: &["Nei Mongol", "Neimenggu"],
    },
    p("辽宁", "辽宁省", "Liaoning"),
    p("吉林", "吉林省", "Jilin"),
    p("黑龙江", "黑龙江省", "Heilongjiang"),
    p("上海", "上海市", "Shanghai"),
    p("江苏", "江苏省", "Jiangsu"),
    p("浙江", "浙江省", "Zhejiang"),
    p("安徽", "安徽省", "Anhui"),
    p("福建", "福建省", "Fujian"),
    p("江西", "江西省", "Jiangxi"),
    p("山东", "山东省", "Shandong"),
    p("河南", "河南省", "Henan"),
    p("湖北", "湖北省", "Hubei"),
    p("湖南", "湖南省", "Hunan"),
    p("广东", "广东省", "Guangdong"),
    Province {
        code: "广西",
        full: "广西壮族自治区",
        en: "Guangxi",
        aliases: &["Guangxi Zhuang"],
    },
    p("海南", "海南省", "Hainan"),
    p("重庆", "重庆市", "Chongqing"),
    p("四川", "四川省", "Sichuan"),
    p("贵州", "贵州省", "Guizhou"),
    p("云南", "云南省", "Yunnan"),
    Province {
        code: "西藏",
        full: "西藏自治区",
        en: "Tibet",
        aliases: &["Xizang"],
    },
    // 陕西 is spelt Shaanxi to tell it from 山西 (Shanxi).
    p("陕西", "陕西省", "Shaanxi"),
    p("甘肃", "甘肃省", "Gansu"),
    p("青海", "青海省", "Qinghai"),
    Province {
        code: "宁夏",
        full: "宁夏回族自治区",
        en: "Ningxia",
        aliases: &["Ningxia Hui"],
    },
    Province {
        code: "新疆",
        full: "新疆维吾尔自治区",
        en: "Xinjiang",
        aliases: &["Xinjiang Uyghur", "Xinjiang Uygur"],
    },
];

/// English words that may follow a name (`Henan Province`, `Guangxi Zhuang Autonomous Region`).
const EN_SUFFIXES: [&str; 3] = [" province", " municipality", " autonomous region"];

/// The province `name` means, or `None` when it names none of the 31.
///
/// Accepts the short name (`河南`), the full name (`河南省`, `广西壮族自治区`), the short name with
/// a generic suffix (`广西自治区`), and the English name with or without `Province`, `Municipality`
/// or `Autonomous Region`, ignoring case and surrounding or doubled spaces.
pub fn find(name: &str) -> Option<&'static Province> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    if let Some(p) = PROVINCES.iter().find(|p| name == p.code || name == p.full) {
        return Some(p);
    }
    for suffix in ["省", "市", "自治区"] {
        if let Some(short) = name.strip_suffix(suffix)
            && let Some(p) = PROVINCES
                .iter()
                .find(|p| p.code == short && p.full.ends_with(suffix))
        {
            return Some(p);
        }
    }
    let latin = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut latin = latin.to_ascii_lowercase();
    for suffix in EN_SUFFIXES {
        if let Some(s) = latin.strip_suffix(suffix) {
            latin = s.to_string();
            break;
        }
    }
    PROVINCES.iter().find(|p| {
        p.en.eq_ignore_ascii_case(&latin)
            || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(&latin))
    })
}

/// The stored code (short name) of `name`, or `None` when it names no province.
pub fn normalize(name: &str) -> Option<&'static str> {
    find(name).map(|p| p.code)
}

/// The English name of a stored code; the code itself when it is not one.
pub fn en(code: &str) -> &str {
    find(code).map_or(code, |p| p.en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_is_found_by_each_of_its_names() {
        for p in &PROVINCES {
            assert_eq!(normalize(p.code), Some(p.code));
            assert_eq!(normalize(p.full), Some(p.code), "{}", p.full);
            assert_eq!(normalize(p.en), Some(p.code), "{}", p.en);
            assert_eq!(normalize(&p.en.to_uppercase()), Some(p.code));
            assert_eq!(normalize(&format!("  {}  ", p.full)), Some(p.code));
            for a in p.aliases {
                assert_eq!(normalize(a), Some(p.code), "{a}");
            }
        }
        let codes: std::collections::BTreeSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), 31);
    }

    #[test]
    fn suffixes_and_english_variants_normalise() {
        for (name, code) in [
            ("河南省", "河南"),
            ("天津市", "天津"),
            ("广西自治区", "广西"),
            ("广西壮族自治区", "广西"),
            ("宁夏回族自治区", "宁夏"),
            ("新疆维吾尔自治区", "新疆"),
            ("内蒙古自治区", "内蒙古"),
            ("Henan Province", "河南"),
            ("henan   province", "河南"),
            ("Tianjin Municipality", "天津"),
            ("Guangxi Zhuang Autonomous Region", "广西"),
            ("Inner Mongolia Autonomous Region", "内蒙古"),
            ("Xizang", "西藏"),
            ("Shaanxi", "陕西"),
            ("Shanxi", "山西"),
        ] {
            assert_eq!(normalize(name), Some(code), "{name}");
        }
    }

    #[test]
    fn anything_else_names_no_province() {
        for bad in [
            "",
            " ",
            "*",
            "河",
            "河南省省",
            "中国",
            "香港",
            "台湾",
            "Hong Kong",
            "Henan City",
            "省",
            "广西市",
            "Shan xi",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
        assert_eq!(en("河南"), "Henan");
        assert_eq!(en("火星"), "火星");
    }
}
