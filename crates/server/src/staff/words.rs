//! The staff page's two languages: every word it shows, in Chinese (the default) and English.

use kaozheng_core::PlanState;
use kaozheng_core::model::PhaseMove;

use crate::import::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en` (a query parameter or the cookie), anything else `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// From `Accept-Language`: English only when it comes before any Chinese.
    pub fn from_accept_language(v: &str) -> Lang {
        for part in v.split(',') {
            let tag = part.split(';').next().unwrap_or_default().trim();
            let tag = tag.to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::Zh;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// One of two words.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

pub fn state_zh(s: PlanState) -> &'static str {
    match s {
        PlanState::Draft => "草稿",
        PlanState::Announced => "即将报名",
        PlanState::Open => "报名中",
        PlanState::Closed => "报名截止",
        PlanState::Examining => "考试中",
        PlanState::Scoring => "成绩登记中",
        PlanState::Publicized => "成绩公示中",
        PlanState::Ended => "已结束",
    }
}

pub fn state(lang: Lang, s: PlanState) -> &'static str {
    match lang {
        Lang::Zh => state_zh(s),
        Lang::En => match s {
            PlanState::Draft => "Draft",
            PlanState::Announced => "Opens soon",
            PlanState::Open => "Registration open",
            PlanState::Closed => "Registration closed",
            PlanState::Examining => "Exam under way",
            PlanState::Scoring => "Scoring",
            PlanState::Publicized => "Results in public notice",
            PlanState::Ended => "Ended",
        },
    }
}

/// The button that makes a move.
pub fn move_label(lang: Lang, m: PhaseMove) -> &'static str {
    match m {
        PhaseMove::Publish => lang.pick("发布", "Publish"),
        PhaseMove::Close => lang.pick("截止报名", "Close registration"),
        PhaseMove::Score => lang.pick("开始成绩登记", "Start scoring"),
        PhaseMove::Publicize => lang.pick("公示成绩", "Publish results (公示)"),
        PhaseMove::End => lang.pick("结束考核", "End the plan"),
    }
}

/// What a move does, said after it was made.
pub fn moved(lang: Lang, m: PhaseMove) -> &'static str {
    match m {
        PhaseMove::Publish => lang.pick("已发布", "published"),
        PhaseMove::Close => lang.pick("已截止报名", "registration closed"),
        PhaseMove::Score => lang.pick("已开始成绩登记", "scoring started"),
        PhaseMove::Publicize => lang.pick(
            "成绩已公示，学生现在可以看到成绩",
            "results published: students see them now",
        ),
        PhaseMove::End => lang.pick("已结束", "ended"),
    }
}

pub fn kind(lang: Lang, k: Kind) -> &'static str {
    match k {
        Kind::Sites => lang.pick("考点", "Exam sites"),
        Kind::Plans => lang.pick("考核计划", "Exam plans"),
        Kind::Students => lang.pick("学生名册", "Students"),
        Kind::Results => lang.pick(
            "成绩（可用导出的考生名单填写）",
            "Results (fill in an exported roster)",
        ),
        Kind::Catalog => lang.pick("证书目录", "Certificate catalog"),
        Kind::Rules => lang.pick("规则", "Rules"),
        Kind::Payments => lang.pick(
            "缴费记录（准考证号、缴费时间）",
            "Fee payments (ticket number, time paid)",
        ),
    }
}

pub fn level(lang: Lang, l: kaozheng_core::XLevel) -> &'static str {
    use kaozheng_core::XLevel;
    match l {
        XLevel::Primary => lang.pick("初级", "Primary"),
        XLevel::Intermediate => lang.pick("中级", "Intermediate"),
        XLevel::Advanced => lang.pick("高级", "Advanced"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_the_query_cookie_or_browser() {
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.5"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::Zh);
        assert_eq!(Lang::En.pick("中", "en"), "en");
        for s in [PlanState::Draft, PlanState::Publicized] {
            assert_ne!(state(Lang::Zh, s), state(Lang::En, s));
        }
        for m in PhaseMove::ALL {
            assert_ne!(move_label(Lang::Zh, m), move_label(Lang::En, m));
        }
    }
}
