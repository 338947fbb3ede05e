//! The process every Kafka tool runs as on the simulated network: a ZooKeeper client for the
//! `--zookeeper` paths, Metadata requests to the bootstrap brokers, requests to the controller
//! and to partition leaders, a 100 ms tick for retries and timeouts, and the output lines. The
//! tools' own behaviour lives in one file per tool (`topics_service.rs`, `leader_election.rs`,
//! `console_producer.rs`, `console_consumer.rs`); the load producer of the benchmark and the
//! swarm is here.
//!
//! Follows the clients' `NetworkClient`/`Metadata` refresh (`retry.backoff.ms` = 100 ms between
//! metadata requests, the next bootstrap server after a disconnect) and, for the admin calls,
//! `clients/.../admin/KafkaAdminClient.java` (requests to the controller; `Timed out waiting for
//! a node assignment` after `default.api.timeout.ms` = 60 s).
//!
//! Simplified: one connection per request; the admin client's timeout is the same 60 s for every
//! call; the load producer sends one record at a time (acks=all), partitions round robin.

use crate::sorted::{SortedMap, SortedSet};

use crate::sim::time::{Duration, Time};
use crate::sim::NodeId;
use crate::zk::cli_format::log4j_date;
use crate::zk::client::{ClientEvent, ZkClient};
use crate::zk::msg::ZkMsg;
use crate::zk::types::{ErrCode, Op, Reply};
use std::rc::Rc;

use super::{ConsumerCmd, LeaderElectionCmd, ProducerCmd, TopicsAction, TopicsCmd, TOPIC_COMMAND_ERROR_PREFIX as ERR};
use crate::kafka::broker::{KIo, KOut, KafkaTimer, ZkIo};
use crate::kafka::msg::{AdminOp, AdminResult, KErr, KafkaMsg, TopicMeta};
use crate::kafka::types::{BrokerId, TopicPartition};

/// Which tool, with its parsed command line.
#[derive(Clone, Debug)]
pub enum ToolJob {
    Topics(TopicsCmd),
    Election(LeaderElectionCmd),
    Producer {
        cmd: ProducerCmd,
        values: Vec<String>,
    },
    Consumer(ConsumerCmd),
    /// Benchmark/swarm load: one record every `every`, acks=all, partitions round robin.
    Load {
        topic: String,
        every: Duration,
    },
}

/// Per-partition consumer position.
#[derive(Clone, Debug)]
pub(super) struct Position {
    pub(super) offset: i64,
    pub(super) started: bool,
}

/// A Kafka tool process.
#[derive(Clone, Debug)]
pub struct KafkaTool {
    pub job: ToolJob,
    pub zk: Option<ZkClient>,
    /// Bootstrap brokers (nodes), in the order given.
    pub bootstrap: Vec<NodeId>,
    /// Every broker's node (to reach leaders and the controller).
    pub brokers: SortedMap<BrokerId, NodeId>,
    pub out: Vec<String>,
    pub exited: bool,
    pub(super) phase: u8,
    pub(super) tags: SortedMap<u64, String>,
    pub(super) ops: SortedMap<String, Op>,
    pub(super) next_tag: u64,
    pub(super) results: SortedMap<String, Result<Reply, ErrCode>>,
    pub(super) outstanding: usize,
    pub(super) names: Vec<String>,
    pub(super) corr: u64,
    pub(super) waiting: SortedSet<u64>,
    pub(super) meta: Option<(Option<BrokerId>, Vec<BrokerId>, Vec<TopicMeta>)>,
    pub(super) boot_cursor: usize,
    pub(super) started_at: Time,
    pub(super) last_progress: Time,
    /// Consumer positions / producer bookkeeping.
    pub(super) positions: SortedMap<TopicPartition, Position>,
    pub(super) consumed: i64,
    pub(super) produce_target: Option<TopicPartition>,
    pub(super) retries: u64,
    pub(super) last_error: Option<KErr>,
    /// Load producer: acknowledged and failed records.
    pub acked: u64,
    pub failed: u64,
    pub(super) seq: u64,
    pub(super) rr: usize,
    pub(super) wall_ms: u64,
}

