//! The controller context's partition records and the election rules.
//!
//! Follows `kafka/controller/ControllerContext.scala` (`partitionReplicaAssignment`,
//! `isReplicaOnline`), `PartitionStateMachine.scala`'s `PartitionLeaderElectionAlgorithms`
//! (`offlinePartitionLeaderElection`, `controlledShutdownPartitionLeaderElection`;
//! the preferred election is in `rebalance.rs`) and `ReplicaStateMachine.doRemoveReplicasFromIsr`.
//! Simplified: no reassignment (the assignment is the replica list), no live-broker epochs check
//! beyond the controller's own `live` map.

use crate::sorted::SortedMap;

use super::super::msg::PartState;
use super::super::types::{BrokerId, ControllerEpoch, LeaderEpoch, TopicId, TopicPartition};
use super::Controller;

/// `LeaderIsrAndControllerEpoch` plus the znode version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeaderIsr {
    pub leader: BrokerId,
    pub leader_epoch: LeaderEpoch,
    pub isr: Vec<BrokerId>,
    pub controller_epoch: ControllerEpoch,
    pub zk_version: i32,
}

impl LeaderIsr {
    /// The state read from `/brokers/topics/T/partitions/P/state` at znode version `zk_version`.
    pub fn from_state(p: crate::kafka::json::PartitionStateJson, zk_version: i32) -> LeaderIsr {
        LeaderIsr { leader: p.leader, leader_epoch: p.leader_epoch, isr: p.isr, controller_epoch: p.controller_epoch, zk_version }
    }
}

/// A topic in the controller context.
#[derive(Clone, Debug)]
pub struct TopicCtx {
    pub id: TopicId,
    pub assignment: SortedMap<i32, Vec<BrokerId>>,
    pub configs: SortedMap<String, String>,
}

/// A state to write: the partition, its new state, and whether the election was unclean.
pub(super) type Update = (TopicPartition, LeaderIsr, bool);

impl Controller {
    pub(super) fn replicas(&self, tp: &TopicPartition) -> Vec<BrokerId> {
        self.topics.get(tp.topic.as_str()).and_then(|t| t.assignment.get(&tp.partition)).cloned().unwrap_or_default()
    }
    pub(super) fn is_live(&self, b: BrokerId) -> bool {
        self.live.contains_key(&b)
    }
    /// The topic's `unclean.leader.election.enable`, else the broker's.
    pub(super) fn unclean_allowed(&self, topic: &str) -> bool {
        self.topics
            .get(topic)
            .and_then(|t| t.configs.get("unclean.leader.election.enable"))
            .map(|v| v == "true")
            .unwrap_or(self.cfg.unclean)
    }
    pub(super) fn all_tps(&self) -> Vec<TopicPartition> {
        self.states.keys().cloned().collect()
    }
    pub(super) fn part_state(&self, tp: &TopicPartition) -> Option<PartState> {
        let s = self.states.get(tp)?;
        Some(PartState {
            tp: tp.clone(),
            controller_epoch: s.controller_epoch,
            leader: s.leader,
            leader_epoch: s.leader_epoch,
            isr: s.isr.clone(),
            zk_version: s.zk_version,
            replicas: self.replicas(tp),
        })
    }

    /// `OfflinePartitionLeaderElectionStrategy`: the new state, or `None` if no leader can be
    /// elected (and whether the election was unclean).
    fn offline_election(&self, tp: &TopicPartition, cur: &LeaderIsr) -> Option<(LeaderIsr, bool)> {
        let assignment = self.replicas(tp);
        let live_isr: Vec<BrokerId> = cur.isr.iter().filter(|b| self.is_live(**b)).copied().collect();
        if let Some(l) = assignment.iter().find(|b| self.is_live(**b) && cur.isr.contains(b)) {
            return Some((
                LeaderIsr {
                    leader: *l,
                    leader_epoch: LeaderEpoch(cur.leader_epoch.0 + 1),
                    isr: live_isr,
                    controller_epoch: self.epoch,
                    zk_version: cur.zk_version,
                },
                false,
            ));
        }
        if self.unclean_allowed(&tp.topic) {
            if let Some(l) = assignment.iter().find(|b| self.is_live(**b)) {
                return Some((
                    LeaderIsr {
                        leader: *l,
                        leader_epoch: LeaderEpoch(cur.leader_epoch.0 + 1),
                        isr: vec![*l],
                        controller_epoch: self.epoch,
                        zk_version: cur.zk_version,
                    },
                    true,
                ));
            }
        }
        None
    }

