//! The requests a broker serves (except fetch and produce: `fetch.rs`, `partition.rs`):
//! LeaderAndIsr (`ReplicaManager.becomeLeaderOrFollower`: leader and follower roles, fenced by the
//! controller epoch), UpdateMetadata (the `MetadataCache`), StopReplica, Metadata, and the
//! controller requests routed to the controller (`controller_host.rs`).
//!
//! Follows `kafka/server/KafkaApis.scala` (`handleLeaderAndIsrRequest`,
//! `handleUpdateMetadataRequest`, `handleStopReplicaRequest`, `handleTopicMetadataRequest`),
//! `ReplicaManager.scala` (`becomeLeaderOrFollower`, `makeLeaders`, `makeFollowers`,
//! `stopReplicas`) and `MetadataCache.scala`.
//! Simplified: the topic configs a broker shows come from `/config/topics/T`, read once when the
//! topic first appears.

use std::rc::Rc;

use crate::sim::time::Time;
use crate::sim::NodeId;
use crate::sorted::{SortedMap, SortedSet};
use crate::zk::types::Op;

use super::super::msg::{KErr, KafkaMsg, PartMeta, PartState, TopicMeta};
use super::super::types::{BrokerId, TopicPartition};
use super::{ids, Broker, FollowerState, Followers, KIo, KOut, KafkaFact, Purpose, Replica};

impl Broker {
    // ------------------------------------------------------------------ Kafka requests

    pub fn on_kafka(&mut self, io: &mut KIo<'_>, from: NodeId, msg: KafkaMsg) {
        if !self.is_running() {
            return;
        }
        match msg {
            KafkaMsg::LeaderAndIsr { controller, controller_epoch, partitions, .. } => {
                let error = if controller_epoch < self.controller_epoch_seen {
                    io.note(format!("broker {}: ignoring LeaderAndIsr from controller {controller} with stale controller epoch {controller_epoch} (seen {})", self.id, self.controller_epoch_seen));
                    Some(KErr::StaleControllerEpoch)
                } else {
                    self.controller_epoch_seen = controller_epoch;
                    self.become_leader_or_follower(io, partitions);
                    None
                };
                if from != io.id() {
                    io.send(from, KOut::Kafka(KafkaMsg::LeaderAndIsrResponse { error }));
                }
            }
            KafkaMsg::UpdateMetadata { controller, controller_epoch, live, partitions, topics, deleted } => {
                if controller_epoch < self.controller_epoch_seen {
                    return;
                }
                self.controller_epoch_seen = controller_epoch;
                self.meta_controller = Some(controller);
                self.meta_live = live;
                for t in deleted {
                    self.meta_topics.remove(&t);
                    self.meta_parts.retain(|tp, _| tp.topic != t);
                }
                for (t, id) in topics {
                    // DescribeConfigs reads the topic's overrides from ZooKeeper.
                    if !self.topic_configs.contains_key(&t) {
                        self.topic_configs.insert(t.clone(), SortedMap::new());
                        self.zk_submit(
                            io,
                            Purpose::TopicConfig(t.clone()),
                            Op::GetData { path: format!("/config/topics/{t}"), watch: false },
                        );
                    }
                    self.meta_topics.insert(t, id);
                }
                for p in partitions {
                    self.meta_parts.insert(p.tp.clone(), p);
                }
            }
            KafkaMsg::StopReplica { controller_epoch, partitions, delete } => {
                if controller_epoch < self.controller_epoch_seen {
                    return;
                }
                self.state_gen += 1;
                self.fetch_lists.clear();
                for tp in partitions {
                    self.replicas.remove(&tp);
                    self.fail_delayed(io, &tp, KErr::NotLeaderOrFollower);
                    if delete {
                        self.durable.logs.remove(&tp);
                        self.topic_configs.remove(tp.topic.as_str());
                    }
                }
            }
            KafkaMsg::Fetch { replica, corr, parts } => self.handle_fetch(io, from, replica, corr, parts, false),
            KafkaMsg::FetchResponse { corr, parts } => self.handle_fetch_response(io, from, corr, parts),
            KafkaMsg::Produce { corr, acks, tp, values } => self.handle_produce(io, from, corr, acks, tp, values),
            KafkaMsg::AlterIsrResponse { items } => self.handle_alter_isr_response(io, items),
            KafkaMsg::ControlledShutdownResponse { remaining, error } => self.handle_shutdown_response(io, remaining, error),
            KafkaMsg::Metadata { corr } => {
                let resp = self.metadata_response(corr);
                io.send(from, KOut::Kafka(resp));
            }
            KafkaMsg::AlterIsr { broker, broker_epoch, items } => self.controller_alter_isr(io, from, broker, broker_epoch, items),
            KafkaMsg::ControlledShutdown { broker, broker_epoch } => {
                self.controller_controlled_shutdown(io, Some(from), broker, broker_epoch)
            }
            KafkaMsg::Admin { corr, op } => self.controller_admin(io, from, corr, op),
            KafkaMsg::LeaderAndIsrResponse { .. }
            | KafkaMsg::MetadataResponse { .. }
            | KafkaMsg::AdminResponse { .. }
            | KafkaMsg::ProduceResponse { .. } => {}
        }
    }

