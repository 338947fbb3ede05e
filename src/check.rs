//! Named safety invariants, checked after every event when the checker is on (tests, swarm).
//! They are judged from facts the nodes report (`ZkFact`) plus the world's state, from outside
//! the nodes, like TigerBeetle's state checker.
//!
//! - `one-leader-per-epoch`: at most one server establishes itself as leader of an epoch.
//! - `committed-prefix`: committed histories are prefixes of one another: whenever two servers
//!   have committed the same zxid, the digests of their whole histories up to it are equal.
//! - `zxids-increase`: a server's committed zxids never go backwards.
//! - `versions-monotonic`: a znode's dataVersion and cversion (for one incarnation of the path,
//!   i.e. one czxid) never go backwards on a server, as committed.
//! - `no-orphan-ephemerals`: a closed or expired session leaves no ephemeral node behind.
//! - `commit-order`: a follower never receives a COMMIT out of order.
//!
//! Kafka (from `KafkaFact`):
//! - `one-controller-per-epoch`: at most one broker acts as controller in a controller epoch.
//! - `leader-in-isr`: every partition state the controller writes with a leader has the leader in
//!   its ISR.
//! - `hw-monotonic`: a leader's high watermark never decreases (per partition and leader epoch).
//! - `acked-not-lost`: a record acknowledged with acks=all while the ISR had at least
//!   `min.insync.replicas` members is in the log of every leader of a later leader epoch, unless
//!   an unclean election happened for that partition since.

use crate::sorted::SortedMap;

use crate::cluster::Fact;
use crate::kafka::broker::KafkaFact;
use crate::kafka::types::{BrokerId, TopicPartition};
use crate::sim::time::Time;
use crate::zk::server::ZkFact;
use crate::zk::types::{Sid, Zxid};

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub invariant: &'static str,
    pub at: Time,
    pub detail: String,
}

