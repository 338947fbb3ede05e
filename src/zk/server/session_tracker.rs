//! The leader's session tracker as one `impl ZkServer` block: every session's expiry bucket, touches
//! from clients and from followers' pings, and expiry (a closeSession proposal).
//!
//! Follows `SessionTrackerImpl.java` (`touchSession`, `run`, `setSessionClosing`) and
//! `ExpiryQueue.java` (`roundToNextInterval`: tickTime buckets); a new leader tracks every session
//! in its database with a fresh full timeout (`ZooKeeperServer.loadData` → `createSessionTracker`).
//!
//! Simplified: one timer for the earliest bucket instead of a thread; no local sessions.

use crate::sim::time::Time;

use super::*;
use crate::zk::msg::PeerRequest;
use crate::zk::types::SessionId;

impl ZkServer {
    /// A new leader tracks every session in the database with a fresh full timeout.
    pub(super) fn rebuild_session_tracker(&mut self, io: &mut ZIo<'_>) {
        let now = io.now();
        let tick = self.cfg.tick_ms;
        let sessions: Vec<(SessionId, u32)> = self.v.tree.sessions().iter().map(|(s, t)| (*s, *t)).collect();
        let Some(l) = self.leader_mut() else { return };
        l.sessions.clear();
        for (s, t) in sessions {
            l.sessions.insert(s, Tracked { timeout_ms: t, expire_at: expiry_bucket(now, t, tick), closing: false });
        }
        self.schedule_expiry(io);
    }

    pub(super) fn touch_session(&mut self, now: Time, session: SessionId, timeout_ms: u32) {
        let tick = self.cfg.tick_ms;
        if let Some(l) = self.leader_mut() {
            if let Some(t) = l.sessions.get_mut(&session) {
                if !t.closing {
                    t.expire_at = expiry_bucket(now, timeout_ms.max(1), tick);
                }
            }
        }
    }

    pub(super) fn schedule_expiry(&mut self, io: &mut ZIo<'_>) {
        let now = io.now();
        let Some(l) = self.leader_mut() else { return };
        if l.phase != LeaderPhase::Running {
            return;
        }
        if let Some(next) = l.sessions.values().filter(|t| !t.closing).map(|t| t.expire_at).min() {
            io.set_timer(ZkTimer::SessionExpiry, next.since(now));
        } else {
            io.cancel_timer(ZkTimer::SessionExpiry);
        }
    }

    pub(super) fn on_session_expiry(&mut self, io: &mut ZIo<'_>) {
        let now = io.now();
        let Some(l) = self.leader_mut() else { return };
        let expired: Vec<(SessionId, u32)> =
            l.sessions.iter().filter(|(_, t)| !t.closing && t.expire_at <= now).map(|(s, t)| (*s, t.timeout_ms)).collect();
        for (s, _) in &expired {
            if let Some(t) = l.sessions.get_mut(s) {
                t.closing = true;
            }
        }
        for (s, timeout) in expired {
            io.note(format!("Expiring session {s}, timeout of {timeout}ms exceeded"));
            self.propose(io, s, 0, PeerRequest::CloseSession);
        }
        self.schedule_expiry(io);
    }
}

/// `ExpiryQueue.roundToNextInterval(now + timeout)` with the tickTime as interval, in virtual time.
pub(super) fn expiry_bucket(now: Time, timeout_ms: u32, tick_ms: u64) -> Time {
    let t = now.as_millis() + timeout_ms as u64;
    let tick = tick_ms.max(1);
    Time((t / tick + 1) * tick * 1000)
}
