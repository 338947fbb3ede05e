//! Controlled shutdown: a broker about to stop asks the controller to move its leaderships.
//!
//! Follows `KafkaController.doControlledShutdown` (2.8): the broker epoch must match
//! (`STALE_BROKER_EPOCH`); the broker joins `shuttingDownBrokerIds`; the partitions it leads (with
//! more than one replica) elect with `ControlledShutdownPartitionLeaderElectionStrategy`; its
//! follower replicas get StopReplica (without delete) and leave the ISRs (OfflineReplica); the
//! answer lists the partitions it still leads. The broker side is in `broker/shutdown.rs`
//! (`KafkaServer.controlledShutdown`).

use crate::sim::NodeId;

use super::super::io::{KIo, KOut};
use super::super::msg::{KErr, KafkaMsg};
use super::super::types::BrokerId;
use super::state_writes::Tell;
use super::{Controller, Host, Step, Task};

/// A controlled shutdown's stages. `from` is `None` when the controller's own broker stops.
#[derive(Clone, Debug)]
pub(super) enum ControlledShutdown {
    /// Move the broker's leaderships away.
    MoveLeaders { from: Option<NodeId>, broker: BrokerId, broker_epoch: i64 },
    /// Stop its follower replicas; they leave the ISRs.
    StopFollowers { from: Option<NodeId>, broker: BrokerId },
    /// Answer with the partitions it still leads.
    Answer { from: Option<NodeId>, broker: BrokerId },
}

impl Controller {
    pub(super) fn controlled_shutdown(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: ControlledShutdown) -> Step {
        match stage {
            ControlledShutdown::MoveLeaders { from, broker, broker_epoch } => {
                if self.live.get(&broker) != Some(&broker_epoch) {
                    self.reply_shutdown(host, io, from, 0, Some(KErr::StaleBrokerEpoch));
                    return Step::Done;
                }
                io.note(format!("controller {}: controlled shutdown of broker {broker}: moving its leaderships away", self.id));
                self.shutting_down.insert(broker);
                let updates = self.controlled_shutdown_elections(broker);
                self.write_states(host, io, updates);
                Step::Then(Task::ControlledShutdown(ControlledShutdown::StopFollowers { from, broker }))
            }
            ControlledShutdown::StopFollowers { from, broker } => {
                if !self.finish_writes(host, io, Tell::Changed) {
                    return Step::Done;
                }
                let mut updates = Vec::new();
                let mut stops = Vec::new();
                for (tp, s) in &self.states {
                    if s.leader != broker && self.replicas(tp).contains(&broker) {
                        stops.push(tp.clone());
                        if let Some(n) = self.remove_from_isr(s, broker) {
                            updates.push((tp.clone(), n, false));
                        }
                    }
                }
                if !stops.is_empty() {
                    let msg = KafkaMsg::StopReplica { controller_epoch: self.epoch, partitions: stops, delete: false };
                    self.send_to_broker(host, io, broker, msg);
                }
                self.write_states(host, io, updates);
                Step::Then(Task::ControlledShutdown(ControlledShutdown::Answer { from, broker }))
            }
            ControlledShutdown::Answer { from, broker } => {
                if !self.finish_writes(host, io, Tell::Changed) {
                    return Step::Done;
                }
                let remaining = self.states.iter().filter(|(tp, s)| s.leader == broker && self.replicas(tp).len() > 1).count();
                self.reply_shutdown(host, io, from, remaining, None);
                Step::Done
            }
        }
    }

    fn reply_shutdown(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, from: Option<NodeId>, remaining: usize, error: Option<KErr>) {
        match from {
            Some(f) => io.send(f, KOut::Kafka(KafkaMsg::ControlledShutdownResponse { remaining, error })),
            None => host.controlled_shutdown_answered(io, remaining, error),
        }
    }
}
