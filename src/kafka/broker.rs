//! A Kafka 2.8 broker in ZooKeeper mode as a sans-IO state machine: its ZooKeeper session
//! (registration, `/controller` election), its replica manager (partition logs, leader and follower
//! roles, fetching, high watermark, ISR shrink/expand through AlterIsr), produce handling with
//! `acks` and `min.insync.replicas`, controlled shutdown, and — when it wins `/controller` — the
//! controller (see `controller.rs`).
//!
//! Follows `core/src/main/scala/kafka/server/KafkaServer.scala` (startup order),
//! `kafka/zk/KafkaZkClient.scala` (`registerBroker` as a checked ephemeral multi,
//! `registerControllerAndIncrementControllerEpoch`), `kafka/server/ReplicaManager.scala`
//! (`becomeLeaderOrFollower`, `appendRecords`, `fetchMessages`), `kafka/cluster/Partition.scala`
//! (`updateFollowerFetchState`, `maybeExpandIsr`, `maybeShrinkIsr`, `maybeIncrementLeaderHW`,
//! AlterIsr pending state), `kafka/server/ReplicaFetcherThread.scala` (truncation on fetch with the
//! diverging epoch) and `kafka/server/DelayedProduce.scala`.
//!
//! Simplified: one fetcher per source broker; a fetch with nothing new waits up to
//! `replica.fetch.wait.max.ms` (500 ms) at the leader; logs never roll, compact or expire (log start
//! offset 0); the high watermark checkpoint is kept as if written at every change; topic configs
//! other than `min.insync.replicas` and `unclean.leader.election.enable` are stored but have no
//! effect; no transactions, no idempotent producer, no consumer groups (see `cli/console_consumer.rs`).

use crate::sorted::{SortedMap, SortedSet};
use std::rc::Rc;

use crate::sim::time::{Duration, Time};
use crate::sim::{Io, NodeId};
use crate::zk::client::{ClientEvent, ClientTimer, ZkClient};
use crate::zk::msg::ZkMsg;
use crate::zk::types::{CreateMode, ErrCode, EventType, Op, Reply, Stat, WriteOp, WriteResult};

use super::controller::Controller;
use super::json;
use super::msg::{AlterIsrResult, FetchData, FetchPart, KErr, KafkaMsg, PartMeta, PartState, Record, TopicMeta};
use super::partmap::PartMap;
use super::types::{BrokerId, ControllerEpoch, LeaderEpoch, TopicId, TopicPartition};

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

/// Adapter: the embedded ZooKeeper client sees its own message and timer types.
pub struct ZkIo<'a, 'b> {
    pub inner: &'a mut KIo<'b>,
}

impl<'a, 'b> Io<ZkMsg, ClientTimer, KafkaFact> for ZkIo<'a, 'b> {
    fn id(&self) -> NodeId {
        self.inner.id()
    }
    fn now(&self) -> Time {
        self.inner.now()
    }
    fn wall_ms(&self) -> u64 {
        self.inner.wall_ms()
    }
    fn rng(&mut self) -> &mut crate::sim::rng::Rng {
        self.inner.rng()
    }
    fn send(&mut self, to: NodeId, msg: ZkMsg) {
        self.inner.send(to, KOut::Zk(msg))
    }
    fn set_timer(&mut self, timer: ClientTimer, after: Duration) {
        self.inner.set_timer(KafkaTimer::Zk(timer), after)
    }
    fn cancel_timer(&mut self, timer: ClientTimer) {
        self.inner.cancel_timer(KafkaTimer::Zk(timer))
    }
    fn close(&mut self, peer: NodeId) {
        self.inner.close(peer)
    }
    fn exit(&mut self) {
        self.inner.exit()
    }
    fn narrating(&self) -> bool {
        self.inner.narrating()
    }
    fn note(&mut self, text: String) {
        self.inner.note(text)
    }
    fn observing(&self) -> bool {
        self.inner.observing()
    }
    fn fact(&mut self, f: KafkaFact) {
        self.inner.fact(f)
    }
}

/// Broker configuration (`server.properties` + `KafkaConfig` defaults) and the addresses of the
/// other nodes.
#[derive(Clone, Debug)]
pub struct KafkaConfig {
    /// `zookeeper.connect`, resolved to the ensemble's nodes.
    pub zk_servers: Vec<NodeId>,
    /// `zookeeper.session.timeout.ms` (18000).
    pub session_timeout_ms: u32,
    /// `replica.lag.time.max.ms` (30000).
    pub replica_lag_ms: u64,
    /// `replica.fetch.wait.max.ms` (500).
    pub fetch_wait_ms: u64,
    /// `replica.fetch.backoff.ms` (1000).
    pub fetch_backoff_ms: u64,
    /// `unclean.leader.election.enable` (false).
    pub unclean: bool,
    /// `auto.leader.rebalance.enable` (true).
    pub auto_rebalance: bool,
    /// `leader.imbalance.check.interval.seconds` (300).
    pub imbalance_interval_s: u64,
    /// `leader.imbalance.per.broker.percentage` (10).
    pub imbalance_pct: u32,
    /// `min.insync.replicas` (1).
    pub min_isr: i32,
    /// `controlled.shutdown.enable` (true).
    pub controlled_shutdown: bool,
    /// `controlled.shutdown.max.retries` (3).
    pub shutdown_retries: u32,
    /// `controlled.shutdown.retry.backoff.ms` (5000).
    pub shutdown_backoff_ms: u64,
    /// Broker id → node, and the first client port (9092).
    pub brokers: SortedMap<BrokerId, NodeId>,
    pub base_port: u16,
}

impl KafkaConfig {
    /// Kafka 2.8's defaults for brokers `1..=n` on `nodes`.
    pub fn defaults(zk_servers: Vec<NodeId>, nodes: &[NodeId]) -> KafkaConfig {
        KafkaConfig {
            zk_servers,
            session_timeout_ms: 18_000,
            replica_lag_ms: 30_000,
            fetch_wait_ms: 500,
            fetch_backoff_ms: 1000,
            unclean: false,
            auto_rebalance: true,
            imbalance_interval_s: 300,
            imbalance_pct: 10,
            min_isr: 1,
            controlled_shutdown: true,
            shutdown_retries: 3,
            shutdown_backoff_ms: 5000,
            brokers: nodes.iter().enumerate().map(|(i, n)| (BrokerId(i as i32 + 1), *n)).collect(),
            base_port: 9092,
        }
    }
    pub fn node_of(&self, b: BrokerId) -> Option<NodeId> {
        self.brokers.get(&b).copied()
    }
    pub fn broker_of(&self, n: NodeId) -> Option<BrokerId> {
        self.brokers.iter().find(|(_, v)| **v == n).map(|(k, _)| *k)
    }
    pub fn port_of(&self, b: BrokerId) -> u16 {
        self.base_port + (b.0 as u16).saturating_sub(1)
    }
}

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
pub(super) enum Purpose {
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
    ElectMulti(i32),
    /// A controller job's request, with its key.
    Job(u64, String),
}