    pub(super) fn metadata_response(&self, corr: u64) -> KafkaMsg {
        let mut topics: Vec<TopicMeta> = Vec::new();
        for (name, id) in &self.meta_topics {
            let partitions: Vec<PartMeta> = self
                .meta_parts
                .range(TopicPartition::new(name.clone(), 0)..)
                .take_while(|(tp, _)| &tp.topic == name)
                .map(|(tp, s)| PartMeta {
                    partition: tp.partition,
                    leader: s.leader,
                    leader_epoch: s.leader_epoch,
                    replicas: s.replicas.clone(),
                    isr: s.isr.clone(),
                })
                .collect();
            let configs = self.topic_configs.get(name).map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
            topics.push(TopicMeta { name: name.clone(), id: *id, partitions, configs });
        }
        KafkaMsg::MetadataResponse { corr, controller: self.meta_controller, brokers: self.meta_live.clone(), topics }
    }

    /// `ReplicaManager.becomeLeaderOrFollower`.
    pub(super) fn become_leader_or_follower(&mut self, io: &mut KIo<'_>, partitions: Vec<PartState>) {
        let now = io.now();
        self.state_gen += 1;
        self.fetch_lists.clear();
        let mut leaders_to_fetch: SortedSet<BrokerId> = SortedSet::new();
        for p in partitions {
            if let Some(cur) = self.replicas.get(&p.tp) {
                if p.leader_epoch < cur.leader_epoch || (p.leader_epoch == cur.leader_epoch && p.leader == cur.leader && p.isr == cur.isr) {
                    continue;
                }
            }
            if !self.topic_configs.contains_key(p.tp.topic.as_str()) {
                self.topic_configs.insert(p.tp.topic.to_string(), SortedMap::new());
                self.zk_submit(
                    io,
                    Purpose::TopicConfig(p.tp.topic.to_string()),
                    Op::GetData { path: format!("/config/topics/{}", p.tp.topic), watch: false },
                );
            }
            let log = self.durable.logs.get_or_default(&p.tp);
            let was_leader = self.replicas.get(&p.tp).map(|r| r.leader == self.id).unwrap_or(false);
            let leo = log.leo();
            let mut r = Replica {
                leader: p.leader,
                leader_epoch: p.leader_epoch,
                isr: p.isr.clone(),
                zk_version: p.zk_version,
                replicas: p.replicas.clone(),
                followers: Followers::default(),
                pending_isr: None,
                fetch_failed: false,
            };
            if p.leader == self.id {
                // makeLeader: followers in the ISR count as caught up now.
                for f in p.replicas.iter().filter(|f| **f != self.id) {
                    let in_isr = p.isr.contains(f);
                    r.followers.insert(
                        *f,
                        FollowerState {
                            leo: -1,
                            last_caught_up: if in_isr { now } else { Time::ZERO },
                            last_fetch_leader_leo: 0,
                            last_fetch_time: Time::ZERO,
                            last_sent_hw: -1,
                        },
                    );
                }
                if !was_leader {
                    io.note(format!(
                        "broker {}: now leader of {} (leader epoch {}), ISR [{}], log end {}",
                        self.id,
                        p.tp,
                        p.leader_epoch,
                        ids(&p.isr),
                        leo
                    ));
                    let last: Vec<(i64, Rc<str>)> =
                        log.records.iter().enumerate().rev().take(1).map(|(i, r)| (i as i64, r.value.clone())).collect();
                    io.fact(KafkaFact::BecameLeader {
                        tp: p.tp.clone(),
                        broker: self.id,
                        leader_epoch: p.leader_epoch.0,
                        log_end: leo,
                        last_value_at: last,
                    });
                }
                self.replicas.insert(p.tp.clone(), r);
                self.fail_delayed(io, &p.tp, KErr::NotLeaderOrFollower);
                self.maybe_advance_hw(io, &p.tp);
            } else {
                if was_leader || !self.replicas.contains_key(&p.tp) {
                    io.note(format!("broker {}: now follower of {} (leader {}, leader epoch {})", self.id, p.tp, p.leader, p.leader_epoch));
                }
                self.replicas.insert(p.tp.clone(), r);
                self.fail_delayed(io, &p.tp, KErr::NotLeaderOrFollower);
                if p.leader.0 >= 0 {
                    leaders_to_fetch.insert(p.leader);
                }
            }
        }
        for l in leaders_to_fetch {
            self.fetch_from(io, l);
        }
    }
}
