//! A leader's partition: produce (`acks`, `min.insync.replicas`, the delayed produce), the high
//! watermark, and ISR changes proposed to the controller with AlterIsr.
//!
//! Follows `kafka/cluster/Partition.scala` (2.8: `appendRecordsToLeader`,
//! `maybeIncrementLeaderHW` over the maximal ISR, `maybeExpandIsr`, `maybeShrinkIsr` run by
//! `ReplicaManager`'s `isr-expiration` task, the `PendingExpandIsr`/`PendingShrinkIsr` states and
//! `handleAlterIsrResponse`), `kafka/server/AlterIsrManager.scala` and
//! `kafka/server/DelayedProduce.scala`.
//! Simplified: a produce waits at most 30 s (`request.timeout.ms`), AlterIsr items are sent one
//! at a time and not retried.

use std::rc::Rc;

use crate::sim::time::Duration;
use crate::sim::NodeId;

use super::super::msg::{AlterIsrResult, KErr, KafkaMsg, Record};
use super::super::types::{BrokerId, TopicPartition};
use super::{ids, Broker, DelayedProduce, KIo, KOut, KafkaFact, Replica};

impl Broker {
    pub(super) fn min_isr(&self, topic: &str) -> i32 {
        self.topic_configs.get(topic).and_then(|c| c.get("min.insync.replicas")).and_then(|v| v.parse().ok()).unwrap_or(self.cfg.min_isr)
    }

