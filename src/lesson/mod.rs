//! Lessons: the `until` conditions a lesson step waits for, parsed and evaluated in Rust over the
//! simulation state (the lesson files themselves are data the page loads; only their `until`
//! strings cross into Rust).
//!
//! What it models: questions a learner would answer by looking at the real system — `srvr`'s
//! `Mode:` and epoch (`QuorumPeer.getServerState`, `getCurrentEpoch`), the znodes Kafka 2.8 keeps
//! (`/controller`, `/controller_epoch`, `/brokers/ids/N`,
//! `/brokers/topics/T/partitions/P/state`, as `KafkaZkClient` and `zk/ZkData.scala` name them),
//! a partition leader's high watermark (`Partition.scala`, `Log.highWatermark`) and the
//! sessions of the ZooKeeper database (`SessionTrackerImpl`). Evaluated from outside the nodes,
//! as the checker does: nothing here changes the simulation.
//!
//! Simplified: `session-expired` also holds when the session was closed (a controlled shutdown),
//! since both remove it from the ensemble; znode conditions read the serving leader's tree.

pub mod cond;
pub mod eval;

pub use cond::{parse, Cond};

use crate::json_out::json_struct;
use crate::sim::time::Time;
use crate::view::Driver;

/// A condition being waited for: parsed, checked against the cluster's shape, and armed with
/// what it compares against (the controller epoch and broker sessions when the wait began).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub text: String,
    pub cond: Cond,
}

impl Waiter {
    /// Parse `text`, check its names against the cluster and remember the state it compares with.
    pub fn arm(c: &crate::cluster::Cluster, text: &str) -> Result<Waiter, String> {
        let mut cond = parse(text)?;
        eval::check_names(c, &cond)?;
        eval::arm(c, &mut cond);
        Ok(Waiter { text: text.trim().to_string(), cond })
    }

    pub fn met(&self, c: &crate::cluster::Cluster) -> bool {
        eval::holds(c, &self.cond)
    }
}

json_struct! {
    /// Whether a condition holds (`{met, error}`; `error` names the bad part of a bad condition).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct CheckResult {
        pub met: bool,
        pub error: Option<String>,
    }
}

json_struct! {
    /// A condition in parts (`describeCondition`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Described {
        pub parts: Vec<cond::Part>,
        pub error: Option<String>,
    }
}

json_struct! {
    /// How far running the clock towards a condition got.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct WaitResult {
        pub met: bool,
        /// Events processed.
        pub events: u32,
        /// The time limit was reached (the condition did not hold by then).
        pub timed_out: bool,
        pub now_us: u64,
        pub error: Option<String>,
    }
}

impl CheckResult {
    pub fn of(r: Result<bool, String>) -> CheckResult {
        match r {
            Ok(met) => CheckResult { met, error: None },
            Err(e) => CheckResult { met: false, error: Some(e) },
        }
    }
}

/// Run the clock until `w` holds (checked before the first event and after every event), until
/// virtual time `limit`, or until `max_events` events ran (a frame's budget; call again).
pub fn run_until_met(d: &mut Driver, w: &Waiter, limit: Time, max_events: u32) -> WaitResult {
    let mut events = 0u32;
    let mut met = w.met(&d.term.cluster);
    while !met && events < max_events {
        let c = &mut d.term.cluster;
        match c.world.next_event_time() {
            Some(t) if t <= limit => {
                c.step();
                events += 1;
                met = w.met(c);
            }
            _ => {
                if c.world.now() < limit {
                    c.run_until(limit);
                }
                break;
            }
        }
    }
    d.term.cluster.reap_tools();
    let now = d.term.cluster.world.now();
    WaitResult { met, events, timed_out: !met && now >= limit, now_us: now.as_micros(), error: None }
}
