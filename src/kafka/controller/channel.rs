//! The requests the controller sends to brokers: LeaderAndIsr, UpdateMetadata, StopReplica.
//!
//! Follows `kafka/controller/ControllerChannelManager.scala` (`ControllerBrokerRequestBatch`:
//! `addLeaderAndIsrRequestForBrokers` to a partition's online replicas,
//! `addUpdateMetadataRequestForBrokers` to every live broker, `sendRequestsToBrokers`).
//! Simplified: one request per broker and batch, no request queues or send threads; a request to
//! the controller's own broker is handled in place ([`Host::deliver_to_self`]).

use crate::sorted::SortedMap;

use super::super::io::{KIo, KOut, KafkaFact};
use super::super::msg::{KafkaMsg, PartState};
use super::super::types::{BrokerId, TopicId, TopicPartition};
use super::{Controller, Host};

impl Controller {
    /// LeaderAndIsr for `tps` to their live replicas (or only to `only`).
    pub(super) fn send_leader_and_isr(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, tps: &[TopicPartition], only: Option<&[BrokerId]>) {
        let mut per: SortedMap<BrokerId, Vec<PartState>> = SortedMap::new();
        for tp in tps {
            let Some(ps) = self.part_state(tp) else { continue };
            for r in &ps.replicas {
                // ControllerContext.isReplicaOnline: shutting-down brokers are not live here.
                if self.is_live(*r) && !self.shutting_down.contains(r) && only.map(|o| o.contains(r)).unwrap_or(true) {
                    per.get_or_default(*r).push(ps.clone());
                }
            }
        }
        if !per.is_empty() {
            io.fact(KafkaFact::ControllerActing { epoch: self.epoch.0, broker: self.id });
        }
        for (b, partitions) in per {
            let msg = KafkaMsg::LeaderAndIsr {
                controller: self.id,
                controller_epoch: self.epoch,
                broker_epoch: self.live.get(&b).copied().unwrap_or(-1),
                partitions,
            };
            self.send_to_broker(host, io, b, msg);
        }
    }

    /// UpdateMetadata to live brokers (or `to`): `full` sends every partition, else the
    /// partitions the current event changed.
    pub(super) fn send_update_metadata(
        &mut self,
        host: &mut dyn Host,
        io: &mut KIo<'_>,
        to: Option<&[BrokerId]>,
        full: bool,
        deleted: Vec<String>,
    ) {
        let tps: Vec<TopicPartition> =
            if full { self.all_tps() } else { self.job.as_ref().map(|j| j.changed.iter().cloned().collect()).unwrap_or_default() };
        let partitions: Vec<PartState> = tps.iter().filter_map(|tp| self.part_state(tp)).collect();
        let topics: Vec<(String, TopicId)> = self.topics.iter().map(|(n, t)| (n.clone(), t.id)).collect();
        let live: Vec<BrokerId> = self.live.keys().copied().collect();
        let targets: Vec<BrokerId> = match to {
            Some(t) => t.to_vec(),
            None => live.clone(),
        };
        let msg = KafkaMsg::UpdateMetadata { controller: self.id, controller_epoch: self.epoch, live, partitions, topics, deleted };
        for b in targets {
            self.send_to_broker(host, io, b, msg.clone());
        }
    }

    /// Send a controller request; to the host broker it is handled in place.
    pub(super) fn send_to_broker(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, b: BrokerId, msg: KafkaMsg) {
        if b == self.id {
            host.deliver_to_self(io, msg);
        } else if let Some(n) = self.cfg.node_of(b) {
            io.send(n, KOut::Kafka(msg));
        }
    }
}
