//! A Kafka 2.8 broker in ZooKeeper mode as a sans-IO state machine: its ZooKeeper session
//! (registration, `/controller` election; `session.rs`), its replica manager (partition logs,
//! leader and follower roles, fetching, high watermark, ISR shrink/expand through AlterIsr,
//! produce with `acks` and `min.insync.replicas`; `requests.rs`, `fetch.rs`, `partition.rs`),
//! controlled shutdown (`shutdown.rs`) and — when it wins `/controller` — the host of the
//! controller component (`controller_host.rs`, `../controller/`).
//!
//! Follows `core/src/main/scala/kafka/server/KafkaServer.scala` (startup order),
//! `kafka/zk/KafkaZkClient.scala` (`registerBroker` as a checked ephemeral multi,
//! `registerControllerAndIncrementControllerEpoch`), `kafka/server/ReplicaManager.scala`
//! (`becomeLeaderOrFollower`, `appendRecords`, `fetchMessages`), `kafka/cluster/Partition.scala`
//! (`updateFollowerFetchState`, `maybeExpandIsr`, `maybeShrinkIsr`, `maybeIncrementLeaderHW`,
//! AlterIsr pending state), `kafka/server/ReplicaFetcherThread.scala` (truncation on fetch with the
//! diverging epoch) and `kafka/server/DelayedProduce.scala`.
//!
//! The broker's state is split in two: [`Durable`] (what survives a crash: the partition logs with
//! their HW checkpoints on disk, the last producer-id block, and why the last start failed) and
//! everything else, which `crash()` forgets.
//!
//! Simplified: one fetcher per source broker; a fetch with nothing new waits up to
//! `replica.fetch.wait.max.ms` (500 ms) at the leader; logs never roll, compact or expire (log start
//! offset 0); the high watermark checkpoint is kept as if written at every change; topic configs
//! other than `min.insync.replicas` and `unclean.leader.election.enable` are stored but have no
//! effect; no transactions, no idempotent producer, no consumer groups (see `tools.rs`).

mod controller_host;
mod fetch;
mod partition;
mod requests;
mod session;
mod shutdown;

use crate::sorted::SortedMap;
use std::rc::Rc;

use crate::sim::time::Time;
use crate::sim::NodeId;
use crate::zk::client::ZkClient;
use crate::zk::types::Op;

use super::controller::{Controller, Key as ControllerKey};
use super::msg::{FetchPart, PartState, Record};
use super::partmap::PartMap;
use super::types::{BrokerId, ControllerEpoch, LeaderEpoch, TopicId, TopicPartition};

pub use super::config::KafkaConfig;
pub use super::io::{ids, KIo, KOut, KafkaFact, KafkaTimer, ZkIo};
pub use super::zk_ops::{bytes, children_of, data_of, multi_error};

/// A partition's log on one broker (durable: survives a crash).
#[derive(Clone, Debug, Default)]
pub struct Log {
    pub records: Vec<Record>,
    /// `replication-offset-checkpoint`.
    pub hw: i64,
}

impl Log {
    pub fn leo(&self) -> i64 {
        self.records.len() as i64
    }
    pub fn last_epoch(&self) -> i32 {
        self.records.last().map(|r| r.epoch.0).unwrap_or(-1)
    }
    /// `LeaderEpochFileCache.endOffsetFor`: the largest epoch ≤ `epoch` this log has, and the
    /// offset where it ends (the start of the next epoch, or the log end).
    pub fn end_offset_for(&self, epoch: i32) -> (i32, i64) {
        // Epochs never decrease along a log: scan back from the end to the last record of an
        // epoch ≤ `epoch` (usually the last record).
        match self.records.iter().rposition(|r| r.epoch.0 <= epoch) {
            Some(i) => (self.records[i].epoch.0, i as i64 + 1),
            None => (-1, 0),
        }
    }
    /// First offset written in `epoch` (for the expand rule), or the log end.
    pub fn epoch_start(&self, epoch: i32) -> i64 {
        // The first record of an epoch ≥ `epoch`: after the last record of an earlier epoch.
        match self.records.iter().rposition(|r| r.epoch.0 < epoch) {
            Some(i) => i as i64 + 1,
            None => 0,
        }
    }
    pub fn truncate(&mut self, to: i64) {
        let to = to.max(0) as usize;
        if to < self.records.len() {
            self.records.truncate(to);
        }
        self.hw = self.hw.min(self.leo());
    }
}