pub(super) fn time_prefix(wall_ms: u64) -> String {
    format!("[{}]", log4j_date(wall_ms))
}

impl KafkaTool {
    pub fn new(job: ToolJob, zk_servers: Option<Vec<NodeId>>, bootstrap: Vec<NodeId>, brokers: SortedMap<BrokerId, NodeId>) -> KafkaTool {
        KafkaTool {
            job,
            zk: zk_servers.map(|s| ZkClient::new(s, 30_000)),
            bootstrap,
            brokers,
            out: Vec::new(),
            exited: false,
            phase: 0,
            tags: SortedMap::new(),
            ops: SortedMap::new(),
            next_tag: 1,
            results: SortedMap::new(),
            outstanding: 0,
            names: Vec::new(),
            corr: 1,
            waiting: SortedSet::new(),
            meta: None,
            boot_cursor: 0,
            started_at: Time::ZERO,
            last_progress: Time::ZERO,
            positions: SortedMap::new(),
            consumed: 0,
            produce_target: None,
            retries: 0,
            last_error: None,
            acked: 0,
            failed: 0,
            seq: 0,
            rr: 0,
            wall_ms: 0,
        }
    }

    pub(super) fn finish(&mut self, io: &mut KIo<'_>) {
        if self.exited {
            return;
        }
        self.exited = true;
        if let Some(zk) = self.zk.as_mut() {
            let mut zio = ZkIo { inner: io };
            let _ = zk.close(&mut zio);
        }
        io.cancel_timer(KafkaTimer::Tool);
        io.exit();
    }

    pub(super) fn print(&mut self, line: impl Into<String>) {
        self.out.push(line.into());
    }

    pub fn start(&mut self, io: &mut KIo<'_>) {
        self.started_at = io.now();
        self.last_progress = io.now();
        self.wall_ms = io.wall_ms();
        if self.zk.is_some() {
            if let Some(zk) = self.zk.as_mut() {
                let mut zio = ZkIo { inner: io };
                zk.start(&mut zio);
            }
            self.zk_phase(io);
        } else {
            self.request_metadata(io);
            io.set_timer(KafkaTimer::Tool, Duration::from_millis(100));
        }
    }

    // ------------------------------------------------------------------ ZooKeeper side

    pub(super) fn zreq(&mut self, io: &mut KIo<'_>, key: &str, op: Op) {
        if self.zk.as_ref().map(|z| z.is_dead() || matches!(z.state, crate::zk::client::ClientState::Closing { .. })).unwrap_or(true) {
            return;
        }
        let tag = self.next_tag;
        self.next_tag += 1;
        self.tags.insert(tag, key.to_string());
        self.ops.insert(key.to_string(), op.clone());
        self.outstanding += 1;
        let Some(zk) = self.zk.as_mut() else { return };
        let ev = {
            let mut zio = ZkIo { inner: io };
            zk.submit(&mut zio, tag, op)
        };
        self.zk_events(io, ev);
    }

    pub fn on_zk_msg(&mut self, io: &mut KIo<'_>, from: NodeId, msg: ZkMsg) {
        let Some(zk) = self.zk.as_mut() else { return };
        let ev = {
            let mut zio = ZkIo { inner: io };
            zk.on_msg(&mut zio, from, msg)
        };
        self.zk_events(io, ev);
    }

    fn zk_events(&mut self, io: &mut KIo<'_>, events: Vec<ClientEvent>) {
        for e in events {
            if let ClientEvent::Reply { tag, result, .. } = e {
                if let Some(key) = self.tags.remove(&tag) {
                    if matches!(result, Err(ErrCode::ConnectionLoss)) && !self.exited {
                        // The admin ZooKeeper client retries until connected.
                        if let Some(op) = self.ops.get(&key).cloned() {
                            self.outstanding -= 1;
                            self.zreq(io, &key, op);
                        }
                        continue;
                    }
                    self.results.insert(key, result);
                    self.outstanding = self.outstanding.saturating_sub(1);
                }
            }
        }
        if self.outstanding == 0 && self.zk.is_some() && !self.exited && self.results.keys().any(|k| !k.starts_with('#')) {
            self.phase += 1;
            self.zk_phase(io);
        }
    }