/// A broker.
#[derive(Clone, Debug)]
pub struct Broker {
    pub cfg: Rc<KafkaConfig>,
    pub id: BrokerId,
    /// Durable: partition logs (with their HW checkpoint).
    pub logs: PartMap<Log>,
    /// Durable: the last `/latest_producer_id_block` this broker took (for the narration).
    pub producer_id_block: Option<i64>,
    /// Why the last start failed (kept after the process exited, for the terminal).
    pub startup_error: Option<String>,
    // ---- volatile ----
    pub phase: Phase,
    pub zk: ZkClient,
    pub broker_epoch: i64,
    pub(super) pending: SortedMap<u64, Purpose>,
    next_tag: u64,
    top_paths_left: usize,
    pub cluster_id: Option<String>,
    /// The active controller as last read from `/controller`.
    pub active_controller: Option<BrokerId>,
    /// When this broker is the controller.
    pub ctl: Option<Controller>,
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

/// Top-level paths every broker makes sure exist (`ZkData.PersistentZkPaths`), parents first.
const TOP_PATHS: &[&str] = &[
    "/consumers",
    "/brokers",
    "/brokers/ids",
    "/brokers/topics",
    "/config",
    "/config/changes",
    "/admin",
    "/admin/delete_topics",
    "/brokers/seqid",
    "/isr_change_notification",
    "/latest_producer_id_block",
    "/log_dir_event_notification",
    "/config/topics",
    "/config/clients",
    "/config/users",
    "/config/brokers",
    "/config/ips",
];

pub(super) fn multi_error(r: &Result<Reply, ErrCode>) -> Option<(usize, ErrCode)> {
    match r {
        Err(e) => Some((0, *e)),
        Ok(Reply::Error(e)) => Some((0, *e)),
        Ok(Reply::Multi(v)) => {
            for (i, w) in v.iter().enumerate() {
                if let WriteResult::Error(e) = w {
                    if *e != ErrCode::Ok && *e != ErrCode::RuntimeInconsistency {
                        return Some((i, *e));
                    }
                }
            }
            None
        }
        Ok(_) => None,
    }
}

pub(super) fn data_of(r: &Result<Reply, ErrCode>) -> Option<(String, Stat)> {
    match r {
        Ok(Reply::Data { data, stat }) => Some((data.as_ref().map(|d| String::from_utf8_lossy(d).into_owned()).unwrap_or_default(), *stat)),
        _ => None,
    }
}

pub(super) fn children_of(r: &Result<Reply, ErrCode>) -> Option<Vec<String>> {
    match r {
        Ok(Reply::Children { children, .. }) => {
            let mut c = children.clone();
            crate::sorted::sort(&mut c);
            Some(c)
        }
        _ => None,
    }
}

pub(super) fn bytes(s: &str) -> Option<crate::zk::types::Data> {
    Some(s.as_bytes().into())
}

pub(super) fn ids(v: &[BrokerId]) -> String {
    v.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",")
}

