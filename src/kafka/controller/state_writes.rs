//! Partition-state writes and the end of most events: take the answers, then tell the brokers.
//!
//! Follows `kafka/zk/KafkaZkClient.scala`: `updateLeaderAndIsr` (a `setData` with the znode
//! version, in a multi behind `CheckOp(/controller_epoch, epochZkVersion)`; a BADVERSION on the
//! check is `ControllerMovedException`) and `createTopicPartitionStatesRaw` (the partition znodes,
//! then each state created behind the same check), and `PartitionStateMachine`'s
//! `doHandleStateChanges` followed by `ControllerBrokerRequestBatch.sendRequestsToBrokers`.

use crate::sorted::SortedSet;
use crate::zk::types::{CreateMode, ErrCode, Op, Reply, WriteOp, WriteResult};

use super::super::io::{ids, KIo, KafkaFact};
use super::super::json;
use super::super::types::{BrokerId, LeaderEpoch, TopicPartition};
use super::super::zk_ops::{bytes, create, multi_error};
use super::election::Update;
use super::{state_path, Controller, Host, Key, LeaderIsr, Write};

/// Whom to tell, once the writes are answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tell {
    /// Nobody (yet).
    Nobody,
    /// LeaderAndIsr to the replicas of the changed partitions, then UpdateMetadata with them to
    /// every live broker (nothing if nothing changed).
    Changed,
    /// UpdateMetadata with every partition to every live broker, then LeaderAndIsr for the
    /// changed partitions (new topics and partitions).
    AllMetadataThenChanged,
    /// LeaderAndIsr for the changed partitions, then UpdateMetadata with every partition (after
    /// broker failures).
    ChangedThenAllMetadata,
    /// UpdateMetadata with the changed partitions only (AlterIsr).
    ChangedMetadataOnly,
}

impl Controller {
    /// Issue conditional partition-state writes (a multi with the controller-epoch check).
    pub(super) fn write_states(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, updates: Vec<Update>) {
        let (epoch, ezv) = (self.epoch, self.epoch_zk_version);
        let mut ops = Vec::new();
        for (tp, mut s, unclean) in updates {
            s.controller_epoch = epoch;
            let j = json::partition_state_json(epoch, s.leader, s.leader_epoch, &s.isr);
            let op = Op::Multi(vec![
                WriteOp::Check { path: "/controller_epoch".into(), version: ezv },
                WriteOp::SetData { path: state_path(&tp), data: bytes(&j), version: s.zk_version },
            ]);
            ops.push((Key::Write(tp.clone()), op));
            self.job().writes.push(Write { tp, state: s, unclean });
        }
        if !ops.is_empty() {
            io.fact(KafkaFact::ControllerActing { epoch: epoch.0, broker: self.id });
        }
        for (k, op) in ops {
            self.request(host, io, k, op);
        }
    }

    /// Create partition states for new partitions (`NewPartition → OnlinePartition`).
    pub(super) fn create_states(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, tps: &[TopicPartition]) {
        let (epoch, ezv) = (self.epoch, self.epoch_zk_version);
        let mut reqs: Vec<(Key, Op)> = Vec::new();
        let mut writes = Vec::new();
        let mut topics_done: SortedSet<String> = SortedSet::new();
        for tp in tps {
            let replicas = self.replicas(tp);
            let live: Vec<BrokerId> = replicas.iter().filter(|b| self.is_live(**b)).copied().collect();
            let Some(leader) = live.first().copied() else {
                io.note(format!("controller {}: cannot start {tp}: no assigned replica is alive", self.id));
                continue;
            };
            if topics_done.insert(tp.topic.to_string()) {
                reqs.push((
                    Key::PartitionsZnode(tp.topic.to_string()),
                    create(&format!("/brokers/topics/{}/partitions", tp.topic), None, CreateMode::PERSISTENT),
                ));
            }
            reqs.push((
                Key::PartitionZnode(tp.clone()),
                create(&format!("/brokers/topics/{}/partitions/{}", tp.topic, tp.partition), None, CreateMode::PERSISTENT),
            ));
            let s = LeaderIsr { leader, leader_epoch: LeaderEpoch(0), isr: live, controller_epoch: epoch, zk_version: 0 };
            let j = json::partition_state_json(epoch, s.leader, s.leader_epoch, &s.isr);
            reqs.push((
                Key::Write(tp.clone()),
                Op::Multi(vec![
                    WriteOp::Check { path: "/controller_epoch".into(), version: ezv },
                    WriteOp::Create { path: state_path(tp), data: bytes(&j), mode: CreateMode::PERSISTENT },
                ]),
            ));
            writes.push(Write { tp: tp.clone(), state: s, unclean: false });
        }
        if !writes.is_empty() {
            io.fact(KafkaFact::ControllerActing { epoch: epoch.0, broker: self.id });
        }
        self.job().writes.extend(writes);
        for (k, op) in reqs {
            self.request(host, io, k, op);
        }
    }