    pub(super) fn take(&mut self, key: &str) -> Option<Result<Reply, ErrCode>> {
        self.results.remove(key)
    }

    // ------------------------------------------------------------------ Kafka side

    pub(super) fn request_metadata(&mut self, io: &mut KIo<'_>) {
        if self.bootstrap.is_empty() {
            return;
        }
        let node = self.bootstrap[self.boot_cursor % self.bootstrap.len()];
        let corr = self.corr;
        self.corr += 1;
        self.waiting.insert(corr);
        self.names.retain(|n| !n.starts_with("meta:"));
        self.names.push(format!("meta:{corr}"));
        io.send(node, KOut::Kafka(KafkaMsg::Metadata { corr }));
    }

    pub fn on_disconnect(&mut self, io: &mut KIo<'_>, peer: NodeId) {
        if let Some(zk) = self.zk.as_mut() {
            if zk.owns(peer) {
                let ev = {
                    let mut zio = ZkIo { inner: io };
                    zk.on_disconnect(&mut zio, peer)
                };
                self.zk_events(io, ev);
                return;
            }
        }
        // A broker went away (or refused): next bootstrap server / refresh metadata at the next tick.
        self.boot_cursor += 1;
        self.waiting.clear();
        self.meta = None;
        self.produce_target = self.produce_target.take();
    }

    pub fn on_timer(&mut self, io: &mut KIo<'_>, t: KafkaTimer) {
        match t {
            KafkaTimer::Zk(ct) => {
                if let Some(zk) = self.zk.as_mut() {
                    let ev = {
                        let mut zio = ZkIo { inner: io };
                        zk.on_timer(&mut zio, ct)
                    };
                    self.zk_events(io, ev);
                }
            }
            KafkaTimer::Tool => {
                if self.exited {
                    return;
                }
                self.tick(io);
                if !self.exited {
                    io.set_timer(KafkaTimer::Tool, Duration::from_millis(100));
                }
            }
            _ => {}
        }
    }

    /// Every 100 ms: (re)send what is missing, and give up after the tool's timeout.
    fn tick(&mut self, io: &mut KIo<'_>) {
        let now = io.now();
        let waited = now.since(self.started_at);
        let idle = now.since(self.last_progress);
        match self.job.clone() {
            ToolJob::Topics(_) | ToolJob::Election(_) => {
                if waited >= Duration::from_secs(60) {
                    let call = match &self.job {
                        ToolJob::Topics(c) => match c.action {
                            TopicsAction::Create => "createTopics",
                            TopicsAction::Delete => "deleteTopics",
                            TopicsAction::Alter => "createPartitions",
                            _ => "listTopics",
                        },
                        _ => "electLeaders",
                    };
                    if matches!(self.job, ToolJob::Topics(_)) {
                        self.print(format!(
                            "{ERR}org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: {call}"
                        ));
                    } else {
                        self.print(format!("Exception in thread \"main\" org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: {call}"));
                    }
                    self.finish(io);
                    return;
                }
                if self.waiting.is_empty() && idle >= Duration::from_millis(100) {
                    self.request_metadata(io);
                }
            }
            ToolJob::Producer { .. } => self.producer_tick(io, waited, idle),
            ToolJob::Consumer(cmd) => self.consumer_tick(io, &cmd, idle),
            ToolJob::Load { every, .. } => {
                if self.waiting.is_empty() && (self.meta.is_none() || idle >= Duration::from_secs(5)) {
                    self.request_metadata(io);
                    self.last_progress = now;
                } else if self.meta.is_some() && self.waiting.is_empty() {
                    let _ = every;
                    self.load_send(io);
                }
            }
        }
    }

