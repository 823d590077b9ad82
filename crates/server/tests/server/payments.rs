//! How a fee is paid (plan import, `payment` on the plan) and whether it was (payments import,
//! `fee_paid_at` on the registration): written by the school, read by the student.

use serde_json::{Value, json};

use super::school::token_for;
use super::support::TestApp;
use crate::on_both;

const STUDENTS: [&str; 6] = [
    "TJ2024001",
    "TJ2024002",
    "TJ2024003",
    "TJ2024004",
    "HA2024001",
    "SX2024001",
];

/// Every demo student's confirmed registrations, with whose they are.
async fn registrations(t: &TestApp) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for s in STUDENTS {
        let token = t.login(s).await;
        let res = t.get_as("/api/v1/registrations", &token).await;
        for r in res.json()["registrations"].as_array().unwrap() {
            if r["status"] == "confirmed" {
                out.push((s.to_string(), r.clone()));
            }
        }
    }
    out
}

async fn registration(t: &TestApp, student: &str, ticket: &str) -> Value {
    let token = t.login(student).await;
    let res = t.get_as("/api/v1/registrations", &token).await;
    res.json()["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ticket_no"] == ticket)
        .cloned()
        .unwrap()
}

on_both! {
    async fn a_plans_payment_details_are_imported_and_listed(b) {
        let t = TestApp::on(b).await;
        let admin = t.admin_token().await;
        let csv = "id,name,certificate_id,level,province,site_id,phase,window_opens_at,\
window_closes_at,exam_starts_at,exam_ends_at,capacity,fee_fen,pay_method,pay_place,pay_due_at\n\
pay-1,缴费计划,bim,primary,天津,demo-site-tianjin,published,2030-01-01 09:00,2030-01-10 17:00,\
2030-01-20 09:00,2030-01-20 11:00,30,20000,school_collects,学校财务处 201 室,2030-01-12 17:00\n\
pay-2,未说明缴费的计划,bim,intermediate,天津,demo-site-tianjin,published,2030-01-01 09:00,\
2030-01-10 17:00,2030-01-20 09:00,2030-01-20 11:00,30,32000,,,\n";
        let res = t.import(&admin, "plans", "text/csv", csv).await;
        assert_eq!(res.json()["rejected"], json!([]), "{}", res.text());
        let plans = t.get("/api/v1/plans?certificate=bim").await.json();
        let plan = |id: &str| {
            plans["plans"].as_array().unwrap().iter().find(|p| p["id"] == id).cloned().unwrap()
        };
        assert_eq!(
            plan("pay-1")["payment"],
            json!({"method": "school_collects", "place": "学校财务处 201 室",
                   "due_at": "2030-01-12T17:00:00+08:00"})
        );
        assert!(plan("pay-2").get("payment").is_none(), "no details: none invented");

        // The listed plans import back as JSON with their payment unchanged.
        let back = json!([plan("pay-1")]);
        let res = t.import(&admin, "plans", "application/json", back.to_string()).await;
        assert_eq!(res.json()["rejected"], json!([]), "{}", res.text());
        assert_eq!(res.json()["applied"], 0, "nothing changed");
    }
}

on_both! {
    async fn a_payment_recorded_by_the_school_reaches_the_student(b) {
        let t = TestApp::on(b).await;
        let regs = registrations(&t).await;
        let owed = |r: &Value| r["fee"]["student_pays_fen"].as_u64().unwrap() > 0;
        // The demo has both: exams sat and paid, coming exams still owed.
        assert!(regs.iter().any(|(_, r)| owed(r) && r.get("fee_paid_at").is_some()));
        let (student, unpaid) = regs
            .iter()
            .find(|(_, r)| owed(r) && r.get("fee_paid_at").is_none())
            .cloned()
            .expect("a demo registration that still owes its fee");
        let ticket = unpaid["ticket_no"].as_str().unwrap().to_string();
        let admin = t.admin_token().await;

        let res = t
            .import(&admin, "payments", "text/csv", format!("ticket_no,paid_at\n{ticket},2026-11-20 10:30\n"))
            .await;
        assert_eq!(res.json()["rejected"], json!([]), "{}", res.text());
        assert_eq!(res.json()["applied"], 1);
        assert_eq!(
            registration(&t, &student, &ticket).await["fee_paid_at"],
            "2026-11-20T10:30:00+08:00"
        );
        // Taken back (recorded by mistake): an empty paid_at.
        let res = t
            .import(&admin, "payments", "text/csv", format!("ticket_no,paid_at\n{ticket},\n"))
            .await;
        assert_eq!(res.json()["applied"], 1, "{}", res.text());
        assert!(registration(&t, &student, &ticket).await.get("fee_paid_at").is_none());

        // Refused: in the future, or a registration that owes nothing.
        let res = t
            .import(&admin, "payments", "text/csv", format!("ticket_no,paid_at\n{ticket},2099-01-01 10:00\n"))
            .await;
        assert!(res.text().contains("a payment cannot be in the future"), "{}", res.text());
        if let Some((_, free)) = regs.iter().find(|(_, r)| !owed(r)) {
            let csv = format!("ticket_no,paid_at\n{},2026-11-20 10:30\n", free["ticket_no"].as_str().unwrap());
            let res = t.import(&admin, "payments", "text/csv", csv).await;
            assert!(res.text().contains("pays nothing"), "{}", res.text());
        }
    }
}

on_both! {
    async fn a_schools_staff_record_payments_of_their_own_students_only(b) {
        let t = TestApp::on(b).await;
        let regs = registrations(&t).await;
        let owed = |r: &Value| r["fee"]["student_pays_fen"].as_u64().unwrap() > 0;
        let Some((student, reg)) = regs.iter().find(|(_, r)| owed(r)).cloned() else {
            panic!("a demo registration with a fee to pay");
        };
        let own = t.login(&student).await;
        let school = t.get_as("/api/v1/me", &own).await.json()["school"]
            .as_str()
            .unwrap()
            .to_string();
        let other = token_for(&t, Some("另一所学校")).await;
        let csv = format!("ticket_no,paid_at\n{},2026-11-20 10:30\n", reg["ticket_no"].as_str().unwrap());
        let res = t.import(&other, "payments", "text/csv", csv.clone()).await;
        assert!(res.text().contains("held by a student of another school"), "{}", res.text());
        let theirs = token_for(&t, Some(&school)).await;
        let res = t.import(&theirs, "payments", "text/csv", csv).await;
        assert_eq!(res.json()["rejected"], json!([]), "{}", res.text());
    }
}
