//! A ZooKeeper 3.5.9 server (`QuorumPeer`) as a sans-IO state machine: FastLeaderElection, ZAB
//! (discovery, synchronization, broadcast), the leader's session tracker, client connections with
//! per-session ordering and watches, and the four-letter words.
//!
//! Follows `QuorumPeer.java`, `FastLeaderElection.java` (`lookForLeader`, `totalOrderPredicate`,
//! `termPredicate`, `checkLeader`, the WorkerReceiver "send back" branch), `Leader.java`
//! (`lead`, `getEpochToPropose`, `waitForEpochAck`, `waitForNewLeaderAck`, `startZkServer`,
//! `processAck`/`tryToCommit`, the ping loop with `tickSkip`), `LearnerHandler.java`
//! (`syncFollower`, `synced()`), `Learner.java`/`Follower.java` (`registerWithLeader`,
//! `syncWithLeader`, read timeouts), `SessionTrackerImpl`/`ExpiryQueue` (tickTime buckets),
//! `NIOServerCnxn`/`ZooKeeperServer.processConnectRequest` and `FourLetterCommands`.
//!
//! Simplified, deliberately:
//! - One TCP connection per pair of servers carries both the election and the quorum traffic.
//! - No observers, no dynamic reconfiguration, no ACLs, no local sessions, no `sync`.
//! - Proposals carry the txn; sizes for `srvr` are estimated from the jute encoding.
//! - A follower applies DIFF transactions as they arrive (3.5.9 buffers some of them until
//!   NEWLEADER); the outcome is the same database.
//! - A leader-side `syncLimit` check on un-acked proposals (`syncLimitCheck`) is not modelled; a
//!   silent follower is still dropped through `tickOfNextAckDeadline`.

use crate::sorted::{SortedMap, SortedSet};
use std::collections::VecDeque;
use std::hash::Hash;
use std::rc::Rc;

use crate::sim::time::{Duration, Time};
use crate::sim::trace::StableHasher;
use crate::sim::{Io, NodeId};

use super::msg::{PeerRequest, ServerState, Snapshot, Vote, WatchPaths, ZkMsg};
use super::prep::Prep;
use super::tree::{DataTree, Txn, TxnBody};
use super::types::{EventType, Op, Reply, SessionId, Sid, Zxid};

/// What `srvr` prints as the version line (the Maven jar bundled with Kafka 2.8).
pub const VERSION_LINE: &str = "Zookeeper version: 3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built on 01/06/2021 20:03 GMT";

/// Origin of the simulated monotonic clock (`Time.currentElapsedTime()`), in ms: as if the host
/// had been up for about 3 h 46 min when the simulation started.
const JVM_UPTIME_MS: u64 = 13_579_246;

/// `FastLeaderElection.finalizeWait`.
const FINALIZE_WAIT: Duration = Duration::from_millis(200);
/// `FastLeaderElection.maxNotificationInterval`.
const MAX_NOTIFICATION_INTERVAL: Duration = Duration::from_millis(60_000);
/// Transactions kept in memory for DIFF sync (`ZKDatabase.commitLogCount`).
const COMMIT_LOG_COUNT: usize = 500;
/// `Learner.connectToLeader`: tries and the sleep between them.
const CONNECT_TRIES: u32 = 5;
const CONNECT_RETRY: Duration = Duration::from_millis(1000);

/// One `server.N=host:quorumPort:electionPort` line plus the server's client port.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ServerAddr {
    pub sid: Sid,
    pub node: NodeId,
    pub client_port: u16,
    pub quorum_port: u16,
    pub election_port: u16,
}

/// The ensemble configuration every server shares (`zookeeperN.properties`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ZkConfig {
    pub servers: Vec<ServerAddr>,
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
    /// `minSessionTimeout` (default 2 × tickTime).
    pub min_session_timeout_ms: u32,
    /// `maxSessionTimeout` (default 20 × tickTime).
    pub max_session_timeout_ms: u32,
    /// `snapCount`: a snapshot is taken after about this many transactions.
    pub snap_count: usize,
    /// `4lw.commands.whitelist`: `None` = `*`.
    pub four_letter_whitelist: Option<Vec<String>>,
}

impl ZkConfig {
    /// The seed's configuration for `n` servers: client ports 2181.., `server.1=localhost:2888:3888`,
    /// `server.2=localhost:2889:3889`, `server.3=localhost:2887:3887`, then 2890:3890 and up;
    /// tickTime 2000, initLimit 5, syncLimit 2.
    pub fn seed(nodes: &[NodeId]) -> ZkConfig {
        let servers = nodes
            .iter()
            .enumerate()
            .map(|(i, &node)| {
                let (q, e) = match i {
                    0 => (2888, 3888),
                    1 => (2889, 3889),
                    2 => (2887, 3887),
                    k => (2887 + k as u16, 3887 + k as u16),
                };
                ServerAddr { sid: Sid(i as u64 + 1), node, client_port: 2181 + i as u16, quorum_port: q, election_port: e }
            })
            .collect();
        ZkConfig {
            servers,
            tick_ms: 2000,
            init_limit: 5,
            sync_limit: 2,
            min_session_timeout_ms: 4000,
            max_session_timeout_ms: 40_000,
            snap_count: 100_000,
            four_letter_whitelist: None,
        }
    }
    pub fn tick(&self) -> Duration {
        Duration::from_millis(self.tick_ms)
    }
    /// Whether this ensemble runs as a single standalone server (one `server.N` line).
    pub fn standalone(&self) -> bool {
        self.servers.len() == 1
    }
    /// Strict majority of the voters (`QuorumMaj`).
    pub fn is_quorum(&self, n: usize) -> bool {
        n * 2 > self.servers.len()
    }
    pub fn addr_of(&self, sid: Sid) -> Option<&ServerAddr> {
        self.servers.iter().find(|s| s.sid == sid)
    }
    pub fn sid_of(&self, node: NodeId) -> Option<Sid> {
        self.servers.iter().find(|s| s.node == node).map(|s| s.sid)
    }
    /// The server listening on `port` as its client port.
    pub fn by_client_port(&self, port: u16) -> Option<&ServerAddr> {
        self.servers.iter().find(|s| s.client_port == port)
    }
}

/// Timers of a ZooKeeper server.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ZkTimer {
    /// LOOKING: no notification within `notTimeout` → re-send and back off.
    NotTimeout,
    /// LOOKING: the 200 ms finalize wait after a quorum agreed.
    FinalizeWait,
    /// FOLLOWING: connect to the leader again (`connectToLeader` retry).
    ConnectRetry,
    /// FOLLOWING: the socket read timeout on the leader connection.
    ReadTimeout,
    /// LEADING: a discovery/sync wait (`initLimit × tickTime`) ran out.
    PhaseTimeout,
    /// LEADING: the half-tick ping loop.
    LeaderTick,
    /// LEADING: the next session-expiry bucket.
    SessionExpiry,
}

impl std::fmt::Display for ZkTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            ZkTimer::NotTimeout => "notification timeout",
            ZkTimer::FinalizeWait => "finalize wait (200 ms) over",
            ZkTimer::ConnectRetry => "retry connecting to the leader",
            ZkTimer::ReadTimeout => "leader read timeout",
            ZkTimer::PhaseTimeout => "initLimit wait expired",
            ZkTimer::LeaderTick => "half tick (ping learners)",
            ZkTimer::SessionExpiry => "session expiry bucket",
        };
        f.write_str(s)
    }
}

/// What a server reports to the invariant checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkFact {
    /// `sid` established itself as leader of `epoch` (startZkServer).
    Established { sid: Sid, epoch: u32 },
    /// `sid` has committed everything up to `zxid`; `chain` digests its whole history up to there.
    Committed { sid: Sid, zxid: Zxid, chain: u64 },
    /// `sid` replaced its database by the leader's snapshot at `zxid`.
    Adopted { sid: Sid, zxid: Zxid, chain: u64 },
    /// A znode's versions after a txn applied on `sid`.
    Znode { sid: Sid, path: String, czxid: Zxid, version: i32, cversion: i32 },
    /// A session was closed on `sid`; `left` ephemerals of it remain (must be 0).
    SessionClosed { sid: Sid, session: SessionId, left: usize },
    /// A follower got a COMMIT that does not match its next pending proposal (real ZK exits).
    CommitOutOfOrder { sid: Sid, zxid: Zxid, expected: Option<Zxid> },
}

/// What survives a crash: the txn log, the last snapshot and the two epoch files.
#[derive(Clone, Debug)]
pub struct Durable {
    pub snapshot: Rc<DataTree>,
    /// Chain digest of the history up to the snapshot (checker bookkeeping).
    pub snapshot_chain: u64,
    /// Logged proposals after the snapshot, in zxid order (committed or not).
    pub log: Vec<Rc<Txn>>,
    /// `acceptedEpoch` file.
    pub accepted_epoch: u32,
    /// `currentEpoch` file.
    pub current_epoch: u32,
}

/// An election in progress (`lookForLeader` locals).
#[derive(Clone, Debug, Default)]
pub struct Election {
    /// Votes of this round, by sender (`recvset`).
    pub recvset: SortedMap<Sid, Vote>,
    /// FOLLOWING/LEADING notifications (`outofelection`), with the sender's state and round.
    pub outofelection: SortedMap<Sid, (Vote, ServerState, u64)>,
    /// Current `notTimeout`.
    pub not_timeout: Duration,
    /// In the 200 ms finalize wait.
    pub finalizing: bool,
    /// When this election started (for "LEADER ELECTION TOOK").
    pub started: Time,
}

/// A client connection on this server (`ServerCnxn`).
#[derive(Clone, Debug, Default)]
pub struct Cnxn {
    /// 0 until the session is established.
    pub session: SessionId,
    pub timeout_ms: u32,
    /// Requests in arrival order; a write blocks the reads behind it (CommitProcessor).
    pub queue: VecDeque<Queued>,
    pub received: u64,
    pub sent: u64,
    /// Waiting for the leader to revalidate a resumed session.
    pub revalidating: bool,
    /// Ephemeral client port, for `stat`'s client list.
    pub port: u16,
}

/// A request waiting on a connection.
#[derive(Clone, Debug)]
pub struct Queued {
    pub xid: i32,
    /// The read to answer; `None` for a write or closeSession (answered when committed).
    pub op: Option<Op>,
    pub at: Time,
    /// Writes (and closeSession) are submitted at once and answered when committed here.
    pub write: bool,
    pub close: bool,
}

/// ServerStats counters.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub packets_received: u64,
    pub packets_sent: u64,
    pub latency_min_ms: Option<u64>,
    pub latency_max_ms: u64,
    pub latency_total_ms: u64,
    pub latency_count: u64,
    pub last_proposal_size: Option<u64>,
    pub min_proposal_size: Option<u64>,
    pub max_proposal_size: Option<u64>,
}

/// A learner as the leader sees it (`LearnerHandler`).
#[derive(Clone, Debug)]
pub struct LearnerHandler {
    pub sid: Sid,
    pub phase: LhPhase,
    /// `tickOfNextAckDeadline`.
    pub tick_deadline: u64,
    /// Gets proposals and commits (`forwardingFollowers`).
    pub forwarding: bool,
    pub last_zxid: Zxid,
    /// ACKEPOCH received (with a real epoch or -1).
    pub epoch_acked: bool,
}

