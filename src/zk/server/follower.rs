//! The follower as one `impl ZkServer` block: registering with the leader (FOLLOWERINFO, retries),
//! LEADERINFO and ACKEPOCH, receiving the sync (DIFF, TRUNC, SNAP), NEWLEADER and UPTODATE, then
//! logging proposals, applying commits in order, answering pings and the read timeout.
//!
//! Follows `Follower.java` (`followLeader`, `processPacket`), `Learner.java` (`connectToLeader`,
//! `registerWithLeader`, `syncWithLeader`, `ping`, the socket read timeout of `syncLimit` ticks)
//! and `FollowerZooKeeperServer` (`logRequest`, `commit`).
//!
//! Simplified: a follower applies DIFF transactions as they arrive (3.5.9 buffers some of them
//! until NEWLEADER); the outcome is the same database.

use crate::sorted::SortedMap;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::sim::time::Duration;
use crate::sim::NodeId;

use super::*;
use crate::zk::msg::ZkMsg;
use crate::zk::tree::{DataTree, Txn};
use crate::zk::types::{SessionId, Sid, Zxid};

impl ZkServer {
    pub(super) fn become_following(&mut self, io: &mut ZIo<'_>, leader: Sid, why: &str, took: Duration) {
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

    pub(super) fn follower_mut(&mut self) -> Option<&mut FollowerState> {
        match &mut self.v.role {
            Role::Following(f) => Some(f),
            _ => None,
        }
    }

    /// Every packet from the leader resets the socket read timeout.
    pub(super) fn leader_packet(&mut self, io: &mut ZIo<'_>, from: NodeId) -> bool {
        match &self.v.role {
            Role::Following(f) if f.leader_node == from => {
                let limit = if f.phase == FPhase::Broadcast { self.cfg.sync_limit } else { self.cfg.init_limit };
                io.set_timer(ZkTimer::ReadTimeout, self.tick_dur().mul(limit));
                true
            }
            _ => false,
        }
    }

    pub(super) fn handle_leader_info(&mut self, io: &mut ZIo<'_>, new_epoch: u32) {
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

    pub(super) fn handle_sync_start(&mut self, io: &mut ZIo<'_>, msg: ZkMsg) {
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

    pub(super) fn handle_proposal(&mut self, io: &mut ZIo<'_>, txn: Rc<Txn>) {
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

    pub(super) fn handle_commit(&mut self, io: &mut ZIo<'_>, zxid: Zxid) {
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

    pub(super) fn handle_new_leader(&mut self, io: &mut ZIo<'_>, zxid: Zxid) {
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

    pub(super) fn handle_up_to_date(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn handle_leader_ping(&mut self, io: &mut ZIo<'_>) {
        let Some(f) = self.follower_mut() else { return };
        let touched: Vec<(SessionId, u32)> = std::mem::take(&mut f.touched).into_iter().collect();
        let leader_node = f.leader_node;
        io.send(leader_node, ZkMsg::Ping { touched });
    }

    pub(super) fn on_read_timeout(&mut self, io: &mut ZIo<'_>) {
        if let Role::Following(f) = &self.v.role {
            let why = format!("no packet from leader zk{} within the read timeout", f.leader);
            self.become_looking(io, &why);
        }
    }

    pub(super) fn on_connect_retry(&mut self, io: &mut ZIo<'_>) {
        let accepted = self.durable.accepted_epoch;
        let Some(f) = self.follower_mut() else { return };
        if f.phase != FPhase::Register {
            return;
        }
        let node = f.leader_node;
        io.send(node, ZkMsg::FollowerInfo { accepted_epoch: accepted });
    }
}