/// What the leader knows about one follower (`Replica` in `Partition.scala`).
#[derive(Clone, Debug, Default)]
pub struct FollowerState {
    pub leo: i64,
    pub last_caught_up: Time,
    last_fetch_leader_leo: i64,
    last_fetch_time: Time,
    last_sent_hw: i64,
}

/// A leader's followers of one partition, by broker id (a handful: a short vector scanned by
/// id beats a tree walk; kept in id order like the map it replaced).
#[derive(Clone, Debug, Default)]
pub struct Followers(Vec<(BrokerId, FollowerState)>);

impl Followers {
    #[inline]
    pub fn get(&self, b: &BrokerId) -> Option<&FollowerState> {
        self.0.iter().find(|(id, _)| id == b).map(|(_, f)| f)
    }
    #[inline]
    pub fn get_mut(&mut self, b: &BrokerId) -> Option<&mut FollowerState> {
        self.0.iter_mut().find(|(id, _)| id == b).map(|(_, f)| f)
    }
    /// Inserts or replaces the state of follower `b`.
    pub fn insert(&mut self, b: BrokerId, f: FollowerState) {
        match self.0.binary_search_by_key(&b, |(id, _)| *id) {
            Ok(i) => self.0[i].1 = f,
            Err(i) => self.0.insert(i, (b, f)),
        }
    }
}

/// One partition replica on this broker (volatile).
#[derive(Clone, Debug)]
pub struct Replica {
    pub leader: BrokerId,
    pub leader_epoch: LeaderEpoch,
    pub isr: Vec<BrokerId>,
    pub zk_version: i32,
    pub replicas: Vec<BrokerId>,
    pub followers: Followers,
    /// An AlterIsr in flight (`PendingExpandIsr` / `PendingShrinkIsr`): the proposed ISR.
    pub pending_isr: Option<Vec<BrokerId>>,
    /// Fetching stopped after an error until the next LeaderAndIsr or backoff.
    fetch_failed: bool,
}

/// A produce waiting for the high watermark (`DelayedProduce`).
#[derive(Clone, Debug)]
struct DelayedProduce {
    from: NodeId,
    corr: u64,
    tp: TopicPartition,
    base: i64,
    end: i64,
    deadline: Time,
    values: Vec<Rc<str>>,
    isr_ok: bool,
}

/// A fetch with nothing to return yet (`DelayedFetch`).
#[derive(Clone, Debug)]
struct ParkedFetch {
    from: NodeId,
    replica: BrokerId,
    corr: u64,
    parts: Vec<FetchPart>,
    deadline: Time,
}

/// Where a broker is in its life.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Phase {
    /// Not running.
    Down,
    /// Connecting to ZooKeeper, creating the top-level paths, registering.
    Starting,
    Running,
    /// Controlled shutdown in progress.
    ShuttingDown,
    /// Startup failed (e.g. the old registration is still there); the process exited.
    Failed(String),
}

/// Why a ZooKeeper request was sent.
#[derive(Clone, Debug)]
pub(crate) enum Purpose {
    TopPath(&'static str),
    ClusterId,
    CreateClusterId,
    Register,
    RegisterCheck,
    ProducerIdRead,
    ProducerIdWrite,
    TopicConfig(String),
    /// Controller election steps.
    ElectExists,
    ElectRead,
    ElectEpoch,
    ElectCreateEpoch,
    /// The multi creating `/controller` for an epoch (kept to retry it).
    ElectMulti(i32, Op),
    /// `checkControllerAndEpoch` after the multi failed: `/controller`, then `/controller_epoch`.
    ElectCheck(i32),
    ElectCheckEpoch(i32),
    /// A request of the controller's current event (its number and key).
    Controller(u64, ControllerKey),
}

/// What survives a crash (kill -9) and a restart.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    /// Partition logs (with their HW checkpoint).
    pub logs: PartMap<Log>,
    /// The last `/latest_producer_id_block` this broker took (for the narration).
    pub producer_id_block: Option<i64>,
    /// Why the last start failed (kept after the process exited, for the terminal).
    pub startup_error: Option<String>,
}

