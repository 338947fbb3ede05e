//! The leader as one `impl ZkServer` block: discovery (epoch proposal and ACKEPOCH), synchronizing
//! each learner (DIFF, TRUNC or SNAP, then NEWLEADER), establishing the epoch, proposals with their
//! quorum of ACKs and in-order commits, the half-tick ping loop, and the standalone server.
//!
//! Follows `Leader.java` (`lead`, `getEpochToPropose`, `waitForEpochAck`, `waitForNewLeaderAck`,
//! `startZkServer`, `propose`, `processAck`/`tryToCommit`, the ping loop with `tickSkip`),
//! `LearnerHandler.java` (`run`, `syncFollower`, `queueCommittedProposals`, `synced()`),
//! `PrepRequestProcessor`/`ProposalRequestProcessor` (requests become txns) and
//! `ZooKeeperServerMain` for the standalone case.
//!
//! Simplified: proposals carry the txn; the leader-side `syncLimit` check on un-acked proposals
//! (`syncLimitCheck`) is not modelled (a silent follower is still dropped through
//! `tickOfNextAckDeadline`); no observers.

use crate::sorted::{SortedMap, SortedSet};
use std::rc::Rc;

use crate::sim::time::Duration;
use crate::sim::NodeId;

use super::database::txn_size;
use super::session_tracker::expiry_bucket;
use super::*;
use crate::zk::msg::{PeerRequest, Snapshot, ZkMsg};
use crate::zk::prep::Prep;
use crate::zk::tree::{Txn, TxnBody};
use crate::zk::types::{SessionId, Sid, Zxid};

impl ZkServer {
    pub(super) fn become_standalone(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn become_leading(&mut self, io: &mut ZIo<'_>, why: &str, took: Duration) {
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

    pub(super) fn leader_mut(&mut self) -> Option<&mut LeaderState> {
        match &mut self.v.role {
            Role::Leading(l) => Some(l),
            _ => None,
        }
    }

    pub(super) fn handle_follower_info(&mut self, io: &mut ZIo<'_>, from: NodeId, accepted_epoch: u32) {
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
    pub(super) fn epoch_decided(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn handle_ack_epoch(&mut self, io: &mut ZIo<'_>, from: NodeId, current_epoch: Option<u32>, last_zxid: Zxid) {
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

    pub(super) fn maybe_epoch_acked(&mut self, io: &mut ZIo<'_>) {
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
    pub(super) fn sync_learner(&mut self, io: &mut ZIo<'_>, node: NodeId) {
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

    pub(super) fn handle_ack(&mut self, io: &mut ZIo<'_>, from: NodeId, zxid: Zxid) {
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
    pub(super) fn start_zk_server(&mut self, io: &mut ZIo<'_>) {
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

    /// Leader: turn a request into a txn and propose it (PrepRequestProcessor → ProposalRequestProcessor).
    pub(super) fn propose(&mut self, io: &mut ZIo<'_>, session: SessionId, cxid: i32, req: PeerRequest) {
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
                    TxnBody::Error(crate::zk::types::ErrCode::SessionExpired)
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
    pub(super) fn try_commit(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn on_leader_tick(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn on_phase_timeout(&mut self, io: &mut ZIo<'_>) {
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
}

/// `LearnerHandler.queueCommittedProposals`: DIFF (or TRUNC to the last common zxid) followed by
/// PROPOSAL+COMMIT pairs for everything after the peer's zxid. `None` when no op packet could be
/// chosen (a TRUNC across epochs is refused), in which case the caller falls back to SNAP.
pub(super) fn queue_committed_proposals(log: &[Rc<Txn>], peer: Zxid, last_committed: Zxid) -> Option<(Vec<ZkMsg>, String)> {
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
