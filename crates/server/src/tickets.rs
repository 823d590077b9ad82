//! Admission-ticket and certificate check codes. The app's ticket QR carries
//! `KZT1|<ticket_no>|<ticket_check>`; the check is an HMAC of the ticket under a secret only the
//! servers know, so an exam site scanning it (`GET /api/v1/tickets/verify`) can tell a ticket the
//! server issued from a number typed into a forged page. A result's certificate number has a check
//! the same way (`GET /api/v1/certificates/verify`), so an employer's look-up needs more than a
//! number that may be sequential.
//!
//! The secret is 32 random bytes made by the first server that starts on a database and kept in
//! its `meta` table, so every server behind a load balancer computes the same checks. It is never
//! logged or served. Checks are computed on read, never stored: every registration has one,
//! including those made before checks existed, and re-reads always agree.

use std::fmt;

use hmac::{Hmac, Mac};
use kaozheng_core::model::Registration;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::auth::tokens::{hex, random_bytes};
use crate::db::{Db, DbError, DbResult, meta};

/// Meta key of the secret (64 hex digits).
pub const SECRET_KEY: &str = "ticket_secret";

/// Characters in a check: 50 bits, far beyond guessing through a rate-limited endpoint.
pub const CHECK_LEN: usize = 10;

/// Crockford's base32: no I, L, O or U, so a check read aloud or typed is hard to get wrong.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The servers' secret for ticket checks.
#[derive(Clone)]
pub struct TicketKey([u8; 32]);

impl fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TicketKey(..)")
    }
}

impl TicketKey {
    pub fn from_bytes(bytes: [u8; 32]) -> TicketKey {
        TicketKey(bytes)
    }

    /// The database's secret, made now if it has none. Servers starting at once on one database
    /// race on the key's insert; every one of them then reads the winner's.
    pub async fn load_or_create(db: &Db) -> DbResult<TicketKey> {
        meta::claim(&db.pool, SECRET_KEY, &hex(&random_bytes::<32>())).await?;
        let stored = meta::get(&db.pool, SECRET_KEY)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("{SECRET_KEY} vanished after writing it")))?;
        // The value itself stays out of the error: it is the secret.
        from_hex(&stored)
            .map(TicketKey)
            .ok_or_else(|| DbError::Corrupt(format!("{SECRET_KEY} is not 64 hexadecimal digits")))
    }

    /// The check of a ticket: Crockford base32 (uppercase, no padding) of
    /// HMAC-SHA256(secret, `<ticket_no>|<student_no>|<plan_id>`), first [`CHECK_LEN`] characters.
    /// Binding the student and the plan means a number moved to another holder or exam fails.
    pub fn check(&self, ticket_no: &str, student_no: &str, plan_id: &str) -> String {
        let digest = self.mac(format!("{ticket_no}|{student_no}|{plan_id}").as_bytes());
        crockford(&digest)[..CHECK_LEN].to_string()
    }

    /// The check of a certificate number: like a ticket's, of `certificate|<certificate_no>`. The
    /// prefix keeps the two apart (ticket numbers are digits only, never `certificate`).
    pub fn certificate_check(&self, certificate_no: &str) -> String {
        let digest = self.mac(format!("certificate|{certificate_no}").as_bytes());
        crockford(&digest)[..CHECK_LEN].to_string()
    }

    /// Whether a typed name is the holder's (both trimmed), comparing their MACs in constant time:
    /// the time taken tells nothing about where or whether the names differ.
    pub fn same_name(&self, expected: &str, given: &str) -> bool {
        let a = self.mac(format!("name|{}", expected.trim()).as_bytes());
        let b = self.mac(format!("name|{}", given.trim()).as_bytes());
        bool::from(a.ct_eq(&b))
    }

    fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts keys of any length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Fills in the registration's check; `student_no` is its holder.
    pub fn fill(&self, reg: &mut Registration, student_no: &str) {
        reg.ticket_check = self.check(&reg.ticket_no, student_no, &reg.plan_id);
    }
}

