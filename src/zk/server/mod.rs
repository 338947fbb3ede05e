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
//!
//! The server is one `ZkServer` value with several `impl ZkServer` blocks, one per concern:
//! - `config`: the ensemble configuration (`zookeeperN.properties`);
//! - `state`: timers, facts, the durable and volatile state and the roles;
//! - this file: construction, the queries the UI and the checker read, start/stop/crash and the
//!   dispatch of messages and timers;
//! - `election`: FastLeaderElection;
//! - `leader`: Leader and LearnerHandler (discovery, sync, broadcast), the standalone server;
//! - `session_tracker`: the leader's session tracker and expiry;
//! - `follower`: Follower/Learner;
//! - `database`: ZKDatabase, the txn log and snapshots;
//! - `connections`: client connections (NIOServerCnxn and the request pipeline's ends);
//! - `four_letter`: the four-letter words.

mod config;
mod connections;
mod database;
mod election;
mod follower;
mod four_letter;
mod leader;
mod session_tracker;
mod state;

pub use config::{ServerAddr, ZkConfig};
pub use state::*;

use std::rc::Rc;

use crate::sim::time::{Duration, Time};
use crate::sim::{Io, NodeId};

use super::msg::{PeerRequest, ServerState, Vote, WatchPaths, ZkMsg};
use super::tree::DataTree;
use super::types::{SessionId, Sid, Zxid};

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
