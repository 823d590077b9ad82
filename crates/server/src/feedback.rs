//! Writing certificate quality feedback, idempotently, and the administrators' CSV export.
//!
//! One write transaction per request:
//!
//! 1. take the student's row lock (as registrations do), so two requests of one student serialize;
//! 2. a request recorded under the same `client_id` answers at once: with the same body, the
//!    stored feedback for its level (200, as the first time); with another body, 422
//!    `client_id_reused`. Every applied `client_id` stays recorded, so an old request sent again
//!    after a newer edit can never overwrite that edit;
//! 3. otherwise the feedback replaces the student's earlier one for the level and the request is
//!    recorded.
//!
//! Whether the student may rate the level at all (a published result) is decided before, from the
//! same results `GET /api/v1/results` shows.

use chrono::{DateTime, Utc};
use kaozheng_core::feedback::Feedback;
use kaozheng_core::time;

use crate::db::feedback::{ExportRow, FeedbackRequest};
use crate::db::{self, Db, is_unique_violation};
use crate::error::ApiError;

fn reused(client_id: &str) -> ApiError {
    ApiError::unprocessable(
        "client_id_reused",
        format!(
            "client_id {client_id:?} was already used for other feedback; make a new id for a new request"
        ),
        "该 client_id 已用于另一份评价，请为新的请求生成新的 client_id",
    )
}

/// Stores `req` as `student_no`'s feedback at `now`, idempotently on `client_id`.
pub async fn submit(
    db: &Db,
    now: DateTime<Utc>,
    student_no: &str,
    client_id: &str,
    req: &FeedbackRequest,
) -> Result<Feedback, ApiError> {
    // Whole seconds: what is stored, so the answer to a replay is byte-identical.
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    for _ in 0..3 {
        let mut tx = db.begin_write().await?;
        if !db::students::lock_for_registration(&mut *tx, student_no).await? {
            return Err(ApiError::unauthorized(
                "unauthorized",
                "the signed-in student no longer exists",
                "登录的学生已不存在",
            ));
        }
        if let Some(earlier) = db::feedback::request(&mut *tx, student_no, client_id).await? {
            if earlier != *req {
                return Err(reused(client_id));
            }
            return db::feedback::get(&mut *tx, student_no, &req.certificate_id, req.level)
                .await?
                .ok_or_else(ApiError::internal);
        }
        match db::feedback::apply(&mut tx, student_no, client_id, req, now).await {
            Ok(()) => {}
            // A concurrent request with this client_id won: read its outcome.
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        return Ok(Feedback {
            certificate_id: req.certificate_id.clone(),
            level: req.level,
            ratings: req.ratings,
            comment: req.comment.clone(),
            updated_at: now,
        });
    }
    Err(ApiError::internal())
}

/// The columns of the export, in order.
pub const EXPORT_COLUMNS: [&str; 8] = [
    "certificate_id",
    "certificate_name",
    "level",
    "social_recognition",
    "content_quality",
    "learning_effect",
    "comment",
    "updated_at",
];

/// A cell a spreadsheet could run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
/// before one) gets a leading `'`, which spreadsheets show as text.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The export: UTF-8 with a byte order mark (Excel, the tool schools open CSV files with, reads a
/// file without one in the system's code page, GBK on Chinese Windows), a header row, CRLF line
/// ends, and no student identity: no student number, name or request id.
pub fn export_csv(rows: &[ExportRow]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(EXPORT_COLUMNS)
            .expect("writing to memory succeeds");
        for r in rows {
            let f = &r.feedback;
            w.write_record([
                spreadsheet_safe(&f.certificate_id),
                spreadsheet_safe(r.certificate_name.as_deref().unwrap_or_default()),
                f.level.as_str().to_string(),
                f.ratings.social_recognition.to_string(),
                f.ratings.content_quality.to_string(),
                f.ratings.learning_effect.to_string(),
                spreadsheet_safe(f.comment.as_deref().unwrap_or_default()),
                time::rfc3339_china(f.updated_at),
            ])
            .expect("writing to memory succeeds");
        }
        w.flush().expect("writing to memory succeeds");
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use kaozheng_core::XLevel;
    use kaozheng_core::feedback::Ratings;

    use super::*;

    #[test]
    fn formula_cells_are_defused_and_others_kept() {
        for (cell, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("很好 = 4 分", "很好 = 4 分"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn the_export_has_a_bom_a_header_and_quoted_multiline_comments() {
        let row = |comment: Option<&str>| ExportRow {
            feedback: Feedback {
                certificate_id: "c1".into(),
                level: XLevel::Intermediate,
                ratings: Ratings {
                    content_quality: 4,
                    social_recognition: 5,
                    learning_effect: 3,
                },
                comment: comment.map(str::to_string),
                updated_at: Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap(),
            },
            certificate_name: Some("Web前端开发职业技能等级证书".into()),
        };
        let bytes = export_csv(&[
            row(Some("第一行\n第二行, \"引号\"")),
            row(Some("=1+1")),
            row(None),
        ]);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(lines.next(), Some(EXPORT_COLUMNS.join(",").as_str()));
        assert_eq!(
            lines.next(),
            Some(
                "c1,Web前端开发职业技能等级证书,intermediate,5,4,3,\"第一行\n第二行, \"\"引号\"\"\",2026-11-22T10:00:00+08:00"
            )
        );
        assert_eq!(
            lines.next(),
            Some(
                "c1,Web前端开发职业技能等级证书,intermediate,5,4,3,'=1+1,2026-11-22T10:00:00+08:00"
            )
        );
        assert_eq!(
            lines.next(),
            Some("c1,Web前端开发职业技能等级证书,intermediate,5,4,3,,2026-11-22T10:00:00+08:00")
        );
        assert_eq!(lines.next(), Some(""));
        assert_eq!(lines.next(), None);
    }
}