/// The checker's memory.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    leaders: SortedMap<u32, Sid>,
    committed: SortedMap<Zxid, (u64, Sid)>,
    last_committed: SortedMap<Sid, (Zxid, u64)>,
    versions: SortedMap<(Sid, String, Zxid), (i32, i32)>,
    controllers: SortedMap<i32, BrokerId>,
    hws: SortedMap<(TopicPartition, BrokerId, i32), i64>,
    /// Highest offset acknowledged with acks=all (and ISR ≥ min), per partition and leader epoch.
    acked: SortedMap<TopicPartition, SortedMap<i32, i64>>,
    pub violations: Vec<Violation>,
    /// Facts seen (for tests that want to know the checker was fed).
    pub facts_seen: u64,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    fn violate(&mut self, invariant: &'static str, at: Time, detail: String) {
        if self.violations.len() < 100 {
            self.violations.push(Violation { invariant, at, detail });
        }
    }

    /// Judge one fact.
    pub fn observe(&mut self, at: Time, fact: &Fact) {
        self.facts_seen += 1;
        let f = match fact {
            Fact::Zk(f) => f,
            Fact::Kafka(k) => return self.observe_kafka(at, k),
        };
        match f {
            ZkFact::Established { sid, epoch } => match self.leaders.get(epoch) {
                Some(other) if other != sid => {
                    let other = *other;
                    self.violate("one-leader-per-epoch", at, format!("zk{sid} and zk{other} both established epoch {epoch}"));
                }
                _ => {
                    self.leaders.insert(*epoch, *sid);
                }
            },
            ZkFact::Committed { sid, zxid, chain } | ZkFact::Adopted { sid, zxid, chain } => {
                if let Some((last, last_chain)) = self.last_committed.get(sid).copied() {
                    // A bare new-epoch zxid (counter 0, e.g. an adopted empty snapshot's
                    // `0x100000000`) names no transaction: syncing below it is not going back.
                    if *zxid < last && last.counter() != 0 {
                        self.violate("zxids-increase", at, format!("zk{sid} committed {zxid} after {last}"));
                    } else if *zxid == last && *chain != last_chain && !matches!(f, ZkFact::Adopted { .. }) {
                        self.violate("committed-prefix", at, format!("zk{sid} re-committed {zxid} with a different history"));
                    }
                }
                self.last_committed.insert(*sid, (*zxid, *chain));
                match self.committed.get(zxid) {
                    Some((c, other)) if c != chain => {
                        let other = *other;
                        self.violate("committed-prefix", at, format!("zk{sid} and zk{other} committed {zxid} after different histories"));
                    }
                    Some(_) => {}
                    None => {
                        self.committed.insert(*zxid, (*chain, *sid));
                    }
                }
                // Keep memory bounded: entries below every server's watermark can go.
                if self.committed.len() > 200_000 {
                    if let Some(min) = self.last_committed.values().map(|(z, _)| *z).min() {
                        self.committed = self.committed.split_off(&min);
                    }
                }
            }
            ZkFact::Znode { sid, path, czxid, version, cversion } => {
                let key = (*sid, path.clone(), *czxid);
                if let Some((v, cv)) = self.versions.get(&key).copied() {
                    if *version < v || *cversion < cv {
                        self.violate("versions-monotonic", at, format!("zk{sid} {path}: version {v}→{version}, cversion {cv}→{cversion}"));
                    }
                }
                self.versions.insert(key, (*version, *cversion));
            }
            ZkFact::SessionClosed { sid, session, left } => {
                if *left > 0 {
                    self.violate("no-orphan-ephemerals", at, format!("zk{sid}: session {session} closed with {left} ephemerals left"));
                }
            }
            ZkFact::CommitOutOfOrder { sid, zxid, expected } => {
                self.violate("commit-order", at, format!("zk{sid} got COMMIT {zxid}, expected {expected:?}"));
            }
        }
    }

    fn observe_kafka(&mut self, at: Time, f: &KafkaFact) {
        match f {
            KafkaFact::ControllerActing { epoch, broker } => match self.controllers.get(epoch) {
                Some(other) if other != broker => {
                    let other = *other;
                    self.violate(
                        "one-controller-per-epoch",
                        at,
                        format!("brokers {other} and {broker} both acted as controller in epoch {epoch}"),
                    );
                }
                _ => {
                    self.controllers.insert(*epoch, *broker);
                }
            },
            KafkaFact::StateWritten { tp, leader, isr, unclean, .. } => {
                if leader.0 >= 0 && !isr.contains(leader) {
                    self.violate("leader-in-isr", at, format!("{tp}: leader {leader} written with ISR {isr:?}"));
                }
                if *unclean {
                    self.acked.remove(tp);
                }
            }
            KafkaFact::HighWatermark { tp, broker, leader_epoch, hw } => {
                let key = (tp.clone(), *broker, *leader_epoch);
                if let Some(old) = self.hws.get(&key) {
                    if hw < old {
                        self.violate("hw-monotonic", at, format!("{tp}: leader {broker} (epoch {leader_epoch}) HW {old} → {hw}"));
                    }
                }
                self.hws.insert(key, *hw);
            }
            KafkaFact::AckedAll { tp, leader_epoch, offset, .. } => {
                let e = self.acked.get_or_default(tp.clone()).get_or_insert_with(*leader_epoch, || -1);
                *e = (*e).max(*offset);
            }
            KafkaFact::BecameLeader { tp, broker, leader_epoch, log_end, .. } => {
                // A leader of epoch E must hold every record acknowledged in earlier epochs (a
                // zombie acting on a stale, older epoch is fenced by the others and does not count).
                let max = self.acked.get(tp).and_then(|m| m.range(..*leader_epoch).map(|(_, o)| *o).max());
                if let Some(max) = max {
                    if *log_end <= max {
                        self.violate(
                            "acked-not-lost",
                            at,
                            format!("{tp}: broker {broker} became leader (epoch {leader_epoch}) with log end {log_end}, but offset {max} was acknowledged with acks=all"),
                        );
                    }
                }
            }
        }
    }
}