/// Where a learner handler is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LhPhase {
    /// Got FOLLOWERINFO; LEADERINFO sent once the epoch is known.
    Epoch,
    /// LEADERINFO sent, waiting for ACKEPOCH (or for the ACKEPOCH quorum).
    AckEpoch,
    /// Sync data and NEWLEADER sent, waiting for its ACK.
    NewLeaderAck,
    /// NEWLEADER acked, waiting for the leader to start serving.
    WaitRunning,
    /// UPTODATE sent: broadcast.
    Broadcast,
}

/// Stages of `Leader.lead()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaderPhase {
    /// `getEpochToPropose`: waiting for a quorum of FOLLOWERINFOs.
    Discovery,
    /// `waitForEpochAck`.
    EpochAck,
    /// `waitForNewLeaderAck`.
    NewLeaderAck,
    /// Established and serving.
    Running,
}

/// A proposal waiting for its quorum.
#[derive(Clone, Debug)]
pub struct Outstanding {
    pub txn: Rc<Txn>,
    /// Servers that logged it, each once (a few: a vector, allocated once per proposal).
    pub acks: Vec<Sid>,
}

/// A session in the leader's tracker.
#[derive(Clone, Copy, Debug)]
pub struct Tracked {
    pub timeout_ms: u32,
    pub expire_at: Time,
    pub closing: bool,
}

/// LEADING state.
#[derive(Clone, Debug)]
pub struct LeaderState {
    pub phase: LeaderPhase,
    pub epoch: u32,
    pub connecting: SortedSet<Sid>,
    pub electing: SortedSet<Sid>,
    pub newleader_acks: SortedSet<Sid>,
    pub learners: SortedMap<NodeId, LearnerHandler>,
    pub outstanding: SortedMap<Zxid, Outstanding>,
    pub prep: Prep,
    /// Counter of the last zxid proposed.
    pub last_counter: u32,
    pub tick: u64,
    pub tick_skip: bool,
    pub sessions: SortedMap<SessionId, Tracked>,
    pub standalone: bool,
    pub established_at: Option<Time>,
}

/// FOLLOWING state.
#[derive(Clone, Debug)]
pub struct FollowerState {
    pub leader: Sid,
    pub leader_node: NodeId,
    pub phase: FPhase,
    pub tries: u32,
    pub new_epoch: u32,
    /// Logged, not yet committed proposals (`pendingTxns`).
    pub pending: VecDeque<Rc<Txn>>,
    /// Commits that arrived during sync, applied at UPTODATE.
    pub early_commits: Vec<Zxid>,
    /// Sessions touched since the last ping (`LearnerSessionTracker.touchTable`).
    pub touched: SortedMap<SessionId, u32>,
    pub snap_received: bool,
}

/// Stages of `Follower.followLeader()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FPhase {
    /// FOLLOWERINFO sent, waiting for LEADERINFO.
    Register,
    /// ACKEPOCH sent, receiving sync data until NEWLEADER.
    Sync,
    /// NEWLEADER acked, waiting for UPTODATE.
    WaitUpToDate,
    /// Serving.
    Broadcast,
}

/// The peer's role.
#[derive(Clone, Debug)]
pub enum Role {
    Looking(Election),
    Following(FollowerState),
    Leading(LeaderState),
}

impl Default for Role {
    fn default() -> Self {
        Role::Looking(Election::default())
    }
}

/// Everything a crash loses.
#[derive(Clone, Debug, Default)]
pub struct Volatile {
    pub tree: DataTree,
    /// Chain digest of the applied history (checker bookkeeping).
    pub chain: u64,
    /// The last committed transactions, for DIFF (`ZKDatabase.committedLog`).
    pub committed_log: VecDeque<Rc<Txn>>,
    pub role: Role,
    /// `logicalclock`: the election round.
    pub round: u64,
    /// `currentVote`.
    pub vote: Option<Vote>,
    pub cnxns: SortedMap<NodeId, Cnxn>,
    pub stats: Stats,
    /// Next id from `initializeNextSession`.
    pub next_session: u64,
    /// Serving clients (leader established, or follower after UPTODATE).
    pub serving: bool,
    /// Transactions committed since the last snapshot.
    pub since_snapshot: usize,
}

/// A ZooKeeper server.
#[derive(Clone, Debug)]
pub struct ZkServer {
    pub cfg: Rc<ZkConfig>,
    pub sid: Sid,
    pub durable: Durable,
    pub v: Volatile,
}

/// Digest of a history extended by `txn`: the previous digest, the txn's identity and what it
/// touches (payload bytes are left out: every server applies the same shared txn value).
fn chain_step(prev: u64, txn: &Txn) -> u64 {
    use std::hash::Hasher as _;
    fn body(h: &mut StableHasher, b: &TxnBody) {
        h.write(b.name().as_bytes());
        match b {
            TxnBody::Create { path, .. } | TxnBody::Delete { path } | TxnBody::SetData { path, .. } | TxnBody::Check { path, .. } => {
                h.write(path.as_bytes())
            }
            TxnBody::Multi(v) => v.iter().for_each(|x| body(h, x)),
            TxnBody::CreateSession { timeout_ms } => h.write_u32(*timeout_ms),
            TxnBody::Error(e) => h.write_i32(e.code()),
            TxnBody::CloseSession => {}
        }
    }
    let mut h = StableHasher::new();
    h.write_u64(prev);
    h.write_u64(txn.zxid.0);
    h.write_u64(txn.session.0);
    h.write_i32(txn.cxid);
    h.write_u64(txn.time_ms);
    body(&mut h, &txn.body);
    h.finish()
}

/// Serialized size of a txn as jute writes it (TxnHeader 32 bytes + record), for `srvr`'s
/// "Proposal sizes".
fn txn_size(body: &TxnBody) -> u64 {
    fn rec(body: &TxnBody) -> u64 {
        match body {
            TxnBody::CreateSession { .. } => 4,
            TxnBody::CloseSession => 0,
            // path, data, one open ACL (perms + "world" + "anyone"), ephemeral flag, parentCVersion
            TxnBody::Create { path, data, .. } => 4 + path.len() as u64 + 4 + data.as_ref().map_or(0, |d| d.len() as u64) + 4 + 27 + 1 + 4,
            TxnBody::Delete { path } => 4 + path.len() as u64,
            TxnBody::SetData { path, data, .. } => 4 + path.len() as u64 + 4 + data.as_ref().map_or(0, |d| d.len() as u64) + 4,
            TxnBody::Check { path, .. } => 4 + path.len() as u64 + 4,
            TxnBody::Multi(v) => 4 + v.iter().map(|b| 4 + 4 + rec(b) + 1).sum::<u64>(),
            TxnBody::Error(_) => 4,
        }
    }
    32 + rec(body)
}

type ZIo<'a> = dyn Io<ZkMsg, ZkTimer, ZkFact> + 'a;

impl ZkServer {
    /// A server that has never run (empty dataDir except `myid`).
    pub fn new(cfg: Rc<ZkConfig>, sid: Sid) -> ZkServer {
        let tree = DataTree::new();
        ZkServer {
            cfg,
            sid,
            durable: Durable { snapshot: Rc::new(tree.clone()), snapshot_chain: 0, log: Vec::new(), accepted_epoch: 0, current_epoch: 0 },
            v: Volatile { tree, ..Default::default() },
        }
    }

    // ------------------------------------------------------------------ queries (UI, checks, 4lw)

