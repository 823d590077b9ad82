//! Login rate limits, counted in the database so every server behind a load balancer shares them.
//!
//! Each attempt is counted before the password is checked (one atomic upsert, so concurrent
//! attempts cannot slip past the limit); a successful login clears the account's count and takes
//! its attempt back from the address's, so only failures accumulate. Fixed windows: a locked-out
//! account or address may try again when its window ends (`Retry-After`).

use sqlx::AnyPool;

use crate::db::{DbResult, rate_limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed attempts per student number per window.
    pub per_account: i64,
    pub account_window_secs: i64,
    /// Failed attempts per client address per window (generous: a school's NAT is one address).
    pub per_address: i64,
    pub address_window_secs: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 5,
            account_window_secs: 15 * 60,
            per_address: 50,
            address_window_secs: 10 * 60,
        }
    }
}

/// The counters one login attempt touches.
pub struct Attempt {
    account_key: String,
    address_key: String,
    address_window: i64,
}

fn window_start(now: i64, len: i64) -> i64 {
    now - now.rem_euclid(len)
}

impl LoginLimits {
    /// Counts an attempt; `Err(seconds)` when the account or the address is over its limit and
    /// may retry after that many seconds.
    pub async fn attempt(
        &self,
        pool: &AnyPool,
        account: &str,
        address: &str,
        now: i64,
    ) -> DbResult<Result<Attempt, i64>> {
        let address_window = window_start(now, self.address_window_secs);
        let account_window = window_start(now, self.account_window_secs);
        let attempt = Attempt {
            account_key: format!("account:{account}"),
            address_key: format!("address:{address}"),
            address_window,
        };
        // A refused attempt is given back at once: only attempts that ran count, so a burst of
        // sign-ins behind one school NAT is refused while the limit is full of attempts in flight,
        // and admitted again as those succeed, instead of locking the address for the window.
        let by_address = rate_limits::hit(pool, &attempt.address_key, address_window).await?;
        if by_address > self.per_address {
            rate_limits::give_back(pool, &attempt.address_key, address_window).await?;
            return Ok(Err(address_window + self.address_window_secs - now));
        }
        let by_account = rate_limits::hit(pool, &attempt.account_key, account_window).await?;
        if by_account > self.per_account {
            rate_limits::give_back(pool, &attempt.account_key, account_window).await?;
            rate_limits::give_back(pool, &attempt.address_key, address_window).await?;
            return Ok(Err(account_window + self.account_window_secs - now));
        }
        Ok(Ok(attempt))
    }

    /// After a successful login: the account starts afresh and the address gets its attempt back.
    pub async fn succeeded(&self, pool: &AnyPool, attempt: Attempt) -> DbResult<()> {
        rate_limits::reset(pool, &attempt.account_key).await?;
        rate_limits::give_back(pool, &attempt.address_key, attempt.address_window).await
    }
}

/// Ticket checks (`GET /api/v1/tickets/verify`) and certificate look-ups (`GET
/// /api/v1/certificates/verify`) per client address, each counted on its own. An exam site scans
/// every candidate from one address, an employer may check many certificates, so a valid check
/// gives its attempt back and only failed checks (typos, guesses) accumulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckLimits {
    pub per_address: i64,
    pub window_secs: i64,
}

impl Default for CheckLimits {
    fn default() -> Self {
        CheckLimits {
            per_address: 100,
            window_secs: 10 * 60,
        }
    }
}

/// Counter scope of admission-ticket checks.
pub const TICKET_CHECKS: &str = "ticket-check";
/// Counter scope of certificate look-ups.
pub const CERTIFICATE_CHECKS: &str = "certificate-check";

/// The counter one check touched.
pub struct CheckAttempt {
    key: String,
    window: i64,
}

impl CheckLimits {
    /// Counts a ticket check; `Err(seconds)` when the address is over its limit.
    pub async fn attempt(
        &self,
        pool: &AnyPool,
        address: &str,
        now: i64,
    ) -> DbResult<Result<CheckAttempt, i64>> {
        self.attempt_in(pool, TICKET_CHECKS, address, now).await
    }

    /// Counts a check of `scope` ([`TICKET_CHECKS`], [`CERTIFICATE_CHECKS`]); `Err(seconds)` when
    /// the address is over its limit there.
    pub async fn attempt_in(
        &self,
        pool: &AnyPool,
        scope: &str,
        address: &str,
        now: i64,
    ) -> DbResult<Result<CheckAttempt, i64>> {
        let window = window_start(now, self.window_secs);
        let key = format!("{scope}:{address}");
        if rate_limits::hit(pool, &key, window).await? > self.per_address {
            return Ok(Err(window + self.window_secs - now));
        }
        Ok(Ok(CheckAttempt { key, window }))
    }

    /// After a valid check: the address gets its attempt back.
    pub async fn succeeded(&self, pool: &AnyPool, attempt: CheckAttempt) -> DbResult<()> {
        rate_limits::give_back(pool, &attempt.key, attempt.window).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned() {
        assert_eq!(window_start(1_000, 300), 900);
        assert_eq!(window_start(900, 300), 900);
        assert_eq!(window_start(-1, 300), -300);
    }
}
