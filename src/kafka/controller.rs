//! The Kafka 2.8 controller (ZooKeeper mode), run by the broker that created `/controller`.
//!
//! Follows `core/src/main/scala/kafka/controller/KafkaController.scala`: one event at a time
//! (`ControllerEventManager`), each event a sequence of batched ZooKeeper requests whose answers it
//! waits for (`retryRequestsUntilConnected`), then the requests to brokers
//! (`ControllerChannelManager`: LeaderAndIsr, UpdateMetadata, StopReplica). Events: failover
//! (`onControllerFailover`: watches, `initializeControllerContext`, replica state machine startup
//! before partition state machine startup, the first imbalance check 5 s later), broker changes
//! (`onBrokerStartup`, `onBrokerFailure` → `onReplicasBecomeOffline`), topic creation and partition
//! additions (`onNewPartitionCreation`), topic deletion (`TopicDeletionManager`), AlterIsr
//! (`processAlterIsr`), controlled shutdown (`doControlledShutdown`), the automatic preferred leader
//! rebalance (`checkAndTriggerAutoLeaderRebalance`) and the admin requests that reach the
//! controller (CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders).
//!
//! Election rules are `PartitionLeaderElectionAlgorithms` (`PartitionStateMachine.scala`); ISR
//! removal is `ReplicaStateMachine.doRemoveReplicasFromIsr`. Every partition-state write is a multi
//! guarded by `CheckOp(/controller_epoch, epochZkVersion)`: a deposed controller gets BADVERSION and
//! resigns.
//!
//! Simplified: no partition reassignment, no log-dir events, no LeaderAndIsr response handling
//! (errors are not retried), topic deletion does not wait for StopReplica responses, and the
//! controller's own requests to itself are handled in place instead of over a socket.

use crate::sorted::{SortedMap, SortedSet};
use std::collections::VecDeque;

use crate::sim::time::Duration;
use crate::sim::NodeId;
use crate::zk::types::{CreateMode, ErrCode, EventType, Op, Reply, WriteOp, WriteResult};

use super::assign::assign_replicas_rack_unaware;
use super::broker::{bytes, children_of, data_of, ids, multi_error, Broker, KIo, KOut, KafkaFact, KafkaTimer, Purpose};
use super::cli::validate_topic_name;
use super::json;
use super::msg::{AdminOp, AdminResult, KErr, KafkaMsg, PartState};
use super::types::{BrokerId, ControllerEpoch, LeaderEpoch, TopicId, TopicPartition};

/// `LeaderIsrAndControllerEpoch` plus the znode version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LeaderIsr {
    pub leader: BrokerId,
    pub leader_epoch: LeaderEpoch,
    pub isr: Vec<BrokerId>,
    pub controller_epoch: ControllerEpoch,
    pub zk_version: i32,
}

/// A topic in the controller context.
#[derive(Clone, Debug)]
pub struct TopicCtx {
    pub id: TopicId,
    pub assignment: SortedMap<i32, Vec<BrokerId>>,
    pub configs: SortedMap<String, String>,
}

/// Controller events (`ControllerEvent`).
#[derive(Clone, Debug)]
pub enum Event {
    Failover,
    BrokerChange,
    TopicChange,
    PartitionModification(String),
    TopicDeletion,
    AlterIsr {
        from: NodeId,
        broker: BrokerId,
        broker_epoch: i64,
        items: Vec<(TopicPartition, LeaderEpoch, Vec<BrokerId>, i32)>,
    },
    ControlledShutdown {
        from: Option<NodeId>,
        broker: BrokerId,
        broker_epoch: i64,
    },
    AutoRebalance,
    Admin {
        from: NodeId,
        corr: u64,
        op: AdminOp,
    },
    /// Retry offline elections (after a state write lost a race).
    ElectOffline,
}

/// An event being processed.
#[derive(Clone, Debug)]
struct Job {
    ev: Event,
    stage: u8,
    outstanding: usize,
    ops: SortedMap<String, Op>,
    results: SortedMap<String, Result<Reply, ErrCode>>,
    /// Partition writes in flight: (key, tp, new state, unclean).
    writes: Vec<(String, TopicPartition, LeaderIsr, bool)>,
    /// Partitions changed so far (for LeaderAndIsr/UpdateMetadata at the end).
    changed: SortedSet<TopicPartition>,
    /// Scratch: names (topics, brokers) carried between stages.
    names: Vec<String>,
    dead: Vec<BrokerId>,
    born: Vec<BrokerId>,
    /// Per-item answers being collected (admin, AlterIsr).
    answers: Vec<AdminResult>,
}

impl Job {
    fn new(ev: Event) -> Job {
        Job {
            ev,
            stage: 0,
            outstanding: 0,
            ops: SortedMap::new(),
            results: SortedMap::new(),
            writes: Vec::new(),
            changed: SortedSet::new(),
            names: Vec::new(),
            dead: Vec::new(),
            born: Vec::new(),
            answers: Vec::new(),
        }
    }
}

/// The controller's state (`ControllerContext`).
#[derive(Clone, Debug)]
pub struct Controller {
    pub epoch: ControllerEpoch,
    pub epoch_zk_version: i32,
    /// Live brokers and their epochs (czxid of `/brokers/ids/N`).
    pub live: SortedMap<BrokerId, i64>,
    pub shutting_down: SortedSet<BrokerId>,
    /// Bounced brokers held out of `live` while their failure is handled.
    bounced: SortedMap<BrokerId, i64>,
    pub topics: SortedMap<String, TopicCtx>,
    pub states: SortedMap<TopicPartition, LeaderIsr>,
    queue: VecDeque<Event>,
    job: Option<Job>,
    gen: u64,
    running: bool,
}

enum Step {
    /// Requests were sent; continue with the next stage when all are answered.
    Wait,
    /// Continue with the next stage now.
    Next,
    Done,
}

fn state_path(tp: &TopicPartition) -> String {
    format!("/brokers/topics/{}/partitions/{}/state", tp.topic, tp.partition)
}

