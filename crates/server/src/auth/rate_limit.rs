//! Login and check rate limits, counted in the database so every server behind a load balancer
//! shares them.
//!
//! Sliding windows: a limit of N per window allows at most N counted attempts in any span of the
//! window's length, and `Retry-After` says when the oldest attempt in the way leaves it. (Fixed
//! clock blocks let a burst straddling a block's end through twice, and counted down to the
//! block's end.) Each attempt is counted before the password or check is verified, under a lock
//! on its key, so concurrent attempts on any server cannot slip past the limit; a refused attempt
//! is not counted, and a success gives its attempt back, so only failures (and attempts still in
//! flight) accumulate.

use crate::db::{Db, DbResult, rate_limits};

/// At most `limit` attempts in any `secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub secs: i64,
}

impl Window {
    /// Whether one more attempt at `now` fits, given the times of the attempts counted in the
    /// window before it (`times`: those after `now - secs`, oldest first). `Err(seconds)` until
    /// enough of them have left the window for one more.
    pub fn admit(&self, times: &[i64], now: i64) -> Result<(), i64> {
        let count = times.len() as i64;
        if count < self.limit {
            return Ok(());
        }
        // One more fits once all but `limit - 1` have left: the oldest `count - limit + 1`.
        let blocking = times[(count - self.limit) as usize];
        Err((blocking + self.secs - now).max(1))
    }

    /// The start of the window that ends at `now` (attempts after it count).
    pub fn since(&self, now: i64) -> i64 {
        now - self.secs
    }
}

/// Counts an attempt under `key` at `now` within `window`; `Err(seconds)` when over the limit.
async fn count(db: &Db, key: &str, window: Window, now: i64) -> DbResult<Result<String, i64>> {
    rate_limits::record(db, key, now, window.since(now), |times| {
        window.admit(times, now)
    })
    .await
}

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

/// The counted attempts of one login.
pub struct Attempt {
    account_key: String,
    address_hit: String,
}

impl LoginLimits {
    fn account(&self) -> Window {
        Window {
            limit: self.per_account,
            secs: self.account_window_secs,
        }
    }

    fn address(&self) -> Window {
        Window {
            limit: self.per_address,
            secs: self.address_window_secs,
        }
    }

    /// Counts an attempt; `Err(seconds)` when the account or the address is over its limit and
    /// may retry after that many seconds.
    pub async fn attempt(
        &self,
        db: &Db,
        account: &str,
        address: &str,
        now: i64,
    ) -> DbResult<Result<Attempt, i64>> {
        // A refused attempt is not counted: only attempts that ran count, so a burst of sign-ins
        // behind one school NAT is refused while the limit is full of attempts in flight, and
        // admitted again as those succeed, instead of locking the address for the window.
        let address_hit =
            match count(db, &format!("address:{address}"), self.address(), now).await? {
                Ok(id) => id,
                Err(retry) => return Ok(Err(retry)),
            };
        let account_key = format!("account:{account}");
        if let Err(retry) = count(db, &account_key, self.account(), now).await? {
            rate_limits::give_back(&db.pool, &address_hit).await?;
            return Ok(Err(retry));
        }
        Ok(Ok(Attempt {
            account_key,
            address_hit,
        }))
    }

    /// After a successful login: the account starts afresh and the address gets its attempt back.
    pub async fn succeeded(&self, db: &Db, attempt: Attempt) -> DbResult<()> {
        rate_limits::reset(&db.pool, &attempt.account_key).await?;
        rate_limits::give_back(&db.pool, &attempt.address_hit).await
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

/// The attempt one check counted.
pub struct CheckAttempt {
    hit: String,
}

impl CheckLimits {
    fn window(&self) -> Window {
        Window {
            limit: self.per_address,
            secs: self.window_secs,
        }
    }

    /// Counts a ticket check; `Err(seconds)` when the address is over its limit.
    pub async fn attempt(
        &self,
        db: &Db,
        address: &str,
        now: i64,
    ) -> DbResult<Result<CheckAttempt, i64>> {
        self.attempt_in(db, TICKET_CHECKS, address, now).await
    }

    /// Counts a check of `scope` ([`TICKET_CHECKS`], [`CERTIFICATE_CHECKS`]); `Err(seconds)` when
    /// the address is over its limit there.
    pub async fn attempt_in(
        &self,
        db: &Db,
        scope: &str,
        address: &str,
        now: i64,
    ) -> DbResult<Result<CheckAttempt, i64>> {
        let key = format!("{scope}:{address}");
        Ok(count(db, &key, self.window(), now)
            .await?
            .map(|hit| CheckAttempt { hit }))
    }

    /// After a valid check: the address gets its attempt back.
    pub async fn succeeded(&self, db: &Db, attempt: CheckAttempt) -> DbResult<()> {
        rate_limits::give_back(&db.pool, &attempt.hit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_PER_15_MIN: Window = Window {
        limit: 5,
        secs: 900,
    };

    #[test]
    fn the_limit_holds_over_any_span_of_the_window() {
        let w = FIVE_PER_15_MIN;
        assert_eq!(w.admit(&[], 1_000), Ok(()));
        assert_eq!(w.admit(&[200, 300, 400, 500], 1_000), Ok(()));
        // Five in the window: the sixth waits until the oldest is 15 minutes old.
        assert_eq!(w.admit(&[200, 300, 400, 500, 600], 1_000), Err(100));
        // More than the limit (attempts in flight on other servers): the one that frees a
        // place is the (count - limit + 1)-th oldest.
        assert_eq!(
            w.admit(&[200, 300, 400, 500, 600, 700], 1_000),
            Err(300 + 900 - 1_000)
        );
        // Never "retry in 0 seconds".
        assert_eq!(w.admit(&[101, 300, 400, 500, 600], 1_001), Err(1));
    }

    /// The burst that fixed 15-minute blocks let through twice: five failures in the last second
    /// of a block, five more in the first second of the next.
    #[test]
    fn a_burst_across_a_clock_block_boundary_gets_the_limit_once() {
        let w = FIVE_PER_15_MIN;
        let block_end = 1_800; // a multiple of 900: where a fixed block ended
        let mut times = Vec::new();
        for _ in 0..5 {
            let now = block_end - 1;
            assert_eq!(w.admit(&times, now), Ok(()));
            times.push(now);
        }
        let now = block_end + 1;
        let in_window: Vec<i64> = times
            .iter()
            .copied()
            .filter(|t| *t > w.since(now))
            .collect();
        // Refused, and told to wait until the first of the burst is 15 minutes old, not until
        // the new block ends.
        assert_eq!(w.admit(&in_window, now), Err(block_end - 1 + 900 - now));
        let later = block_end - 1 + 900;
        let in_window: Vec<i64> = times
            .iter()
            .copied()
            .filter(|t| *t > w.since(later))
            .collect();
        assert_eq!(w.admit(&in_window, later), Ok(()));
    }
}