    pub fn on_kafka(&mut self, io: &mut KIo<'_>, from: NodeId, msg: KafkaMsg) {
        if self.exited {
            return;
        }
        match msg {
            KafkaMsg::MetadataResponse { corr, controller, brokers, topics } => {
                if !self.waiting.remove(&corr) {
                    return;
                }
                self.meta = Some((controller, brokers, topics));
                self.after_metadata(io);
            }
            KafkaMsg::AdminResponse { corr, results } => {
                if !self.waiting.remove(&corr) {
                    return;
                }
                self.after_admin(io, results);
            }
            KafkaMsg::ProduceResponse { corr, tp, result } => {
                if !self.waiting.remove(&corr) {
                    return;
                }
                self.after_produce(io, tp, result);
            }
            KafkaMsg::FetchResponse { corr, parts } => {
                if !self.waiting.remove(&corr) {
                    return;
                }
                let _ = from;
                self.after_fetch(io, parts);
            }
            _ => {}
        }
    }

    pub(super) fn controller_node(&self) -> Option<NodeId> {
        let (c, _, _) = self.meta.as_ref()?;
        self.brokers.get(&(*c)?).copied()
    }

    pub(super) fn send_admin(&mut self, io: &mut KIo<'_>, op: AdminOp) {
        let Some(node) = self.controller_node() else {
            self.meta = None;
            return;
        };
        let corr = self.corr;
        self.corr += 1;
        self.waiting.insert(corr);
        io.send(node, KOut::Kafka(KafkaMsg::Admin { corr, op }));
    }

    pub(super) fn topic_meta(&self, topic: &str) -> Option<&TopicMeta> {
        self.meta.as_ref()?.2.iter().find(|t| t.name == topic)
    }

    fn after_metadata(&mut self, io: &mut KIo<'_>) {
        self.last_progress = io.now();
        match self.job.clone() {
            ToolJob::Topics(cmd) => self.topics_after_metadata(io, cmd),
            ToolJob::Election(cmd) => self.election_after_metadata(io, cmd),
            ToolJob::Producer { cmd, .. } => self.producer_after_metadata(io, cmd),
            ToolJob::Consumer(cmd) => self.consumer_after_metadata(io, cmd),
            ToolJob::Load { .. } => self.load_send(io),
        }
    }

    fn after_admin(&mut self, io: &mut KIo<'_>, results: Vec<AdminResult>) {
        if results.iter().any(|(_, r)| matches!(r, Err((KErr::NotController, _)))) {
            self.meta = None;
            return;
        }
        match self.job.clone() {
            ToolJob::Topics(cmd) => self.topics_after_admin(io, cmd, results),
            ToolJob::Election(_) => self.election_after_admin(io, results),
            _ => {}
        }
    }

    // ------------------------------------------------------------------ load producer

    fn load_send(&mut self, io: &mut KIo<'_>) {
        let ToolJob::Load { topic, .. } = &self.job else { return };
        let Some(tm) = self.topic_meta(topic) else { return };
        if tm.partitions.is_empty() {
            return;
        }
        let rr = (self.rr + 1) % tm.partitions.len();
        let (leader, partition) = (tm.partitions[rr].leader, tm.partitions[rr].partition);
        let tp = TopicPartition::new(topic, partition);
        self.rr = rr;
        let Some(node) = self.brokers.get(&leader).copied() else { return };
        self.seq += 1;
        let corr = self.corr;
        self.corr += 1;
        self.waiting.insert(corr);
        let v: Rc<str> = Rc::from(format!("record-{}", self.seq).as_str());
        io.send(node, KOut::Kafka(KafkaMsg::Produce { corr, acks: -1, tp, values: vec![v] }));
    }

    pub fn crash(&mut self) {
        if let Some(zk) = self.zk.as_mut() {
            zk.reset();
        }
        self.exited = true;
    }
}