    /// Partitions without a live leader → OnlinePartition via the offline election.
    pub(super) fn offline_elections(&self) -> Vec<Update> {
        let mut out = Vec::new();
        for (tp, s) in &self.states {
            // triggerOnlinePartitionStateChange leaves out topics queued for deletion.
            if self.topics.get(tp.topic.as_str()).is_none() || self.to_delete.contains(tp.topic.as_str()) {
                continue;
            }
            if s.leader.0 >= 0 && self.is_live(s.leader) && !self.shutting_down.contains(&s.leader) {
                continue;
            }
            if let Some((n, unclean)) = self.offline_election(tp, s) {
                out.push((tp.clone(), n, unclean));
            }
        }
        out
    }

    /// `ControlledShutdownPartitionLeaderElectionStrategy` for the partitions `broker` leads.
    pub(super) fn controlled_shutdown_elections(&self, broker: BrokerId) -> Vec<Update> {
        let mut updates = Vec::new();
        for (tp, s) in &self.states {
            let replicas = self.replicas(tp);
            if s.leader != broker || replicas.len() <= 1 {
                continue;
            }
            let cand = replicas.iter().find(|r| self.is_live(**r) && s.isr.contains(r) && !self.shutting_down.contains(r));
            if let Some(l) = cand {
                let isr: Vec<BrokerId> = s.isr.iter().filter(|r| !self.shutting_down.contains(r)).copied().collect();
                updates.push((
                    tp.clone(),
                    LeaderIsr {
                        leader: *l,
                        leader_epoch: LeaderEpoch(s.leader_epoch.0 + 1),
                        isr,
                        controller_epoch: self.epoch,
                        zk_version: s.zk_version,
                    },
                    false,
                ));
            }
        }
        updates
    }

    /// `doRemoveReplicasFromIsr` for `b`: `None` if `b` is not in the ISR.
    pub(super) fn remove_from_isr(&self, cur: &LeaderIsr, b: BrokerId) -> Option<LeaderIsr> {
        if !cur.isr.contains(&b) {
            return None;
        }
        let leader = if cur.leader == b { BrokerId::NO_LEADER } else { cur.leader };
        let isr = if cur.isr.len() == 1 { cur.isr.clone() } else { cur.isr.iter().filter(|x| **x != b).copied().collect() };
        Some(LeaderIsr {
            leader,
            leader_epoch: LeaderEpoch(cur.leader_epoch.0 + 1),
            isr,
            controller_epoch: self.epoch,
            zk_version: cur.zk_version,
        })
    }

    /// OfflineReplica for replicas on dead brokers (`only`: just these brokers, else every
    /// broker that is not live).
    pub(super) fn isr_removals_for_dead(&self, only: Option<&[BrokerId]>) -> Vec<Update> {
        let mut out = Vec::new();
        for (tp, s) in &self.states {
            let mut cur = s.clone();
            let mut changed = false;
            for r in self.replicas(tp) {
                if !self.is_live(r) && only.map(|o| o.contains(&r)).unwrap_or(true) {
                    if let Some(n) = self.remove_from_isr(&cur, r) {
                        cur = n;
                        changed = true;
                    }
                }
            }
            if changed {
                out.push((tp.clone(), cur, false));
            }
        }
        out
    }
}
