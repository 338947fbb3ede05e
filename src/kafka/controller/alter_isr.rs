//! AlterIsr: a partition leader asks to change its ISR.
//!
//! Follows `KafkaController.processAlterIsr` (2.8): the broker epoch must match the live
//! registration (`STALE_BROKER_EPOCH`), the partition must exist, the sender must be its leader
//! (`NOT_LEADER_OR_FOLLOWER`) at the same leader epoch (`FENCED_LEADER_EPOCH`) and znode version
//! (`INVALID_UPDATE_VERSION`); an unchanged ISR is answered as is. Valid changes are written
//! (`updateLeaderAndIsr`), the leader gets the new state, and UpdateMetadata tells every broker.

use crate::sim::NodeId;

use super::super::io::{KIo, KOut};
use super::super::msg::{KErr, KafkaMsg};
use super::super::types::BrokerId;
use super::state_writes::Tell;
use super::{AlterIsrItems, Answers, Controller, Host, LeaderIsr, Step, Task};

/// An AlterIsr's stages.
#[derive(Clone, Debug)]
pub(super) enum AlterIsr {
    /// Check every item; write the valid changes.
    Validate { from: NodeId, broker: BrokerId, broker_epoch: i64, items: AlterIsrItems },
    /// Answer the leader, then tell every broker.
    Answer { from: NodeId, items: AlterIsrItems, answers: Answers },
}

impl Controller {
    pub(super) fn alter_isr(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: AlterIsr) -> Step {
        match stage {
            AlterIsr::Validate { from, broker, broker_epoch, items } => {
                let mut updates = Vec::new();
                let mut answers = Vec::new();
                let epoch_ok = self.live.get(&broker) == Some(&broker_epoch);
                for (tp, le, isr, zkv) in &items {
                    let key = tp.to_string();
                    let err = match self.states.get(tp) {
                        _ if !epoch_ok => Some(KErr::StaleBrokerEpoch),
                        None => Some(KErr::UnknownTopicOrPartition),
                        Some(s) if s.leader != broker => Some(KErr::NotLeaderOrFollower),
                        Some(s) if *le != s.leader_epoch => Some(KErr::FencedLeaderEpoch),
                        Some(s) if *zkv != s.zk_version => Some(KErr::InvalidUpdateVersion),
                        Some(s) if s.isr == *isr => None,
                        Some(s) => {
                            updates.push((
                                tp.clone(),
                                LeaderIsr {
                                    leader: s.leader,
                                    leader_epoch: s.leader_epoch,
                                    isr: isr.clone(),
                                    controller_epoch: self.epoch,
                                    zk_version: s.zk_version,
                                },
                                false,
                            ));
                            None
                        }
                    };
                    answers.push((key, err.map(|e| (e, String::new())).map_or(Ok(()), Err)));
                }
                self.write_states(host, io, updates);
                Step::Then(Task::AlterIsr(AlterIsr::Answer { from, items, answers }))
            }
            AlterIsr::Answer { from, items, answers } => {
                if !self.finish_writes(host, io, Tell::Nobody) {
                    return Step::Done;
                }
                let mut out = Vec::new();
                for ((tp, ..), (_, a)) in items.iter().zip(answers) {
                    match (a, self.states.get(tp)) {
                        (Ok(()), Some(s)) => out.push((tp.clone(), Ok((s.leader_epoch, s.isr.clone(), s.zk_version)))),
                        (Ok(()), None) => out.push((tp.clone(), Err(KErr::UnknownTopicOrPartition))),
                        (Err((e, _)), _) => out.push((tp.clone(), Err(e))),
                    }
                }
                if from == io.id() {
                    host.alter_isr_answered(io, out);
                } else {
                    io.send(from, KOut::Kafka(KafkaMsg::AlterIsrResponse { items: out }));
                }
                self.tell(host, io, Tell::ChangedMetadataOnly);
                Step::Done
            }
        }
    }
}
