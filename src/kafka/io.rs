//! What a Kafka process (broker or tool) exchanges with the world: the messages it sends
//! (`KOut`: ZooKeeper client traffic or Kafka requests), its timers (`KafkaTimer`), the facts it
//! reports to the invariant checker (`KafkaFact`), and its `Io` (`KIo`, with `ZkIo` the view its
//! embedded ZooKeeper client has of it).
//!
//! Upstream these are sockets (`NetworkClient`, `ClientCnxn`) and scheduler threads
//! (`KafkaScheduler`, `ReplicaManager`'s `isr-expiration` task); here they are values the world
//! delivers (see `sim/mod.rs`).

use std::rc::Rc;

use crate::sim::Io;
use crate::zk::client::ClientTimer;
use crate::zk::client_io::ClientIo;
use crate::zk::msg::ZkMsg;

use super::msg::KafkaMsg;
use super::types::{BrokerId, TopicPartition};

/// What a broker (or a Kafka tool) sends: ZooKeeper client traffic or Kafka requests.
#[derive(Clone, Debug)]
pub enum KOut {
    Zk(ZkMsg),
    Kafka(KafkaMsg),
}

/// Broker and tool timers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum KafkaTimer {
    /// The embedded ZooKeeper client's timers.
    Zk(ClientTimer),
    /// `isr-expiration`, every `replica.lag.time.max.ms / 2`.
    IsrExpiration,
    /// Parked fetches and delayed produces whose deadline passed.
    Purgatory,
    /// Fetching from this leader failed; try again (`replica.fetch.backoff.ms`).
    FetchBackoff(BrokerId),
    /// `auto.leader.rebalance.enable`: the controller's imbalance check.
    AutoRebalance,
    /// Controlled shutdown: retry (`controlled.shutdown.retry.backoff.ms`).
    ShutdownRetry,
    /// A tool's own clock (retries, timeouts).
    Tool,
}

impl std::fmt::Display for KafkaTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KafkaTimer::Zk(t) => t.fmt(f),
            KafkaTimer::IsrExpiration => f.write_str("isr-expiration check"),
            KafkaTimer::Purgatory => f.write_str("purgatory deadline"),
            KafkaTimer::FetchBackoff(b) => write!(f, "fetch backoff from broker {b}"),
            KafkaTimer::AutoRebalance => f.write_str("auto leader rebalance check"),
            KafkaTimer::ShutdownRetry => f.write_str("controlled shutdown retry"),
            KafkaTimer::Tool => f.write_str("tool timer"),
        }
    }
}

/// Facts for the invariant checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaFact {
    /// `broker` acts as controller in `epoch` (sent a controller request or wrote ZooKeeper).
    ControllerActing { epoch: i32, broker: BrokerId },
    /// The controller wrote a partition state.
    StateWritten { tp: TopicPartition, leader: BrokerId, isr: Vec<BrokerId>, unclean_allowed: bool, unclean: bool },
    /// A leader's high watermark (per leader epoch).
    HighWatermark { tp: TopicPartition, broker: BrokerId, leader_epoch: i32, hw: i64 },
    /// A record acknowledged to a producer with acks=all while the ISR had at least
    /// `min.insync.replicas` members.
    AckedAll { tp: TopicPartition, leader_epoch: i32, offset: i64, value: Rc<str> },
    /// `broker` became leader of `tp` with this log.
    BecameLeader { tp: TopicPartition, broker: BrokerId, leader_epoch: i32, log_end: i64, last_value_at: Vec<(i64, Rc<str>)> },
}

pub type KIo<'a> = dyn Io<KOut, KafkaTimer, KafkaFact> + 'a;

/// The embedded ZooKeeper client's view of a Kafka process (the generic adapter).
pub type ZkIo<'a, 'b> = ClientIo<'a, 'b, KOut, KafkaTimer, KafkaFact>;

impl From<ZkMsg> for KOut {
    fn from(m: ZkMsg) -> KOut {
        KOut::Zk(m)
    }
}

impl From<ClientTimer> for KafkaTimer {
    fn from(t: ClientTimer) -> KafkaTimer {
        KafkaTimer::Zk(t)
    }
}

/// Broker ids as the notes list them: `1,2,3`.
pub fn ids(v: &[BrokerId]) -> String {
    v.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",")
}
