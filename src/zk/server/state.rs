//! A ZooKeeper server's state: its timers, the facts it reports, what survives a crash (`Durable`)
//! and what does not (`Volatile`: the role — election, leader or follower — connections, stats).
//!
//! Follows the fields of `QuorumPeer.java`, `FastLeaderElection.java` (`lookForLeader` locals),
//! `Leader.java`/`LearnerHandler.java`, `Follower.java`/`Learner.java`, `ZKDatabase.java`,
//! `SessionTrackerImpl.java`, `ServerCnxn.java` and `ServerStats.java`.
//!
//! Simplified: the txn log, snapshot and epoch files are values, not files.

use crate::sorted::{SortedMap, SortedSet};
use std::collections::VecDeque;
use std::rc::Rc;

use crate::sim::time::{Duration, Time};
use crate::sim::NodeId;

use super::config::ZkConfig;
use crate::zk::msg::{ServerState, Vote};
use crate::zk::prep::Prep;
use crate::zk::tree::{DataTree, Txn};
use crate::zk::types::{Op, SessionId, Sid, Zxid};

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
