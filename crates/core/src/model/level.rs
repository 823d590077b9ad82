use serde::{Deserialize, Serialize};

/// A 1+X certificate level (初级 / 中级 / 高级). A higher level covers the lower ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XLevel {
    Primary,
    Intermediate,
    Advanced,
}

impl XLevel {
    pub const ALL: [XLevel; 3] = [XLevel::Primary, XLevel::Intermediate, XLevel::Advanced];

    /// The JSON name (`"primary"` …), also used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            XLevel::Primary => "primary",
            XLevel::Intermediate => "intermediate",
            XLevel::Advanced => "advanced",
        }
    }

    /// The national platform's `certificateGrade.code`.
    pub fn code(self) -> u8 {
        match self {
            XLevel::Primary => 1,
            XLevel::Intermediate => 2,
            XLevel::Advanced => 3,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            XLevel::Primary => "初级",
            XLevel::Intermediate => "中级",
            XLevel::Advanced => "高级",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            XLevel::Primary => "Primary",
            XLevel::Intermediate => "Intermediate",
            XLevel::Advanced => "Advanced",
        }
    }

    /// Parses the platform's Chinese label, the English label or the JSON name.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|l| {
            s == l.zh()
                || s.eq_ignore_ascii_case(l.en())
                || s == l.as_str()
                || s == l.code().to_string()
        })
    }

    /// Bit used in level masks (search filters).
    pub fn bit(self) -> u8 {
        1 << (self.code() - 1)
    }
}

/// The student's education level, which decides which certificate levels suit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolLevel {
    /// 中职
    Secondary,
    /// 高职（专科）
    Higher,
    /// 本科
    Undergraduate,
    /// 社会学员
    Social,
}

impl SchoolLevel {
    pub const ALL: [SchoolLevel; 4] = [
        SchoolLevel::Secondary,
        SchoolLevel::Higher,
        SchoolLevel::Undergraduate,
        SchoolLevel::Social,
    ];

    /// The JSON name (`"secondary"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolLevel::Secondary => "secondary",
            SchoolLevel::Higher => "higher",
            SchoolLevel::Undergraduate => "undergraduate",
            SchoolLevel::Social => "social",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            SchoolLevel::Secondary => "中职",
            SchoolLevel::Higher => "高职（专科）",
            SchoolLevel::Undergraduate => "本科",
            SchoolLevel::Social => "社会学员",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            SchoolLevel::Secondary => "Secondary vocational",
            SchoolLevel::Higher => "Higher vocational",
            SchoolLevel::Undergraduate => "Undergraduate",
            SchoolLevel::Social => "Adult learner",
        }
    }
}

/// The five national vocational skill grades (职业技能等级). `G1` (一级/高级技师) is the highest, so the
/// derived order runs from lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillGrade {
    G5,
    G4,
    G3,
    G2,
    G1,
}

impl SkillGrade {
    pub const ALL: [SkillGrade; 5] = [
        SkillGrade::G5,
        SkillGrade::G4,
        SkillGrade::G3,
        SkillGrade::G2,
        SkillGrade::G1,
    ];

    /// 5 for 五级 … 1 for 一级.
    pub fn number(self) -> u8 {
        match self {
            SkillGrade::G5 => 5,
            SkillGrade::G4 => 4,
            SkillGrade::G3 => 3,
            SkillGrade::G2 => 2,
            SkillGrade::G1 => 1,
        }
    }

    /// 五级 … 一级
    pub fn grade_zh(self) -> &'static str {
        match self {
            SkillGrade::G5 => "五级",
            SkillGrade::G4 => "四级",
            SkillGrade::G3 => "三级",
            SkillGrade::G2 => "二级",
            SkillGrade::G1 => "一级",
        }
    }

    /// 初级工 … 高级技师
    pub fn title_zh(self) -> &'static str {
        match self {
            SkillGrade::G5 => "初级工",
            SkillGrade::G4 => "中级工",
            SkillGrade::G3 => "高级工",
            SkillGrade::G2 => "技师",
            SkillGrade::G1 => "高级技师",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            SkillGrade::G5 => "Junior worker",
            SkillGrade::G4 => "Intermediate worker",
            SkillGrade::G3 => "Senior worker",
            SkillGrade::G2 => "Technician",
            SkillGrade::G1 => "Senior technician",
        }
    }
}

/// An assessment module: each is scored 0–100 against the certificate's pass mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    /// 理论
    Theory,
    /// 实操
    Practical,
}

impl Module {
    pub fn zh(self) -> &'static str {
        match self {
            Module::Theory => "理论",
            Module::Practical => "实操",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Module::Theory => "Theory",
            Module::Practical => "Practical",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_codes_round_trip_and_order() {
        for l in XLevel::ALL {
            assert_eq!(XLevel::from_code(l.code()), Some(l));
            assert_eq!(XLevel::parse(l.zh()), Some(l));
            assert_eq!(XLevel::parse(&l.en().to_uppercase()), Some(l));
        }
        assert!(XLevel::Primary < XLevel::Intermediate && XLevel::Intermediate < XLevel::Advanced);
        assert_eq!(XLevel::from_code(4), None);
        assert_eq!(XLevel::parse("特级"), None);
    }

    #[test]
    fn json_names_are_stable() {
        assert_eq!(
            serde_json::to_string(&XLevel::Intermediate).unwrap(),
            "\"intermediate\""
        );
        assert_eq!(
            serde_json::to_string(&SchoolLevel::Higher).unwrap(),
            "\"higher\""
        );
        assert_eq!(serde_json::to_string(&SkillGrade::G3).unwrap(), "\"g3\"");
        for l in XLevel::ALL {
            assert_eq!(
                serde_json::to_string(&l).unwrap(),
                format!("\"{}\"", l.as_str())
            );
            assert_eq!(XLevel::parse(l.as_str()), Some(l));
        }
        for l in SchoolLevel::ALL {
            assert_eq!(
                serde_json::to_string(&l).unwrap(),
                format!("\"{}\"", l.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&Module::Practical).unwrap(),
            "\"practical\""
        );
    }

    #[test]
    fn skill_grades_rank_first_grade_highest() {
        assert!(SkillGrade::G1 > SkillGrade::G3);
        assert_eq!(SkillGrade::G3.grade_zh(), "三级");
        assert_eq!(SkillGrade::G3.title_zh(), "高级工");
        assert_eq!(SkillGrade::G5.title_zh(), "初级工");
    }
}
