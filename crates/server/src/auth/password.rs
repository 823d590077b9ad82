//! Password hashing with argon2id. The cost is configurable so tests and small machines can lower
//! it; every stored hash carries its own parameters, so changing the cost never locks anyone out.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use super::tokens::random_bytes;

/// Shortest and longest password accepted on import.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// argon2id with a fixed cost, plus a hash of a random password to verify against when the student
/// is unknown, so an unknown student number costs as much time as a wrong password.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    dummy: String,
    /// At most one hash per core at a time. Each takes `memory_kib` (19 MiB by default); without
    /// a bound, 128 simultaneous sign-ins each got a blocking thread and the server's memory grew
    /// past 2 GB, for no more throughput than the cores give.
    running: Arc<Semaphore>,
}

impl Passwords {
    /// `memory_kib` and `iterations` as in argon2 (the crate's defaults are 19456 KiB and 2).
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<Passwords> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut p = Passwords {
            params,
            dummy: String::new(),
            running: Arc::new(Semaphore::new(cores)),
        };
        p.dummy = p.hash(&super::tokens::new_token());
        Ok(p)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt.
    pub fn hash(&self, password: &str) -> String {
        let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a salt");
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 hashes any password with valid parameters")
            .to_string()
    }

    /// Whether `password` matches the stored hash; a malformed hash never matches.
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        match PasswordHash::new(phc) {
            Ok(parsed) => self
                .argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// Verifies against a throwaway hash and fails: the time an unknown student costs.
    pub fn verify_dummy(&self, password: &str) -> bool {
        let _ = self.verify(password, &self.dummy);
        false
    }

    /// A place among the hashes running now, held until the hash is done (even when the request
    /// that wanted it has gone).
    async fn turn(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.running
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Hashes on the blocking pool: argon2 takes tens of milliseconds of CPU on purpose.
    pub async fn hash_blocking(&self, password: String) -> String {
        let turn = self.turn().await;
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            me.hash(&password)
        })
        .await
        .expect("hashing does not panic")
    }

    /// Verifies on the blocking pool; `None` hash means an unknown student (compared to the dummy).
    pub async fn verify_blocking(&self, password: String, phc: Option<String>) -> bool {
        let turn = self.turn().await;
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            match phc {
                Some(phc) => me.verify(&password, &phc),
                None => me.verify_dummy(&password),
            }
        })
        .await
        .expect("verifying does not panic")
    }
}

/// Why a password cannot be used, in English and Chinese.
pub fn check_policy(password: &str) -> Result<(), (String, String)> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err((
            format!("a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
            format!("密码长度应为 {MIN_PASSWORD_CHARS} 至 {MAX_PASSWORD_CHARS} 个字符"),
        ));
    }
    if password.chars().any(char::is_control) {
        return Err((
            "a password cannot contain control characters".into(),
            "密码不能包含控制字符".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_their_own_cost() {
        let cheap = Passwords::new(64, 1).unwrap();
        let h = cheap.hash("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(cheap.verify("correct horse", &h));
        assert!(!cheap.verify("correct horsf", &h));
        assert_ne!(h, cheap.hash("correct horse"), "salted");
        // A server with another cost still verifies it.
        let other = Passwords::new(128, 2).unwrap();
        assert!(other.verify("correct horse", &h));
        assert!(!other.verify("x", "not a hash"));
        assert!(!other.verify_dummy("anything"));
    }

    #[test]
    fn the_policy_wants_eight_to_128_printable_characters() {
        assert!(check_policy("12345678").is_ok());
        assert!(check_policy("密码密码密码密码").is_ok());
        assert!(check_policy("1234567").is_err());
        assert!(check_policy(&"x".repeat(129)).is_err());
        assert!(check_policy("1234\n5678").is_err());
    }
}