impl Broker {
    pub fn new(cfg: Rc<KafkaConfig>, id: BrokerId) -> Broker {
        let zk = ZkClient::new(cfg.zk_servers.clone(), cfg.session_timeout_ms);
        Broker {
            cfg,
            id,
            logs: PartMap::new(),
            producer_id_block: None,
            startup_error: None,
            phase: Phase::Down,
            zk,
            broker_epoch: -1,
            pending: SortedMap::new(),
            next_tag: 1,
            top_paths_left: 0,
            cluster_id: None,
            active_controller: None,
            ctl: None,
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
        self.ctl.is_some()
    }

    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::ShuttingDown)
    }

    /// Forget everything volatile (kill -9); logs and HW checkpoints stay.
    pub fn crash(&mut self) {
        let logs = std::mem::take(&mut self.logs);
        let block = self.producer_id_block;
        let err = self.startup_error.take();
        let gen = self.state_gen + 1;
        *self = Broker::new(self.cfg.clone(), self.id);
        self.state_gen = gen;
        self.logs = logs;
        self.producer_id_block = block;
        self.startup_error = err;
    }

    // ------------------------------------------------------------------ ZooKeeper plumbing

    pub(super) fn zk_submit(&mut self, io: &mut KIo<'_>, purpose: Purpose, op: Op) {
        // A closed, closing or expired handle fails requests at once; nothing to retry there.
        if self.zk.is_dead() || matches!(self.zk.state, crate::zk::client::ClientState::Closing { .. }) {
            return;
        }
        let tag = self.next_tag;
        self.next_tag += 1;
        self.pending.insert(tag, purpose);
        let ev = {
            let mut zio = ZkIo { inner: io };
            self.zk.submit(&mut zio, tag, op)
        };
        self.zk_events(io, ev);
    }

    pub(super) fn create(path: &str, data: Option<&str>, mode: CreateMode) -> Op {
        Op::Write(WriteOp::Create { path: path.to_string(), data: data.and_then(bytes), mode })
    }

    pub fn start(&mut self, io: &mut KIo<'_>) {
        self.phase = Phase::Starting;
        self.startup_error = None;
        io.note(format!("broker {} starting: connecting to ZooKeeper (session timeout {} ms)", self.id, self.cfg.session_timeout_ms));
        {
            let mut zio = ZkIo { inner: io };
            self.zk.start(&mut zio);
        }
        io.set_timer(KafkaTimer::IsrExpiration, Duration::from_millis(self.cfg.replica_lag_ms / 2));
        self.create_top_paths(io);
    }

    fn create_top_paths(&mut self, io: &mut KIo<'_>) {
        self.top_paths_left = TOP_PATHS.len();
        for p in TOP_PATHS {
            self.zk_submit(io, Purpose::TopPath(p), Broker::create(p, None, CreateMode::PERSISTENT));
        }
    }

    pub fn on_zk_msg(&mut self, io: &mut KIo<'_>, from: NodeId, msg: ZkMsg) {
        let ev = {
            let mut zio = ZkIo { inner: io };
            self.zk.on_msg(&mut zio, from, msg)
        };
        self.zk_events(io, ev);
    }

    pub fn on_timer(&mut self, io: &mut KIo<'_>, t: KafkaTimer) {
        match t {
            KafkaTimer::Zk(ct) => {
                let ev = {
                    let mut zio = ZkIo { inner: io };
                    self.zk.on_timer(&mut zio, ct)
                };
                self.zk_events(io, ev);
            }
            KafkaTimer::IsrExpiration => {
                self.maybe_shrink_isr(io);
                io.set_timer(KafkaTimer::IsrExpiration, Duration::from_millis(self.cfg.replica_lag_ms / 2));
            }
            KafkaTimer::Purgatory => self.purgatory(io),
            KafkaTimer::FetchBackoff(leader) => {
                for r in self.replicas.values_mut() {
                    if r.leader == leader {
                        r.fetch_failed = false;
                    }
                }
                self.fetch_lists.clear();
                self.fetch_from(io, leader);
            }
            KafkaTimer::AutoRebalance => self.ctl_auto_rebalance(io),
            KafkaTimer::ShutdownRetry => self.controlled_shutdown(io),
            KafkaTimer::Tool => {}
        }
    }

    pub fn on_disconnect(&mut self, io: &mut KIo<'_>, peer: NodeId) {
        if self.zk.owns(peer) {
            let ev = {
                let mut zio = ZkIo { inner: io };
                self.zk.on_disconnect(&mut zio, peer)
            };
            self.zk_events(io, ev);
            return;
        }
        if let Some(b) = self.cfg.broker_of(peer) {
            if self.fetching.remove(&b).is_some() {
                io.set_timer(KafkaTimer::FetchBackoff(b), Duration::from_millis(self.cfg.fetch_backoff_ms));
            }
        }
        self.parked.retain(|p| p.from != peer);
    }

    fn zk_events(&mut self, io: &mut KIo<'_>, events: Vec<ClientEvent>) {
        for e in events {
            match e {
                ClientEvent::Reply { tag, result, .. } => {
                    if let Some(p) = self.pending.remove(&tag) {
                        self.zk_reply(io, p, result);
                    }
                }
                ClientEvent::Watch { event, path } => self.zk_watch(io, event, path),
                ClientEvent::Expired => {
                    io.note(format!("broker {}: ZooKeeper session expired; re-registering with a new session", self.id));
                    if self.ctl.is_some() {
                        self.resign(io);
                    }
                    self.pending.clear();
                    // KafkaZkClient reinitialises with a new ZooKeeper handle. Its connection
                    // starts after the client's reconnect pause, so that the old connection's
                    // last words (the server closing it) cannot be taken for the new one's.
                    for t in [ClientTimer::Ping, ClientTimer::ReadTimeout, ClientTimer::ConnectTimeout] {
                        io.cancel_timer(KafkaTimer::Zk(t));
                    }
                    self.zk = ZkClient::new(self.cfg.zk_servers.clone(), self.cfg.session_timeout_ms);
                    let pause = 200 + io.rng().below(800);
                    io.set_timer(KafkaTimer::Zk(ClientTimer::Reconnect), Duration::from_millis(pause));
                    if self.is_running() {
                        self.phase = Phase::Starting;
                        self.reregister = true;
                    }
                }
                ClientEvent::Connected { .. } if self.reregister => {
                    self.reregister = false;
                    self.create_top_paths(io);
                }
                ClientEvent::Closed => {
                    if self.phase == Phase::ShuttingDown || self.phase == Phase::Down {
                        self.finish_shutdown(io);
                    }
                }
                ClientEvent::Connected { .. } | ClientEvent::Disconnected => {}
            }
        }
    }

    fn zk_reply(&mut self, io: &mut KIo<'_>, p: Purpose, r: Result<Reply, ErrCode>) {
        match p {
            Purpose::TopPath(path) => {
                if matches!(r, Err(ErrCode::ConnectionLoss)) {
                    // retryRequestsUntilConnected.
                    self.zk_submit(io, Purpose::TopPath(path), Broker::create(path, None, CreateMode::PERSISTENT));
                    return;
                }
                self.top_paths_left = self.top_paths_left.saturating_sub(1);
                if self.top_paths_left == 0 {
                    self.zk_submit(io, Purpose::ClusterId, Op::GetData { path: "/cluster/id".into(), watch: false });
                }
            }
            Purpose::ClusterId => match data_of(&r) {
                Some((d, _)) => {
                    self.cluster_id = json::parse_cluster_id(&d).ok();
                    self.register(io);
                }
                None if matches!(r, Err(ErrCode::ConnectionLoss)) => {
                    self.zk_submit(io, Purpose::ClusterId, Op::GetData { path: "/cluster/id".into(), watch: false })
                }
                None => {
                    // CoreUtils.generateUuidAsBase64: a random UUID.
                    let mut b = [0u8; 16];
                    for x in b.iter_mut() {
                        *x = io.rng().below(256) as u8;
                    }
                    let id = TopicId::random_v4(b).to_string();
                    self.cluster_id = Some(id.clone());
                    let j = json::cluster_id_json(&id);
                    self.zk_submit(io, Purpose::CreateClusterId, Broker::create("/cluster", None, CreateMode::PERSISTENT));
                    self.zk_submit(io, Purpose::CreateClusterId, Broker::create("/cluster/id", Some(&j), CreateMode::PERSISTENT));
                    self.zk_submit(io, Purpose::ClusterId, Op::GetData { path: "/cluster/id".into(), watch: false });
                }
            },
            Purpose::CreateClusterId => {}
            Purpose::Register => self.registered(io, r),
            Purpose::RegisterCheck => {
                let owner = data_of(&r).map(|(_, s)| s.ephemeral_owner);
                match owner {
                    Some(o) if o == self.zk.session => self.registered(io, Ok(Reply::Multi(vec![]))),
                    Some(o) => {
                        let msg = format!(
                            "Error while creating ephemeral at /brokers/ids/{}, node already exists and owner '{}' does not match current session '{}'",
                            self.id, o.0 as i64, self.zk.session.0 as i64
                        );
                        self.fail_startup(io, msg);
                    }
                    None => self.register(io),
                }
            }
            Purpose::ProducerIdRead => {
                let (start, version) = match data_of(&r) {
                    Some((d, st)) => {
                        let end = d.split("\"block_end\":\"").nth(1).and_then(|s| s.split('"').next()).and_then(|s| s.parse::<i64>().ok());
                        (end.map(|e| e + 1).unwrap_or(0), st.version)
                    }
                    None => (0, 0),
                };
                let j = json::producer_id_block_json(self.id, start, start + 999);
                self.producer_id_block = Some(start);
                self.zk_submit(
                    io,
                    Purpose::ProducerIdWrite,
                    Op::Write(WriteOp::SetData { path: "/latest_producer_id_block".into(), data: bytes(&j), version }),
                );
            }
            Purpose::ProducerIdWrite => {
                if matches!(r, Ok(Reply::Error(ErrCode::BadVersion)) | Err(ErrCode::BadVersion)) {
                    self.zk_submit(io, Purpose::ProducerIdRead, Op::GetData { path: "/latest_producer_id_block".into(), watch: false });
                }
            }
            Purpose::TopicConfig(topic) => {
                if let Some((d, _)) = data_of(&r) {
                    if let Ok(c) = json::parse_topic_config(&d) {
                        self.topic_configs.insert(topic, c);
                    }
                }
            }
            Purpose::ElectExists | Purpose::ElectRead | Purpose::ElectEpoch | Purpose::ElectCreateEpoch | Purpose::ElectMulti(_) => {
                self.elect_reply(io, p, r)
            }
            Purpose::Job(gen, key) => self.ctl_job_reply(io, gen, key, r),
        }
    }

    fn register(&mut self, io: &mut KIo<'_>) {
        let host = "localhost";
        let port = self.cfg.port_of(self.id) as i32;
        let j = json::broker_registration_json(host, port, io.wall_ms() as i64, None);
        let path = format!("/brokers/ids/{}", self.id);
        // KafkaZkClient.CheckedEphemeral: create (null data), then setData version 0, in a multi.
        let op = Op::Multi(vec![
            WriteOp::Create { path: path.clone(), data: None, mode: CreateMode::EPHEMERAL },
            WriteOp::SetData { path, data: bytes(&j), version: 0 },
        ]);
        self.zk_submit(io, Purpose::Register, op);
    }

    fn registered(&mut self, io: &mut KIo<'_>, r: Result<Reply, ErrCode>) {
        match multi_error(&r) {
            Some((_, ErrCode::NodeExists)) => {
                let path = format!("/brokers/ids/{}", self.id);
                self.zk_submit(io, Purpose::RegisterCheck, Op::GetData { path, watch: false });
                return;
            }
            Some((_, ErrCode::ConnectionLoss)) => {
                self.register(io);
                return;
            }
            Some((_, ErrCode::SessionExpired)) => return,
            Some((_, e)) => {
                self.fail_startup(io, format!("Error while registering broker {}: KeeperErrorCode = {}", self.id, e.name()));
                return;
            }
            None => {}
        }
        if let Ok(Reply::Multi(v)) = &r {
            if let Some(WriteResult::SetData { stat }) = v.get(1) {
                self.broker_epoch = stat.czxid.0 as i64;
            }
        }
        io.note(format!("broker {}: registered /brokers/ids/{} (broker epoch {})", self.id, self.id, self.broker_epoch));
        if self.phase == Phase::Starting {
            self.phase = Phase::Running;
        }
        self.zk_submit(io, Purpose::ProducerIdRead, Op::GetData { path: "/latest_producer_id_block".into(), watch: false });
        self.elect(io);
    }

    fn fail_startup(&mut self, io: &mut KIo<'_>, msg: String) {
        io.note(format!("broker {}: {msg}; Fatal error during KafkaServer startup. Prepare to shutdown", self.id));
        self.startup_error = Some(msg.clone());
        self.phase = Phase::Failed(msg);
        {
            let mut zio = ZkIo { inner: io };
            let _ = self.zk.close(&mut zio);
        }
        self.zk.reset();
        self.pending.clear();
        io.cancel_timer(KafkaTimer::IsrExpiration);
        io.exit();
    }

    // ------------------------------------------------------------------ controller election

    /// `KafkaController.elect`.
    pub(super) fn elect(&mut self, io: &mut KIo<'_>) {
        self.elect_gen += 1;
        self.zk_submit(io, Purpose::ElectExists, Op::Exists { path: "/controller".into(), watch: true });
    }

    fn elect_reply(&mut self, io: &mut KIo<'_>, p: Purpose, r: Result<Reply, ErrCode>) {
        if matches!(r, Err(ErrCode::SessionExpired)) {
            return;
        }
        match p {
            Purpose::ElectExists => match r {
                Ok(Reply::Exists { stat: Some(_) }) => {
                    self.zk_submit(io, Purpose::ElectRead, Op::GetData { path: "/controller".into(), watch: true });
                }
                Ok(Reply::Exists { stat: None }) => {
                    self.zk_submit(io, Purpose::ElectEpoch, Op::GetData { path: "/controller_epoch".into(), watch: false });
                }
                _ => self.elect(io),
            },
            Purpose::ElectRead => match data_of(&r) {
                Some((d, _)) => {
                    let c = json::parse_controller(&d).ok().map(|c| c.broker);
                    if c != Some(self.id) && self.ctl.is_some() {
                        self.resign(io);
                    }
                    if self.active_controller != c {
                        if let Some(c) = c {
                            io.note(format!("broker {}: the controller is broker {c}", self.id));
                        }
                    }
                    self.active_controller = c;
                }
                None => self.elect(io),
            },
            Purpose::ElectEpoch => match data_of(&r) {
                Some((d, st)) => {
                    let epoch: i32 = d.trim().parse().unwrap_or(0);
                    let j = json::controller_json(self.id, io.wall_ms() as i64);
                    let op = Op::Multi(vec![
                        WriteOp::Create { path: "/controller".into(), data: bytes(&j), mode: CreateMode::EPHEMERAL },
                        WriteOp::SetData { path: "/controller_epoch".into(), data: bytes(&(epoch + 1).to_string()), version: st.version },
                    ]);
                    self.zk_submit(io, Purpose::ElectMulti(epoch + 1), op);
                }
                None if matches!(r, Ok(Reply::Error(ErrCode::NoNode)) | Err(ErrCode::NoNode)) => {
                    // maybeCreateControllerEpochZNode: "0", so the first controller gets epoch 1.
                    self.zk_submit(io, Purpose::ElectCreateEpoch, Broker::create("/controller_epoch", Some("0"), CreateMode::PERSISTENT));
                }
                None => self.elect(io),
            },
            Purpose::ElectCreateEpoch => {
                self.zk_submit(io, Purpose::ElectEpoch, Op::GetData { path: "/controller_epoch".into(), watch: false });
            }
            Purpose::ElectMulti(epoch) => match multi_error(&r) {
                None => {
                    let zkv = match &r {
                        Ok(Reply::Multi(v)) => match v.get(1) {
                            Some(WriteResult::SetData { stat }) => stat.version,
                            _ => epoch,
                        },
                        _ => epoch,
                    };
                    self.active_controller = Some(self.id);
                    io.note(format!(
                        "broker {}: created /controller — now the controller, controller epoch {epoch} (zkVersion {zkv})",
                        self.id
                    ));
                    io.fact(KafkaFact::ControllerActing { epoch, broker: self.id });
                    self.on_controller_failover(io, ControllerEpoch(epoch), zkv);
                }
                Some(_) => {
                    // NODEEXISTS or BADVERSION: someone else won; read who (and watch).
                    self.zk_submit(io, Purpose::ElectRead, Op::GetData { path: "/controller".into(), watch: true });
                }
            },
            _ => {}
        }
    }

    fn zk_watch(&mut self, io: &mut KIo<'_>, event: EventType, path: String) {
        if path == "/controller" {
            match event {
                EventType::NodeDeleted => {
                    io.note(format!("broker {}: /controller deleted — trying to become the controller", self.id));
                    if self.ctl.is_some() {
                        self.resign(io);
                    }
                    self.active_controller = None;
                    if self.is_running() {
                        self.elect(io);
                    }
                }
                _ => {
                    if self.is_running() {
                        self.zk_submit(io, Purpose::ElectRead, Op::GetData { path: "/controller".into(), watch: true });
                    }
                }
            }
            return;
        }
        self.ctl_watch(io, event, path);
    }

    // ------------------------------------------------------------------ Kafka requests

    pub fn on_kafka(&mut self, io: &mut KIo<'_>, from: NodeId, msg: KafkaMsg) {
        if !self.is_running() {
            return;
        }
        match msg {
            KafkaMsg::LeaderAndIsr { controller, controller_epoch, partitions, .. } => {
                let error = if controller_epoch < self.controller_epoch_seen {
                    io.note(format!("broker {}: ignoring LeaderAndIsr from controller {controller} with stale controller epoch {controller_epoch} (seen {})", self.id, self.controller_epoch_seen));
                    Some(KErr::StaleControllerEpoch)
                } else {
                    self.controller_epoch_seen = controller_epoch;
                    self.become_leader_or_follower(io, partitions);
                    None
                };
                if from != io.id() {
                    io.send(from, KOut::Kafka(KafkaMsg::LeaderAndIsrResponse { error }));
                }
            }
            KafkaMsg::UpdateMetadata { controller, controller_epoch, live, partitions, topics, deleted } => {
                if controller_epoch < self.controller_epoch_seen {
                    return;
                }
                self.controller_epoch_seen = controller_epoch;
                self.meta_controller = Some(controller);
                self.meta_live = live;
                for t in deleted {
                    self.meta_topics.remove(&t);
                    self.meta_parts.retain(|tp, _| tp.topic != t);
                }
                for (t, id) in topics {
                    // DescribeConfigs reads the topic's overrides from ZooKeeper.
                    if !self.topic_configs.contains_key(&t) {
                        self.topic_configs.insert(t.clone(), SortedMap::new());
                        self.zk_submit(
                            io,
                            Purpose::TopicConfig(t.clone()),
                            Op::GetData { path: format!("/config/topics/{t}"), watch: false },
                        );
                    }
                    self.meta_topics.insert(t, id);
                }
                for p in partitions {
                    self.meta_parts.insert(p.tp.clone(), p);
                }
            }
            KafkaMsg::StopReplica { controller_epoch, partitions, delete } => {
                if controller_epoch < self.controller_epoch_seen {
                    return;
                }
                self.state_gen += 1;
                self.fetch_lists.clear();
                for tp in partitions {
                    self.replicas.remove(&tp);
                    self.fail_delayed(io, &tp, KErr::NotLeaderOrFollower);
                    if delete {
                        self.logs.remove(&tp);
                        self.topic_configs.remove(tp.topic.as_str());
                    }
                }
            }
            KafkaMsg::Fetch { replica, corr, parts } => self.handle_fetch(io, from, replica, corr, parts, false),
            KafkaMsg::FetchResponse { corr, parts } => self.handle_fetch_response(io, from, corr, parts),
            KafkaMsg::Produce { corr, acks, tp, values } => self.handle_produce(io, from, corr, acks, tp, values),
            KafkaMsg::AlterIsrResponse { items } => self.handle_alter_isr_response(io, items),
            KafkaMsg::ControlledShutdownResponse { remaining, error } => self.handle_shutdown_response(io, remaining, error),
            KafkaMsg::Metadata { corr } => {
                let resp = self.metadata_response(corr);
                io.send(from, KOut::Kafka(resp));
            }
            KafkaMsg::AlterIsr { broker, broker_epoch, items } => self.ctl_alter_isr(io, from, broker, broker_epoch, items),
            KafkaMsg::ControlledShutdown { broker, broker_epoch } => self.ctl_controlled_shutdown(io, Some(from), broker, broker_epoch),
            KafkaMsg::Admin { corr, op } => self.ctl_admin(io, from, corr, op),
            KafkaMsg::LeaderAndIsrResponse { .. }
            | KafkaMsg::MetadataResponse { .. }
            | KafkaMsg::AdminResponse { .. }
            | KafkaMsg::ProduceResponse { .. } => {}
        }
    }

    fn metadata_response(&self, corr: u64) -> KafkaMsg {
        let mut topics: Vec<TopicMeta> = Vec::new();
        for (name, id) in &self.meta_topics {
            let partitions: Vec<PartMeta> = self
                .meta_parts
                .range(TopicPartition::new(name.clone(), 0)..)
                .take_while(|(tp, _)| &tp.topic == name)
                .map(|(tp, s)| PartMeta {
                    partition: tp.partition,
                    leader: s.leader,
                    leader_epoch: s.leader_epoch,
                    replicas: s.replicas.clone(),
                    isr: s.isr.clone(),
                })
                .collect();
            let configs = self.topic_configs.get(name).map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
            topics.push(TopicMeta { name: name.clone(), id: *id, partitions, configs });
        }
        KafkaMsg::MetadataResponse { corr, controller: self.meta_controller, brokers: self.meta_live.clone(), topics }
    }

    /// `ReplicaManager.becomeLeaderOrFollower`.
    fn become_leader_or_follower(&mut self, io: &mut KIo<'_>, partitions: Vec<PartState>) {
        let now = io.now();
        self.state_gen += 1;
        self.fetch_lists.clear();
        let mut leaders_to_fetch: SortedSet<BrokerId> = SortedSet::new();
        for p in partitions {
            if let Some(cur) = self.replicas.get(&p.tp) {
                if p.leader_epoch < cur.leader_epoch || (p.leader_epoch == cur.leader_epoch && p.leader == cur.leader && p.isr == cur.isr) {
                    continue;
                }
            }
            if !self.topic_configs.contains_key(p.tp.topic.as_str()) {
                self.topic_configs.insert(p.tp.topic.to_string(), SortedMap::new());
                self.zk_submit(
                    io,
                    Purpose::TopicConfig(p.tp.topic.to_string()),
                    Op::GetData { path: format!("/config/topics/{}", p.tp.topic), watch: false },
                );
            }
            let log = self.logs.get_or_default(&p.tp);
            let was_leader = self.replicas.get(&p.tp).map(|r| r.leader == self.id).unwrap_or(false);
            let leo = log.leo();
            let mut r = Replica {
                leader: p.leader,
                leader_epoch: p.leader_epoch,
                isr: p.isr.clone(),
                zk_version: p.zk_version,
                replicas: p.replicas.clone(),
                followers: Followers::default(),
                pending_isr: None,
                fetch_failed: false,
            };
            if p.leader == self.id {
                // makeLeader: followers in the ISR count as caught up now.
                for f in p.replicas.iter().filter(|f| **f != self.id) {
                    let in_isr = p.isr.contains(f);
                    r.followers.insert(
                        *f,
                        FollowerState {
                            leo: -1,
                            last_caught_up: if in_isr { now } else { Time::ZERO },
                            last_fetch_leader_leo: 0,
                            last_fetch_time: Time::ZERO,
                            last_sent_hw: -1,
                        },
                    );
                }
                if !was_leader {
                    io.note(format!(
                        "broker {}: now leader of {} (leader epoch {}), ISR [{}], log end {}",
                        self.id,
                        p.tp,
                        p.leader_epoch,
                        ids(&p.isr),
                        leo
                    ));
                    let last: Vec<(i64, Rc<str>)> =
                        log.records.iter().enumerate().rev().take(1).map(|(i, r)| (i as i64, r.value.clone())).collect();
                    io.fact(KafkaFact::BecameLeader {
                        tp: p.tp.clone(),
                        broker: self.id,
                        leader_epoch: p.leader_epoch.0,
                        log_end: leo,
                        last_value_at: last,
                    });
                }
                self.replicas.insert(p.tp.clone(), r);
                self.fail_delayed(io, &p.tp, KErr::NotLeaderOrFollower);
                self.maybe_advance_hw(io, &p.tp);
            } else {
                if was_leader || !self.replicas.contains_key(&p.tp) {
                    io.note(format!("broker {}: now follower of {} (leader {}, leader epoch {})", self.id, p.tp, p.leader, p.leader_epoch));
                }
                self.replicas.insert(p.tp.clone(), r);
                self.fail_delayed(io, &p.tp, KErr::NotLeaderOrFollower);
                if p.leader.0 >= 0 {
                    leaders_to_fetch.insert(p.leader);
                }
            }
        }
        for l in leaders_to_fetch {
            self.fetch_from(io, l);
        }
    }

    // ------------------------------------------------------------------ follower side

    fn fetch_from(&mut self, io: &mut KIo<'_>, leader: BrokerId) {
        if self.fetching.contains_key(&leader) {
            return;
        }
        if let Some(corr) = self.next_fetch(io, leader) {
            self.fetching.insert(leader, corr);
        }
    }

    /// Send the next fetch to `leader` (whatever is in flight); its correlation id, or `None`
    /// if there is nothing to fetch from it.
    fn next_fetch(&mut self, io: &mut KIo<'_>, leader: BrokerId) -> Option<u64> {
        if !self.is_running() {
            return None;
        }
        let node = self.cfg.node_of(leader)?;
        if !self.fetch_lists.contains_key(&leader) {
            let list: Vec<TopicPartition> = self
                .replicas
                .iter()
                .filter(|(_, r)| r.leader == leader && leader != self.id && !r.fetch_failed)
                .map(|(tp, _)| tp.clone())
                .collect();
            self.fetch_lists.insert(leader, list);
        }
        let list = &self.fetch_lists[&leader];
        if list.is_empty() {
            return None;
        }
        let parts: Vec<FetchPart> = list
            .iter()
            .map(|tp| {
                let log = self.logs.get(tp);
                FetchPart {
                    tp: tp.clone(),
                    offset: log.map(|l| l.leo()).unwrap_or(0),
                    last_epoch: log.map(|l| l.last_epoch()).unwrap_or(-1),
                }
            })
            .collect();
        let corr = self.next_corr;
        self.next_corr += 1;
        io.send(node, KOut::Kafka(KafkaMsg::Fetch { replica: self.id, corr, parts }));
        Some(corr)
    }

    fn handle_fetch_response(&mut self, io: &mut KIo<'_>, from: NodeId, corr: u64, parts: Vec<FetchData>) {
        let Some(leader) = self.cfg.broker_of(from) else { return };
        if self.fetching.get(&leader) != Some(&corr) {
            return;
        }
        self.state_gen += 1;
        let mut failed = false;
        for d in parts {
            let Some(r) = self.replicas.get_mut(&d.tp) else { continue };
            if r.leader != leader {
                continue;
            }
            if let Some(e) = d.error {
                let _ = e;
                r.fetch_failed = true;
                self.fetch_lists.clear();
                failed = true;
                continue;
            }
            let log = self.logs.get_or_default(&d.tp);
            if let Some(end) = d.diverging_end {
                if end < log.leo() {
                    io.note(format!(
                        "broker {}: truncating {} from {} to {} (diverged from leader {}'s log)",
                        self.id,
                        d.tp,
                        log.leo(),
                        end,
                        leader
                    ));
                    log.truncate(end);
                }
                continue;
            }
            log.records.extend(d.records);
            log.hw = log.hw.max(d.high_watermark.min(log.leo()));
        }
        if failed {
            io.set_timer(KafkaTimer::FetchBackoff(leader), Duration::from_millis(self.cfg.fetch_backoff_ms));
        }
        // The answered fetch stays registered until the next one replaces it (as a removal
        // followed by fetch_from would do, without the map churn).
        match self.next_fetch(io, leader) {
            Some(c) => {
                if let Some(e) = self.fetching.get_mut(&leader) {
                    *e = c;
                }
            }
            None => {
                self.fetching.remove(&leader);
            }
        }
    }

    // ------------------------------------------------------------------ leader side

    fn handle_fetch(&mut self, io: &mut KIo<'_>, from: NodeId, replica: BrokerId, corr: u64, parts: Vec<FetchPart>, retry: bool) {
        let now = io.now();
        let mut out: Vec<FetchData> = Vec::with_capacity(parts.len());
        let mut interesting = false;
        // Indices (into `parts`) of the partitions whose follower state this fetch updated, and
        // whether an ISR expansion or a high watermark move is possible there (as of the loop).
        let mut changed = std::mem::take(&mut self.fetch_changed);
        changed.clear();
        for (i, fp) in parts.iter().enumerate() {
            let Some(r) = self.replicas.get_mut(&fp.tp) else {
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: Some(KErr::NotLeaderOrFollower),
                    high_watermark: -1,
                    leader_epoch: LeaderEpoch(-1),
                    diverging_end: None,
                    records: vec![],
                });
                interesting = true;
                continue;
            };
            if r.leader != self.id {
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: Some(KErr::NotLeaderOrFollower),
                    high_watermark: -1,
                    leader_epoch: r.leader_epoch,
                    diverging_end: None,
                    records: vec![],
                });
                interesting = true;
                continue;
            }
            let log = self.logs.get_or_default(&fp.tp);
            let leo = log.leo();
            if replica.0 < 0 {
                // A consumer: up to the high watermark.
                let to = log.hw.min(leo);
                let from_off = fp.offset.clamp(0, to);
                let records = log.records[from_off as usize..to as usize].to_vec();
                let err = if fp.offset > leo { Some(KErr::OffsetOutOfRange) } else { None };
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: err,
                    high_watermark: log.hw,
                    leader_epoch: r.leader_epoch,
                    diverging_end: None,
                    records,
                });
                interesting = true;
                continue;
            }
            // Truncation on fetch: does the follower's last epoch end where it says?
            if fp.last_epoch >= 0 && fp.offset > 0 {
                let (e, end) = log.end_offset_for(fp.last_epoch);
                if e != fp.last_epoch || end < fp.offset {
                    out.push(FetchData {
                        tp: fp.tp.clone(),
                        error: None,
                        high_watermark: log.hw,
                        leader_epoch: r.leader_epoch,
                        diverging_end: Some(end.min(fp.offset)),
                        records: vec![],
                    });
                    interesting = true;
                    continue;
                }
            }
            if fp.offset > leo {
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: None,
                    high_watermark: log.hw,
                    leader_epoch: r.leader_epoch,
                    diverging_end: Some(leo),
                    records: vec![],
                });
                interesting = true;
                continue;
            }
            // Partition.updateFollowerFetchState — when the fetch arrives, not when a parked
            // fetch completes (DelayedFetch only reads the log again).
            if let Some(f) = r.followers.get_mut(&replica) {
                if !retry {
                    if fp.offset >= leo {
                        f.last_caught_up = f.last_caught_up.max(now);
                    } else if fp.offset >= f.last_fetch_leader_leo {
                        f.last_caught_up = f.last_caught_up.max(f.last_fetch_time);
                    }
                    f.leo = fp.offset;
                    f.last_fetch_leader_leo = leo;
                    f.last_fetch_time = now;
                }
                let records: Vec<Record> = log.records[fp.offset as usize..].iter().take(500).cloned().collect();
                if !records.is_empty() || f.last_sent_hw != log.hw {
                    interesting = true;
                }
                f.last_sent_hw = log.hw;
                if !retry {
                    // The cheap first checks of maybe_expand_isr and maybe_advance_hw.
                    let expand = r.pending_isr.is_none() && !r.isr.contains(&replica) && r.replicas.contains(&replica);
                    let needed = expand || Self::isr_min_leo(self.id, r, leo) > log.hw;
                    changed.push((i as u32, needed));
                }
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: None,
                    high_watermark: log.hw,
                    leader_epoch: r.leader_epoch,
                    diverging_end: None,
                    records,
                });
            } else {
                out.push(FetchData {
                    tp: fp.tp.clone(),
                    error: Some(KErr::NotLeaderOrFollower),
                    high_watermark: -1,
                    leader_epoch: r.leader_epoch,
                    diverging_end: None,
                    records: vec![],
                });
                interesting = true;
            }
        }
        // The checks above hold while nothing else changes (each partition appears once, which
        // fetches built from a map guarantee; otherwise check everything).
        let unique = parts.windows(2).all(|w| w[0].tp < w[1].tp);
        if !changed.is_empty() {
            self.state_gen += 1;
        }
        let gen0 = self.state_gen;
        for &(i, needed) in &changed {
            if !needed && unique && self.state_gen == gen0 {
                continue;
            }
            let tp = &parts[i as usize].tp;
            self.maybe_expand_isr(io, tp, replica);
            if self.maybe_advance_hw(io, tp) {
                interesting = true;
            }
        }
        if !interesting && !retry && replica.0 >= 0 {
            // Nothing new: wait up to replica.fetch.wait.max.ms at the leader (DelayedFetch).
            self.fetch_changed = changed;
            let deadline = now + Duration::from_millis(self.cfg.fetch_wait_ms);
            self.parked.push(ParkedFetch { from, replica, corr, parts, deadline });
            self.arm_purgatory(io);
            return;
        }
        // Re-read the HW for each part after the updates above (only needed if one may have
        // moved: otherwise every part already carries its log's HW, sent to the follower).
        if self.state_gen != gen0 {
            for d in out.iter_mut() {
                if d.error.is_none() && d.diverging_end.is_none() {
                    if let Some(l) = self.logs.get(&d.tp) {
                        d.high_watermark = l.hw;
                        if let Some(f) = self.replicas.get_mut(&d.tp).and_then(|r| r.followers.get_mut(&replica)) {
                            f.last_sent_hw = l.hw;
                        }
                    }
                }
            }
        }
        self.fetch_changed = changed;
        io.send(from, KOut::Kafka(KafkaMsg::FetchResponse { corr, parts: out }));
    }

    /// Answer parked fetches that now have something (new records or a new HW).
    fn wake_parked(&mut self, io: &mut KIo<'_>, tp: &TopicPartition) {
        if !self.parked.iter().any(|p| p.parts.iter().any(|fp| &fp.tp == tp)) {
            return;
        }
        let wake: Vec<ParkedFetch> = self.parked.extract_if(.., |p| p.parts.iter().any(|fp| &fp.tp == tp)).collect();
        for p in wake {
            self.handle_fetch(io, p.from, p.replica, p.corr, p.parts, true);
        }
    }

    fn arm_purgatory(&mut self, io: &mut KIo<'_>) {
        let next = self.parked.iter().map(|p| p.deadline).chain(self.delayed.iter().map(|d| d.deadline)).min();
        match next {
            Some(t) => io.set_timer(KafkaTimer::Purgatory, t.since(io.now())),
            None => io.cancel_timer(KafkaTimer::Purgatory),
        }
    }

    fn purgatory(&mut self, io: &mut KIo<'_>) {
        let now = io.now();
        let due: Vec<ParkedFetch> = self.parked.extract_if(.., |p| p.deadline <= now).collect();
        for p in due {
            self.handle_fetch(io, p.from, p.replica, p.corr, p.parts, true);
        }
        let late: Vec<DelayedProduce> = self.delayed.extract_if(.., |d| d.deadline <= now).collect();
        for d in late {
            io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Err(KErr::RequestTimedOut) }));
        }
        self.arm_purgatory(io);
    }

    fn min_isr(&self, topic: &str) -> i32 {
        self.topic_configs.get(topic).and_then(|c| c.get("min.insync.replicas")).and_then(|v| v.parse().ok()).unwrap_or(self.cfg.min_isr)
    }

    /// `Partition.appendRecordsToLeader` + `DelayedProduce`.
    fn handle_produce(&mut self, io: &mut KIo<'_>, from: NodeId, corr: u64, acks: i16, tp: TopicPartition, values: Vec<Rc<str>>) {
        let min_isr = self.min_isr(&tp.topic);
        let Some(r) = self.replicas.get(&tp) else {
            let e =
                if self.meta_topics.contains_key(tp.topic.as_str()) { KErr::NotLeaderOrFollower } else { KErr::UnknownTopicOrPartition };
            if acks != 0 {
                io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp, result: Err(e) }));
            }
            return;
        };
        if r.leader != self.id {
            if acks != 0 {
                io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp, result: Err(KErr::NotLeaderOrFollower) }));
            }
            return;
        }
        let isr_len = r.isr.len() as i32;
        if acks == -1 && isr_len < min_isr {
            io.note(format!(
                "broker {}: rejecting produce to {tp}: ISR [{}] is smaller than min.insync.replicas {min_isr}",
                self.id,
                ids(&r.isr)
            ));
            io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp, result: Err(KErr::NotEnoughReplicas) }));
            return;
        }
        let epoch = r.leader_epoch;
        let log = self.logs.get_or_default(&tp);
        let base = log.leo();
        self.state_gen += 1;
        for v in &values {
            log.records.push(Record { epoch, value: v.clone() });
        }
        let end = log.leo();
        match acks {
            0 => {}
            1 => io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp: tp.clone(), result: Ok(base) })),
            _ => {
                let deadline = io.now() + Duration::from_millis(30_000);
                self.delayed.push(DelayedProduce { from, corr, tp: tp.clone(), base, end, deadline, values, isr_ok: isr_len >= min_isr });
                self.arm_purgatory(io);
            }
        }
        self.maybe_advance_hw(io, &tp);
        self.wake_parked(io, &tp);
    }

    fn fail_delayed(&mut self, io: &mut KIo<'_>, tp: &TopicPartition, e: KErr) {
        if !self.delayed.iter().any(|d| &d.tp == tp) {
            return;
        }
        let gone: Vec<DelayedProduce> = self.delayed.extract_if(.., |d| &d.tp == tp).collect();
        for d in gone {
            io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Err(e) }));
        }
    }

    /// The smallest LEO in the maximal ISR (the ISR plus a proposed one) of a partition this
    /// broker leads, whose own log ends at `leo`.
    fn isr_min_leo(me: BrokerId, r: &Replica, leo: i64) -> i64 {
        let mut hw = leo;
        let pending: &[BrokerId] = r.pending_isr.as_deref().unwrap_or(&[]);
        for b in r.isr.iter().chain(pending.iter()) {
            if *b == me {
                continue;
            }
            match r.followers.get(b) {
                Some(f) => hw = hw.min(f.leo.max(0)),
                None => hw = hw.min(0),
            }
        }
        hw
    }

    /// `maybeIncrementLeaderHW`: the smallest LEO in the (maximal) ISR. Returns whether it moved.
    fn maybe_advance_hw(&mut self, io: &mut KIo<'_>, tp: &TopicPartition) -> bool {
        let Some(r) = self.replicas.get(tp) else { return false };
        if r.leader != self.id {
            return false;
        }
        let Some(log) = self.logs.get_mut(tp) else { return false };
        let hw = Self::isr_min_leo(self.id, r, log.leo());
        if hw <= log.hw {
            return false;
        }
        log.hw = hw;
        self.state_gen += 1;
        io.fact(KafkaFact::HighWatermark { tp: tp.clone(), broker: self.id, leader_epoch: r.leader_epoch.0, hw });
        // Complete delayed produces.
        if self.delayed.iter().any(|d| &d.tp == tp && d.end <= hw) {
            let done: Vec<DelayedProduce> = self.delayed.extract_if(.., |d| &d.tp == tp && d.end <= hw).collect();
            for d in done {
                if d.isr_ok {
                    for (i, v) in d.values.iter().enumerate() {
                        io.fact(KafkaFact::AckedAll {
                            tp: d.tp.clone(),
                            leader_epoch: r.leader_epoch.0,
                            offset: d.base + i as i64,
                            value: v.clone(),
                        });
                    }
                }
                io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Ok(d.base) }));
            }
        }
        self.wake_parked(io, tp);
        true
    }

    /// `Partition.maybeExpandIsr`.
    fn maybe_expand_isr(&mut self, io: &mut KIo<'_>, tp: &TopicPartition, follower: BrokerId) {
        let Some(r) = self.replicas.get(tp) else { return };
        if r.pending_isr.is_some() || r.isr.contains(&follower) || !r.replicas.contains(&follower) {
            return;
        }
        let Some(log) = self.logs.get(tp) else { return };
        let Some(f) = r.followers.get(&follower) else { return };
        if f.leo < log.hw || f.leo < log.epoch_start(r.leader_epoch.0) {
            return;
        }
        let mut isr = r.isr.clone();
        isr.push(follower);
        io.note(format!(
            "broker {}: {tp}: follower {follower} caught up (LEO {}), proposing ISR expand [{}] → [{}]",
            self.id,
            f.leo,
            ids(&r.isr),
            ids(&isr)
        ));
        self.send_alter_isr(io, tp.clone(), isr);
    }

    /// `Partition.maybeShrinkIsr` for every partition this broker leads.
    fn maybe_shrink_isr(&mut self, io: &mut KIo<'_>) {
        if !self.is_running() {
            return;
        }
        let now = io.now();
        let lag = Duration::from_millis(self.cfg.replica_lag_ms);
        let mut shrinks: Vec<(TopicPartition, Vec<BrokerId>, Vec<BrokerId>)> = Vec::new();
        for (tp, r) in self.replicas.iter() {
            if r.leader != self.id || r.pending_isr.is_some() {
                continue;
            }
            let leo = self.logs.get(tp).map(|l| l.leo()).unwrap_or(0);
            let out: Vec<BrokerId> = r
                .isr
                .iter()
                .filter(|b| **b != self.id)
                .filter(|b| match r.followers.get(b) {
                    Some(f) => f.leo != leo && now.since(f.last_caught_up) > lag,
                    None => false,
                })
                .copied()
                .collect();
            if !out.is_empty() {
                let isr: Vec<BrokerId> = r.isr.iter().filter(|b| !out.contains(b)).copied().collect();
                shrinks.push((tp.clone(), isr, out));
            }
        }
        for (tp, isr, out) in shrinks {
            io.note(format!(
                "broker {}: {tp}: shrinking ISR — replica(s) {} out of sync for more than {} ms; proposing [{}]",
                self.id,
                ids(&out),
                self.cfg.replica_lag_ms,
                ids(&isr)
            ));
            self.send_alter_isr(io, tp, isr);
        }
    }

    fn send_alter_isr(&mut self, io: &mut KIo<'_>, tp: TopicPartition, isr: Vec<BrokerId>) {
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        self.state_gen += 1;
        r.pending_isr = Some(isr.clone());
        let item = (tp.clone(), r.leader_epoch, isr, r.zk_version);
        let msg = KafkaMsg::AlterIsr { broker: self.id, broker_epoch: self.broker_epoch, items: vec![item] };
        match self.active_controller.or(self.meta_controller) {
            Some(c) if c == self.id => {
                let me = io.id();
                if let KafkaMsg::AlterIsr { broker, broker_epoch, items } = msg {
                    self.ctl_alter_isr(io, me, broker, broker_epoch, items);
                }
            }
            Some(c) => {
                if let Some(n) = self.cfg.node_of(c) {
                    io.send(n, KOut::Kafka(msg));
                }
            }
            None => {
                if let Some(r) = self.replicas.get_mut(&tp) {
                    self.state_gen += 1;
                    r.pending_isr = None;
                }
            }
        }
    }

    pub(super) fn handle_alter_isr_response(&mut self, io: &mut KIo<'_>, items: Vec<AlterIsrResult>) {
        for (tp, res) in items {
            let Some(r) = self.replicas.get_mut(&tp) else { continue };
            self.state_gen += 1;
            r.pending_isr = None;
            match res {
                Ok((epoch, isr, zkv)) if epoch == r.leader_epoch && r.leader == self.id => {
                    io.note(format!("broker {}: {tp}: ISR now [{}] (zkVersion {zkv})", self.id, ids(&isr)));
                    r.isr = isr;
                    r.zk_version = zkv;
                }
                Ok(_) => {}
                Err(e) => io.note(format!("broker {}: {tp}: AlterIsr failed with {}", self.id, e.name())),
            }
            self.maybe_advance_hw(io, &tp);
        }
    }

    // ------------------------------------------------------------------ shutdown

    /// SIGTERM: controlled shutdown first (if enabled), then close the session and exit.
    pub fn stop(&mut self, io: &mut KIo<'_>) {
        if !self.is_running() {
            self.phase = Phase::Down;
            {
                let mut zio = ZkIo { inner: io };
                let _ = self.zk.close(&mut zio);
            }
            io.exit();
            return;
        }
        self.phase = Phase::ShuttingDown;
        self.shutdown_tries = 0;
        if self.cfg.controlled_shutdown {
            io.note(format!("broker {}: starting controlled shutdown", self.id));
            self.controlled_shutdown(io);
        } else {
            self.close_session(io);
        }
    }

    fn controlled_shutdown(&mut self, io: &mut KIo<'_>) {
        if self.phase != Phase::ShuttingDown {
            return;
        }
        if self.shutdown_tries > self.cfg.shutdown_retries {
            io.note(format!(
                "broker {}: controlled shutdown did not finish after {} retries; shutting down anyway",
                self.id, self.cfg.shutdown_retries
            ));
            self.close_session(io);
            return;
        }
        self.shutdown_tries += 1;
        let controller = self.active_controller.or(self.meta_controller);
        match controller {
            Some(c) if c == self.id => {
                let (b, e) = (self.id, self.broker_epoch);
                self.ctl_controlled_shutdown(io, None, b, e);
            }
            Some(c) => {
                if let Some(n) = self.cfg.node_of(c) {
                    io.send(n, KOut::Kafka(KafkaMsg::ControlledShutdown { broker: self.id, broker_epoch: self.broker_epoch }));
                }
                io.set_timer(KafkaTimer::ShutdownRetry, Duration::from_millis(self.cfg.shutdown_backoff_ms));
            }
            None => io.set_timer(KafkaTimer::ShutdownRetry, Duration::from_millis(self.cfg.shutdown_backoff_ms)),
        }
    }

    pub(super) fn handle_shutdown_response(&mut self, io: &mut KIo<'_>, remaining: usize, error: Option<KErr>) {
        if self.phase != Phase::ShuttingDown {
            return;
        }
        io.cancel_timer(KafkaTimer::ShutdownRetry);
        if error.is_none() && remaining == 0 {
            io.note(format!("broker {}: controlled shutdown succeeded", self.id));
            self.close_session(io);
        } else {
            io.note(format!(
                "broker {}: controlled shutdown: {remaining} partitions still led here; retrying in {} ms",
                self.id, self.cfg.shutdown_backoff_ms
            ));
            io.set_timer(KafkaTimer::ShutdownRetry, Duration::from_millis(self.cfg.shutdown_backoff_ms));
        }
    }

    fn close_session(&mut self, io: &mut KIo<'_>) {
        if self.ctl.is_some() {
            self.resign(io);
        }
        self.phase = Phase::Down;
        let ev = {
            let mut zio = ZkIo { inner: io };
            self.zk.close(&mut zio)
        };
        // `close()` reports `Closed` (now, or when the server answers): `zk_events` finishes.
        self.zk_events(io, ev);
    }

    /// The session is closed: answer what waits, and exit. (The world then drops every volatile
    /// field through `crash()`, as for any exit; logs stay.)
    fn finish_shutdown(&mut self, io: &mut KIo<'_>) {
        for d in std::mem::take(&mut self.delayed) {
            io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Err(KErr::NotLeaderOrFollower) }));
        }
        io.exit();
    }
}
