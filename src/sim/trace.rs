//! The structured trace: every delivered message, fired timer, closed connection, narrated state
//! change and user input, in the order the world processed them, each stamped with virtual time.
//! A rolling 64-bit hash covers every record (structurally, so it is cheap even when the records
//! themselves are not kept); equal hashes for the same seed and inputs are the determinism check.

use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use super::time::Time;
use super::{Fingerprint, NodeId, Process};

/// What happened.
#[derive(Clone, Debug)]
pub enum TraceKind<P: Process> {
    /// `msg` from `from` was delivered to the record's node.
    Deliver { from: NodeId, msg: P::Msg },
    /// A message to the record's node was dropped (the node was down or restarted meanwhile).
    Dropped { from: NodeId, msg: P::Msg, why: &'static str },
    /// A timer of the record's node fired.
    Timer(P::Timer),
    /// The connection from `from` closed (crash, stop or close on the other side).
    Disconnect { from: NodeId },
    /// A narrated state change of the record's node.
    Note(String),
    /// A user command, as typed (the record's node is the one it targets, or 0).
    Input(String),
    /// Node lifecycle: started, crashed, stopped, exited.
    Life(&'static str),
}

/// The identity of a delivery as the rolling hash sees it; `World` feeds the same bytes on its hot
/// path without building a `TraceKind`.
pub fn hash_deliver<M: Fingerprint>(h: &mut StableHasher, from: NodeId, msg: &M) {
    0u8.hash(h);
    from.hash(h);
    msg.fingerprint(h);
}

/// The identity of a fired timer as the rolling hash sees it.
pub fn hash_timer<P: Process>(h: &mut StableHasher, timer: &P::Timer) {
    2u8.hash(h);
    timer.hash(h);
}

impl<P: Process> TraceKind<P> {
    /// Feed this record's identity to a hasher (the same bytes `World` feeds on its hot path).
    pub fn hash_into(&self, h: &mut StableHasher) {
        match self {
            TraceKind::Deliver { from, msg } => hash_deliver(h, *from, msg),
            TraceKind::Dropped { from, msg, why } => {
                1u8.hash(h);
                from.hash(h);
                msg.hash(h);
                why.hash(h);
            }
            TraceKind::Timer(t) => hash_timer::<P>(h, t),
            TraceKind::Disconnect { from } => {
                3u8.hash(h);
                from.hash(h);
            }
            TraceKind::Note(s) => {
                4u8.hash(h);
                s.hash(h);
            }
            TraceKind::Input(s) => {
                5u8.hash(h);
                s.hash(h);
            }
            TraceKind::Life(s) => {
                6u8.hash(h);
                s.hash(h);
            }
        }
    }
}

/// One trace record.
#[derive(Clone, Debug)]
pub struct TraceRecord<P: Process> {
    /// Position in the whole trace (0-based), stable across time travel.
    pub index: u64,
    pub at: Time,
    pub node: NodeId,
    pub kind: TraceKind<P>,
}

/// A small, fixed, platform-independent hasher (FxHash's multiply-rotate on 64-bit words).
/// `usize` is always hashed as 64 bits so that wasm32 and x86_64 agree.
#[derive(Clone, Debug, Default)]
pub struct StableHasher {
    h: u64,
}

impl StableHasher {
    pub fn new() -> StableHasher {
        StableHasher { h: 0x243f_6a88_85a3_08d3 }
    }
    fn add(&mut self, w: u64) {
        self.h = (self.h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        // final avalanche (murmur3 fmix64)
        let mut z = self.h;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z = (z ^ (z >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        z ^ (z >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u16(&mut self, i: u16) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn write_i32(&mut self, i: i32) {
        self.add(i as u32 as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.add(i as i64 as u64);
    }
}

/// Hash any value with the stable hasher.
pub fn stable_hash<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = StableHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// The trace log: a rolling hash over every record, plus the records themselves when kept.
#[derive(Clone, Debug)]
pub struct Trace<P: Process> {
    /// Keep records (the page and `--trace` need them; the benchmark does not).
    pub keep: bool,
    /// At most this many records are kept (oldest dropped first); the hash covers all of them.
    pub cap: usize,
    /// A ring once full: the oldest record is at `head`, the newest just before it.
    records: Vec<TraceRecord<P>>,
    head: usize,
    count: u64,
    hasher: StableHasher,
}

impl<P: Process> Trace<P> {
    pub fn new(keep: bool) -> Trace<P> {
        Trace { keep, cap: 200_000, records: Vec::new(), head: 0, count: 0, hasher: StableHasher::new() }
    }
    /// Append a record (hashing it).
    pub fn push(&mut self, at: Time, node: NodeId, kind: TraceKind<P>) {
        self.hash_head(at, node);
        kind.hash_into(&mut self.hasher);
        self.store(at, node, kind);
    }
    /// Append a record built only if records are kept; `hash` feeds the record's identity to the
    /// rolling hash without building it (the hot path of the benchmark).
    pub fn push_with(&mut self, at: Time, node: NodeId, make: impl FnOnce() -> TraceKind<P>, hash: impl FnOnce(&mut StableHasher)) {
        self.hash_head(at, node);
        hash(&mut self.hasher);
        if self.keep {
            self.store(at, node, make());
        } else {
            self.count += 1;
        }
    }
    fn hash_head(&mut self, at: Time, node: NodeId) {
        self.count.hash(&mut self.hasher);
        at.hash(&mut self.hasher);
        node.hash(&mut self.hasher);
    }
    /// Count the record and keep it when records are kept (oldest dropped past `cap`).
    fn store(&mut self, at: Time, node: NodeId, kind: TraceKind<P>) {
        let index = self.count;
        self.count += 1;
        if self.keep {
            let record = TraceRecord { index, at, node, kind };
            let n = self.records.len();
            if n > 0 && n >= self.cap {
                // Full: the newest record replaces the oldest (as a pop_front + push_back would).
                self.records[self.head] = record;
                self.head = (self.head + 1) % n;
                return;
            }
            if self.head != 0 {
                // `cap` grew after the ring wrapped: back to oldest-first order, then grow.
                self.records.rotate_left(self.head);
                self.head = 0;
            }
            self.records.push(record);
        }
    }
    /// How many records were ever pushed.
    pub fn len(&self) -> u64 {
        self.count
    }
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
    /// The rolling hash of everything so far.
    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }
    /// Kept records with `index >= from`.
    pub fn since(&self, from: u64) -> impl Iterator<Item = &TraceRecord<P>> {
        let (newer, older) = self.records.split_at(self.head);
        let first = older.first().or(newer.first()).map(|r| r.index).unwrap_or(self.count);
        let skip = from.saturating_sub(first) as usize;
        older.iter().chain(newer.iter()).skip(skip)
    }
}

/// One line of narration for a record: `12.003s zk1 ← zk2 PROPOSAL …`.
pub fn narrate<P: Process>(rec: &TraceRecord<P>, name: &dyn Fn(NodeId) -> String) -> String {
    let mut s = String::new();
    let n = name(rec.node);
    let _ = match &rec.kind {
        TraceKind::Deliver { from, msg } => write!(s, "{n} ← {}: {msg}", name(*from)),
        TraceKind::Dropped { from, msg, why } => write!(s, "{n} ✗ {}: {msg} (dropped: {why})", name(*from)),
        TraceKind::Timer(t) => write!(s, "{n}: timer {t}"),
        TraceKind::Disconnect { from } => write!(s, "{n}: connection with {} closed", name(*from)),
        TraceKind::Note(text) => write!(s, "{n}: {text}"),
        TraceKind::Input(text) => write!(s, "$ {text}"),
        TraceKind::Life(what) => write!(s, "{n}: {what}"),
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Proc;

    fn kept(t: &Trace<Proc>) -> Vec<u64> {
        t.since(0).map(|r| r.index).collect()
    }

    /// The kept records are the newest `cap`, oldest first, also when `cap` changes midway.
    #[test]
    fn kept_records_are_the_newest_in_order() {
        let mut t: Trace<Proc> = Trace::new(true);
        t.cap = 3;
        for _ in 0..7 {
            t.push(Time(0), NodeId(0), TraceKind::Life("x"));
        }
        assert_eq!(kept(&t), vec![4, 5, 6]);
        assert_eq!(t.since(5).map(|r| r.index).collect::<Vec<_>>(), vec![5, 6]);
        t.cap = 5;
        for _ in 0..3 {
            t.push(Time(0), NodeId(0), TraceKind::Life("x"));
        }
        assert_eq!(kept(&t), vec![5, 6, 7, 8, 9]);
        // Shrinking keeps as many as there are (one out, one in), like a deque would.
        t.cap = 2;
        t.push(Time(0), NodeId(0), TraceKind::Life("x"));
        assert_eq!(kept(&t), vec![6, 7, 8, 9, 10]);
        t.cap = 0;
        let mut u: Trace<Proc> = Trace::new(true);
        u.cap = 0;
        u.push(Time(0), NodeId(0), TraceKind::Life("x"));
        u.push(Time(0), NodeId(0), TraceKind::Life("x"));
        assert_eq!(kept(&u), vec![1]);
    }
}