impl Controller {
    fn replicas(&self, tp: &TopicPartition) -> Vec<BrokerId> {
        self.topics.get(tp.topic.as_str()).and_then(|t| t.assignment.get(&tp.partition)).cloned().unwrap_or_default()
    }
    fn is_live(&self, b: BrokerId) -> bool {
        self.live.contains_key(&b)
    }
    fn unclean_allowed(&self, topic: &str, default: bool) -> bool {
        self.topics.get(topic).and_then(|t| t.configs.get("unclean.leader.election.enable")).map(|v| v == "true").unwrap_or(default)
    }
    fn all_tps(&self) -> Vec<TopicPartition> {
        self.states.keys().cloned().collect()
    }
    fn part_state(&self, tp: &TopicPartition) -> Option<PartState> {
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
    fn offline_election(&self, tp: &TopicPartition, cur: &LeaderIsr, unclean_default: bool) -> Option<(LeaderIsr, bool)> {
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
        if self.unclean_allowed(&tp.topic, unclean_default) {
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
    /// `doRemoveReplicasFromIsr` for `b`: `None` if `b` is not in the ISR.
    fn remove_from_isr(&self, cur: &LeaderIsr, b: BrokerId) -> Option<LeaderIsr> {
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
}

impl Broker {
    /// `onControllerFailover`, as a queued event.
    pub(super) fn on_controller_failover(&mut self, io: &mut KIo<'_>, epoch: ControllerEpoch, zkv: i32) {
        self.ctl = Some(Controller {
            epoch,
            epoch_zk_version: zkv,
            live: SortedMap::new(),
            shutting_down: SortedSet::new(),
            bounced: SortedMap::new(),
            topics: SortedMap::new(),
            states: SortedMap::new(),
            queue: VecDeque::new(),
            job: None,
            gen: 0,
            running: false,
        });
        self.controller_epoch_seen = self.controller_epoch_seen.max(epoch);
        self.ctl_enqueue(io, Event::Failover);
    }

    /// Stop being the controller (`onControllerResignation`).
    pub(super) fn resign(&mut self, io: &mut KIo<'_>) {
        if let Some(c) = self.ctl.take() {
            io.note(format!("broker {}: resigning as controller (epoch {})", self.id, c.epoch));
            io.cancel_timer(KafkaTimer::AutoRebalance);
        }
    }

    fn ctl_enqueue(&mut self, io: &mut KIo<'_>, ev: Event) {
        let Some(c) = self.ctl.as_mut() else { return };
        c.queue.push_back(ev);
        if c.job.is_none() && !c.running {
            self.ctl_next(io);
        }
    }

    fn ctl_next(&mut self, io: &mut KIo<'_>) {
        let Some(c) = self.ctl.as_mut() else { return };
        if c.job.is_some() {
            return;
        }
        let Some(ev) = c.queue.pop_front() else { return };
        c.gen += 1;
        c.job = Some(Job::new(ev));
        self.ctl_run(io);
    }

    /// Run stages until one waits for ZooKeeper or the job is done.
    fn ctl_run(&mut self, io: &mut KIo<'_>) {
        loop {
            let Some(c) = self.ctl.as_mut() else { return };
            if c.running {
                return;
            }
            let Some(job) = c.job.as_ref() else { return };
            if job.outstanding > 0 {
                return;
            }
            c.running = true;
            let step = self.ctl_stage(io);
            let Some(c) = self.ctl.as_mut() else { return };
            c.running = false;
            match step {
                Step::Wait => {
                    if let Some(j) = c.job.as_mut() {
                        j.stage += 1;
                        if j.outstanding > 0 {
                            return;
                        }
                    }
                }
                Step::Next => {
                    if let Some(j) = c.job.as_mut() {
                        j.stage += 1;
                    }
                }
                Step::Done => {
                    c.job = None;
                    if c.queue.is_empty() {
                        return;
                    }
                    let ev = c.queue.pop_front().expect("checked non-empty");
                    c.gen += 1;
                    c.job = Some(Job::new(ev));
                }
            }
        }
    }

    /// Issue one ZooKeeper request for the current job.
    fn jreq(&mut self, io: &mut KIo<'_>, key: String, op: Op) {
        if self.zk.is_dead() {
            return;
        }
        let Some(c) = self.ctl.as_mut() else { return };
        let gen = c.gen;
        let Some(j) = c.job.as_mut() else { return };
        j.outstanding += 1;
        j.ops.insert(key.clone(), op.clone());
        self.zk_submit(io, Purpose::Job(gen, key), op);
    }

    pub(super) fn ctl_job_reply(&mut self, io: &mut KIo<'_>, gen: u64, key: String, r: Result<Reply, ErrCode>) {
        let Some(c) = self.ctl.as_mut() else { return };
        if c.gen != gen {
            return;
        }
        let Some(j) = c.job.as_mut() else { return };
        if matches!(r, Err(ErrCode::ConnectionLoss)) {
            // retryRequestsUntilConnected.
            if let Some(op) = j.ops.get(&key).cloned() {
                self.zk_submit(io, Purpose::Job(gen, key), op);
            }
            return;
        }
        if matches!(r, Err(ErrCode::SessionExpired)) {
            return;
        }
        // A conditional state write that failed with BADVERSION may have been applied already
        // (its reply lost with the connection, then retried): read the znode back and compare
        // (`KafkaZkClient.updateLeaderAndIsr` → `checkLeaderAndIsrZkData`).
        if let Some(tp) = key.strip_prefix("w:") {
            if matches!(multi_error(&r), Some((1, ErrCode::BadVersion))) {
                let path = j.writes.iter().find(|w| w.0 == key).map(|w| state_path(&w.1));
                if let Some(path) = path {
                    let rkey = format!("r:{tp}");
                    j.ops.insert(rkey.clone(), Op::GetData { path: path.clone(), watch: false });
                    j.results.insert(format!("bad:{tp}"), r);
                    self.zk_submit(io, Purpose::Job(gen, rkey), Op::GetData { path, watch: false });
                    return;
                }
            }
        }
        if let Some(tp) = key.strip_prefix("r:") {
            let wkey = format!("w:{tp}");
            let bad = j.results.remove(&format!("bad:{tp}"));
            let want = j.writes.iter().find(|w| w.0 == wkey).map(|w| (w.1.clone(), w.2.clone()));
            j.outstanding = j.outstanding.saturating_sub(1);
            let mut done = bad.unwrap_or(Err(ErrCode::BadVersion));
            if let (Some((d, st)), Some((wtp, want))) = (data_of(&r), want) {
                let parsed = json::parse_partition_state(&d).ok();
                match parsed {
                    Some(p) if p.leader == want.leader && p.isr == want.isr && p.leader_epoch == want.leader_epoch => {
                        done = Ok(Reply::Multi(vec![WriteResult::Checked, WriteResult::SetData { stat: st }]));
                    }
                    Some(p) => {
                        // Someone else wrote it: refresh the context and elect again later.
                        if let Some(c) = self.ctl.as_mut() {
                            c.states.insert(
                                wtp,
                                LeaderIsr {
                                    leader: p.leader,
                                    leader_epoch: p.leader_epoch,
                                    isr: p.isr,
                                    controller_epoch: p.controller_epoch,
                                    zk_version: st.version,
                                },
                            );
                            if !c.queue.iter().any(|e| matches!(e, Event::ElectOffline)) {
                                c.queue.push_back(Event::ElectOffline);
                            }
                        }
                    }
                    None => {}
                }
            }
            let Some(j) = self.ctl.as_mut().and_then(|c| c.job.as_mut()) else { return };
            j.results.insert(wkey, done);
            if j.outstanding == 0 {
                self.ctl_run(io);
            }
            return;
        }
        j.outstanding = j.outstanding.saturating_sub(1);
        j.results.insert(key, r);
        if j.outstanding == 0 {
            self.ctl_run(io);
        }
    }

    fn job(&mut self) -> &mut Job {
        self.ctl.as_mut().and_then(|c| c.job.as_mut()).expect("a controller job is running")
    }

    fn result(&mut self, key: &str) -> Option<Result<Reply, ErrCode>> {
        self.ctl.as_mut()?.job.as_mut()?.results.remove(key)
    }

    // ------------------------------------------------------------------ stages

    fn ctl_stage(&mut self, io: &mut KIo<'_>) -> Step {
        let (ev, stage) = {
            let j = self.job();
            (j.ev.clone(), j.stage)
        };
        match ev {
            Event::Failover => self.st_failover(io, stage),
            Event::BrokerChange => self.st_broker_change(io, stage),
            Event::TopicChange => self.st_topic_change(io, stage),
            Event::PartitionModification(t) => self.st_partition_mod(io, stage, t),
            Event::TopicDeletion => self.st_topic_deletion(io, stage),
            Event::AlterIsr { from, broker, broker_epoch, items } => self.st_alter_isr(io, stage, from, broker, broker_epoch, items),
            Event::ControlledShutdown { from, broker, broker_epoch } => self.st_controlled_shutdown(io, stage, from, broker, broker_epoch),
            Event::AutoRebalance => self.st_auto_rebalance(io, stage),
            Event::Admin { from, corr, op } => self.st_admin(io, stage, from, corr, op),
            Event::ElectOffline => match stage {
                0 => {
                    let updates = self.offline_elections();
                    self.write_states(io, updates);
                    Step::Wait
                }
                _ => {
                    if !self.apply_writes(io) {
                        self.flush_changed(io);
                    }
                    Step::Done
                }
            },
        }
    }

    fn st_failover(&mut self, io: &mut KIo<'_>, stage: u8) -> Step {
        match stage {
            0 => {
                self.jreq(io, "feature".into(), Broker::create("/feature", Some(&json::feature_json()), CreateMode::PERSISTENT));
                self.jreq(io, "ids".into(), Op::GetChildren { path: "/brokers/ids".into(), watch: true });
                self.jreq(io, "topics".into(), Op::GetChildren { path: "/brokers/topics".into(), watch: true });
                self.jreq(io, "delete".into(), Op::GetChildren { path: "/admin/delete_topics".into(), watch: true });
                self.jreq(io, "isr".into(), Op::GetChildren { path: "/isr_change_notification".into(), watch: true });
                self.jreq(io, "logdir".into(), Op::GetChildren { path: "/log_dir_event_notification".into(), watch: true });
                self.jreq(io, "ple".into(), Op::Exists { path: "/admin/preferred_replica_election".into(), watch: true });
                self.jreq(io, "reassign".into(), Op::Exists { path: "/admin/reassign_partitions".into(), watch: true });
                Step::Wait
            }
            1 => {
                let brokers = self.result("ids").as_ref().and_then(children_of).unwrap_or_default();
                let topics = self.result("topics").as_ref().and_then(children_of).unwrap_or_default();
                let deletes = self.result("delete").as_ref().and_then(children_of).unwrap_or_default();
                self.job().names = deletes;
                self.read_brokers(io, &brokers);
                self.read_topics(io, &topics);
                Step::Wait
            }
            2 => {
                self.apply_broker_reads();
                let new_tps = self.apply_topic_reads();
                for tp in &new_tps {
                    self.jreq(io, format!("s:{tp}"), Op::GetData { path: state_path(tp), watch: false });
                }
                self.job().changed = new_tps.into_iter().collect();
                Step::Wait
            }
            3 => {
                let tps: Vec<TopicPartition> = std::mem::take(&mut self.job().changed).into_iter().collect();
                for tp in tps {
                    if let Some((d, st)) = self.result(&format!("s:{tp}")).as_ref().and_then(data_of) {
                        if let Ok(p) = json::parse_partition_state(&d) {
                            let li = LeaderIsr {
                                leader: p.leader,
                                leader_epoch: p.leader_epoch,
                                isr: p.isr,
                                controller_epoch: p.controller_epoch,
                                zk_version: st.version,
                            };
                            if let Some(c) = self.ctl.as_mut() {
                                c.states.insert(tp, li);
                            }
                        }
                    }
                }
                let (epoch, live) = {
                    let c = self.ctl.as_ref().expect("controller");
                    (c.epoch, c.live.keys().map(|b| b.0.to_string()).collect::<Vec<_>>().join(","))
                };
                io.note(format!("controller {} (epoch {epoch}): context loaded — live brokers [{live}]", self.id));
                self.send_update_metadata(io, None, true, Vec::new());
                // replicaStateMachine.startup: replicas on dead brokers → OfflineReplica.
                let updates = self.isr_removals_for_dead(None);
                self.write_states(io, updates);
                Step::Wait
            }
            4 => {
                self.apply_writes(io);
                // Live replicas → OnlineReplica: LeaderAndIsr with the current state.
                let all = self.ctl.as_ref().map(|c| c.all_tps()).unwrap_or_default();
                self.send_leader_and_isr(io, &all, None);
                self.job().changed.clear();
                // partitionStateMachine.startup: offline partitions elect.
                let updates = self.offline_elections();
                self.write_states(io, updates);
                Step::Wait
            }
            5 => {
                self.apply_writes(io);
                self.flush_changed(io);
                let deletes = std::mem::take(&mut self.job().names);
                if !deletes.is_empty() {
                    self.ctl_enqueue_later(Event::TopicDeletion);
                }
                if self.cfg.auto_rebalance {
                    io.set_timer(KafkaTimer::AutoRebalance, Duration::from_secs(5));
                }
                Step::Done
            }
            _ => Step::Done,
        }
    }

    fn ctl_enqueue_later(&mut self, ev: Event) {
        if let Some(c) = self.ctl.as_mut() {
            c.queue.push_back(ev);
        }
    }

    fn read_brokers(&mut self, io: &mut KIo<'_>, brokers: &[String]) {
        for b in brokers {
            self.jreq(io, format!("b:{b}"), Op::GetData { path: format!("/brokers/ids/{b}"), watch: false });
        }
        self.job().born = brokers.iter().filter_map(|b| b.parse().ok()).map(BrokerId).collect();
    }

    /// Live brokers and epochs from the reads; returns (new, dead) relative to the context.
    fn apply_broker_reads(&mut self) -> (Vec<BrokerId>, Vec<BrokerId>) {
        let listed = std::mem::take(&mut self.job().born);
        let mut now: SortedMap<BrokerId, i64> = SortedMap::new();
        for b in listed {
            if let Some((_, st)) = self.result(&format!("b:{}", b.0)).as_ref().and_then(data_of) {
                now.insert(b, st.czxid.0 as i64);
            }
        }
        let c = self.ctl.as_mut().expect("controller");
        let mut born = Vec::new();
        let mut dead = Vec::new();
        for (b, e) in &now {
            match c.live.get(b) {
                None => born.push(*b),
                Some(old) if old != e => {
                    dead.push(*b);
                    born.push(*b);
                }
                _ => {}
            }
        }
        for b in c.live.keys() {
            if !now.contains_key(b) {
                dead.push(*b);
            }
        }
        // A bounced broker (new registration, new epoch) is handled as dead first, then as
        // new: it leaves the live set until the startup half (`processBrokerChange`).
        let mut live = now.clone();
        let mut bounced = SortedMap::new();
        for b in &dead {
            if let Some(e) = live.remove(b) {
                bounced.insert(*b, e);
            }
        }
        c.live = live;
        c.bounced = bounced;
        for b in &dead {
            c.shutting_down.remove(b);
        }
        (born, dead)
    }

    fn read_topics(&mut self, io: &mut KIo<'_>, topics: &[String]) {
        for t in topics {
            self.jreq(io, format!("t:{t}"), Op::GetData { path: format!("/brokers/topics/{t}"), watch: true });
            self.jreq(io, format!("c:{t}"), Op::GetData { path: format!("/config/topics/{t}"), watch: false });
        }
        let j = self.job();
        j.names.extend(topics.iter().map(|t| format!("topic:{t}")));
    }

    /// Add read topics to the context; returns the partitions that are new to it.
    fn apply_topic_reads(&mut self) -> Vec<TopicPartition> {
        let names: Vec<String> = {
            let j = self.job();
            let (t, rest): (Vec<String>, Vec<String>) = std::mem::take(&mut j.names).into_iter().partition(|n| n.starts_with("topic:"));
            j.names = rest;
            t.into_iter().map(|n| n["topic:".len()..].to_string()).collect()
        };
        let mut new_tps = Vec::new();
        for t in names {
            let Some((d, _)) = self.result(&format!("t:{t}")).as_ref().and_then(data_of) else { continue };
            let Ok(a) = json::parse_topic_assignment(&d) else { continue };
            let configs = self
                .result(&format!("c:{t}"))
                .as_ref()
                .and_then(data_of)
                .and_then(|(d, _)| json::parse_topic_config(&d).ok())
                .unwrap_or_default();
            let c = self.ctl.as_mut().expect("controller");
            let entry = c.topics.get_or_insert_with(t.clone(), || TopicCtx {
                id: a.topic_id.unwrap_or(TopicId::ZERO),
                assignment: SortedMap::new(),
                configs: configs.clone(),
            });
            entry.configs = configs;
            for (p, r) in a.partitions {
                if !entry.assignment.contains_key(&p) {
                    new_tps.push(TopicPartition::new(t.clone(), p));
                }
                entry.assignment.insert(p, r);
            }
        }
        new_tps
    }

    /// OfflineReplica for replicas on dead brokers (`only`: just these brokers, else every
    /// broker that is not live).
    fn isr_removals_for_dead(&self, only: Option<&[BrokerId]>) -> Vec<(TopicPartition, LeaderIsr, bool)> {
        let Some(c) = self.ctl.as_ref() else { return vec![] };
        let mut out = Vec::new();
        for (tp, s) in &c.states {
            let mut cur = s.clone();
            let mut changed = false;
            for r in c.replicas(tp) {
                if !c.is_live(r) && only.map(|o| o.contains(&r)).unwrap_or(true) {
                    if let Some(n) = c.remove_from_isr(&cur, r) {
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

    /// Partitions without a live leader → OnlinePartition via the offline election.
    fn offline_elections(&self) -> Vec<(TopicPartition, LeaderIsr, bool)> {
        let Some(c) = self.ctl.as_ref() else { return vec![] };
        let mut out = Vec::new();
        for (tp, s) in &c.states {
            if c.topics.get(tp.topic.as_str()).is_none() {
                continue;
            }
            if s.leader.0 >= 0 && c.is_live(s.leader) && !c.shutting_down.contains(&s.leader) {
                continue;
            }
            if let Some((n, unclean)) = c.offline_election(tp, s, self.cfg.unclean) {
                out.push((tp.clone(), n, unclean));
            }
        }
        out
    }

    /// Issue conditional partition-state writes (a multi with the controller-epoch check).
    fn write_states(&mut self, io: &mut KIo<'_>, updates: Vec<(TopicPartition, LeaderIsr, bool)>) {
        let Some(c) = self.ctl.as_ref() else { return };
        let (epoch, ezv) = (c.epoch, c.epoch_zk_version);
        let mut ops = Vec::new();
        for (tp, mut s, unclean) in updates {
            s.controller_epoch = epoch;
            let j = json::partition_state_json(epoch, s.leader, s.leader_epoch, &s.isr);
            let key = format!("w:{tp}");
            let op = Op::Multi(vec![
                WriteOp::Check { path: "/controller_epoch".into(), version: ezv },
                WriteOp::SetData { path: state_path(&tp), data: bytes(&j), version: s.zk_version },
            ]);
            ops.push((key.clone(), op));
            self.job().writes.push((key, tp, s, unclean));
        }
        if !ops.is_empty() {
            io.fact(KafkaFact::ControllerActing { epoch: epoch.0, broker: self.id });
        }
        for (k, op) in ops {
            self.jreq(io, k, op);
        }
    }

    /// Create partition states for new partitions (`NewPartition → OnlinePartition`).
    fn create_states(&mut self, io: &mut KIo<'_>, tps: &[TopicPartition]) {
        let Some(c) = self.ctl.as_ref() else { return };
        let (epoch, ezv) = (c.epoch, c.epoch_zk_version);
        let mut reqs: Vec<(String, Op)> = Vec::new();
        let mut writes = Vec::new();
        let mut topics_done: SortedSet<String> = SortedSet::new();
        for tp in tps {
            let replicas = c.replicas(tp);
            let live: Vec<BrokerId> = replicas.iter().filter(|b| c.is_live(**b)).copied().collect();
            let Some(leader) = live.first().copied() else {
                io.note(format!("controller {}: cannot start {tp}: no assigned replica is alive", self.id));
                continue;
            };
            if topics_done.insert(tp.topic.to_string()) {
                reqs.push((
                    format!("pp:{}", tp.topic),
                    Broker::create(&format!("/brokers/topics/{}/partitions", tp.topic), None, CreateMode::PERSISTENT),
                ));
            }
            reqs.push((
                format!("p:{tp}"),
                Broker::create(&format!("/brokers/topics/{}/partitions/{}", tp.topic, tp.partition), None, CreateMode::PERSISTENT),
            ));
            let s = LeaderIsr { leader, leader_epoch: LeaderEpoch(0), isr: live, controller_epoch: epoch, zk_version: 0 };
            let j = json::partition_state_json(epoch, s.leader, s.leader_epoch, &s.isr);
            let key = format!("w:{tp}");
            reqs.push((
                key.clone(),
                Op::Multi(vec![
                    WriteOp::Check { path: "/controller_epoch".into(), version: ezv },
                    WriteOp::Create { path: state_path(tp), data: bytes(&j), mode: CreateMode::PERSISTENT },
                ]),
            ));
            writes.push((key, tp.clone(), s, false));
        }
        if !writes.is_empty() {
            io.fact(KafkaFact::ControllerActing { epoch: epoch.0, broker: self.id });
        }
        self.job().writes.extend(writes);
        for (k, op) in reqs {
            self.jreq(io, k, op);
        }
    }

    /// Take the answers to the writes: successful ones update the context. A BADVERSION on the
    /// controller-epoch check means another controller took over: resign.
    fn apply_writes(&mut self, io: &mut KIo<'_>) -> bool {
        let writes = std::mem::take(&mut self.job().writes);
        let mut moved = false;
        for (key, tp, mut s, unclean) in writes {
            let Some(r) = self.result(&key) else { continue };
            match multi_error(&r) {
                None => {
                    if let Ok(Reply::Multi(v)) = &r {
                        if let Some(WriteResult::SetData { stat }) = v.get(1) {
                            s.zk_version = stat.version;
                        }
                    }
                    let Some(c) = self.ctl.as_mut() else { return false };
                    let old = c.states.get(&tp).cloned();
                    let allowed = c.unclean_allowed(&tp.topic, self.cfg.unclean);
                    io.fact(KafkaFact::StateWritten {
                        tp: tp.clone(),
                        leader: s.leader,
                        isr: s.isr.clone(),
                        unclean_allowed: allowed,
                        unclean,
                    });
                    if io.narrating() {
                        let lead = |b: BrokerId| if b.0 < 0 { "none".to_string() } else { b.0.to_string() };
                        let what = match &old {
                            None => format!("created: leader {}, ISR [{}]", lead(s.leader), ids(&s.isr)),
                            Some(o) if o.leader != s.leader => {
                                format!("leader {} → {}, ISR [{}] → [{}]", lead(o.leader), lead(s.leader), ids(&o.isr), ids(&s.isr))
                            }
                            Some(o) => format!("ISR [{}] → [{}]", ids(&o.isr), ids(&s.isr)),
                        };
                        io.note(format!(
                            "controller {} (epoch {}): {tp} {what}{} — leader_epoch {}, zkVersion {}",
                            self.id,
                            c.epoch,
                            if unclean { " (UNCLEAN election)" } else { "" },
                            s.leader_epoch,
                            s.zk_version
                        ));
                    }
                    c.states.insert(tp.clone(), s);
                    self.job().changed.insert(tp);
                }
                Some((0, ErrCode::BadVersion)) => moved = true,
                Some((_, e)) => io.note(format!("controller {}: writing the state of {tp} failed: {}", self.id, e.name())),
            }
        }
        if moved {
            io.note(format!("controller {}: /controller_epoch changed under us (ControllerMovedException)", self.id));
            self.resign(io);
            self.elect(io);
        }
        moved
    }

    /// LeaderAndIsr for `tps` to their live replicas (or only to `only`).
    fn send_leader_and_isr(&mut self, io: &mut KIo<'_>, tps: &[TopicPartition], only: Option<&[BrokerId]>) {
        let Some(c) = self.ctl.as_ref() else { return };
        let mut per: SortedMap<BrokerId, Vec<PartState>> = SortedMap::new();
        for tp in tps {
            let Some(ps) = c.part_state(tp) else { continue };
            for r in &ps.replicas {
                // ControllerContext.isReplicaOnline: shutting-down brokers are not live here.
                if c.is_live(*r) && !c.shutting_down.contains(r) && only.map(|o| o.contains(r)).unwrap_or(true) {
                    per.get_or_default(*r).push(ps.clone());
                }
            }
        }
        let (epoch, me) = (c.epoch, self.id);
        let epochs = c.live.clone();
        if !per.is_empty() {
            io.fact(KafkaFact::ControllerActing { epoch: epoch.0, broker: me });
        }
        for (b, partitions) in per {
            let msg = KafkaMsg::LeaderAndIsr {
                controller: me,
                controller_epoch: epoch,
                broker_epoch: epochs.get(&b).copied().unwrap_or(-1),
                partitions,
            };
            self.send_to_broker(io, b, msg);
        }
    }

    /// UpdateMetadata to live brokers (or `to`): `full` sends every partition, else `tps`.
    fn send_update_metadata(&mut self, io: &mut KIo<'_>, to: Option<&[BrokerId]>, full: bool, deleted: Vec<String>) {
        let Some(c) = self.ctl.as_ref() else { return };
        let tps: Vec<TopicPartition> = if full {
            c.all_tps()
        } else {
            self.ctl.as_ref().and_then(|c| c.job.as_ref()).map(|j| j.changed.iter().cloned().collect()).unwrap_or_default()
        };
        let partitions: Vec<PartState> = tps.iter().filter_map(|tp| c.part_state(tp)).collect();
        let topics: Vec<(String, TopicId)> = c.topics.iter().map(|(n, t)| (n.clone(), t.id)).collect();
        let live: Vec<BrokerId> = c.live.keys().copied().collect();
        let targets: Vec<BrokerId> = match to {
            Some(t) => t.to_vec(),
            None => live.clone(),
        };
        let msg = KafkaMsg::UpdateMetadata { controller: self.id, controller_epoch: c.epoch, live, partitions, topics, deleted };
        for b in targets {
            self.send_to_broker(io, b, msg.clone());
        }
    }

    /// Send a controller request; to itself it is handled in place.
    fn send_to_broker(&mut self, io: &mut KIo<'_>, b: BrokerId, msg: KafkaMsg) {
        if b == self.id {
            let me = io.id();
            self.on_kafka_local(io, me, msg);
        } else if let Some(n) = self.cfg.node_of(b) {
            io.send(n, KOut::Kafka(msg));
        }
    }

    fn on_kafka_local(&mut self, io: &mut KIo<'_>, me: NodeId, msg: KafkaMsg) {
        // Responses to itself are dropped (the controller does not act on them).
        match msg {
            KafkaMsg::LeaderAndIsr { .. } | KafkaMsg::UpdateMetadata { .. } | KafkaMsg::StopReplica { .. } => {
                let was = self.is_running();
                if was {
                    self.on_kafka_local_request(io, me, msg);
                }
            }
            _ => {}
        }
    }

    /// After changes: LeaderAndIsr to the replicas of changed partitions, UpdateMetadata to all.
    fn flush_changed(&mut self, io: &mut KIo<'_>) {
        let changed: Vec<TopicPartition> = self.job().changed.iter().cloned().collect();
        if changed.is_empty() {
            return;
        }
        self.send_leader_and_isr(io, &changed, None);
        self.send_update_metadata(io, None, false, Vec::new());
        self.job().changed.clear();
    }

    // ------------------------------------------------------------------ broker changes

    fn st_broker_change(&mut self, io: &mut KIo<'_>, stage: u8) -> Step {
        match stage {
            0 => {
                self.jreq(io, "ids".into(), Op::GetChildren { path: "/brokers/ids".into(), watch: true });
                Step::Wait
            }
            1 => {
                let brokers = self.result("ids").as_ref().and_then(children_of).unwrap_or_default();
                self.read_brokers(io, &brokers);
                if brokers.is_empty() {
                    Step::Next
                } else {
                    Step::Wait
                }
            }
            2 => {
                let (born, dead) = self.apply_broker_reads();
                if !born.is_empty() || !dead.is_empty() {
                    io.note(format!("controller {}: broker change — new [{}], dead [{}]", self.id, ids(&born), ids(&dead)));
                }
                {
                    let j = self.job();
                    j.born = born;
                    j.dead = dead.clone();
                }
                if dead.is_empty() {
                    return Step::Next;
                }
                // onReplicasBecomeOffline: partitions led by dead brokers elect first …
                let updates = self.offline_elections();
                self.write_states(io, updates);
                Step::Wait
            }
            3 => {
                if self.apply_writes(io) {
                    return Step::Done;
                }
                // … then the dead replicas leave the ISRs.
                let dead = self.job().dead.clone();
                if dead.is_empty() {
                    return Step::Next;
                }
                let updates = self.isr_removals_for_dead(Some(&dead));
                self.write_states(io, updates);
                Step::Wait
            }
            4 => {
                if self.apply_writes(io) {
                    return Step::Done;
                }
                let dead = self.job().dead.clone();
                if !dead.is_empty() {
                    let changed: Vec<TopicPartition> = self.job().changed.iter().cloned().collect();
                    self.send_leader_and_isr(io, &changed, None);
                    self.send_update_metadata(io, None, true, Vec::new());
                    self.job().changed.clear();
                }
                let born = self.job().born.clone();
                if let Some(c) = self.ctl.as_mut() {
                    let bounced = std::mem::take(&mut c.bounced);
                    c.live.extend(bounced);
                }
                if born.is_empty() {
                    return Step::Done;
                }
                // onBrokerStartup: metadata to everyone, LeaderAndIsr for the new brokers' replicas.
                self.send_update_metadata(io, None, true, Vec::new());
                let theirs: Vec<TopicPartition> = {
                    let c = self.ctl.as_ref().expect("controller");
                    c.states.keys().filter(|tp| c.replicas(tp).iter().any(|r| born.contains(r))).cloned().collect()
                };
                self.send_leader_and_isr(io, &theirs, Some(&born));
                let updates = self.offline_elections();
                self.write_states(io, updates);
                Step::Wait
            }
            5 => {
                self.apply_writes(io);
                self.flush_changed(io);
                Step::Done
            }
            _ => Step::Done,
        }
    }

    // ------------------------------------------------------------------ topics

    fn st_topic_change(&mut self, io: &mut KIo<'_>, stage: u8) -> Step {
        match stage {
            0 => {
                self.jreq(io, "topics".into(), Op::GetChildren { path: "/brokers/topics".into(), watch: true });
                Step::Wait
            }
            1 => {
                let topics = self.result("topics").as_ref().and_then(children_of).unwrap_or_default();
                let (new, gone): (Vec<String>, Vec<String>) = {
                    let c = self.ctl.as_ref().expect("controller");
                    (
                        topics.iter().filter(|t| !c.topics.contains_key(*t)).cloned().collect(),
                        c.topics.keys().filter(|t| !topics.contains(t)).cloned().collect(),
                    )
                };
                if let Some(c) = self.ctl.as_mut() {
                    for t in &gone {
                        c.topics.remove(t);
                        c.states.retain(|tp, _| &tp.topic != t);
                    }
                }
                self.read_topics(io, &new);
                if new.is_empty() {
                    Step::Done
                } else {
                    Step::Wait
                }
            }
            2 => {
                let new_tps = self.apply_topic_reads();
                self.create_states(io, &new_tps);
                Step::Wait
            }
            3 => {
                self.apply_writes(io);
                self.send_update_metadata(io, None, true, Vec::new());
                let changed: Vec<TopicPartition> = self.job().changed.iter().cloned().collect();
                self.send_leader_and_isr(io, &changed, None);
                self.job().changed.clear();
                Step::Done
            }
            _ => Step::Done,
        }
    }

    fn st_partition_mod(&mut self, io: &mut KIo<'_>, stage: u8, topic: String) -> Step {
        match stage {
            0 => {
                let known = self.ctl.as_ref().map(|c| c.topics.contains_key(&topic)).unwrap_or(false);
                if !known {
                    return Step::Done;
                }
                self.read_topics(io, std::slice::from_ref(&topic));
                Step::Wait
            }
            1 | 2 => self.st_topic_change(io, stage + 1),
            _ => Step::Done,
        }
    }

    fn st_topic_deletion(&mut self, io: &mut KIo<'_>, stage: u8) -> Step {
        match stage {
            0 => {
                self.jreq(io, "delete".into(), Op::GetChildren { path: "/admin/delete_topics".into(), watch: true });
                Step::Wait
            }
            1 => {
                let topics = self.result("delete").as_ref().and_then(children_of).unwrap_or_default();
                let mut deleted = Vec::new();
                for t in topics {
                    let ctx = self.ctl.as_mut().and_then(|c| c.topics.remove(&t));
                    if let Some(ctx) = ctx {
                        io.note(format!("controller {}: deleting topic {t}", self.id));
                        let mut per: SortedMap<BrokerId, Vec<TopicPartition>> = SortedMap::new();
                        for (p, rs) in &ctx.assignment {
                            let tp = TopicPartition::new(t.clone(), *p);
                            for r in rs {
                                per.get_or_default(*r).push(tp.clone());
                            }
                            if let Some(c) = self.ctl.as_mut() {
                                c.states.remove(&tp);
                            }
                            self.jreq(io, format!("d:{tp}:s"), Op::Write(WriteOp::Delete { path: state_path(&tp), version: -1 }));
                            self.jreq(
                                io,
                                format!("d:{tp}:p"),
                                Op::Write(WriteOp::Delete { path: format!("/brokers/topics/{t}/partitions/{p}"), version: -1 }),
                            );
                        }
                        self.jreq(
                            io,
                            format!("d:{t}:ps"),
                            Op::Write(WriteOp::Delete { path: format!("/brokers/topics/{t}/partitions"), version: -1 }),
                        );
                        self.jreq(io, format!("d:{t}:t"), Op::Write(WriteOp::Delete { path: format!("/brokers/topics/{t}"), version: -1 }));
                        self.jreq(io, format!("d:{t}:c"), Op::Write(WriteOp::Delete { path: format!("/config/topics/{t}"), version: -1 }));
                        let epoch = self.ctl.as_ref().map(|c| c.epoch).unwrap_or_default();
                        for (b, partitions) in per {
                            if self.ctl.as_ref().map(|c| c.is_live(b)).unwrap_or(false) {
                                self.send_to_broker(io, b, KafkaMsg::StopReplica { controller_epoch: epoch, partitions, delete: true });
                            }
                        }
                        deleted.push(t.clone());
                    }
                    self.jreq(
                        io,
                        format!("d:{t}:a"),
                        Op::Write(WriteOp::Delete { path: format!("/admin/delete_topics/{t}"), version: -1 }),
                    );
                }
                if !deleted.is_empty() {
                    self.send_update_metadata(io, None, false, deleted);
                }
                Step::Wait
            }
            _ => Step::Done,
        }
    }

    // ------------------------------------------------------------------ AlterIsr

    pub(super) fn ctl_alter_isr(
        &mut self,
        io: &mut KIo<'_>,
        from: NodeId,
        broker: BrokerId,
        broker_epoch: i64,
        items: Vec<(TopicPartition, LeaderEpoch, Vec<BrokerId>, i32)>,
    ) {
        if self.ctl.is_none() {
            let resp = KafkaMsg::AlterIsrResponse { items: items.into_iter().map(|(tp, ..)| (tp, Err(KErr::NotController))).collect() };
            if from == io.id() {
                if let KafkaMsg::AlterIsrResponse { items } = resp {
                    self.handle_alter_isr_response(io, items);
                }
            } else {
                io.send(from, KOut::Kafka(resp));
            }
            return;
        }
        self.ctl_enqueue(io, Event::AlterIsr { from, broker, broker_epoch, items });
    }

    fn st_alter_isr(
        &mut self,
        io: &mut KIo<'_>,
        stage: u8,
        from: NodeId,
        broker: BrokerId,
        broker_epoch: i64,
        items: Vec<(TopicPartition, LeaderEpoch, Vec<BrokerId>, i32)>,
    ) -> Step {
        match stage {
            0 => {
                let mut updates = Vec::new();
                let mut answers = Vec::new();
                {
                    let c = self.ctl.as_ref().expect("controller");
                    let epoch_ok = c.live.get(&broker) == Some(&broker_epoch);
                    for (tp, le, isr, zkv) in &items {
                        let key = tp.to_string();
                        let err = match c.states.get(tp) {
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
                                        controller_epoch: c.epoch,
                                        zk_version: s.zk_version,
                                    },
                                    false,
                                ));
                                None
                            }
                        };
                        answers.push((key, err.map(|e| (e, String::new())).map_or(Ok(()), Err)));
                    }
                }
                self.job().answers = answers;
                self.write_states(io, updates);
                Step::Wait
            }
            1 => {
                if self.apply_writes(io) {
                    return Step::Done;
                }
                let answers = std::mem::take(&mut self.job().answers);
                let c = self.ctl.as_ref().expect("controller");
                let mut out = Vec::new();
                for ((tp, ..), (_, a)) in items.iter().zip(answers) {
                    match (a, c.states.get(tp)) {
                        (Ok(()), Some(s)) => out.push((tp.clone(), Ok((s.leader_epoch, s.isr.clone(), s.zk_version)))),
                        (Ok(()), None) => out.push((tp.clone(), Err(KErr::UnknownTopicOrPartition))),
                        (Err((e, _)), _) => out.push((tp.clone(), Err(e))),
                    }
                }
                if from == io.id() {
                    self.handle_alter_isr_response(io, out);
                } else {
                    io.send(from, KOut::Kafka(KafkaMsg::AlterIsrResponse { items: out }));
                }
                self.send_update_metadata(io, None, false, Vec::new());
                self.job().changed.clear();
                Step::Done
            }
            _ => Step::Done,
        }
    }

    // ------------------------------------------------------------------ controlled shutdown

    pub(super) fn ctl_controlled_shutdown(&mut self, io: &mut KIo<'_>, from: Option<NodeId>, broker: BrokerId, broker_epoch: i64) {
        if self.ctl.is_none() {
            if let Some(f) = from {
                io.send(f, KOut::Kafka(KafkaMsg::ControlledShutdownResponse { remaining: 0, error: Some(KErr::NotController) }));
            }
            return;
        }
        self.ctl_enqueue(io, Event::ControlledShutdown { from, broker, broker_epoch });
    }

    fn st_controlled_shutdown(&mut self, io: &mut KIo<'_>, stage: u8, from: Option<NodeId>, broker: BrokerId, broker_epoch: i64) -> Step {
        match stage {
            0 => {
                let live = self.ctl.as_ref().map(|c| c.live.get(&broker) == Some(&broker_epoch)).unwrap_or(false);
                if !live {
                    self.reply_shutdown(io, from, 0, Some(KErr::StaleBrokerEpoch));
                    return Step::Done;
                }
                io.note(format!("controller {}: controlled shutdown of broker {broker}: moving its leaderships away", self.id));
                let c = self.ctl.as_mut().expect("controller");
                c.shutting_down.insert(broker);
                let mut updates = Vec::new();
                for (tp, s) in &c.states {
                    let replicas = c.replicas(tp);
                    if s.leader != broker || replicas.len() <= 1 {
                        continue;
                    }
                    // ControlledShutdownPartitionLeaderElectionStrategy.
                    let cand = replicas.iter().find(|r| c.is_live(**r) && s.isr.contains(r) && !c.shutting_down.contains(r));
                    if let Some(l) = cand {
                        let isr: Vec<BrokerId> = s.isr.iter().filter(|r| !c.shutting_down.contains(r)).copied().collect();
                        updates.push((
                            tp.clone(),
                            LeaderIsr {
                                leader: *l,
                                leader_epoch: LeaderEpoch(s.leader_epoch.0 + 1),
                                isr,
                                controller_epoch: c.epoch,
                                zk_version: s.zk_version,
                            },
                            false,
                        ));
                    }
                }
                self.write_states(io, updates);
                Step::Wait
            }
            1 => {
                if self.apply_writes(io) {
                    return Step::Done;
                }
                self.flush_changed(io);
                let (updates, stops, epoch) = {
                    let c = self.ctl.as_ref().expect("controller");
                    let mut updates = Vec::new();
                    let mut stops = Vec::new();
                    for (tp, s) in &c.states {
                        if s.leader != broker && c.replicas(tp).contains(&broker) {
                            stops.push(tp.clone());
                            if let Some(n) = c.remove_from_isr(s, broker) {
                                updates.push((tp.clone(), n, false));
                            }
                        }
                    }
                    (updates, stops, c.epoch)
                };
                if !stops.is_empty() {
                    self.send_to_broker(io, broker, KafkaMsg::StopReplica { controller_epoch: epoch, partitions: stops, delete: false });
                }
                self.write_states(io, updates);
                Step::Wait
            }
            2 => {
                if self.apply_writes(io) {
                    return Step::Done;
                }
                self.flush_changed(io);
                let remaining = {
                    let c = self.ctl.as_ref().expect("controller");
                    c.states.iter().filter(|(tp, s)| s.leader == broker && c.replicas(tp).len() > 1).count()
                };
                self.reply_shutdown(io, from, remaining, None);
                Step::Done
            }
            _ => Step::Done,
        }
    }

    fn reply_shutdown(&mut self, io: &mut KIo<'_>, from: Option<NodeId>, remaining: usize, error: Option<KErr>) {
        match from {
            Some(f) => io.send(f, KOut::Kafka(KafkaMsg::ControlledShutdownResponse { remaining, error })),
            None => self.handle_shutdown_response(io, remaining, error),
        }
    }

    // ------------------------------------------------------------------ preferred leaders

    pub(super) fn ctl_auto_rebalance(&mut self, io: &mut KIo<'_>) {
        if self.ctl.is_some() {
            self.ctl_enqueue(io, Event::AutoRebalance);
        }
    }

    /// `PreferredReplicaPartitionLeaderElectionStrategy` for `tps`: answers per partition and the
    /// writes to make.
    fn preferred_elections(&self, tps: &[TopicPartition]) -> (Vec<(TopicPartition, LeaderIsr, bool)>, Vec<AdminResult>) {
        let c = self.ctl.as_ref().expect("controller");
        let mut updates = Vec::new();
        let mut answers = Vec::new();
        for tp in tps {
            let Some(s) = c.states.get(tp) else {
                answers.push((
                    tp.to_string(),
                    Err((KErr::UnknownTopicOrPartition, "This server does not host this topic-partition.".to_string())),
                ));
                continue;
            };
            let Some(pref) = c.replicas(tp).first().copied() else { continue };
            if s.leader == pref {
                answers
                    .push((tp.to_string(), Err((KErr::ElectionNotNeeded, "Leader election not needed for topic partition.".to_string()))));
            } else if !c.is_live(pref) || !s.isr.contains(&pref) || c.shutting_down.contains(&pref) {
                answers.push((
                    tp.to_string(),
                    Err((
                        KErr::PreferredLeaderNotAvailable,
                        format!("Failed to elect leader for partition {tp} under strategy PreferredReplicaPartitionLeaderElectionStrategy"),
                    )),
                ));
            } else {
                updates.push((
                    tp.clone(),
                    LeaderIsr {
                        leader: pref,
                        leader_epoch: LeaderEpoch(s.leader_epoch.0 + 1),
                        isr: s.isr.clone(),
                        controller_epoch: c.epoch,
                        zk_version: s.zk_version,
                    },
                    false,
                ));
                answers.push((tp.to_string(), Ok(())));
            }
        }
        (updates, answers)
    }

    fn st_auto_rebalance(&mut self, io: &mut KIo<'_>, stage: u8) -> Step {
        match stage {
            0 => {
                let tps = {
                    let c = self.ctl.as_ref().expect("controller");
                    // checkAndTriggerAutoLeaderRebalance: per preferred broker, the share of its
                    // partitions it does not lead.
                    let mut by_pref: SortedMap<BrokerId, Vec<(&TopicPartition, &LeaderIsr)>> = SortedMap::new();
                    for (tp, s) in &c.states {
                        if let Some(p) = c.replicas(tp).first() {
                            by_pref.get_or_default(*p).push((tp, s));
                        }
                    }
                    let mut tps = Vec::new();
                    for (pref, parts) in by_pref {
                        if !c.is_live(pref) || c.shutting_down.contains(&pref) {
                            continue;
                        }
                        let not_led: Vec<&TopicPartition> = parts.iter().filter(|(_, s)| s.leader != pref).map(|(tp, _)| *tp).collect();
                        let ratio = not_led.len() as f64 / parts.len() as f64;
                        if ratio > self.cfg.imbalance_pct as f64 / 100.0 {
                            let shown = ratio_3dp(not_led.len() as u64, parts.len() as u64);
                            io.note(format!(
                                "controller {}: leader imbalance ratio for broker {pref} is {shown} (> {}%): preferred leader election",
                                self.id, self.cfg.imbalance_pct
                            ));
                            for tp in not_led {
                                let s = &c.states[tp];
                                if s.isr.contains(&pref) {
                                    tps.push(tp.clone());
                                }
                            }
                        }
                    }
                    tps
                };
                let (updates, _) = self.preferred_elections(&tps);
                self.write_states(io, updates);
                Step::Wait
            }
            1 => {
                self.apply_writes(io);
                self.flush_changed(io);
                if self.cfg.auto_rebalance {
                    io.set_timer(KafkaTimer::AutoRebalance, Duration::from_secs(self.cfg.imbalance_interval_s));
                }
                Step::Done
            }
            _ => Step::Done,
        }
    }

    // ------------------------------------------------------------------ admin requests

    pub(super) fn ctl_admin(&mut self, io: &mut KIo<'_>, from: NodeId, corr: u64, op: AdminOp) {
        if self.ctl.is_none() {
            io.send(
                from,
                KOut::Kafka(KafkaMsg::AdminResponse {
                    corr,
                    results: vec![(
                        String::new(),
                        Err((KErr::NotController, "This is not the correct controller for this cluster.".into())),
                    )],
                }),
            );
            return;
        }
        self.ctl_enqueue(io, Event::Admin { from, corr, op });
    }

    fn admin_reply(&mut self, io: &mut KIo<'_>, from: NodeId, corr: u64, results: Vec<AdminResult>) -> Step {
        io.send(from, KOut::Kafka(KafkaMsg::AdminResponse { corr, results }));
        Step::Done
    }

    fn st_admin(&mut self, io: &mut KIo<'_>, stage: u8, from: NodeId, corr: u64, op: AdminOp) -> Step {
        match op {
            AdminOp::CreateTopic { topic, partitions, replication_factor, assignment, configs } => match stage {
                0 => {
                    let key = topic.clone();
                    if let Err(m) = validate_topic_name(&topic) {
                        return self.admin_reply(io, from, corr, vec![(key, Err((KErr::InvalidTopic, m)))]);
                    }
                    let (exists, live) = {
                        let c = self.ctl.as_ref().expect("controller");
                        (c.topics.contains_key(&topic), c.live.keys().copied().collect::<Vec<_>>())
                    };
                    if exists {
                        return self.admin_reply(
                            io,
                            from,
                            corr,
                            vec![(key, Err((KErr::TopicAlreadyExists, format!("Topic '{topic}' already exists."))))],
                        );
                    }
                    let a = match assignment {
                        Some(a) => {
                            if let Some(b) = a.values().flatten().find(|b| !live.contains(b)) {
                                let _ = b;
                                let unknown: SortedSet<i32> = a.values().flatten().filter(|b| !live.contains(b)).map(|b| b.0).collect();
                                let list = unknown.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ");
                                return self.admin_reply(
                                    io,
                                    from,
                                    corr,
                                    vec![(
                                        key,
                                        Err((KErr::InvalidReplicaAssignment, format!("Unknown broker(s) in replica assignment: {list}."))),
                                    )],
                                );
                            }
                            a
                        }
                        None => {
                            let n = partitions.unwrap_or(1);
                            let rf = replication_factor.unwrap_or(1);
                            let mut next = |bound: i32| io.rng().below(bound.max(1) as u64) as i32;
                            match assign_replicas_rack_unaware(&live, n, rf, -1, -1, &mut next) {
                                Ok(a) => a,
                                Err(e) => {
                                    let k = match e {
                                        super::assign::AssignError::InvalidPartitions(_) => KErr::InvalidPartitions,
                                        _ => KErr::InvalidReplicationFactor,
                                    };
                                    return self.admin_reply(io, from, corr, vec![(key, Err((k, e.message().to_string())))]);
                                }
                            }
                        }
                    };
                    let mut b = [0u8; 16];
                    for x in b.iter_mut() {
                        *x = io.rng().below(256) as u8;
                    }
                    let id = TopicId::random_v4(b);
                    let cfg = json::topic_config_json_ordered(&configs);
                    self.jreq(io, "cfg".into(), Broker::create(&format!("/config/topics/{topic}"), Some(&cfg), CreateMode::PERSISTENT));
                    self.jreq(
                        io,
                        "topic".into(),
                        Broker::create(
                            &format!("/brokers/topics/{topic}"),
                            Some(&json::topic_assignment_json(&a, id)),
                            CreateMode::PERSISTENT,
                        ),
                    );
                    Step::Wait
                }
                _ => {
                    let r = self.result("topic");
                    let res = match r.as_ref().map(multi_error) {
                        Some(None) => Ok(()),
                        Some(Some((_, ErrCode::NodeExists))) => Err((KErr::TopicAlreadyExists, format!("Topic '{topic}' already exists."))),
                        _ => Err((KErr::RequestTimedOut, "Call timed out".to_string())),
                    };
                    self.admin_reply(io, from, corr, vec![(topic, res)])
                }
            },
            AdminOp::DeleteTopic { topic } => match stage {
                0 => {
                    let exists = self.ctl.as_ref().map(|c| c.topics.contains_key(&topic)).unwrap_or(false);
                    if !exists {
                        return self.admin_reply(
                            io,
                            from,
                            corr,
                            vec![(topic, Err((KErr::UnknownTopicOrPartition, "This server does not host this topic-partition.".into())))],
                        );
                    }
                    self.jreq(io, "mark".into(), Broker::create(&format!("/admin/delete_topics/{topic}"), None, CreateMode::PERSISTENT));
                    Step::Wait
                }
                _ => self.admin_reply(io, from, corr, vec![(topic, Ok(()))]),
            },
            AdminOp::CreatePartitions { topic, count } => match stage {
                0 => {
                    let (ctx, live) = {
                        let c = self.ctl.as_ref().expect("controller");
                        (c.topics.get(&topic).cloned(), c.live.keys().copied().collect::<Vec<_>>())
                    };
                    let Some(ctx) = ctx else {
                        return self.admin_reply(
                            io,
                            from,
                            corr,
                            vec![(topic, Err((KErr::UnknownTopicOrPartition, "This server does not host this topic-partition.".into())))],
                        );
                    };
                    let cur = ctx.assignment.len() as i32;
                    if count < cur {
                        return self.admin_reply(
                            io,
                            from,
                            corr,
                            vec![(
                                topic,
                                Err((
                                    KErr::InvalidPartitions,
                                    format!("Topic currently has {cur} partitions, which is higher than the requested {count}."),
                                )),
                            )],
                        );
                    }
                    if count == cur {
                        return self.admin_reply(
                            io,
                            from,
                            corr,
                            vec![(topic, Err((KErr::InvalidPartitions, format!("Topic already has {cur} partitions."))))],
                        );
                    }
                    let rf = ctx.assignment.values().next().map(|r| r.len() as i32).unwrap_or(1);
                    let start = ctx
                        .assignment
                        .get(&0)
                        .and_then(|r| r.first())
                        .and_then(|h| live.iter().position(|b| b == h))
                        .map(|p| p as i32)
                        .unwrap_or(-1);
                    let mut next = |bound: i32| io.rng().below(bound.max(1) as u64) as i32;
                    let added = match assign_replicas_rack_unaware(&live, count - cur, rf, start, cur, &mut next) {
                        Ok(a) => a,
                        Err(e) => {
                            return self.admin_reply(
                                io,
                                from,
                                corr,
                                vec![(topic, Err((KErr::InvalidReplicationFactor, e.message().to_string())))],
                            )
                        }
                    };
                    let mut all = ctx.assignment.clone();
                    all.extend(added);
                    self.jreq(
                        io,
                        "topic".into(),
                        Op::Write(WriteOp::SetData {
                            path: format!("/brokers/topics/{topic}"),
                            data: bytes(&json::topic_assignment_json(&all, ctx.id)),
                            version: -1,
                        }),
                    );
                    Step::Wait
                }
                _ => self.admin_reply(io, from, corr, vec![(topic, Ok(()))]),
            },
            AdminOp::ElectPreferred { partitions } => match stage {
                0 => {
                    let tps = match partitions {
                        Some(p) => p,
                        None => self.ctl.as_ref().map(|c| c.all_tps()).unwrap_or_default(),
                    };
                    let (updates, answers) = self.preferred_elections(&tps);
                    self.job().answers = answers;
                    self.write_states(io, updates);
                    Step::Wait
                }
                _ => {
                    self.apply_writes(io);
                    self.flush_changed(io);
                    let answers = std::mem::take(&mut self.job().answers);
                    self.admin_reply(io, from, corr, answers)
                }
            },
        }
    }

    // ------------------------------------------------------------------ watches

    pub(super) fn ctl_watch(&mut self, io: &mut KIo<'_>, event: EventType, path: String) {
        if self.ctl.is_none() {
            return;
        }
        let ev = match (event, path.as_str()) {
            (EventType::NodeChildrenChanged, "/brokers/ids") => Event::BrokerChange,
            (EventType::NodeChildrenChanged, "/brokers/topics") => Event::TopicChange,
            (EventType::NodeChildrenChanged, "/admin/delete_topics") => Event::TopicDeletion,
            (EventType::NodeDataChanged, p) if p.starts_with("/brokers/topics/") && p.matches('/').count() == 3 => {
                Event::PartitionModification(p["/brokers/topics/".len()..].to_string())
            }
            _ => return,
        };
        self.ctl_enqueue(io, ev);
    }
}

impl Broker {
    /// A controller request this broker sent to itself: handled like one from the network.
    fn on_kafka_local_request(&mut self, io: &mut KIo<'_>, me: NodeId, msg: KafkaMsg) {
        self.on_kafka(io, me, msg);
    }
}

/// `num / den` (as an `f64`, `den > 0`) written as `format!("{:.3}")` writes it, without Rust's
/// float formatting (≈ 6 KB of the browser module for this one note). The quotient is rounded
/// in integers; only an exact tie between two thousandths needs the `f64` itself, which then
/// lies just above or below the tie (or on it, and rounds to even), as the formatter sees it.
fn ratio_3dp(num: u64, den: u64) -> String {
    let (mut q, r) = ((num * 1000) / den, (num * 1000) % den);
    if 2 * r > den {
        q += 1;
    } else if 2 * r == den {
        // The f64 is mant · 2^exp; compare it with the tie (2q + 1) / 2000 exactly.
        let d = num as f64 / den as f64;
        let bits = d.to_bits();
        let (mant, exp) = ((bits & ((1 << 52) - 1)) | (1 << 52), ((bits >> 52) & 0x7ff) as i32 - 1075);
        let (lhs, rhs) =
            if exp >= 0 { ((mant as u128 * 2000) << exp, 2 * q as u128 + 1) } else { (mant as u128 * 2000, (2 * q as u128 + 1) << -exp) };
        if lhs > rhs || (lhs == rhs && q % 2 == 1) {
            q += 1;
        }
    }
    format!("{}.{:03}", q / 1000, q % 1000)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::ratio_3dp;

    #[test]
    fn imbalance_ratio_is_written_as_the_float_formatter_writes_three_decimals() {
        for den in 1..=2000u64 {
            for num in 0..=den {
                assert_eq!(ratio_3dp(num, den), format!("{:.3}", num as f64 / den as f64), "{num}/{den}");
            }
        }
    }
}