/// A broker.
#[derive(Clone, Debug)]
pub struct Broker {
    pub cfg: Rc<KafkaConfig>,
    pub id: BrokerId,
    pub durable: Durable,
    // ---- volatile ----
    pub phase: Phase,
    pub zk: ZkClient,
    pub broker_epoch: i64,
    pending: SortedMap<u64, Purpose>,
    next_tag: u64,
    top_paths_left: usize,
    pub cluster_id: Option<String>,
    /// The active controller as last read from `/controller`.
    pub active_controller: Option<BrokerId>,
    /// When this broker is the controller.
    pub ctl: Option<Controller>,
    /// While the controller serves an event it is out of `ctl`; this holds its epoch (and is
    /// cleared if the broker resigns meanwhile).
    ctl_busy: Option<ControllerEpoch>,
    /// Highest controller epoch seen in a controller request (fencing).
    pub controller_epoch_seen: ControllerEpoch,
    /// Metadata cache (UpdateMetadata).
    pub meta_live: Vec<BrokerId>,
    pub meta_controller: Option<BrokerId>,
    pub meta_parts: SortedMap<TopicPartition, PartState>,
    pub meta_topics: SortedMap<String, TopicId>,
    /// Topic config overrides read from `/config/topics/T`.
    pub topic_configs: SortedMap<String, SortedMap<String, String>>,
    /// Replicas this broker holds, by partition.
    pub replicas: PartMap<Replica>,
    /// Fetch in flight to each leader.
    fetching: SortedMap<BrokerId, u64>,
    /// The partitions fetched from each leader, in map order (`fetch_from`'s list), built on
    /// first use and dropped whenever a replica, its leader or its `fetch_failed` changes.
    fetch_lists: SortedMap<BrokerId, Vec<TopicPartition>>,
    /// Scratch list reused by `handle_fetch` (partitions whose follower state it updated).
    fetch_changed: Vec<(u32, bool)>,
    parked: Vec<ParkedFetch>,
    delayed: Vec<DelayedProduce>,
    next_corr: u64,
    shutdown_tries: u32,
    /// Election attempt counter (to ignore stale replies).
    elect_gen: u64,
    /// The session expired: register again once the new handle connects.
    reregister: bool,
    /// Bumped whenever a high watermark, a log end, an ISR (or proposed ISR), a follower's state
    /// or the replica/log maps may have changed: lets a fetch skip work whose outcome it already
    /// knows (re-reading unchanged high watermarks, ISR/HW checks that cannot do anything).
    state_gen: u64,
}

impl Broker {
    pub fn new(cfg: Rc<KafkaConfig>, id: BrokerId) -> Broker {
        let zk = ZkClient::new(cfg.zk_servers.clone(), cfg.session_timeout_ms);
        Broker {
            cfg,
            id,
            durable: Durable::default(),
            phase: Phase::Down,
            zk,
            broker_epoch: -1,
            pending: SortedMap::new(),
            next_tag: 1,
            top_paths_left: 0,
            cluster_id: None,
            active_controller: None,
            ctl: None,
            ctl_busy: None,
            controller_epoch_seen: ControllerEpoch(0),
            meta_live: Vec::new(),
            meta_controller: None,
            meta_parts: SortedMap::new(),
            meta_topics: SortedMap::new(),
            topic_configs: SortedMap::new(),
            replicas: PartMap::new(),
            fetching: SortedMap::new(),
            fetch_lists: SortedMap::new(),
            fetch_changed: Vec::new(),
            parked: Vec::new(),
            delayed: Vec::new(),
            next_corr: 1,
            shutdown_tries: 0,
            elect_gen: 0,
            reregister: false,
            state_gen: 0,
        }
    }

    pub fn is_controller(&self) -> bool {
        self.ctl.is_some() || self.ctl_busy.is_some()
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::ShuttingDown)
    }

    /// Forget everything volatile (kill -9); the durable part stays.
    pub fn crash(&mut self) {
        let durable = std::mem::take(&mut self.durable);
        let gen = self.state_gen + 1;
        *self = Broker::new(self.cfg.clone(), self.id);
        self.state_gen = gen;
        self.durable = durable;
    }
}