    /// Take the answers to the writes (successful ones update the context), then tell the
    /// brokers as `tell` says. Returns `false` if `/controller_epoch` moved: the host resigned
    /// and the event ends.
    pub(super) fn finish_writes(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, tell: Tell) -> bool {
        if self.apply_writes(host, io) {
            return false;
        }
        self.tell(host, io, tell);
        true
    }

    /// Tell the brokers about the partitions changed so far, as `tell` says.
    pub(super) fn tell(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, tell: Tell) {
        match tell {
            Tell::Nobody => return,
            Tell::Changed => {
                let changed: Vec<TopicPartition> = self.job().changed.iter().cloned().collect();
                if changed.is_empty() {
                    return;
                }
                self.send_leader_and_isr(host, io, &changed, None);
                self.send_update_metadata(host, io, None, false, Vec::new());
            }
            Tell::AllMetadataThenChanged => {
                self.send_update_metadata(host, io, None, true, Vec::new());
                let changed: Vec<TopicPartition> = self.job().changed.iter().cloned().collect();
                self.send_leader_and_isr(host, io, &changed, None);
            }
            Tell::ChangedThenAllMetadata => {
                let changed: Vec<TopicPartition> = self.job().changed.iter().cloned().collect();
                self.send_leader_and_isr(host, io, &changed, None);
                self.send_update_metadata(host, io, None, true, Vec::new());
            }
            Tell::ChangedMetadataOnly => self.send_update_metadata(host, io, None, false, Vec::new()),
        }
        self.job().changed.clear();
    }

    /// Take the answers to the writes: successful ones update the context. A BADVERSION on the
    /// controller-epoch check means another controller took over: the host resigns. Returns
    /// whether that happened.
    fn apply_writes(&mut self, host: &mut dyn Host, io: &mut KIo<'_>) -> bool {
        let writes = std::mem::take(&mut self.job().writes);
        let mut moved = false;
        for Write { tp, state: mut s, unclean } in writes {
            let Some(r) = self.result(&Key::Write(tp.clone())) else { continue };
            match multi_error(&r) {
                None => {
                    if let Ok(Reply::Multi(v)) = &r {
                        if let Some(WriteResult::SetData { stat }) = v.get(1) {
                            s.zk_version = stat.version;
                        }
                    }
                    let allowed = self.unclean_allowed(&tp.topic);
                    io.fact(KafkaFact::StateWritten {
                        tp: tp.clone(),
                        leader: s.leader,
                        isr: s.isr.clone(),
                        unclean_allowed: allowed,
                        unclean,
                    });
                    if io.narrating() {
                        let old = self.states.get(&tp);
                        let lead = |b: BrokerId| if b.0 < 0 { "none".to_string() } else { b.0.to_string() };
                        let what = match old {
                            None => format!("created: leader {}, ISR [{}]", lead(s.leader), ids(&s.isr)),
                            Some(o) if o.leader != s.leader => {
                                format!("leader {} → {}, ISR [{}] → [{}]", lead(o.leader), lead(s.leader), ids(&o.isr), ids(&s.isr))
                            }
                            Some(o) => format!("ISR [{}] → [{}]", ids(&o.isr), ids(&s.isr)),
                        };
                        io.note(format!(
                            "controller {} (epoch {}): {tp} {what}{} — leader_epoch {}, zkVersion {}",
                            self.id,
                            self.epoch,
                            if unclean { " (UNCLEAN election)" } else { "" },
                            s.leader_epoch,
                            s.zk_version
                        ));
                    }
                    self.states.insert(tp.clone(), s);
                    self.job().changed.insert(tp);
                }
                Some((0, ErrCode::BadVersion)) => moved = true,
                Some((_, e)) => io.note(format!("controller {}: writing the state of {tp} failed: {}", self.id, e.name())),
            }
        }
        if moved {
            io.note(format!("controller {}: /controller_epoch changed under us (ControllerMovedException)", self.id));
            host.controller_moved(io);
        }
        moved
    }
}
