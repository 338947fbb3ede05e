//! Becoming the controller, and the retried offline elections.
//!
//! Follows `KafkaController.onControllerFailover` (2.8): register the watches (broker, topic,
//! deletion, ISR-change, log-dir and admin znodes), `initializeControllerContext` (live brokers
//! with their epochs, every topic's assignment and partition states), UpdateMetadata to every
//! live broker, `replicaStateMachine.startup()` (replicas on dead brokers → OfflineReplica, live
//! ones → OnlineReplica with a LeaderAndIsr), then `partitionStateMachine.startup()` (offline
//! partitions elect; topics queued for deletion do not), `topicDeletionManager.init` and, with `auto.leader.rebalance.enable`, the
//! first imbalance check 5 s later (`scheduleAutoLeaderRebalanceTask`).
//! Simplified: the ISR-change and log-dir notifications are watched but never acted on; no
//! reassignment is resumed.

use crate::sim::time::Duration;
use crate::zk::types::{CreateMode, Op};

use super::super::io::{KIo, KafkaTimer};
use super::super::json;
use super::super::types::{BrokerId, TopicPartition};
use super::super::zk_ops::{children_of, create, data_of};
use super::state_writes::Tell;
use super::{Controller, Event, Host, Key, LeaderIsr, Step, Task};

/// The failover's stages.
#[derive(Clone, Debug)]
pub(super) enum Failover {
    /// Create `/feature`, read (and watch) the roots.
    ReadRoots,
    /// Read every registered broker and topic.
    ReadContext,
    /// Read the partition states of the topics found.
    ReadStates { listed: Vec<BrokerId>, topics: Vec<String>, deletes: Vec<String> },
    /// Load the states; replicas on dead brokers leave the ISRs.
    LoadStates { tps: Vec<TopicPartition>, deletes: bool },
    /// LeaderAndIsr for every partition; offline partitions elect.
    ElectOffline { deletes: bool },
    /// Tell the brokers; resume deletions; schedule the imbalance check.
    Finish { deletes: bool },
}

/// The retried offline elections' stages.
#[derive(Clone, Debug)]
pub(super) enum ElectOffline {
    Elect,
    Finish,
}

impl Controller {
    pub(super) fn failover(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: Failover) -> Step {
        match stage {
            Failover::ReadRoots => {
                self.request(host, io, Key::Feature, create("/feature", Some(&json::feature_json()), CreateMode::PERSISTENT));
                self.request(host, io, Key::BrokerIds, Op::GetChildren { path: "/brokers/ids".into(), watch: true });
                self.request(host, io, Key::Topics, Op::GetChildren { path: "/brokers/topics".into(), watch: true });
                self.request(host, io, Key::DeleteTopics, Op::GetChildren { path: "/admin/delete_topics".into(), watch: true });
                self.request(host, io, Key::IsrChanges, Op::GetChildren { path: "/isr_change_notification".into(), watch: true });
                self.request(host, io, Key::LogDirEvents, Op::GetChildren { path: "/log_dir_event_notification".into(), watch: true });
                self.request(
                    host,
                    io,
                    Key::PreferredElection,
                    Op::Exists { path: "/admin/preferred_replica_election".into(), watch: true },
                );
                self.request(host, io, Key::Reassignment, Op::Exists { path: "/admin/reassign_partitions".into(), watch: true });
                Step::Then(Task::Failover(Failover::ReadContext))
            }
            Failover::ReadContext => {
                let brokers = self.result(&Key::BrokerIds).as_ref().and_then(children_of).unwrap_or_default();
                let topics = self.result(&Key::Topics).as_ref().and_then(children_of).unwrap_or_default();
                let deletes = self.result(&Key::DeleteTopics).as_ref().and_then(children_of).unwrap_or_default();
                let listed = self.read_brokers(host, io, &brokers);
                self.read_topics(host, io, &topics);
                Step::Then(Task::Failover(Failover::ReadStates { listed, topics, deletes }))
            }
            Failover::ReadStates { listed, topics, deletes } => {
                self.apply_broker_reads(listed);
                let tps = self.apply_topic_reads(topics);
                // topicDeletionManager.init: topics marked for deletion are queued (no elections).
                self.to_delete = deletes.iter().filter(|t| self.topics.contains_key(*t)).cloned().collect();
                let deletes = !deletes.is_empty();
                for tp in &tps {
                    self.request(host, io, Key::State(tp.clone()), Op::GetData { path: super::state_path(tp), watch: false });
                }
                Step::Then(Task::Failover(Failover::LoadStates { tps, deletes }))
            }
            Failover::LoadStates { tps, deletes } => {
                for tp in tps {
                    if let Some((d, st)) = self.result(&Key::State(tp.clone())).as_ref().and_then(data_of) {
                        if let Ok(p) = json::parse_partition_state(&d) {
                            let li = LeaderIsr::from_state(p, st.version);
                            self.states.insert(tp, li);
                        }
                    }
                }
                let live = self.live.keys().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",");
                io.note(format!("controller {} (epoch {}): context loaded — live brokers [{live}]", self.id, self.epoch));
                self.send_update_metadata(host, io, None, true, Vec::new());
                // replicaStateMachine.startup: replicas on dead brokers → OfflineReplica.
                let updates = self.isr_removals_for_dead(None);
                self.write_states(host, io, updates);
                Step::Then(Task::Failover(Failover::ElectOffline { deletes }))
            }
            Failover::ElectOffline { deletes } => {
                if !self.finish_writes(host, io, Tell::Nobody) {
                    return Step::Done;
                }
                // Live replicas → OnlineReplica: LeaderAndIsr with the current state.
                let all = self.all_tps();
                self.send_leader_and_isr(host, io, &all, None);
                self.job().changed.clear();
                // partitionStateMachine.startup: offline partitions elect.
                let updates = self.offline_elections();
                self.write_states(host, io, updates);
                Step::Then(Task::Failover(Failover::Finish { deletes }))
            }
            Failover::Finish { deletes } => {
                if !self.finish_writes(host, io, Tell::Changed) {
                    return Step::Done;
                }
                if deletes {
                    self.enqueue_later(Event::TopicDeletion);
                }
                if self.cfg.auto_rebalance {
                    io.set_timer(KafkaTimer::AutoRebalance, Duration::from_secs(5));
                }
                Step::Done
            }
        }
    }

    pub(super) fn elect_offline(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: ElectOffline) -> Step {
        match stage {
            ElectOffline::Elect => {
                let updates = self.offline_elections();
                self.write_states(host, io, updates);
                Step::Then(Task::ElectOffline(ElectOffline::Finish))
            }
            ElectOffline::Finish => {
                self.finish_writes(host, io, Tell::Changed);
                Step::Done
            }
        }
    }
}