    /// `QuorumPeer.ServerState`.
    pub fn state(&self) -> ServerState {
        match self.v.role {
            Role::Looking(_) => ServerState::Looking,
            Role::Following(_) => ServerState::Following,
            Role::Leading(_) => ServerState::Leading,
        }
    }
    /// What `srvr` prints after `Mode:` (None when not serving).
    pub fn mode(&self) -> Option<&'static str> {
        if !self.v.serving {
            return None;
        }
        Some(match &self.v.role {
            Role::Leading(l) if l.standalone => "standalone",
            Role::Leading(_) => "leader",
            Role::Following(_) => "follower",
            Role::Looking(_) => return None,
        })
    }
    pub fn is_serving(&self) -> bool {
        self.v.serving
    }
    /// The in-memory database.
    pub fn tree(&self) -> &DataTree {
        &self.v.tree
    }
    /// `lastProcessedZxid` (what `srvr` prints as `Zxid:`).
    pub fn last_processed(&self) -> Zxid {
        self.v.tree.last_processed_zxid()
    }
    /// The last zxid in the txn log (or the snapshot's).
    pub fn last_logged(&self) -> Zxid {
        self.durable.log.last().map(|t| t.zxid).unwrap_or_else(|| self.durable.snapshot.last_processed_zxid())
    }
    /// The current election round (`logicalclock`).
    pub fn round(&self) -> u64 {
        self.v.round
    }
    pub fn vote(&self) -> Option<Vote> {
        self.v.vote
    }
    /// The leader this server follows or is.
    pub fn leader(&self) -> Option<Sid> {
        match &self.v.role {
            Role::Following(f) => Some(f.leader),
            Role::Leading(_) => Some(self.sid),
            Role::Looking(_) => None,
        }
    }
    /// The epoch being established or served (leader) / followed (follower).
    pub fn epoch(&self) -> u32 {
        match &self.v.role {
            Role::Leading(l) => l.epoch,
            Role::Following(f) if f.new_epoch > 0 => f.new_epoch,
            _ => self.durable.current_epoch,
        }
    }
    /// Sessions the leader tracks, with their expiry times.
    pub fn tracked_sessions(&self) -> Vec<(SessionId, u32, Time)> {
        match &self.v.role {
            Role::Leading(l) => l.sessions.iter().map(|(s, t)| (*s, t.timeout_ms, t.expire_at)).collect(),
            _ => Vec::new(),
        }
    }
    /// Learners the leader considers synced (`LearnerHandler.synced()`).
    pub fn synced_learners(&self) -> Vec<Sid> {
        match &self.v.role {
            Role::Leading(l) => {
                l.learners.values().filter(|h| h.phase == LhPhase::Broadcast && l.tick <= h.tick_deadline).map(|h| h.sid).collect()
            }
            _ => Vec::new(),
        }
    }
    /// Connected clients: (client node, session).
    pub fn clients(&self) -> Vec<(NodeId, SessionId)> {
        self.v.cnxns.iter().map(|(n, c)| (*n, c.session)).collect()
    }

    fn voters(&self) -> Vec<(Sid, NodeId)> {
        self.cfg.servers.iter().map(|s| (s.sid, s.node)).collect()
    }

    fn tick_dur(&self) -> Duration {
        self.cfg.tick()
    }

    // ------------------------------------------------------------------ lifecycle

    /// Load the database from the snapshot and the txn log (`ZKDatabase.loadDataBase`).
    fn load_database(&mut self) {
        let mut tree = (*self.durable.snapshot).clone();
        let mut chain = self.durable.snapshot_chain;
        let mut committed_log = VecDeque::new();
        for txn in &self.durable.log {
            tree.apply(txn);
            chain = chain_step(chain, txn);
            committed_log.push_back(txn.clone());
            if committed_log.len() > COMMIT_LOG_COUNT {
                committed_log.pop_front();
            }
        }
        self.v.tree = tree;
        self.v.chain = chain;
        self.v.committed_log = committed_log;
    }

    /// Process start: load the database, then run FLE (or serve at once when standalone).
    pub fn start(&mut self, io: &mut ZIo<'_>) {
        self.v = Volatile::default();
        self.load_database();
        // initializeNextSession: ((Time.currentElapsedTime() << 24) >>> 8) | (sid << 56). The
        // monotonic clock's origin is arbitrary (JVM nanoTime); we start it at a fixed uptime.
        let now = JVM_UPTIME_MS + io.now().as_millis();
        self.v.next_session = ((now << 24) >> 8) | (self.sid.0 << 56);
        io.note(format!(
            "started (myid {}), database loaded up to zxid {}, acceptedEpoch {}, currentEpoch {}",
            self.sid,
            self.last_processed(),
            self.durable.accepted_epoch,
            self.durable.current_epoch
        ));
        if self.cfg.standalone() {
            self.become_standalone(io);
        } else {
            self.become_looking(io, "server started");
        }
    }

    /// Graceful stop: close every connection and exit.
    pub fn stop(&mut self, io: &mut ZIo<'_>) {
        io.note("shutting down (SIGTERM)".to_string());
        io.exit();
    }

    /// Crash: keep only the durable state.
    pub fn crash(&mut self) {
        self.v = Volatile::default();
    }

    fn become_standalone(&mut self, io: &mut ZIo<'_>) {
        let epoch = self.durable.current_epoch;
        let last = self.last_logged();
        self.v.role = Role::Leading(LeaderState {
            phase: LeaderPhase::Running,
            epoch,
            connecting: SortedSet::new(),
            electing: SortedSet::new(),
            newleader_acks: SortedSet::new(),
            learners: SortedMap::new(),
            outstanding: SortedMap::new(),
            prep: Prep::new(),
            last_counter: last.counter(),
            tick: 0,
            tick_skip: true,
            sessions: SortedMap::new(),
            standalone: true,
            established_at: Some(io.now()),
        });
        self.rebuild_session_tracker(io);
        self.v.serving = true;
        io.note("running standalone (one server in the configuration): serving clients".to_string());
        io.set_timer(ZkTimer::LeaderTick, Duration(self.tick_dur().0 / 2));
    }

    // ------------------------------------------------------------------ FastLeaderElection

    /// Enter LOOKING and start a new election round (`QuorumPeer.run` → `lookForLeader`).
    fn become_looking(&mut self, io: &mut ZIo<'_>, why: &str) {
        let was = self.state();
        // The ZooKeeperServer shuts down: client connections close (clients reconnect elsewhere).
        if self.v.serving {
            self.v.serving = false;
            let clients: Vec<NodeId> = self.v.cnxns.keys().copied().collect();
            for c in clients {
                self.drop_cnxn(io, c);
                io.close(c);
            }
        }
        // Close what the old role held open.
        match std::mem::take(&mut self.v.role) {
            Role::Leading(l) => {
                for node in l.learners.keys() {
                    io.close(*node);
                }
            }
            Role::Following(f) => io.close(f.leader_node),
            Role::Looking(_) => {}
        }
        // Fast-forward: logged but uncommitted proposals count for the vote, on a former leader
        // as on a former follower (ZooKeeperServer.shutdown → ZKDatabase.fastForwardDataBase).
        let last = self.v.tree.last_processed_zxid();
        let start = self.durable.log.partition_point(|t| t.zxid <= last);
        let unapplied: Vec<Rc<Txn>> = self.durable.log[start..].to_vec();
        for txn in &unapplied {
            self.apply_txn(io, txn, false);
        }
        for t in [ZkTimer::ReadTimeout, ZkTimer::ConnectRetry, ZkTimer::PhaseTimeout, ZkTimer::LeaderTick, ZkTimer::SessionExpiry] {
            io.cancel_timer(t);
        }
        self.v.round += 1;
        let vote = Vote { leader: self.sid, zxid: self.v.tree.last_processed_zxid(), peer_epoch: self.durable.current_epoch };
        self.v.vote = Some(vote);
        let mut e = Election { not_timeout: FINALIZE_WAIT, started: io.now(), ..Default::default() };
        e.recvset.insert(self.sid, vote);
        self.v.role = Role::Looking(e);
        let from = if was == ServerState::Looking { String::new() } else { format!("{} → ", was.name()) };
        io.note(format!("{from}LOOKING ({why}); round {}, votes for itself {}", self.v.round, vote));
        self.send_notifications(io);
        io.set_timer(ZkTimer::NotTimeout, FINALIZE_WAIT);
    }

    fn send_notifications(&mut self, io: &mut ZIo<'_>) {
        let Some(vote) = self.v.vote else { return };
        // The notification to itself goes through the local queue: its own recvset entry follows
        // its proposal (QuorumCnxManager delivers self-addressed messages locally).
        let me = self.sid;
        if let Role::Looking(e) = &mut self.v.role {
            e.recvset.insert(me, vote);
        }
        for (sid, node) in self.voters() {
            if sid != self.sid {
                io.send(node, ZkMsg::Notification { state: ServerState::Looking, vote, round: self.v.round });
            }
        }
    }

    /// `totalOrderPredicate`: does `new` beat `cur`? Order `(peerEpoch, zxid, sid)`.
    pub fn total_order(new: &Vote, cur: &Vote) -> bool {
        (new.peer_epoch, new.zxid, new.leader) > (cur.peer_epoch, cur.zxid, cur.leader)
    }

    fn handle_notification(&mut self, io: &mut ZIo<'_>, from: NodeId, state: ServerState, vote: Vote, round: u64) {
        let Some(sender) = self.cfg.sid_of(from) else { return };
        let my_state = self.state();
        if my_state != ServerState::Looking {
            // WorkerReceiver: a LOOKING peer gets our current vote back.
            if state == ServerState::Looking {
                if let Some(cur) = self.v.vote {
                    io.send(from, ZkMsg::Notification { state: my_state, vote: cur, round: self.v.round });
                }
            }
            return;
        }
        // LOOKING peer lagging behind in rounds: send it our vote (WorkerReceiver).
        if state == ServerState::Looking && round < self.v.round {
            if let Some(cur) = self.v.vote {
                io.send(from, ZkMsg::Notification { state: ServerState::Looking, vote: cur, round: self.v.round });
            }
        }
        let Role::Looking(e) = &mut self.v.role else { return };
        let cur = self.v.vote.unwrap_or(vote);
        if e.finalizing {
            // Finalize wait: a better vote re-opens the loop; anything else is discarded and
            // restarts the 200 ms poll.
            let better = Self::total_order(&vote, &cur);
            if !better {
                io.set_timer(ZkTimer::FinalizeWait, FINALIZE_WAIT);
                return;
            }
            e.finalizing = false;
            io.cancel_timer(ZkTimer::FinalizeWait);
        }
        // Each handled notification is one turn of the loop: the poll timeout starts again.
        io.set_timer(ZkTimer::NotTimeout, e.not_timeout);
        match state {
            ServerState::Looking => {
                if round > self.v.round {
                    self.v.round = round;
                    e.recvset.clear();
                    let mine = Vote { leader: self.sid, zxid: self.v.tree.last_processed_zxid(), peer_epoch: self.durable.current_epoch };
                    let pick = if Self::total_order(&vote, &mine) { vote } else { mine };
                    self.v.vote = Some(pick);
                    io.note(format!("adopts round {round} from {}; proposes {}", sender, pick));
                    self.send_notifications(io);
                } else if round < self.v.round {
                    return;
                } else if Self::total_order(&vote, &cur) {
                    self.v.vote = Some(vote);
                    io.note(format!("{} beats {}: now votes {}", vote, cur, vote));
                    self.send_notifications(io);
                }
                let Role::Looking(e) = &mut self.v.role else { return };
                e.recvset.insert(sender, vote);
                let proposal = self.v.vote.unwrap_or(vote);
                let agree: Vec<Sid> = e.recvset.iter().filter(|(_, v)| **v == proposal).map(|(s, _)| *s).collect();
                if self.cfg.is_quorum(agree.len()) {
                    e.finalizing = true;
                    io.set_timer(ZkTimer::FinalizeWait, FINALIZE_WAIT);
                }
            }
            ServerState::Following | ServerState::Leading => {
                // Joining an ensemble that already has a leader.
                if round == self.v.round {
                    e.recvset.insert(sender, vote);
                    let agree = e
                        .recvset
                        .values()
                        .filter(|v| v.leader == vote.leader && v.zxid == vote.zxid && v.peer_epoch == vote.peer_epoch)
                        .count();
                    if self.cfg.is_quorum(agree) && self.check_leader_out(vote.leader, round) {
                        self.conclude(io, vote, "joined: a quorum follows it");
                        return;
                    }
                }
                let Role::Looking(e) = &mut self.v.role else { return };
                e.outofelection.insert(sender, (vote, state, round));
                // Vote.equals for non-LOOKING votes compares only leader id and peerEpoch.
                let agree = e.outofelection.values().filter(|(v, _, _)| v.leader == vote.leader && v.peer_epoch == vote.peer_epoch).count();
                if self.cfg.is_quorum(agree) && self.check_leader_out(vote.leader, round) {
                    self.v.round = round;
                    self.conclude(io, vote, "joined an established ensemble (outofelection)");
                }
            }
        }
    }

    /// `checkLeader(outofelection, leader, electionEpoch)`.
    fn check_leader_out(&self, leader: Sid, round: u64) -> bool {
        let Role::Looking(e) = &self.v.role else { return false };
        if leader != self.sid {
            matches!(e.outofelection.get(&leader), Some((_, ServerState::Leading, _)))
        } else {
            self.v.round == round
        }
    }

    fn on_not_timeout(&mut self, io: &mut ZIo<'_>) {
        let Role::Looking(e) = &mut self.v.role else { return };
        if e.finalizing {
            return;
        }
        e.not_timeout = Duration(e.not_timeout.0.saturating_mul(2).min(MAX_NOTIFICATION_INTERVAL.0));
        let next = e.not_timeout;
        io.note(format!("no notification in time: re-sends its vote, next wait {next}"));
        self.send_notifications(io);
        io.set_timer(ZkTimer::NotTimeout, next);
    }

    fn on_finalize(&mut self, io: &mut ZIo<'_>) {
        let Role::Looking(e) = &self.v.role else { return };
        if !e.finalizing {
            return;
        }
        let Some(v) = self.v.vote else { return };
        let agree: Vec<String> = e.recvset.iter().filter(|(_, x)| **x == v).map(|(s, _)| format!("zk{s}")).collect();
        let why = format!("votes for {} from {} = quorum {} of {}", v, agree.join(", "), agree.len(), self.cfg.servers.len());
        self.conclude(io, v, &why);
    }

    /// The election is over: lead or follow `v.leader`.
    fn conclude(&mut self, io: &mut ZIo<'_>, v: Vote, why: &str) {
        io.cancel_timer(ZkTimer::NotTimeout);
        io.cancel_timer(ZkTimer::FinalizeWait);
        let took = match &self.v.role {
            Role::Looking(e) => io.now().since(e.started),
            _ => Duration::ZERO,
        };
        self.v.vote = Some(v);
        if v.leader == self.sid {
            self.become_leading(io, why, took);
        } else {
            self.become_following(io, v.leader, why, took);
        }
    }

    // ------------------------------------------------------------------ Leader

    fn become_leading(&mut self, io: &mut ZIo<'_>, why: &str, took: Duration) {
        let epoch = self.durable.accepted_epoch + 1;
        let mut connecting = SortedSet::new();
        connecting.insert(self.sid);
        self.v.role = Role::Leading(LeaderState {
            phase: LeaderPhase::Discovery,
            epoch,
            connecting,
            electing: SortedSet::new(),
            newleader_acks: SortedSet::new(),
            learners: SortedMap::new(),
            outstanding: SortedMap::new(),
            prep: Prep::new(),
            last_counter: 0,
            tick: 0,
            tick_skip: true,
            sessions: SortedMap::new(),
            standalone: false,
            established_at: None,
        });
        io.note(format!(
            "LOOKING → LEADING, round {}: {why}; LEADER ELECTION TOOK - {} MS; proposes epoch {epoch}",
            self.v.round,
            took.as_millis()
        ));
        io.set_timer(ZkTimer::PhaseTimeout, self.tick_dur().mul(self.cfg.init_limit));
    }

    fn leader_mut(&mut self) -> Option<&mut LeaderState> {
        match &mut self.v.role {
            Role::Leading(l) => Some(l),
            _ => None,
        }
    }

    fn handle_follower_info(&mut self, io: &mut ZIo<'_>, from: NodeId, accepted_epoch: u32) {
        let Some(sid) = self.cfg.sid_of(from) else { return };
        let init_plus_sync = self.cfg.init_limit + self.cfg.sync_limit;
        let cfg = self.cfg.clone();
        let Some(l) = self.leader_mut() else {
            // Nobody listens on the quorum port unless leading: connection refused.
            io.close(from);
            return;
        };
        if l.standalone {
            io.close(from);
            return;
        }
        let tick = l.tick;
        l.learners.insert(
            from,
            LearnerHandler {
                sid,
                phase: LhPhase::Epoch,
                tick_deadline: tick + init_plus_sync,
                forwarding: false,
                last_zxid: Zxid(0),
                epoch_acked: false,
            },
        );
        if l.phase == LeaderPhase::Discovery {
            // getEpochToPropose: epoch = max(epoch, lastAcceptedEpoch + 1)
            if accepted_epoch >= l.epoch {
                l.epoch = accepted_epoch + 1;
            }
            l.connecting.insert(sid);
            if cfg.is_quorum(l.connecting.len()) {
                self.epoch_decided(io);
            }
        } else {
            let epoch = l.epoch;
            if let Some(h) = l.learners.get_mut(&from) {
                h.phase = LhPhase::AckEpoch;
            }
            io.send(from, ZkMsg::LeaderInfo { new_epoch: epoch });
        }
    }

    /// A quorum reported its acceptedEpoch: the new epoch is fixed; LEADERINFO to everyone waiting.
    fn epoch_decided(&mut self, io: &mut ZIo<'_>) {
        let init = self.tick_dur().mul(self.cfg.init_limit);
        let me = self.sid;
        let Some(l) = self.leader_mut() else { return };
        l.phase = LeaderPhase::EpochAck;
        let epoch = l.epoch;
        let mut waiting = Vec::new();
        for (node, h) in l.learners.iter_mut() {
            if h.phase == LhPhase::Epoch {
                h.phase = LhPhase::AckEpoch;
                waiting.push(*node);
            }
        }
        let members: Vec<String> = l.connecting.iter().map(|s| format!("zk{s}")).collect();
        l.electing.insert(me);
        self.durable.accepted_epoch = epoch;
        io.note(format!("new epoch {epoch} agreed by {} (acceptedEpoch := {epoch}); LEADERINFO to learners", members.join(", ")));
        for node in waiting {
            io.send(node, ZkMsg::LeaderInfo { new_epoch: epoch });
        }
        io.set_timer(ZkTimer::PhaseTimeout, init);
        self.maybe_epoch_acked(io);
    }

    fn handle_ack_epoch(&mut self, io: &mut ZIo<'_>, from: NodeId, current_epoch: Option<u32>, last_zxid: Zxid) {
        let my_summary = (self.durable.current_epoch, self.v.tree.last_processed_zxid());
        let Some(l) = self.leader_mut() else { return };
        let Some(h) = l.learners.get_mut(&from) else { return };
        if h.phase != LhPhase::AckEpoch {
            return;
        }
        h.last_zxid = last_zxid;
        h.epoch_acked = true;
        let sid = h.sid;
        if let Some(ce) = current_epoch {
            if (ce, last_zxid) > my_summary {
                // StateSummary.isMoreRecentThan: the handler throws and dies.
                l.learners.remove(&from);
                io.note(format!("Follower zk{sid} is ahead of the leader (epoch {ce}, zxid {last_zxid}): dropped"));
                io.close(from);
                return;
            }
            l.electing.insert(sid);
        }
        match l.phase {
            LeaderPhase::EpochAck => self.maybe_epoch_acked(io),
            LeaderPhase::NewLeaderAck | LeaderPhase::Running => self.sync_learner(io, from),
            LeaderPhase::Discovery => {}
        }
    }

    fn maybe_epoch_acked(&mut self, io: &mut ZIo<'_>) {
        let init = self.tick_dur().mul(self.cfg.init_limit);
        let cfg = self.cfg.clone();
        let me = self.sid;
        let Some(l) = self.leader_mut() else { return };
        if l.phase != LeaderPhase::EpochAck || !cfg.is_quorum(l.electing.len()) {
            return;
        }
        l.phase = LeaderPhase::NewLeaderAck;
        let epoch = l.epoch;
        l.newleader_acks.insert(me);
        // Handlers that already sent their ACKEPOCH were blocked in waitForEpochAck: they sync now.
        let acked: Vec<NodeId> =
            l.learners.iter().filter(|(_, h)| h.phase == LhPhase::AckEpoch && h.epoch_acked).map(|(n, _)| *n).collect();
        self.durable.current_epoch = epoch;
        io.note(format!("quorum acknowledged epoch {epoch} (currentEpoch := {epoch}); syncing learners"));
        io.set_timer(ZkTimer::PhaseTimeout, init);
        for node in acked {
            self.sync_learner(io, node);
        }
    }

    /// `LearnerHandler.syncFollower` + NEWLEADER.
    fn sync_learner(&mut self, io: &mut ZIo<'_>, node: NodeId) {
        let last_processed = self.v.tree.last_processed_zxid();
        let (min_c, max_c) = match (self.v.committed_log.front(), self.v.committed_log.back()) {
            (Some(a), Some(b)) => (a.zxid, b.zxid),
            _ => (last_processed, last_processed),
        };
        let Some(l) = self.leader_mut() else { return };
        let Some(h) = l.learners.get_mut(&node) else { return };
        let peer = h.last_zxid;
        let sid = h.sid;
        h.phase = LhPhase::NewLeaderAck;
        h.forwarding = true;
        let epoch = l.epoch;
        // syncFollower: the first rule that applies wins.
        let is_new_epoch_zxid = peer.counter() == 0;
        let mut sends: Vec<ZkMsg> = Vec::new();
        let mut how = String::new();
        let mut need_snap = true;
        if peer == last_processed {
            sends.push(ZkMsg::Diff { last_zxid: peer });
            how = "DIFF (already in sync)".to_string();
            need_snap = false;
        } else if peer > max_c && !is_new_epoch_zxid {
            sends.push(ZkMsg::Trunc { zxid: max_c });
            how = format!("TRUNC to {max_c}");
            need_snap = false;
        } else if min_c <= peer && peer <= max_c {
            let log: Vec<Rc<Txn>> = self.v.committed_log.iter().cloned().collect();
            if let Some((msgs, text)) = queue_committed_proposals(&log, peer, max_c) {
                sends = msgs;
                how = text;
                need_snap = false;
            }
        } else if peer < min_c && self.durable.log.iter().any(|t| t.zxid == peer) {
            // txnlog sync: only when the on-disk log holds the peer's zxid itself
            // (FileTxnSnapLog.getProposalsFromTxnLog gives up otherwise)
            let log: Vec<Rc<Txn>> = self.durable.log.iter().filter(|t| t.zxid <= last_processed).cloned().collect();
            if let Some((msgs, text)) = queue_committed_proposals(&log, peer, max_c) {
                sends = msgs;
                how = format!("{text} (from the txn log)");
                need_snap = false;
            }
        }
        if need_snap {
            // "Unhandled scenario ... fall back to use snapshot", or simply too far behind.
            sends = vec![ZkMsg::Snap { snapshot: Snapshot(Rc::new(self.v.tree.clone()), self.v.chain) }];
            how = format!("SNAP at {last_processed}");
        }
        // startForwarding: proposals still waiting for their quorum follow the sync data.
        let Some(l) = self.leader_mut() else { return };
        for o in l.outstanding.values() {
            sends.push(ZkMsg::Proposal { txn: o.txn.clone() });
        }
        sends.push(ZkMsg::NewLeader { zxid: Zxid::new(epoch, 0) });
        io.note(format!("syncs zk{sid} (its last zxid {peer}) by {how}, then NEWLEADER"));
        for m in sends {
            io.send(node, m);
        }
    }

    fn handle_ack(&mut self, io: &mut ZIo<'_>, from: NodeId, zxid: Zxid) {
        let sync_limit = self.cfg.sync_limit;
        let cfg = self.cfg.clone();
        let Some(l) = self.leader_mut() else { return };
        let Some(h) = l.learners.get_mut(&from) else { return };
        let sid = h.sid;
        match h.phase {
            LhPhase::NewLeaderAck if zxid == Zxid::new(l.epoch, 0) => {
                h.tick_deadline = l.tick + sync_limit;
                if l.phase == LeaderPhase::Running {
                    h.phase = LhPhase::Broadcast;
                    io.send(from, ZkMsg::UpToDate);
                } else {
                    h.phase = LhPhase::WaitRunning;
                    l.newleader_acks.insert(sid);
                    if l.phase == LeaderPhase::NewLeaderAck && cfg.is_quorum(l.newleader_acks.len()) {
                        self.start_zk_server(io);
                    }
                }
            }
            LhPhase::Broadcast | LhPhase::WaitRunning | LhPhase::NewLeaderAck => {
                if let Some(o) = l.outstanding.get_mut(&zxid) {
                    if !o.acks.contains(&sid) {
                        o.acks.push(sid);
                    }
                }
                self.try_commit(io);
            }
            _ => {}
        }
    }

    /// `startZkServer`: the epoch is established; serve clients; tell waiting learners UPTODATE.
    fn start_zk_server(&mut self, io: &mut ZIo<'_>) {
        let half = Duration(self.tick_dur().0 / 2);
        let sid = self.sid;
        let epoch_zxid;
        {
            let Some(l) = self.leader_mut() else { return };
            l.phase = LeaderPhase::Running;
            l.established_at = Some(io.now());
            epoch_zxid = Zxid::new(l.epoch, 0);
        }
        // lastProcessedZxid := makeZxid(epoch, 0): why `srvr` on a new leader shows 0x<epoch>00000000.
        self.v.tree.set_last_processed_zxid(epoch_zxid);
        let Some(l) = self.leader_mut() else { return };
        let epoch = l.epoch;
        l.last_counter = 0;
        let acks: Vec<String> = l.newleader_acks.iter().map(|s| format!("zk{s}")).collect();
        let mut waiting = Vec::new();
        for (node, h) in l.learners.iter_mut() {
            if h.phase == LhPhase::WaitRunning {
                h.phase = LhPhase::Broadcast;
                waiting.push(*node);
            }
        }
        if let Some(v) = self.v.vote.as_mut() {
            v.peer_epoch = epoch; // QuorumPeer.updateElectionVote
        }
        self.v.serving = true;
        io.cancel_timer(ZkTimer::PhaseTimeout);
        io.note(format!("established epoch {epoch}: NEWLEADER acked by {}; serving clients, Zxid {epoch_zxid}", acks.join(", ")));
        let chain = self.v.chain;
        let last = self.last_logged();
        io.fact(ZkFact::Established { sid, epoch });
        io.fact(ZkFact::Committed { sid, zxid: last, chain });
        for node in waiting {
            io.send(node, ZkMsg::UpToDate);
        }
        self.rebuild_session_tracker(io);
        io.set_timer(ZkTimer::LeaderTick, half);
    }

    /// A new leader tracks every session in the database with a fresh full timeout.
    fn rebuild_session_tracker(&mut self, io: &mut ZIo<'_>) {
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

    fn touch_session(&mut self, now: Time, session: SessionId, timeout_ms: u32) {
        let tick = self.cfg.tick_ms;
        if let Some(l) = self.leader_mut() {
            if let Some(t) = l.sessions.get_mut(&session) {
                if !t.closing {
                    t.expire_at = expiry_bucket(now, timeout_ms.max(1), tick);
                }
            }
        }
    }

    fn schedule_expiry(&mut self, io: &mut ZIo<'_>) {
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

    fn on_session_expiry(&mut self, io: &mut ZIo<'_>) {
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

    /// Leader: turn a request into a txn and propose it (PrepRequestProcessor → ProposalRequestProcessor).
    fn propose(&mut self, io: &mut ZIo<'_>, session: SessionId, cxid: i32, req: PeerRequest) {
        let time_ms = io.wall_ms();
        let now = io.now();
        let tick = self.cfg.tick_ms;
        let (min_t, max_t) = (self.cfg.min_session_timeout_ms, self.cfg.max_session_timeout_ms);
        let sid = self.sid;
        let tree = &self.v.tree;
        let Role::Leading(l) = &mut self.v.role else { return };
        if l.phase != LeaderPhase::Running {
            return;
        }
        if l.last_counter == u32::MAX {
            io.note("zxid counter would roll over (XidRolloverException): new election".to_string());
            self.become_looking(io, "zxid rollover");
            return;
        }
        let zxid = Zxid::new(l.epoch, l.last_counter + 1);
        let body = match req {
            PeerRequest::CreateSession { timeout_ms } => {
                let t = timeout_ms.clamp(min_t, max_t);
                l.sessions.insert(session, Tracked { timeout_ms: t, expire_at: expiry_bucket(now, t, tick), closing: false });
                TxnBody::CreateSession { timeout_ms: t }
            }
            PeerRequest::CloseSession => {
                if let Some(t) = l.sessions.get_mut(&session) {
                    t.closing = true;
                }
                l.prep.prep_close_session(tree, session, zxid)
            }
            PeerRequest::Write(op) => {
                if !l.sessions.contains_key(&session) {
                    TxnBody::Error(super::types::ErrCode::SessionExpired)
                } else {
                    l.prep.prep_write_owned(tree, session, op, zxid)
                }
            }
        };
        l.last_counter += 1;
        let txn = Rc::new(Txn { zxid, session, cxid, time_ms, body });
        let size = txn_size(&txn.body);
        let st = &mut self.v.stats;
        st.last_proposal_size = Some(size);
        st.min_proposal_size = Some(st.min_proposal_size.map_or(size, |m| m.min(size)));
        st.max_proposal_size = Some(st.max_proposal_size.map_or(size, |m| m.max(size)));
        // The leader logs its own proposal (and so acks it).
        self.log_txn(txn.clone());
        let Role::Leading(l) = &mut self.v.role else { return };
        let mut acks = Vec::with_capacity(self.cfg.servers.len().max(1));
        acks.push(sid);
        l.outstanding.insert(zxid, Outstanding { txn: txn.clone(), acks });
        for (node, _) in l.learners.iter().filter(|(_, h)| h.forwarding) {
            io.send(*node, ZkMsg::Proposal { txn: txn.clone() });
        }
        self.try_commit(io);
    }

    /// `tryToCommit`: commit outstanding proposals in zxid order while the head has a quorum.
    fn try_commit(&mut self, io: &mut ZIo<'_>) {
        loop {
            let Role::Leading(l) = &mut self.v.role else { return };
            let Some((&zxid, o)) = l.outstanding.iter().next() else { return };
            if !self.cfg.is_quorum(o.acks.len()) {
                return;
            }
            let Some(o) = l.outstanding.remove(&zxid) else { return };
            l.prep.committed(zxid);
            for (node, _) in l.learners.iter().filter(|(_, h)| h.forwarding) {
                io.send(*node, ZkMsg::Commit { zxid });
            }
            self.commit_txn(io, &o.txn);
        }
    }

    fn on_leader_tick(&mut self, io: &mut ZIo<'_>) {
        let half = Duration(self.tick_dur().0 / 2);
        let Role::Leading(l) = &mut self.v.role else { return };
        if l.standalone {
            return;
        }
        if !l.tick_skip {
            l.tick += 1;
        }
        let tick = l.tick;
        let mut synced: SortedSet<Sid> =
            l.learners.values().filter(|h| h.phase == LhPhase::Broadcast && tick <= h.tick_deadline).map(|h| h.sid).collect();
        synced.insert(self.sid);
        if !l.tick_skip && !self.cfg.is_quorum(synced.len()) {
            let ids: Vec<String> = synced.iter().map(|s| s.to_string()).collect();
            let why = format!("Not sufficient followers synced, only synced with sids: [ {} ]", ids.join(","));
            self.become_looking(io, &why);
            return;
        }
        let Role::Leading(l) = &mut self.v.role else { return };
        l.tick_skip = !l.tick_skip;
        for (node, _) in l.learners.iter().filter(|(_, h)| h.phase == LhPhase::Broadcast) {
            io.send(*node, ZkMsg::Ping { touched: Vec::new() });
        }
        io.set_timer(ZkTimer::LeaderTick, half);
    }

    fn on_phase_timeout(&mut self, io: &mut ZIo<'_>) {
        let Role::Leading(l) = &self.v.role else { return };
        let why = match l.phase {
            LeaderPhase::Discovery => "Timeout while waiting for epoch from quorum".to_string(),
            LeaderPhase::EpochAck => "Timeout while waiting for epoch to be acked by quorum".to_string(),
            LeaderPhase::NewLeaderAck => {
                let ids: Vec<String> = l.newleader_acks.iter().map(|s| s.to_string()).collect();
                format!("Waiting for a quorum of followers, only synced with sids: [ {} ]", ids.join(","))
            }
            LeaderPhase::Running => return,
        };
        self.become_looking(io, &why);
    }

    // ------------------------------------------------------------------ Follower

    fn become_following(&mut self, io: &mut ZIo<'_>, leader: Sid, why: &str, took: Duration) {
        let Some(addr) = self.cfg.addr_of(leader) else { return };
        let leader_node = addr.node;
        self.v.role = Role::Following(FollowerState {
            leader,
            leader_node,
            phase: FPhase::Register,
            tries: 1,
            new_epoch: 0,
            pending: VecDeque::new(),
            early_commits: Vec::new(),
            touched: SortedMap::new(),
            snap_received: false,
        });
        io.note(format!("LOOKING → FOLLOWING zk{leader}, round {}: {why}; LEADER ELECTION TOOK - {} MS", self.v.round, took.as_millis()));
        io.send(leader_node, ZkMsg::FollowerInfo { accepted_epoch: self.durable.accepted_epoch });
        io.set_timer(ZkTimer::ReadTimeout, self.tick_dur().mul(self.cfg.init_limit));
    }

    fn follower_mut(&mut self) -> Option<&mut FollowerState> {
        match &mut self.v.role {
            Role::Following(f) => Some(f),
            _ => None,
        }
    }

    /// Every packet from the leader resets the socket read timeout.
    fn leader_packet(&mut self, io: &mut ZIo<'_>, from: NodeId) -> bool {
        match &self.v.role {
            Role::Following(f) if f.leader_node == from => {
                let limit = if f.phase == FPhase::Broadcast { self.cfg.sync_limit } else { self.cfg.init_limit };
                io.set_timer(ZkTimer::ReadTimeout, self.tick_dur().mul(limit));
                true
            }
            _ => false,
        }
    }

    fn handle_leader_info(&mut self, io: &mut ZIo<'_>, new_epoch: u32) {
        let accepted = self.durable.accepted_epoch;
        let current = self.durable.current_epoch;
        let last = self.v.tree.last_processed_zxid();
        let Some(f) = self.follower_mut() else { return };
        if f.phase != FPhase::Register {
            return;
        }
        let leader_node = f.leader_node;
        let reply_epoch = if new_epoch > accepted {
            Some(current)
        } else if new_epoch == accepted {
            None
        } else {
            let why = format!("Leaders epoch, {new_epoch} is less than accepted epoch, {accepted}");
            self.become_looking(io, &why);
            return;
        };
        f.phase = FPhase::Sync;
        f.new_epoch = new_epoch;
        if new_epoch > accepted {
            self.durable.accepted_epoch = new_epoch;
        }
        io.note(format!("LEADERINFO epoch {new_epoch}: acceptedEpoch := {}; ACKEPOCH", self.durable.accepted_epoch));
        io.send(leader_node, ZkMsg::AckEpoch { current_epoch: reply_epoch, last_zxid: last });
    }

    fn handle_sync_start(&mut self, io: &mut ZIo<'_>, msg: ZkMsg) {
        let Some(f) = self.follower_mut() else { return };
        if f.phase != FPhase::Sync {
            return;
        }
        match msg {
            ZkMsg::Diff { .. } => {}
            ZkMsg::Trunc { zxid } => {
                // Truncate the log and reload the database (ZKDatabase.truncateLog).
                self.durable.log.retain(|t| t.zxid <= zxid);
                if self.durable.snapshot.last_processed_zxid() > zxid {
                    // Cannot happen with committed-only snapshots; fall back to an empty database.
                    self.durable.snapshot = Rc::new(DataTree::new());
                    self.durable.snapshot_chain = 0;
                    self.durable.log.clear();
                }
                self.load_database();
                io.note(format!("TRUNC: log truncated to {zxid}, database reloaded"));
            }
            ZkMsg::Snap { snapshot } => {
                self.v.tree = (*snapshot.0).clone();
                let zxid = self.v.tree.last_processed_zxid();
                // The snapshot replaces the history; the leader's chain digest comes with it.
                self.v.chain = snapshot.1;
                self.durable.snapshot = snapshot.0.clone();
                self.durable.snapshot_chain = self.v.chain;
                self.durable.log.clear();
                self.v.committed_log.clear();
                if let Some(f) = self.follower_mut() {
                    f.snap_received = true;
                }
                io.note(format!("SNAP: database replaced by the leader's snapshot at {zxid}"));
                let (sid, chain) = (self.sid, self.v.chain);
                io.fact(ZkFact::Adopted { sid, zxid, chain });
            }
            _ => {}
        }
    }

    fn handle_proposal(&mut self, io: &mut ZIo<'_>, txn: Rc<Txn>) {
        let last = self.v.tree.last_processed_zxid();
        let Some(f) = self.follower_mut() else { return };
        let phase = f.phase;
        let leader_node = f.leader_node;
        match phase {
            FPhase::Register => {}
            FPhase::Sync => {
                // DIFF data (or a forwarded proposal): keep it pending until its COMMIT or NEWLEADER.
                if txn.zxid > last && f.pending.back().map(|p| p.zxid < txn.zxid).unwrap_or(true) {
                    f.pending.push_back(txn);
                }
            }
            FPhase::WaitUpToDate | FPhase::Broadcast => {
                if f.pending.back().map(|p| p.zxid >= txn.zxid).unwrap_or(false) || txn.zxid <= last {
                    return;
                }
                f.pending.push_back(txn.clone());
                self.log_txn(txn.clone());
                io.send(leader_node, ZkMsg::Ack { zxid: txn.zxid });
            }
        }
    }

    fn handle_commit(&mut self, io: &mut ZIo<'_>, zxid: Zxid) {
        let sid = self.sid;
        let Some(f) = self.follower_mut() else { return };
        match f.phase {
            FPhase::Register => {}
            FPhase::Sync => {
                // Before NEWLEADER: apply directly (Learner.syncWithLeader, !writeToTxnLog).
                if f.pending.front().map(|p| p.zxid == zxid).unwrap_or(false) {
                    if let Some(txn) = f.pending.pop_front() {
                        self.log_txn(txn.clone());
                        self.commit_txn(io, &txn);
                    }
                }
            }
            FPhase::WaitUpToDate => f.early_commits.push(zxid),
            FPhase::Broadcast => {
                let expected = f.pending.front().map(|p| p.zxid);
                if expected != Some(zxid) {
                    io.fact(ZkFact::CommitOutOfOrder { sid, zxid, expected });
                    self.become_looking(io, &format!("Committing zxid {zxid} but next pending txn {expected:?}"));
                    return;
                }
                if let Some(txn) = f.pending.pop_front() {
                    self.commit_txn(io, &txn);
                }
            }
        }
    }

    fn handle_new_leader(&mut self, io: &mut ZIo<'_>, zxid: Zxid) {
        let Some(f) = self.follower_mut() else { return };
        if f.phase != FPhase::Sync {
            return;
        }
        f.phase = FPhase::WaitUpToDate;
        let leader_node = f.leader_node;
        let epoch = zxid.epoch();
        // Proposals forwarded during sync are logged now (writeToTxnLog) and acked after UPTODATE.
        let pending: Vec<Rc<Txn>> = f.pending.iter().cloned().collect();
        let snap = f.snap_received;
        for t in pending {
            self.log_txn(t);
        }
        if snap {
            self.take_snapshot();
        }
        self.durable.current_epoch = epoch;
        io.note(format!("NEWLEADER {zxid}: currentEpoch := {epoch}; ACK"));
        io.send(leader_node, ZkMsg::Ack { zxid });
    }

    fn handle_up_to_date(&mut self, io: &mut ZIo<'_>) {
        let Some(f) = self.follower_mut() else { return };
        if f.phase != FPhase::WaitUpToDate {
            return;
        }
        f.phase = FPhase::Broadcast;
        let leader_node = f.leader_node;
        let epoch = f.new_epoch;
        let early = std::mem::take(&mut f.early_commits);
        let pending: Vec<Zxid> = f.pending.iter().map(|t| t.zxid).collect();
        // Ack the proposals that were logged during sync, then apply the commits that came early.
        for z in &pending {
            io.send(leader_node, ZkMsg::Ack { zxid: *z });
        }
        for z in early {
            let Some(f) = self.follower_mut() else { return };
            if f.pending.front().map(|p| p.zxid == z).unwrap_or(false) {
                if let Some(txn) = f.pending.pop_front() {
                    self.commit_txn(io, &txn);
                }
            }
        }
        io.send(leader_node, ZkMsg::Ack { zxid: Zxid::new(epoch, 0) });
        if let Some(v) = self.v.vote.as_mut() {
            v.peer_epoch = epoch;
        }
        self.v.serving = true;
        io.set_timer(ZkTimer::ReadTimeout, self.tick_dur().mul(self.cfg.sync_limit));
        let (sid, chain, last) = (self.sid, self.v.chain, self.v.tree.last_processed_zxid());
        io.note(format!("UPTODATE: following epoch {epoch}, serving clients, Zxid {last}"));
        io.fact(ZkFact::Committed { sid, zxid: last, chain });
    }

    fn handle_leader_ping(&mut self, io: &mut ZIo<'_>) {
        let Some(f) = self.follower_mut() else { return };
        let touched: Vec<(SessionId, u32)> = std::mem::take(&mut f.touched).into_iter().collect();
        let leader_node = f.leader_node;
        io.send(leader_node, ZkMsg::Ping { touched });
    }

    fn on_read_timeout(&mut self, io: &mut ZIo<'_>) {
        if let Role::Following(f) = &self.v.role {
            let why = format!("no packet from leader zk{} within the read timeout", f.leader);
            self.become_looking(io, &why);
        }
    }

    fn on_connect_retry(&mut self, io: &mut ZIo<'_>) {
        let accepted = self.durable.accepted_epoch;
        let Some(f) = self.follower_mut() else { return };
        if f.phase != FPhase::Register {
            return;
        }
        let node = f.leader_node;
        io.send(node, ZkMsg::FollowerInfo { accepted_epoch: accepted });
    }

    // ------------------------------------------------------------------ database

    fn log_txn(&mut self, txn: Rc<Txn>) {
        if self.durable.log.last().map(|t| t.zxid < txn.zxid).unwrap_or(true) && txn.zxid > self.durable.snapshot.last_processed_zxid() {
            self.durable.log.push(txn);
        }
    }

    fn take_snapshot(&mut self) {
        let zxid = self.v.tree.last_processed_zxid();
        self.durable.snapshot = Rc::new(self.v.tree.clone());
        self.durable.snapshot_chain = self.v.chain;
        self.durable.log.retain(|t| t.zxid > zxid);
        self.v.since_snapshot = 0;
    }

    /// Apply a txn to the in-memory database, firing watches of this server's clients.
    fn apply_txn(&mut self, io: &mut ZIo<'_>, txn: &Rc<Txn>, committed: bool) -> Reply {
        let (reply, fired) = self.v.tree.apply(txn);
        self.v.chain = chain_step(self.v.chain, txn);
        // Fast-forwarded txns enter the committedLog too (ZKDatabase.loadDataBase →
        // addCommittedProposal): a new leader syncs learners with everything it has applied.
        self.v.committed_log.push_back(txn.clone());
        if self.v.committed_log.len() > COMMIT_LOG_COUNT {
            self.v.committed_log.pop_front();
        }
        for w in fired {
            if let Some((node, c)) = self.v.cnxns.iter_mut().find(|(_, c)| c.session == w.session) {
                c.sent += 1;
                self.v.stats.packets_sent += 1;
                io.send(*node, ZkMsg::WatchEvent { event: w.event, path: w.path });
            }
        }
        if committed && io.observing() {
            self.observe_txn(io, &txn.body, txn.session);
        }
        reply
    }

    fn observe_txn(&self, io: &mut ZIo<'_>, body: &TxnBody, session: SessionId) {
        let sid = self.sid;
        let mut paths: Vec<String> = Vec::new();
        match body {
            TxnBody::Create { path, .. } | TxnBody::Delete { path } | TxnBody::SetData { path, .. } => {
                paths.push(path.clone());
                if let Some(i) = path.rfind('/') {
                    paths.push(if i == 0 { "/".to_string() } else { path[..i].to_string() });
                }
            }
            TxnBody::Multi(v) => {
                for b in v {
                    self.observe_txn(io, b, session);
                }
            }
            TxnBody::CloseSession => {
                let left = self.v.tree.ephemerals_of(session).len();
                io.fact(ZkFact::SessionClosed { sid, session, left });
            }
            _ => {}
        }
        for p in paths {
            if let Some(st) = self.v.tree.stat(&p) {
                io.fact(ZkFact::Znode { sid, path: p, czxid: st.czxid, version: st.version, cversion: st.cversion });
            }
        }
    }

    /// A txn is committed here: apply it, answer the client that sent it (if connected here).
    fn commit_txn(&mut self, io: &mut ZIo<'_>, txn: &Rc<Txn>) {
        if txn.zxid <= self.v.tree.last_processed_zxid() && !matches!(self.v.role, Role::Leading(_)) {
            return;
        }
        let reply = self.apply_txn(io, txn, true);
        self.v.since_snapshot += 1;
        if self.v.since_snapshot >= self.cfg.snap_count {
            self.take_snapshot();
        }
        let (sid, chain) = (self.sid, self.v.chain);
        io.fact(ZkFact::Committed { sid, zxid: txn.zxid, chain });
        self.finish_request(io, txn, reply);
    }

    // ------------------------------------------------------------------ clients (ServerCnxn)

    fn cnxn_for_session(&self, session: SessionId) -> Option<NodeId> {
        self.v.cnxns.iter().find(|(_, c)| c.session == session).map(|(n, _)| *n)
    }

    /// FinalRequestProcessor for a committed txn: reply to the client connected here.
    fn finish_request(&mut self, io: &mut ZIo<'_>, txn: &Txn, reply: Reply) {
        let now = io.now();
        match &txn.body {
            TxnBody::CreateSession { timeout_ms } => {
                if let Some(node) = self.cnxn_for_session(txn.session) {
                    if let Some(c) = self.v.cnxns.get_mut(&node) {
                        c.timeout_ms = *timeout_ms;
                        c.sent += 1;
                    }
                    self.v.stats.packets_sent += 1;
                    io.send(node, ZkMsg::ConnectResponse { session: txn.session, timeout_ms: *timeout_ms });
                }
                // The leader tracks sessions created through any server.
                let tick = self.cfg.tick_ms;
                if let Some(l) = self.leader_mut() {
                    l.sessions.get_or_insert_with(txn.session, || Tracked {
                        timeout_ms: *timeout_ms,
                        expire_at: expiry_bucket(now, *timeout_ms, tick),
                        closing: false,
                    });
                }
                self.schedule_expiry(io);
            }
            TxnBody::CloseSession => {
                if let Some(l) = self.leader_mut() {
                    l.sessions.remove(&txn.session);
                }
                if let Some(node) = self.cnxn_for_session(txn.session) {
                    let xid = self.v.cnxns.get(&node).and_then(|c| c.queue.front().filter(|q| q.close).map(|q| q.xid));
                    if let Some(xid) = xid {
                        self.v.stats.packets_sent += 1;
                        io.send(node, ZkMsg::CloseSessionReply { xid });
                    }
                    self.drop_cnxn(io, node);
                    io.close(node);
                }
            }
            _ => {
                let Some(node) = self.cnxn_for_session(txn.session) else { return };
                let zxid = txn.zxid;
                let Some(c) = self.v.cnxns.get_mut(&node) else { return };
                if c.queue.front().map(|q| q.write && q.xid == txn.cxid).unwrap_or(false) {
                    if let Some(q) = c.queue.pop_front() {
                        c.sent += 1;
                        self.v.stats.packets_sent += 1;
                        record_latency(&mut self.v.stats, now, q.at);
                        io.send(node, ZkMsg::ClientReply { xid: q.xid, zxid, reply: Box::new(reply) });
                    }
                    self.pump_reads(io, node);
                }
            }
        }
    }

    /// Answer the reads at the head of a connection's queue (they waited for earlier writes).
    fn pump_reads(&mut self, io: &mut ZIo<'_>, node: NodeId) {
        let now = io.now();
        loop {
            let Some(c) = self.v.cnxns.get_mut(&node) else { return };
            match c.queue.front() {
                Some(q) if !q.write && !q.close => {}
                _ => return,
            }
            let Some(q) = c.queue.pop_front() else { return };
            let session = c.session;
            c.sent += 1;
            let reply = match &q.op {
                Some(op) => self.read(op, session),
                None => Reply::Error(super::types::ErrCode::BadArguments),
            };
            let zxid = self.v.tree.last_processed_zxid();
            self.v.stats.packets_sent += 1;
            record_latency(&mut self.v.stats, now, q.at);
            io.send(node, ZkMsg::ClientReply { xid: q.xid, zxid, reply: Box::new(reply) });
        }
    }

    fn read(&mut self, op: &Op, session: SessionId) -> Reply {
        use super::types::{ErrCode, WatchKind};
        let tree = &mut self.v.tree;
        match op {
            Op::GetData { path, watch } => match tree.get_data(path) {
                Some((data, stat)) => {
                    if *watch {
                        tree.add_watch(path, WatchKind::Data, session);
                    }
                    Reply::Data { data, stat }
                }
                None => Reply::Error(ErrCode::NoNode),
            },
            Op::Exists { path, watch } => {
                let stat = tree.stat(path);
                if *watch {
                    // exists sets a data watch whether or not the node exists
                    tree.add_watch(path, WatchKind::Data, session);
                }
                Reply::Exists { stat }
            }
            Op::GetChildren { path, watch } => match (tree.children(path), tree.stat(path)) {
                (Some(children), Some(stat)) => {
                    if *watch {
                        tree.add_watch(path, WatchKind::Child, session);
                    }
                    Reply::Children { children, stat }
                }
                _ => Reply::Error(ErrCode::NoNode),
            },
            Op::Write(_) | Op::Multi(_) => Reply::Error(ErrCode::BadArguments),
        }
    }

    fn drop_cnxn(&mut self, _io: &mut ZIo<'_>, node: NodeId) {
        if let Some(c) = self.v.cnxns.remove(&node) {
            if c.session.0 != 0 {
                self.v.tree.remove_watches_of(c.session);
            }
        }
    }

    /// Submit a write: the leader proposes it, a follower forwards it as REQUEST.
    fn submit(&mut self, io: &mut ZIo<'_>, session: SessionId, cxid: i32, req: PeerRequest) {
        match &self.v.role {
            Role::Leading(_) => self.propose(io, session, cxid, req),
            Role::Following(f) => {
                let node = f.leader_node;
                io.send(node, ZkMsg::Request { session, cxid, req });
            }
            Role::Looking(_) => {}
        }
    }

    fn handle_connect(&mut self, io: &mut ZIo<'_>, from: NodeId, session: SessionId, timeout_ms: u32, last_zxid_seen: Zxid) {
        self.v.stats.packets_received += 1;
        if !self.v.serving {
            // "ZooKeeperServer not running": the connection is closed.
            io.close(from);
            return;
        }
        if last_zxid_seen > self.v.tree.last_processed_zxid() {
            io.note(format!(
                "Refusing session request for client as it has seen zxid {last_zxid_seen} our last zxid is {} client must try another server",
                self.v.tree.last_processed_zxid()
            ));
            io.close(from);
            return;
        }
        let t = timeout_ms.clamp(self.cfg.min_session_timeout_ms, self.cfg.max_session_timeout_ms);
        let port = 40000 + (from.0 as u16 % 20000);
        if session.0 == 0 {
            let id = SessionId(self.v.next_session);
            self.v.next_session = self.v.next_session.wrapping_add(1);
            self.v.cnxns.insert(from, Cnxn { session: id, timeout_ms: t, port, ..Default::default() });
            if let Some(c) = self.v.cnxns.get_mut(&from) {
                c.received += 1;
            }
            self.submit(io, id, 0, PeerRequest::CreateSession { timeout_ms: t });
        } else {
            self.v.cnxns.insert(from, Cnxn { session, timeout_ms: t, port, revalidating: true, received: 1, ..Default::default() });
            match &self.v.role {
                Role::Leading(l) => {
                    let valid = l.sessions.get(&session).map(|s| !s.closing).unwrap_or(false);
                    self.finish_revalidate(io, session, valid);
                }
                Role::Following(f) => {
                    let node = f.leader_node;
                    io.send(node, ZkMsg::Revalidate { session, timeout_ms: t });
                }
                Role::Looking(_) => {}
            }
        }
    }

    fn finish_revalidate(&mut self, io: &mut ZIo<'_>, session: SessionId, valid: bool) {
        let now = io.now();
        let Some(node) = self.cnxn_for_session(session) else { return };
        let Some(c) = self.v.cnxns.get_mut(&node) else { return };
        if !c.revalidating {
            return;
        }
        c.revalidating = false;
        c.sent += 1;
        let t = c.timeout_ms;
        self.v.stats.packets_sent += 1;
        if valid {
            self.touch_session(now, session, t);
            io.send(node, ZkMsg::ConnectResponse { session, timeout_ms: t });
        } else {
            // Expired: the response carries timeout 0, then the connection closes.
            io.send(node, ZkMsg::ConnectResponse { session, timeout_ms: 0 });
            self.v.cnxns.remove(&node);
            io.close(node);
        }
    }

    fn client_touch(&mut self, now: Time, node: NodeId) {
        let Some(c) = self.v.cnxns.get_mut(&node) else { return };
        c.received += 1;
        self.v.stats.packets_received += 1;
        let (s, t) = (c.session, c.timeout_ms);
        match &mut self.v.role {
            Role::Following(f) => {
                f.touched.insert(s, t);
            }
            Role::Leading(_) => self.touch_session(now, s, t),
            Role::Looking(_) => {}
        }
    }

    fn handle_client_request(&mut self, io: &mut ZIo<'_>, from: NodeId, xid: i32, op: Op) {
        if !self.v.cnxns.contains_key(&from) || !self.v.serving {
            return;
        }
        let now = io.now();
        self.client_touch(now, from);
        let Some(c) = self.v.cnxns.get_mut(&from) else { return };
        let session = c.session;
        let write = op.is_write();
        if write {
            c.queue.push_back(Queued { xid, op: None, at: now, write, close: false });
            self.submit(io, session, xid, PeerRequest::Write(op));
        } else {
            c.queue.push_back(Queued { xid, op: Some(op), at: now, write, close: false });
            self.pump_reads(io, from);
        }
    }

    fn handle_set_watches(
        &mut self,
        from: NodeId,
        relative_zxid: Zxid,
        data: Vec<String>,
        exist: Vec<String>,
        child: Vec<String>,
        io: &mut ZIo<'_>,
    ) {
        use super::types::WatchKind;
        let Some(c) = self.v.cnxns.get(&from) else { return };
        let session = c.session;
        let tree = &mut self.v.tree;
        let mut events = Vec::new();
        // DataTree.setWatches: fire what changed since the client's last zxid, register the rest.
        for p in data {
            match tree.stat(&p) {
                None => events.push((EventType::NodeDeleted, p)),
                Some(st) if st.mzxid > relative_zxid => events.push((EventType::NodeDataChanged, p)),
                Some(_) => tree.add_watch(&p, WatchKind::Data, session),
            }
        }
        for p in exist {
            match tree.stat(&p) {
                Some(_) => events.push((EventType::NodeCreated, p)),
                None => tree.add_watch(&p, WatchKind::Data, session),
            }
        }
        for p in child {
            match tree.stat(&p) {
                None => events.push((EventType::NodeDeleted, p)),
                Some(st) if st.pzxid > relative_zxid => events.push((EventType::NodeChildrenChanged, p)),
                Some(_) => tree.add_watch(&p, WatchKind::Child, session),
            }
        }
        for (event, path) in events {
            self.v.stats.packets_sent += 1;
            io.send(from, ZkMsg::WatchEvent { event, path });
        }
    }

    // ------------------------------------------------------------------ four-letter words

    /// The text a four-letter word answers (`FourLetterCommands`, `StatCommand`, `MonitorCommand`).
    pub fn four_letter(&self, word: &str) -> String {
        const KNOWN: [&str; 17] = [
            "conf", "cons", "crst", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro",
            "dirs",
        ];
        if !KNOWN.contains(&word) {
            return String::new();
        }
        if let Some(list) = &self.cfg.four_letter_whitelist {
            if !list.iter().any(|w| w == word) {
                return format!("{word} is not executed because it is not in the whitelist.\n");
            }
        }
        let not_serving = "This ZooKeeper instance is not currently serving requests\n".to_string();
        match word {
            "ruok" => "imok".to_string(),
            "isro" => {
                if self.v.serving {
                    "rw".into()
                } else {
                    "null".into()
                }
            }
            "srvr" | "stat" => {
                let Some(mode) = self.mode() else { return not_serving };
                let st = &self.v.stats;
                let mut s = String::new();
                s.push_str(VERSION_LINE);
                s.push('\n');
                if word == "stat" {
                    s.push_str("Clients:\n");
                    for c in self.v.cnxns.values() {
                        s.push_str(&format!(" /127.0.0.1:{}[1](queued=0,recved={},sent={})\n", c.port, c.received, c.sent));
                    }
                    s.push_str(" /127.0.0.1:39999[0](queued=0,recved=1,sent=0)\n\n");
                }
                let (min, avg, max) = latency(st);
                s.push_str(&format!("Latency min/avg/max: {min}/{avg}/{max}\n"));
                s.push_str(&format!("Received: {}\n", st.packets_received));
                s.push_str(&format!("Sent: {}\n", st.packets_sent));
                s.push_str(&format!("Connections: {}\n", self.v.cnxns.len() + 1));
                s.push_str(&format!("Outstanding: {}\n", self.outstanding_requests()));
                s.push_str(&format!("Zxid: {}\n", self.v.tree.last_processed_zxid()));
                s.push_str(&format!("Mode: {mode}\n"));
                s.push_str(&format!("Node count: {}\n", self.v.tree.node_count()));
                if mode == "leader" {
                    let f = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "-1".into());
                    s.push_str(&format!(
                        "Proposal sizes last/min/max: {}/{}/{}\n",
                        f(st.last_proposal_size),
                        f(st.min_proposal_size),
                        f(st.max_proposal_size)
                    ));
                }
                s
            }
            "mntr" => {
                let Some(mode) = self.mode() else { return not_serving };
                let st = &self.v.stats;
                let (min, avg, max) = latency(st);
                let mut s = String::new();
                let mut kv = |k: &str, v: String| s.push_str(&format!("zk_{k}\t{v}\n"));
                kv("version", VERSION_LINE.trim_start_matches("Zookeeper version: ").to_string());
                kv("avg_latency", avg.to_string());
                kv("max_latency", max.to_string());
                kv("min_latency", min.to_string());
                kv("packets_received", st.packets_received.to_string());
                kv("packets_sent", st.packets_sent.to_string());
                kv("num_alive_connections", (self.v.cnxns.len() + 1).to_string());
                kv("outstanding_requests", self.outstanding_requests().to_string());
                kv("server_state", mode.to_string());
                kv("znode_count", self.v.tree.node_count().to_string());
                kv("watch_count", self.v.tree.watch_count().to_string());
                kv("ephemerals_count", self.v.tree.ephemeral_count().to_string());
                kv("approximate_data_size", self.v.tree.approximate_data_size().to_string());
                kv("open_file_descriptor_count", (64 + self.v.cnxns.len() + self.cfg.servers.len() * 2).to_string());
                kv("max_file_descriptor_count", "1048576".to_string());
                if let Role::Leading(l) = &self.v.role {
                    if !l.standalone {
                        let f = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "-1".into());
                        kv("followers", l.learners.len().to_string());
                        kv("synced_followers", self.synced_learners().len().to_string());
                        kv("pending_syncs", l.learners.values().filter(|h| h.phase != LhPhase::Broadcast).count().to_string());
                        kv("last_proposal_size", f(st.last_proposal_size));
                        kv("max_proposal_size", f(st.max_proposal_size));
                        kv("min_proposal_size", f(st.min_proposal_size));
                    }
                }
                s
            }
            other => format!("(sandbox) the four-letter word '{other}' is not modelled; try srvr, stat, mntr, ruok or isro\n"),
        }
    }

    fn outstanding_requests(&self) -> usize {
        self.v.cnxns.values().map(|c| c.queue.len()).sum()
    }

    // ------------------------------------------------------------------ dispatch

    /// A message arrived.
    pub fn on_msg(&mut self, io: &mut ZIo<'_>, from: NodeId, msg: ZkMsg) {
        let from_peer = self.cfg.servers.iter().any(|s| s.node == from);
        if from_peer && self.leader_packet(io, from) {
            match msg {
                ZkMsg::LeaderInfo { new_epoch } => return self.handle_leader_info(io, new_epoch),
                m @ (ZkMsg::Diff { .. } | ZkMsg::Trunc { .. } | ZkMsg::Snap { .. }) => return self.handle_sync_start(io, m),
                ZkMsg::Proposal { txn } => return self.handle_proposal(io, txn),
                ZkMsg::Commit { zxid } => return self.handle_commit(io, zxid),
                ZkMsg::NewLeader { zxid } => return self.handle_new_leader(io, zxid),
                ZkMsg::UpToDate => return self.handle_up_to_date(io),
                ZkMsg::Ping { .. } => return self.handle_leader_ping(io),
                ZkMsg::RevalidateReply { session, valid } => return self.finish_revalidate(io, session, valid),
                other => return self.on_peer_msg(io, from, other),
            }
        }
        if from_peer {
            return self.on_peer_msg(io, from, msg);
        }
        self.on_client_msg(io, from, msg);
    }

    fn on_peer_msg(&mut self, io: &mut ZIo<'_>, from: NodeId, msg: ZkMsg) {
        // Any packet from a learner moves its deadline (LearnerHandler.run).
        let sync_limit = self.cfg.sync_limit;
        if let Some(l) = self.leader_mut() {
            let tick = l.tick;
            if let Some(h) = l.learners.get_mut(&from) {
                if matches!(h.phase, LhPhase::Broadcast | LhPhase::WaitRunning) {
                    h.tick_deadline = tick + sync_limit;
                }
            }
        }
        match msg {
            ZkMsg::Notification { state, vote, round } => self.handle_notification(io, from, state, vote, round),
            ZkMsg::FollowerInfo { accepted_epoch } => self.handle_follower_info(io, from, accepted_epoch),
            ZkMsg::AckEpoch { current_epoch, last_zxid } => self.handle_ack_epoch(io, from, current_epoch, last_zxid),
            ZkMsg::Ack { zxid } => self.handle_ack(io, from, zxid),
            ZkMsg::Ping { touched } => {
                let now = io.now();
                if matches!(self.v.role, Role::Leading(_)) {
                    for (s, t) in touched {
                        self.touch_session(now, s, t);
                    }
                }
            }
            ZkMsg::Request { session, cxid, req } => {
                let ok = self.leader_mut().map(|l| l.learners.get(&from).map(|h| h.forwarding).unwrap_or(false)).unwrap_or(false);
                if ok {
                    self.propose(io, session, cxid, req);
                }
            }
            ZkMsg::Revalidate { session, timeout_ms } => {
                let now = io.now();
                if let Some(l) = self.leader_mut() {
                    let valid = l.sessions.get(&session).map(|s| !s.closing).unwrap_or(false);
                    if valid {
                        self.touch_session(now, session, timeout_ms);
                    }
                    io.send(from, ZkMsg::RevalidateReply { session, valid });
                }
            }
            _ => {}
        }
    }

    fn on_client_msg(&mut self, io: &mut ZIo<'_>, from: NodeId, msg: ZkMsg) {
        match msg {
            ZkMsg::FourLetter { word } => {
                let text = self.four_letter(&word);
                io.send(from, ZkMsg::FourLetterReply { text });
                io.close(from);
            }
            ZkMsg::Connect { session, timeout_ms, last_zxid_seen } => self.handle_connect(io, from, session, timeout_ms, last_zxid_seen),
            ZkMsg::ClientRequest { xid, op } => self.handle_client_request(io, from, xid, op),
            ZkMsg::ClientPing if self.v.cnxns.get(&from).map(|c| !c.revalidating).unwrap_or(false) => {
                let now = io.now();
                self.client_touch(now, from);
                if let Some(c) = self.v.cnxns.get_mut(&from) {
                    c.sent += 1;
                }
                self.v.stats.packets_sent += 1;
                io.send(from, ZkMsg::PingReply);
            }
            ZkMsg::SetWatches { relative_zxid, paths } => {
                let now = io.now();
                self.client_touch(now, from);
                let WatchPaths { data, exist, child } = *paths;
                self.handle_set_watches(from, relative_zxid, data, exist, child, io);
            }
            ZkMsg::CloseSession { xid } => {
                let now = io.now();
                self.client_touch(now, from);
                let Some(c) = self.v.cnxns.get_mut(&from) else { return };
                let session = c.session;
                c.queue.push_back(Queued { xid, op: None, at: now, write: true, close: true });
                self.submit(io, session, xid, PeerRequest::CloseSession);
            }
            _ => {}
        }
    }

    /// A timer fired.
    pub fn on_timer(&mut self, io: &mut ZIo<'_>, timer: ZkTimer) {
        match timer {
            ZkTimer::NotTimeout => self.on_not_timeout(io),
            ZkTimer::FinalizeWait => self.on_finalize(io),
            ZkTimer::ConnectRetry => self.on_connect_retry(io),
            ZkTimer::ReadTimeout => self.on_read_timeout(io),
            ZkTimer::PhaseTimeout => self.on_phase_timeout(io),
            ZkTimer::LeaderTick => self.on_leader_tick(io),
            ZkTimer::SessionExpiry => self.on_session_expiry(io),
        }
    }

    /// A connection closed.
    pub fn on_disconnect(&mut self, io: &mut ZIo<'_>, peer: NodeId) {
        if self.cfg.sid_of(peer).is_some() {
            match &mut self.v.role {
                Role::Following(f) if f.leader_node == peer => {
                    if f.phase == FPhase::Register && f.tries < CONNECT_TRIES {
                        // Connection refused: the leader is not listening yet; retry in a second.
                        f.tries += 1;
                        io.set_timer(ZkTimer::ConnectRetry, CONNECT_RETRY);
                    } else {
                        let why = format!("connection to leader zk{} closed", f.leader);
                        self.become_looking(io, &why);
                    }
                }
                Role::Leading(l) => {
                    if let Some(h) = l.learners.remove(&peer) {
                        io.note(format!("learner zk{} disconnected", h.sid));
                    }
                }
                _ => {}
            }
        } else {
            self.drop_cnxn(io, peer);
        }
    }
}