    /// `Partition.appendRecordsToLeader` + `DelayedProduce`.
    pub(super) fn handle_produce(
        &mut self,
        io: &mut KIo<'_>,
        from: NodeId,
        corr: u64,
        acks: i16,
        tp: TopicPartition,
        values: Vec<Rc<str>>,
    ) {
        let min_isr = self.min_isr(&tp.topic);
        let Some(r) = self.replicas.get(&tp) else {
            let e =
                if self.meta_topics.contains_key(tp.topic.as_str()) { KErr::NotLeaderOrFollower } else { KErr::UnknownTopicOrPartition };
            if acks != 0 {
                io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp, result: Err(e) }));
            }
            return;
        };
        if r.leader != self.id {
            if acks != 0 {
                io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp, result: Err(KErr::NotLeaderOrFollower) }));
            }
            return;
        }
        let isr_len = r.isr.len() as i32;
        if acks == -1 && isr_len < min_isr {
            io.note(format!(
                "broker {}: rejecting produce to {tp}: ISR [{}] is smaller than min.insync.replicas {min_isr}",
                self.id,
                ids(&r.isr)
            ));
            io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp, result: Err(KErr::NotEnoughReplicas) }));
            return;
        }
        let epoch = r.leader_epoch;
        let log = self.durable.logs.get_or_default(&tp);
        let base = log.leo();
        self.state_gen += 1;
        for v in &values {
            log.records.push(Record { epoch, value: v.clone() });
        }
        let end = log.leo();
        match acks {
            0 => {}
            1 => io.send(from, KOut::Kafka(KafkaMsg::ProduceResponse { corr, tp: tp.clone(), result: Ok(base) })),
            _ => {
                let deadline = io.now() + Duration::from_millis(30_000);
                self.delayed.push(DelayedProduce { from, corr, tp: tp.clone(), base, end, deadline, values, isr_ok: isr_len >= min_isr });
                self.arm_purgatory(io);
            }
        }
        self.maybe_advance_hw(io, &tp);
        self.wake_parked(io, &tp);
    }

    pub(super) fn fail_delayed(&mut self, io: &mut KIo<'_>, tp: &TopicPartition, e: KErr) {
        if !self.delayed.iter().any(|d| &d.tp == tp) {
            return;
        }
        let gone: Vec<DelayedProduce> = self.delayed.extract_if(.., |d| &d.tp == tp).collect();
        for d in gone {
            io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Err(e) }));
        }
    }

    /// The smallest LEO in the maximal ISR (the ISR plus a proposed one) of a partition this
    /// broker leads, whose own log ends at `leo`.
    pub(super) fn isr_min_leo(me: BrokerId, r: &Replica, leo: i64) -> i64 {
        let mut hw = leo;
        let pending: &[BrokerId] = r.pending_isr.as_deref().unwrap_or(&[]);
        for b in r.isr.iter().chain(pending.iter()) {
            if *b == me {
                continue;
            }
            match r.followers.get(b) {
                Some(f) => hw = hw.min(f.leo.max(0)),
                None => hw = hw.min(0),
            }
        }
        hw
    }

    /// `maybeIncrementLeaderHW`: the smallest LEO in the (maximal) ISR. Returns whether it moved.
    pub(super) fn maybe_advance_hw(&mut self, io: &mut KIo<'_>, tp: &TopicPartition) -> bool {
        let Some(r) = self.replicas.get(tp) else { return false };
        if r.leader != self.id {
            return false;
        }
        let Some(log) = self.durable.logs.get_mut(tp) else { return false };
        let hw = Self::isr_min_leo(self.id, r, log.leo());
        if hw <= log.hw {
            return false;
        }
        log.hw = hw;
        self.state_gen += 1;
        io.fact(KafkaFact::HighWatermark { tp: tp.clone(), broker: self.id, leader_epoch: r.leader_epoch.0, hw });
        // Complete delayed produces.
        if self.delayed.iter().any(|d| &d.tp == tp && d.end <= hw) {
            let done: Vec<DelayedProduce> = self.delayed.extract_if(.., |d| &d.tp == tp && d.end <= hw).collect();
            for d in done {
                if d.isr_ok {
                    for (i, v) in d.values.iter().enumerate() {
                        io.fact(KafkaFact::AckedAll {
                            tp: d.tp.clone(),
                            leader_epoch: r.leader_epoch.0,
                            offset: d.base + i as i64,
                            value: v.clone(),
                        });
                    }
                }
                io.send(d.from, KOut::Kafka(KafkaMsg::ProduceResponse { corr: d.corr, tp: d.tp, result: Ok(d.base) }));
            }
        }
        self.wake_parked(io, tp);
        true
    }

    /// `Partition.maybeExpandIsr`.
    pub(super) fn maybe_expand_isr(&mut self, io: &mut KIo<'_>, tp: &TopicPartition, follower: BrokerId) {
        let Some(r) = self.replicas.get(tp) else { return };
        if r.pending_isr.is_some() || r.isr.contains(&follower) || !r.replicas.contains(&follower) {
            return;
        }
        let Some(log) = self.durable.logs.get(tp) else { return };
        let Some(f) = r.followers.get(&follower) else { return };
        if f.leo < log.hw || f.leo < log.epoch_start(r.leader_epoch.0) {
            return;
        }
        let mut isr = r.isr.clone();
        isr.push(follower);
        io.note(format!(
            "broker {}: {tp}: follower {follower} caught up (LEO {}), proposing ISR expand [{}] → [{}]",
            self.id,
            f.leo,
            ids(&r.isr),
            ids(&isr)
        ));
        self.send_alter_isr(io, tp.clone(), isr);
    }

    /// `Partition.maybeShrinkIsr` for every partition this broker leads.
    pub(super) fn maybe_shrink_isr(&mut self, io: &mut KIo<'_>) {
        if !self.is_running() {
            return;
        }
        let now = io.now();
        let lag = Duration::from_millis(self.cfg.replica_lag_ms);
        let mut shrinks: Vec<(TopicPartition, Vec<BrokerId>, Vec<BrokerId>)> = Vec::new();
        for (tp, r) in self.replicas.iter() {
            if r.leader != self.id || r.pending_isr.is_some() {
                continue;
            }
            let leo = self.durable.logs.get(tp).map(|l| l.leo()).unwrap_or(0);
            let out: Vec<BrokerId> = r
                .isr
                .iter()
                .filter(|b| **b != self.id)
                .filter(|b| match r.followers.get(b) {
                    Some(f) => f.leo != leo && now.since(f.last_caught_up) > lag,
                    None => false,
                })
                .copied()
                .collect();
            if !out.is_empty() {
                let isr: Vec<BrokerId> = r.isr.iter().filter(|b| !out.contains(b)).copied().collect();
                shrinks.push((tp.clone(), isr, out));
            }
        }
        for (tp, isr, out) in shrinks {
            io.note(format!(
                "broker {}: {tp}: shrinking ISR — replica(s) {} out of sync for more than {} ms; proposing [{}]",
                self.id,
                ids(&out),
                self.cfg.replica_lag_ms,
                ids(&isr)
            ));
            self.send_alter_isr(io, tp, isr);
        }
    }

    pub(super) fn send_alter_isr(&mut self, io: &mut KIo<'_>, tp: TopicPartition, isr: Vec<BrokerId>) {
        let Some(r) = self.replicas.get_mut(&tp) else { return };
        self.state_gen += 1;
        r.pending_isr = Some(isr.clone());
        let item = (tp.clone(), r.leader_epoch, isr, r.zk_version);
        let msg = KafkaMsg::AlterIsr { broker: self.id, broker_epoch: self.broker_epoch, items: vec![item] };
        match self.active_controller.or(self.meta_controller) {
            Some(c) if c == self.id => {
                let me = io.id();
                if let KafkaMsg::AlterIsr { broker, broker_epoch, items } = msg {
                    self.controller_alter_isr(io, me, broker, broker_epoch, items);
                }
            }
            Some(c) => {
                if let Some(n) = self.cfg.node_of(c) {
                    io.send(n, KOut::Kafka(msg));
                }
            }
            None => {
                if let Some(r) = self.replicas.get_mut(&tp) {
                    self.state_gen += 1;
                    r.pending_isr = None;
                }
            }
        }
    }

    pub(super) fn handle_alter_isr_response(&mut self, io: &mut KIo<'_>, items: Vec<AlterIsrResult>) {
        for (tp, res) in items {
            let Some(r) = self.replicas.get_mut(&tp) else { continue };
            self.state_gen += 1;
            r.pending_isr = None;
            match res {
                Ok((epoch, isr, zkv)) if epoch == r.leader_epoch && r.leader == self.id => {
                    io.note(format!("broker {}: {tp}: ISR now [{}] (zkVersion {zkv})", self.id, ids(&isr)));
                    r.isr = isr;
                    r.zk_version = zkv;
                }
                Ok(_) => {}
                Err(e) => io.note(format!("broker {}: {tp}: AlterIsr failed with {}", self.id, e.name())),
            }
            self.maybe_advance_hw(io, &tp);
        }
    }
}
