//! The simulated network: per-link latency drawn from a configurable range, FIFO order per pair of
//! nodes (one TCP stream), retransmission delay for lost transmissions, and one-way or two-way
//! cuts (partitions) that hold messages until the link heals.
//!
//! Modelled on turmoil's `top.rs` (per-link state, `DeliverAfter`) and TigerBeetle's packet
//! simulator. Simplified: loss is TCP-like — a lost transmission is retransmitted after an RTO
//! (200 ms, doubling, at most 6 times: 12.6 s at worst), so the message arrives late but in order; a message in
//! flight when its link is cut is held like one sent after the cut; when the link heals, held
//! messages are re-sent in their original order, and messages that were still in flight behind
//! them wait for them (one TCP stream: nothing overtakes a segment that has not arrived).

use serde::Serialize;

use super::rng::{Ppm, Rng};
use super::time::{Duration, Time};
use super::NodeId;

/// Network settings a learner can change with `net delay` / `net loss`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NetConfig {
    pub delay_min: Duration,
    pub delay_max: Duration,
    pub loss: Ppm,
}

impl Default for NetConfig {
    /// One to three milliseconds, no loss: slow enough to watch, fast like a LAN.
    fn default() -> Self {
        NetConfig { delay_min: Duration::from_micros(1000), delay_max: Duration::from_micros(3000), loss: Ppm::ZERO }
    }
}

/// Link state between every ordered pair of nodes.
#[derive(Clone, Debug, Default)]
pub struct Bus {
    pub config: NetConfig,
    n: usize,
    /// `last[from*n+to]`: delivery time of the last message on that directed link (FIFO).
    last: Vec<Time>,
    /// `cut[from*n+to]`: messages from→to are held.
    cut: Vec<bool>,
    /// `open[min*n+max]`: the pair has an open connection (someone sent something since the last close).
    open: Vec<bool>,
    /// `resent[from*n+to]`: the smallest send id and the latest new delivery time of the held
    /// messages re-sent on that link when it healed. Messages that were already in flight behind
    /// them (a larger id, an earlier delivery time) wait for them: one TCP stream delivers in order.
    resent: Vec<(u64, Time)>,
}

/// The RTO of the first retransmission (Linux `TCP_RTO_MIN`).
const RTO_MIN: Duration = Duration::from_millis(200);
const MAX_RETRANSMITS: u32 = 6;

impl Bus {
    /// Make room for `n` nodes (links of new nodes start healthy).
    pub fn grow(&mut self, n: usize) {
        if n <= self.n {
            return;
        }
        let old = self.n;
        let mut last = vec![Time::ZERO; n * n];
        let mut cut = vec![false; n * n];
        let mut open = vec![false; n * n];
        let mut resent = vec![(0, Time::ZERO); n * n];
        for a in 0..old {
            for b in 0..old {
                last[a * n + b] = self.last[a * old + b];
                cut[a * n + b] = self.cut[a * old + b];
                open[a * n + b] = self.open[a * old + b];
                resent[a * n + b] = self.resent[a * old + b];
            }
        }
        self.n = n;
        self.last = last;
        self.cut = cut;
        self.open = open;
        self.resent = resent;
    }

    fn ix(&self, a: NodeId, b: NodeId) -> usize {
        a.index() * self.n + b.index()
    }

    /// Whether messages from `a` to `b` are held.
    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        self.cut.get(self.ix(a, b)).copied().unwrap_or(false)
    }

    /// Cut (or restore) the directed link `a → b`.
    pub fn set_cut(&mut self, a: NodeId, b: NodeId, cut: bool) {
        let i = self.ix(a, b);
        if let Some(c) = self.cut.get_mut(i) {
            *c = cut;
        }
    }

    /// Restore every link.
    pub fn heal(&mut self) {
        self.cut.iter_mut().for_each(|c| *c = false);
    }

    /// Every cut directed link, in order.
    pub fn cuts(&self) -> Vec<(NodeId, NodeId)> {
        let mut v = Vec::new();
        for a in 0..self.n {
            for b in 0..self.n {
                if self.cut[a * self.n + b] {
                    v.push((NodeId(a as u32), NodeId(b as u32)));
                }
            }
        }
        v
    }

    fn pair(&self, a: NodeId, b: NodeId) -> usize {
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        self.ix(x, y)
    }

    /// Mark the connection between `a` and `b` open.
    pub fn touch(&mut self, a: NodeId, b: NodeId) {
        let i = self.pair(a, b);
        if let Some(o) = self.open.get_mut(i) {
            *o = true;
        }
    }

    /// Close the connection between `a` and `b`; returns whether it was open.
    pub fn close(&mut self, a: NodeId, b: NodeId) -> bool {
        let i = self.pair(a, b);
        match self.open.get_mut(i) {
            Some(o) => std::mem::replace(o, false),
            None => false,
        }
    }

    /// Peers of `a` with an open connection, in id order.
    pub fn open_peers(&self, a: NodeId) -> Vec<NodeId> {
        (0..self.n).map(|b| NodeId(b as u32)).filter(|&b| b != a && self.open.get(self.pair(a, b)).copied().unwrap_or(false)).collect()
    }

    /// When a message sent now from `a` to `b` arrives: latency drawn from the range, plus
    /// retransmission delays for lost transmissions, never before the previous message on the link.
    pub fn delivery_time(&mut self, rng: &mut Rng, now: Time, a: NodeId, b: NodeId) -> Time {
        let c = self.config;
        let mut d = Duration(rng.range_inclusive(c.delay_min.0, c.delay_max.0));
        let mut rto = RTO_MIN;
        let mut tries = 0;
        while c.loss.0 > 0 && tries < MAX_RETRANSMITS && rng.chance(c.loss) {
            d = d + rto;
            rto = Duration((rto.0 * 2).min(Duration::from_secs(60).0));
            tries += 1;
        }
        let i = self.ix(a, b);
        let at = (now + d).max(self.last.get(i).copied().unwrap_or(Time::ZERO));
        if let Some(l) = self.last.get_mut(i) {
            *l = at;
        }
        at
    }

    /// A held message (send id `id`) was re-sent on `a → b` at `now`, after a heal, to arrive at `at`.
    pub fn note_resent(&mut self, a: NodeId, b: NodeId, id: u64, at: Time, now: Time) {
        let i = self.ix(a, b);
        if let Some(r) = self.resent.get_mut(i) {
            *r = if r.1 <= now { (id, at) } else { (r.0.min(id), r.1.max(at)) };
        }
    }

    /// When a message (send id `id`, due at `due`) must arrive instead, because a message sent
    /// before it on `a → b` was held by a cut and re-sent: with the last re-sent one (ties go by
    /// send id, so the stream stays in order).
    pub fn behind_resent(&self, a: NodeId, b: NodeId, id: u64, due: Time) -> Option<Time> {
        let (first, at) = self.resent.get(self.ix(a, b)).copied()?;
        (id > first && due < at).then_some(at)
    }
}