/// `LearnerHandler.queueCommittedProposals`: DIFF (or TRUNC to the last common zxid) followed by
/// PROPOSAL+COMMIT pairs for everything after the peer's zxid. `None` when no op packet could be
/// chosen (a TRUNC across epochs is refused), in which case the caller falls back to SNAP.
fn queue_committed_proposals(log: &[Rc<Txn>], peer: Zxid, last_committed: Zxid) -> Option<(Vec<ZkMsg>, String)> {
    let is_new_epoch_zxid = peer.counter() == 0;
    let mut out = Vec::new();
    let mut need_op = true;
    let mut queued = peer;
    let mut prev: Option<Zxid> = None;
    let mut how = String::new();
    let mut n = 0;
    for t in log {
        let z = t.zxid;
        if z < peer {
            prev = Some(z);
            continue;
        }
        if need_op {
            if z == peer {
                out.push(ZkMsg::Diff { last_zxid: last_committed });
                how = "DIFF".into();
                need_op = false;
                continue;
            }
            if is_new_epoch_zxid {
                out.push(ZkMsg::Diff { last_zxid: last_committed });
                how = "DIFF".into();
                need_op = false;
            } else if z > peer {
                if z.epoch() != peer.epoch() {
                    // "Cannot send TRUNC to peer ... peer zxid is from different epoch"
                    return None;
                }
                let to = prev.unwrap_or(Zxid(0));
                out.push(ZkMsg::Trunc { zxid: to });
                how = format!("TRUNC to {to} +");
                need_op = false;
            }
        }
        if z <= queued {
            continue;
        }
        out.push(ZkMsg::Proposal { txn: t.clone() });
        out.push(ZkMsg::Commit { zxid: z });
        queued = z;
        n += 1;
    }
    if need_op && is_new_epoch_zxid {
        out.push(ZkMsg::Diff { last_zxid: last_committed });
        how = "DIFF".into();
        need_op = false;
    }
    if need_op {
        return None;
    }
    Some((out, format!("{how} with {n} txns")))
}

/// `ExpiryQueue.roundToNextInterval(now + timeout)` with the tickTime as interval, in virtual time.
fn expiry_bucket(now: Time, timeout_ms: u32, tick_ms: u64) -> Time {
    let t = now.as_millis() + timeout_ms as u64;
    let tick = tick_ms.max(1);
    Time((t / tick + 1) * tick * 1000)
}

fn record_latency(st: &mut Stats, now: Time, at: Time) {
    let ms = now.since(at).as_millis();
    st.latency_min_ms = Some(st.latency_min_ms.map_or(ms, |m| m.min(ms)));
    st.latency_max_ms = st.latency_max_ms.max(ms);
    st.latency_total_ms += ms;
    st.latency_count += 1;
}

fn latency(st: &Stats) -> (u64, u64, u64) {
    let avg = st.latency_total_ms.checked_div(st.latency_count).unwrap_or(0);
    (st.latency_min_ms.unwrap_or(0), avg, st.latency_max_ms)
}