/// Whether `given` (as typed or scanned) is `expected`, in time independent of where they differ.
/// Typed checks are forgiven what Crockford's alphabet forgives: case, O for 0, I or L for 1, and
/// hyphens or spaces between groups.
pub fn same_check(expected: &str, given: &str) -> bool {
    let given: Vec<u8> = given
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' '))
        .map(|b| match b.to_ascii_uppercase() {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            other => other,
        })
        .collect();
    // The lengths are public (every check has CHECK_LEN characters); only contents are secret.
    given.len() == expected.len() && bool::from(given.ct_eq(expected.as_bytes()))
}

/// Crockford base32 of `bytes`, most significant bit first, without padding.
fn crockford(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(CROCKFORD[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(CROCKFORD[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

fn from_hex(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// The holder's name as an exam site may see it: the first character, then one `*` per other
/// character (李静 → 李*), enough to match a face to a ticket without publishing the name.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crockford_matches_known_encodings() {
        assert_eq!(crockford(b""), "");
        assert_eq!(crockford(b"f"), "CR");
        assert_eq!(crockford(b"foobar"), "CSQPYRK1E8");
        assert_eq!(crockford(&[0xff; 5]), "ZZZZZZZZ");
        assert_eq!(crockford(&[0; 5]), "00000000");
    }

    #[test]
    fn checks_are_stable_and_bound_to_ticket_holder_plan_and_secret() {
        let key = TicketKey::from_bytes([7; 32]);
        let c = key.check("261200042000007", "TJ2024002", "plan-1");
        assert_eq!(c.len(), CHECK_LEN);
        assert!(c.bytes().all(|b| CROCKFORD.contains(&b)), "{c}");
        assert_eq!(c, key.check("261200042000007", "TJ2024002", "plan-1"));
        for other in [
            key.check("261200042000008", "TJ2024002", "plan-1"),
            key.check("261200042000007", "TJ2024003", "plan-1"),
            key.check("261200042000007", "TJ2024002", "plan-2"),
            TicketKey::from_bytes([8; 32]).check("261200042000007", "TJ2024002", "plan-1"),
        ] {
            assert_ne!(c, other);
        }
        // The field separator keeps fields apart: moving a character across it changes the check.
        assert_ne!(key.check("1", "23", "p"), key.check("12", "3", "p"));
    }

    #[test]
    fn certificate_checks_are_stable_distinct_and_names_compare_exactly() {
        let key = TicketKey::from_bytes([7; 32]);
        let c = key.certificate_check("DEMO261200042000007");
        assert_eq!(c.len(), CHECK_LEN);
        assert!(c.bytes().all(|b| CROCKFORD.contains(&b)), "{c}");
        assert_eq!(c, key.certificate_check("DEMO261200042000007"));
        assert_ne!(c, key.certificate_check("DEMO261200042000008"));
        assert_ne!(
            c,
            TicketKey::from_bytes([8; 32]).certificate_check("DEMO261200042000007")
        );
        assert!(key.same_name("王晓明", " 王晓明 "));
        assert!(!key.same_name("王晓明", "王晓"));
        assert!(!key.same_name("王晓明", "王*"));
        assert!(!key.same_name("王晓明", ""));
    }

    #[test]
    fn typed_checks_are_forgiven_case_and_lookalikes_only() {
        assert!(same_check("0A1B2C3D4E", "0a1b2c3d4e"));
        assert!(same_check("0A1B2C3D4E", "oA1B2-C3D4E"));
        assert!(same_check("1A1B2C3D4E", "lA1B2 C3D4E"));
        assert!(same_check("1A1B2C3D4E", "IA1B2C3D4E"));
        assert!(!same_check("0A1B2C3D4E", "0A1B2C3D4F"));
        assert!(!same_check("0A1B2C3D4E", "0A1B2C3D4"));
        assert!(!same_check("0A1B2C3D4E", ""));
    }

    #[test]
    fn secrets_round_trip_through_hex_and_never_print() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 8);
        assert_eq!(from_hex(&hex(&bytes)), Some(bytes));
        assert_eq!(from_hex(&hex(&bytes).to_uppercase()), Some(bytes));
        assert_eq!(from_hex("00"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
        assert_eq!(
            format!("{:?}", TicketKey::from_bytes(bytes)),
            "TicketKey(..)"
        );
    }

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("李静"), "李*");
        assert_eq!(mask_name("王晓明"), "王**");
        assert_eq!(mask_name(" 欧阳娜娜 "), "欧***");
        assert_eq!(mask_name(""), "");
    }
}
