//! FastLeaderElection as one `impl ZkServer` block: entering LOOKING, notifications, the vote
//! order, the 200 ms finalize wait and the conclusion (LEADING or FOLLOWING).
//!
//! Follows `FastLeaderElection.java` (`lookForLeader`, `sendNotifications`, `totalOrderPredicate`,
//! `termPredicate`, `checkLeader`, the WorkerReceiver "send back" branch, `notTimeout` doubling up to
//! `maxNotificationInterval`) and `QuorumPeer.run` (LOOKING → LEADING/FOLLOWING).
//!
//! Simplified: election and quorum traffic share one connection per pair of servers; no
//! observers, no dynamic reconfiguration (the voter set is the static `server.N` list).

use std::rc::Rc;

use crate::sim::time::Duration;
use crate::sim::NodeId;

use super::*;
use crate::zk::msg::{ServerState, Vote, ZkMsg};
use crate::zk::tree::Txn;
use crate::zk::types::Sid;

impl ZkServer {
    /// Enter LOOKING and start a new election round (`QuorumPeer.run` → `lookForLeader`).
    pub(super) fn become_looking(&mut self, io: &mut ZIo<'_>, why: &str) {
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

    pub(super) fn send_notifications(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn handle_notification(&mut self, io: &mut ZIo<'_>, from: NodeId, state: ServerState, vote: Vote, round: u64) {
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
    pub(super) fn check_leader_out(&self, leader: Sid, round: u64) -> bool {
        let Role::Looking(e) = &self.v.role else { return false };
        if leader != self.sid {
            matches!(e.outofelection.get(&leader), Some((_, ServerState::Leading, _)))
        } else {
            self.v.round == round
        }
    }

    pub(super) fn on_not_timeout(&mut self, io: &mut ZIo<'_>) {
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

    pub(super) fn on_finalize(&mut self, io: &mut ZIo<'_>) {
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
    pub(super) fn conclude(&mut self, io: &mut ZIo<'_>, v: Vote, why: &str) {
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
}
