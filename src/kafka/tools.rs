//! The Kafka command-line tools as processes on the simulated network, printing what the real
//! 2.8 tools print: `kafka-topics` over `--zookeeper` (a ZooKeeper client reading and writing the
//! znodes, as `AdminZkClient`/`TopicCommand.ZookeeperTopicService` do) or over
//! `--bootstrap-server` (an admin client: Metadata, then CreateTopics/DeleteTopics/CreatePartitions
//! to the controller), `kafka-leader-election`, `kafka-console-producer` and
//! `kafka-console-consumer`; plus a load producer for the benchmark and the swarm.
//!
//! Follows `core/src/main/scala/kafka/admin/TopicCommand.scala`, `kafka/zk/AdminZkClient.scala`,
//! `kafka/tools/ConsoleProducer.scala`, `kafka/tools/ConsoleConsumer.scala`,
//! `clients/.../producer/internals/Sender.java` (retries of retriable errors until
//! `delivery.timeout.ms`), `clients/.../producer/internals/StickyPartitionCache.java`.
//!
//! Simplified: the console consumer assigns itself every partition (no group coordinator, no
//! offset commits); without `--timeout-ms` and `--max-messages` it stops after 10 s without a new
//! record, as if interrupted; the producer sends the lines given to it as one batch to one
//! partition (what the sticky partitioner does with lines typed within `linger.ms`); retries of the
//! same error are summarised in one line; topics are not auto-created.

use crate::sorted::{SortedMap, SortedSet};
use std::rc::Rc;

use crate::sim::time::{Duration, Time};
use crate::sim::NodeId;
use crate::zk::cli_format::log4j_date;
use crate::zk::client::{ClientEvent, ZkClient};
use crate::zk::msg::ZkMsg;
use crate::zk::types::{CreateMode, ErrCode, Op, Reply, WriteOp};

use super::assign::assign_replicas_rack_unaware;
use super::broker::{bytes, children_of, data_of, multi_error, KIo, KOut, KafkaTimer, ZkIo};
use super::json;
use super::msg::{AdminOp, AdminResult, FetchPart, KErr, KafkaMsg, TopicMeta};
use super::topics_cmd::{
    self, ConsumerCmd, ElectionTarget, LeaderElectionCmd, PartitionDescription, ProducerCmd, StartOffset, TopicDescription, TopicsAction,
    TopicsCmd,
};
use super::types::{BrokerId, TopicId, TopicPartition};

/// `kafka-topics` prints this before the exception message.
const ERR: &str = "Error while executing topic command : ";

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
struct Position {
    offset: i64,
    started: bool,
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
    phase: u8,
    tags: SortedMap<u64, String>,
    ops: SortedMap<String, Op>,
    next_tag: u64,
    results: SortedMap<String, Result<Reply, ErrCode>>,
    outstanding: usize,
    names: Vec<String>,
    corr: u64,
    waiting: SortedSet<u64>,
    meta: Option<(Option<BrokerId>, Vec<BrokerId>, Vec<TopicMeta>)>,
    boot_cursor: usize,
    started_at: Time,
    last_progress: Time,
    /// Consumer positions / producer bookkeeping.
    positions: SortedMap<TopicPartition, Position>,
    consumed: i64,
    produce_target: Option<TopicPartition>,
    retries: u64,
    last_error: Option<KErr>,
    /// Load producer: acknowledged and failed records.
    pub acked: u64,
    pub failed: u64,
    seq: u64,
    rr: usize,
    wall_ms: u64,
}

fn time_prefix(wall_ms: u64) -> String {
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

    fn finish(&mut self, io: &mut KIo<'_>) {
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

    fn print(&mut self, line: impl Into<String>) {
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

    fn zreq(&mut self, io: &mut KIo<'_>, key: &str, op: Op) {
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

    fn take(&mut self, key: &str) -> Option<Result<Reply, ErrCode>> {
        self.results.remove(key)
    }

    fn zk_phase(&mut self, io: &mut KIo<'_>) {
        let ToolJob::Topics(cmd) = self.job.clone() else { return };
        let phase = self.phase;
        match cmd.action {
            TopicsAction::Create => self.zk_create(io, &cmd, phase),
            TopicsAction::List | TopicsAction::Describe => self.zk_describe(io, &cmd, phase),
            TopicsAction::Delete => self.zk_delete(io, &cmd, phase),
            TopicsAction::Alter => self.zk_alter(io, &cmd, phase),
        }
        self.results.retain(|k, _| k.starts_with('#'));
        if self.outstanding == 0 && !self.exited {
            self.finish(io);
        }
    }

    fn zk_create(&mut self, io: &mut KIo<'_>, cmd: &TopicsCmd, phase: u8) {
        let topic = cmd.topic.clone().unwrap_or_default();
        match phase {
            0 => {
                if let Some(w) = cmd.create_warning() {
                    self.print(w);
                }
                self.zreq(io, "ids", Op::GetChildren { path: "/brokers/ids".into(), watch: false });
                self.zreq(io, "exists", Op::Exists { path: format!("/brokers/topics/{topic}"), watch: false });
            }
            1 => {
                let ids: Vec<BrokerId> = self.names.drain(..).filter_map(|n| n.parse().ok()).map(BrokerId).collect();
                let _ = ids;
                let brokers: Vec<BrokerId> = {
                    let mut v: Vec<BrokerId> = self.results_children("ids").iter().filter_map(|n| n.parse().ok()).map(BrokerId).collect();
                    crate::sorted::sort(&mut v);
                    v
                };
                let exists = matches!(self.take("exists"), Some(Ok(Reply::Exists { stat: Some(_) })));
                if exists {
                    if !cmd.if_not_exists {
                        self.print(format!("{ERR}{}", topics_cmd::topic_already_exists_message(&topic)));
                    }
                    return;
                }
                let assignment = match &cmd.replica_assignment {
                    Some(a) => a.clone(),
                    None => {
                        let n = cmd.partitions.unwrap_or(1);
                        let rf = cmd.replication_factor.unwrap_or(1);
                        let mut next = |bound: i32| io.rng().below(bound.max(1) as u64) as i32;
                        match assign_replicas_rack_unaware(&brokers, n, rf, -1, -1, &mut next) {
                            Ok(a) => a,
                            Err(e) => {
                                self.print(format!("{ERR}{}", e.message()));
                                return;
                            }
                        }
                    }
                };
                let mut b = [0u8; 16];
                for x in b.iter_mut() {
                    *x = io.rng().below(256) as u8;
                }
                let id = TopicId::random_v4(b);
                let cfg = json::topic_config_json_ordered(&cmd.configs);
                self.zreq(
                    io,
                    "cfg",
                    Op::Write(WriteOp::Create { path: format!("/config/topics/{topic}"), data: bytes(&cfg), mode: CreateMode::PERSISTENT }),
                );
                self.zreq(
                    io,
                    "topic",
                    Op::Write(WriteOp::Create {
                        path: format!("/brokers/topics/{topic}"),
                        data: bytes(&json::topic_assignment_json(&assignment, id)),
                        mode: CreateMode::PERSISTENT,
                    }),
                );
            }
            _ => {
                let r = self.take("topic");
                match r.as_ref().and_then(multi_error) {
                    None => self.print(topics_cmd::created_topic_line(&topic)),
                    Some((_, ErrCode::NodeExists)) => self.print(format!("{ERR}{}", topics_cmd::topic_already_exists_message(&topic))),
                    Some((_, e)) => self.print(format!("{ERR}KeeperErrorCode = {}", e.name())),
                }
            }
        }
    }

    fn results_children(&mut self, key: &str) -> Vec<String> {
        self.take(key).as_ref().and_then(children_of).unwrap_or_default()
    }

    fn matching(&self, cmd: &TopicsCmd, topics: &[String]) -> Vec<String> {
        topics
            .iter()
            .filter(|t| {
                cmd.topic_filter
                    .as_ref()
                    .map(|f| f.is_topic_allowed(t, cmd.exclude_internal))
                    .unwrap_or(!cmd.exclude_internal || !topics_cmd::is_internal_topic(t))
            })
            .cloned()
            .collect()
    }

    fn zk_describe(&mut self, io: &mut KIo<'_>, cmd: &TopicsCmd, phase: u8) {
        match phase {
            0 => {
                self.zreq(io, "topics", Op::GetChildren { path: "/brokers/topics".into(), watch: false });
                self.zreq(io, "delete", Op::GetChildren { path: "/admin/delete_topics".into(), watch: false });
                self.zreq(io, "ids", Op::GetChildren { path: "/brokers/ids".into(), watch: false });
            }
            1 => {
                let all = self.results_children("topics");
                let marked = self.results_children("delete");
                let live = self.results_children("ids");
                let topics = self.matching(cmd, &all);
                if cmd.action == TopicsAction::List {
                    let list: Vec<(String, bool)> = topics.iter().map(|t| (t.clone(), marked.contains(t))).collect();
                    let text = topics_cmd::list_topics_output(&list, true);
                    for l in text.lines() {
                        self.print(l);
                    }
                    return;
                }
                if topics.is_empty() && cmd.topic.is_some() && !cmd.if_exists {
                    self.print(format!("{ERR}{}", topics_cmd::topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
                    return;
                }
                self.names = topics
                    .iter()
                    .map(|t| format!("t:{t}"))
                    .chain(marked.iter().map(|t| format!("m:{t}")))
                    .chain(live.iter().map(|b| format!("b:{b}")))
                    .collect();
                for t in &topics {
                    self.zreq(io, &format!("t:{t}"), Op::GetData { path: format!("/brokers/topics/{t}"), watch: false });
                    self.zreq(io, &format!("c:{t}"), Op::GetData { path: format!("/config/topics/{t}"), watch: false });
                }
            }
            2 => {
                let topics: Vec<String> = self.names.iter().filter_map(|n| n.strip_prefix("t:")).map(String::from).collect();
                for t in &topics {
                    let Some((d, _)) = self.take(&format!("t:{t}")).as_ref().and_then(data_of) else { continue };
                    let Ok(a) = json::parse_topic_assignment(&d) else { continue };
                    let cfg = self
                        .take(&format!("c:{t}"))
                        .as_ref()
                        .and_then(data_of)
                        .and_then(|(d, _)| json::parse_topic_config(&d).ok())
                        .unwrap_or_default();
                    self.names.push(format!("a:{t}:{}", d.len()));
                    self.results.insert(format!("#a:{t}"), Ok(Reply::Data { data: bytes(&d), stat: Default::default() }));
                    self.results.insert(
                        format!("#c:{t}"),
                        Ok(Reply::Data { data: bytes(&json::topic_config_json(&cfg)), stat: Default::default() }),
                    );
                    for p in a.partitions.keys() {
                        self.zreq(
                            io,
                            &format!("s:{t}:{p}"),
                            Op::GetData { path: format!("/brokers/topics/{t}/partitions/{p}/state"), watch: false },
                        );
                    }
                }
            }
            _ => {
                let topics: Vec<String> = self.names.iter().filter_map(|n| n.strip_prefix("t:")).map(String::from).collect();
                let marked: Vec<String> = self.names.iter().filter_map(|n| n.strip_prefix("m:")).map(String::from).collect();
                let live: Vec<BrokerId> =
                    self.names.iter().filter_map(|n| n.strip_prefix("b:")).filter_map(|b| b.parse().ok()).map(BrokerId).collect();
                let mut sorted = topics.clone();
                crate::sorted::sort(&mut sorted);
                for t in sorted {
                    let Some((d, _)) = self.take(&format!("#a:{t}")).as_ref().and_then(data_of) else { continue };
                    let Ok(a) = json::parse_topic_assignment(&d) else { continue };
                    let cfg = self
                        .take(&format!("#c:{t}"))
                        .as_ref()
                        .and_then(data_of)
                        .and_then(|(d, _)| json::parse_topic_config(&d).ok())
                        .unwrap_or_default();
                    let mut parts = Vec::new();
                    for (p, replicas) in &a.partitions {
                        let st = self
                            .take(&format!("s:{t}:{p}"))
                            .as_ref()
                            .and_then(data_of)
                            .and_then(|(d, _)| json::parse_partition_state(&d).ok());
                        let (leader, isr) = match st {
                            Some(s) => (if s.leader.0 < 0 { None } else { Some(s.leader) }, s.isr),
                            None => (None, Vec::new()),
                        };
                        parts.push(PartitionDescription { partition: *p, leader, replicas: replicas.clone(), isr, reassignment: None });
                    }
                    let desc = TopicDescription {
                        topic: t.clone(),
                        topic_id: a.topic_id.unwrap_or(TopicId::ZERO),
                        partition_count: a.partitions.len() as i32,
                        replication_factor: topics_cmd::zk_describe_replication_factor(&t, &a.partitions),
                        configs: cfg.into_iter().collect(),
                        marked_for_deletion: marked.contains(&t),
                    };
                    let text = topics_cmd::describe_topic_output(&desc, &parts, &cmd.describe_filter(), &live, None);
                    for l in text.lines() {
                        self.print(l);
                    }
                }
            }
        }
    }

    fn zk_delete(&mut self, io: &mut KIo<'_>, cmd: &TopicsCmd, phase: u8) {
        match phase {
            0 => {
                self.zreq(io, "topics", Op::GetChildren { path: "/brokers/topics".into(), watch: false });
            }
            1 => {
                let all = self.results_children("topics");
                let topics = self.matching(cmd, &all);
                if topics.is_empty() {
                    if !cmd.if_exists {
                        self.print(format!("{ERR}{}", topics_cmd::topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
                    }
                    return;
                }
                for t in &topics {
                    self.names.push(t.clone());
                    self.zreq(
                        io,
                        &format!("d:{t}"),
                        Op::Write(WriteOp::Create { path: format!("/admin/delete_topics/{t}"), data: None, mode: CreateMode::PERSISTENT }),
                    );
                }
            }
            _ => {
                for t in std::mem::take(&mut self.names) {
                    match self.take(&format!("d:{t}")).as_ref().and_then(multi_error) {
                        None => {
                            for l in topics_cmd::zk_marked_for_deletion_lines(&t) {
                                self.print(l);
                            }
                        }
                        Some((_, ErrCode::NodeExists)) => self.print(topics_cmd::zk_already_marked_for_deletion_line(&t)),
                        Some((_, e)) => self.print(format!("{ERR}KeeperErrorCode = {}", e.name())),
                    }
                }
            }
        }
    }

    fn zk_alter(&mut self, io: &mut KIo<'_>, cmd: &TopicsCmd, phase: u8) {
        let topic = cmd.topic.clone().unwrap_or_default();
        match phase {
            0 => {
                self.zreq(io, "ids", Op::GetChildren { path: "/brokers/ids".into(), watch: false });
                self.zreq(io, "topic", Op::GetData { path: format!("/brokers/topics/{topic}"), watch: false });
            }
            1 => {
                let mut brokers: Vec<BrokerId> = self.results_children("ids").iter().filter_map(|n| n.parse().ok()).map(BrokerId).collect();
                crate::sorted::sort(&mut brokers);
                let Some((d, st)) = self.take("topic").as_ref().and_then(data_of) else {
                    if !cmd.if_exists {
                        self.print(format!("{ERR}{}", topics_cmd::topic_does_not_exist_message(&topic)));
                    }
                    return;
                };
                let Ok(a) = json::parse_topic_assignment(&d) else { return };
                let Some(count) = cmd.partitions else {
                    self.print(format!("{ERR}The sandbox only alters the partition count (--partitions)"));
                    return;
                };
                let cur = a.partitions.len() as i32;
                if count <= cur {
                    self.print(format!("{ERR}The number of partitions for a topic can only be increased. Topic {topic} currently has {cur} partitions, {count} would not be an increase."));
                    return;
                }
                let rf = a.partitions.values().next().map(|r| r.len() as i32).unwrap_or(1);
                let start = a
                    .partitions
                    .get(&0)
                    .and_then(|r| r.first())
                    .and_then(|h| brokers.iter().position(|b| b == h))
                    .map(|p| p as i32)
                    .unwrap_or(-1);
                let added = match &cmd.replica_assignment {
                    Some(extra) => extra.iter().map(|(p, r)| (p + cur, r.clone())).collect(),
                    None => {
                        let mut next = |bound: i32| io.rng().below(bound.max(1) as u64) as i32;
                        match assign_replicas_rack_unaware(&brokers, count - cur, rf, start, cur, &mut next) {
                            Ok(x) => x,
                            Err(e) => {
                                self.print(format!("{ERR}{}", e.message()));
                                return;
                            }
                        }
                    }
                };
                let mut all = a.partitions.clone();
                all.extend(added);
                self.print("WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected");
                let j = json::topic_assignment_json(&all, a.topic_id.unwrap_or(TopicId::ZERO));
                self.zreq(
                    io,
                    "set",
                    Op::Write(WriteOp::SetData { path: format!("/brokers/topics/{topic}"), data: bytes(&j), version: st.version }),
                );
            }
            _ => match self.take("set").as_ref().and_then(multi_error) {
                None => self.print("Adding partitions succeeded!"),
                Some((_, e)) => self.print(format!("{ERR}KeeperErrorCode = {}", e.name())),
            },
        }
    }

    // ------------------------------------------------------------------ Kafka side

    fn request_metadata(&mut self, io: &mut KIo<'_>) {
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
            ToolJob::Producer { .. } => {
                if waited >= Duration::from_millis(120_000) {
                    self.producer_expire(io);
                    return;
                }
                if self.waiting.is_empty() && idle >= Duration::from_millis(100) {
                    self.request_metadata(io);
                }
            }
            ToolJob::Consumer(cmd) => {
                let limit = cmd.timeout_ms.filter(|t| *t >= 0).map(|t| Duration::from_millis(t as u64));
                let give_up = limit.unwrap_or(Duration::from_secs(10));
                if idle >= give_up {
                    if limit.is_some() {
                        self.print(format!(
                            "{} ERROR Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)",
                            time_prefix(io.wall_ms())
                        ));
                        self.print("org.apache.kafka.common.errors.TimeoutException");
                    }
                    self.print(format!("Processed a total of {} messages", self.consumed));
                    self.finish(io);
                    return;
                }
                if self.waiting.is_empty() {
                    if self.meta.is_none() {
                        self.request_metadata(io);
                    } else {
                        self.consumer_fetch(io);
                    }
                }
            }
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

    fn controller_node(&self) -> Option<NodeId> {
        let (c, _, _) = self.meta.as_ref()?;
        self.brokers.get(&(*c)?).copied()
    }

    fn send_admin(&mut self, io: &mut KIo<'_>, op: AdminOp) {
        let Some(node) = self.controller_node() else {
            self.meta = None;
            return;
        };
        let corr = self.corr;
        self.corr += 1;
        self.waiting.insert(corr);
        io.send(node, KOut::Kafka(KafkaMsg::Admin { corr, op }));
    }

    fn topic_meta(&self, topic: &str) -> Option<&TopicMeta> {
        self.meta.as_ref()?.2.iter().find(|t| t.name == topic)
    }

    fn after_metadata(&mut self, io: &mut KIo<'_>) {
        self.last_progress = io.now();
        match self.job.clone() {
            ToolJob::Topics(cmd) => {
                if let Err(e) = cmd.admin_client_precheck() {
                    self.print(e);
                    self.finish(io);
                    return;
                }
                let names: Vec<String> = self.meta.as_ref().map(|m| m.2.iter().map(|t| t.name.clone()).collect()).unwrap_or_default();
                match cmd.action {
                    TopicsAction::Create => {
                        if let Some(w) = cmd.create_warning() {
                            if !self.out.iter().any(|l| l == w) {
                                self.print(w);
                            }
                        }
                        let op = AdminOp::CreateTopic {
                            topic: cmd.topic.clone().unwrap_or_default(),
                            partitions: cmd.partitions,
                            replication_factor: cmd.replication_factor,
                            assignment: cmd.replica_assignment.clone(),
                            configs: cmd.configs.clone(),
                        };
                        self.send_admin(io, op);
                    }
                    TopicsAction::List => {
                        let topics = self.matching(&cmd, &names);
                        let list: Vec<(String, bool)> = topics.into_iter().map(|t| (t, false)).collect();
                        let text = topics_cmd::list_topics_output(&list, false);
                        for l in text.trim_end_matches('\n').split('\n') {
                            self.print(l);
                        }
                        self.finish(io);
                    }
                    TopicsAction::Describe => {
                        let mut topics = self.matching(&cmd, &names);
                        crate::sorted::sort(&mut topics);
                        if topics.is_empty() && cmd.topic.is_some() && !cmd.if_exists {
                            self.print(format!("{ERR}{}", topics_cmd::topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
                            self.finish(io);
                            return;
                        }
                        let live: Vec<BrokerId> = self.meta.as_ref().map(|m| m.1.clone()).unwrap_or_default();
                        for t in topics {
                            let Some(tm) = self.topic_meta(&t).cloned() else { continue };
                            let parts: Vec<PartitionDescription> = tm
                                .partitions
                                .iter()
                                .map(|p| PartitionDescription {
                                    partition: p.partition,
                                    leader: if p.leader.0 < 0 { None } else { Some(p.leader) },
                                    replicas: p.replicas.clone(),
                                    isr: p.isr.clone(),
                                    reassignment: None,
                                })
                                .collect();
                            // describeConfigs: non-default entries; the stock server.properties sets
                            // log.segment.bytes statically.
                            let mut configs: Vec<(String, String)> = vec![("segment.bytes".into(), "1073741824".into())];
                            for (k, v) in &tm.configs {
                                configs.retain(|(ck, _)| ck != k);
                                configs.push((k.clone(), v.clone()));
                            }
                            let min_isr =
                                tm.configs.iter().find(|(k, _)| k == "min.insync.replicas").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
                            let desc = TopicDescription {
                                topic: t.clone(),
                                topic_id: tm.id,
                                partition_count: parts.len() as i32,
                                replication_factor: parts.first().map(|p| p.replicas.len() as i32).unwrap_or(0),
                                configs,
                                marked_for_deletion: false,
                            };
                            let text = topics_cmd::describe_topic_output(&desc, &parts, &cmd.describe_filter(), &live, Some(min_isr));
                            for l in text.lines() {
                                self.print(l);
                            }
                        }
                        self.finish(io);
                    }
                    TopicsAction::Delete => {
                        let topics = self.matching(&cmd, &names);
                        if topics.is_empty() {
                            if !cmd.if_exists {
                                self.print(format!(
                                    "{ERR}{}",
                                    topics_cmd::topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))
                                ));
                            }
                            self.finish(io);
                            return;
                        }
                        self.names = topics.clone();
                        let t = topics[0].clone();
                        self.send_admin(io, AdminOp::DeleteTopic { topic: t });
                    }
                    TopicsAction::Alter => {
                        let topic = cmd.topic.clone().unwrap_or_default();
                        if self.topic_meta(&topic).is_none() {
                            if !cmd.if_exists {
                                self.print(format!("{ERR}{}", topics_cmd::topic_does_not_exist_message(&topic)));
                            }
                            self.finish(io);
                            return;
                        }
                        match cmd.partitions {
                            Some(count) => self.send_admin(io, AdminOp::CreatePartitions { topic, count }),
                            None => {
                                self.finish(io);
                            }
                        }
                    }
                }
            }
            ToolJob::Election(cmd) => {
                let partitions = match &cmd.target {
                    ElectionTarget::Partition(tp) => Some(vec![tp.clone()]),
                    ElectionTarget::AllTopicPartitions => None,
                    ElectionTarget::JsonFile(f) => {
                        self.print(format!("Exception in thread \"main\" java.nio.file.NoSuchFileException: {f}"));
                        self.finish(io);
                        return;
                    }
                };
                if cmd.election_type == topics_cmd::ElectionType::Unclean {
                    self.print("Exception in thread \"main\" sandbox: only --election-type preferred is simulated");
                    self.finish(io);
                    return;
                }
                self.send_admin(io, AdminOp::ElectPreferred { partitions });
            }
            ToolJob::Producer { cmd, .. } => {
                if self.topic_meta(&cmd.topic).map(|t| t.partitions.is_empty()).unwrap_or(true) {
                    if self.retries == 0 {
                        self.print(format!(
                            "{} WARN [Producer clientId=console-producer] Error while fetching metadata with correlation id {} : {{{}=UNKNOWN_TOPIC_OR_PARTITION}} (org.apache.kafka.clients.NetworkClient)",
                            time_prefix(io.wall_ms()),
                            self.corr - 1,
                            cmd.topic
                        ));
                    }
                    self.retries += 1;
                    return;
                }
                self.produce(io);
            }
            ToolJob::Consumer(cmd) => {
                let topic = cmd.topic.clone().unwrap_or_default();
                let Some(tm) = self.topic_meta(&topic).cloned() else { return };
                for p in &tm.partitions {
                    if cmd.partition.map(|x| x == p.partition).unwrap_or(true) {
                        let tp = TopicPartition::new(topic.clone(), p.partition);
                        let start = match cmd.offset {
                            StartOffset::Earliest => 0,
                            StartOffset::At(o) => o,
                            StartOffset::Latest => -1,
                        };
                        self.positions.get_or_insert_with(tp, || Position { offset: start.max(0), started: start >= 0 });
                    }
                }
                self.consumer_fetch(io);
            }
            ToolJob::Load { .. } => self.load_send(io),
        }
    }

    fn after_admin(&mut self, io: &mut KIo<'_>, results: Vec<AdminResult>) {
        if results.iter().any(|(_, r)| matches!(r, Err((KErr::NotController, _)))) {
            self.meta = None;
            return;
        }
        match self.job.clone() {
            ToolJob::Topics(cmd) => {
                let topic = cmd.topic.clone().unwrap_or_default();
                let r = results.into_iter().next().map(|(_, r)| r).unwrap_or(Ok(()));
                match (cmd.action, r) {
                    (TopicsAction::Create, Ok(())) => self.print(topics_cmd::created_topic_line(&topic)),
                    (TopicsAction::Create, Err((KErr::TopicAlreadyExists, _))) if cmd.if_not_exists => {}
                    (TopicsAction::Alter, Ok(())) => {}
                    (TopicsAction::Delete, Ok(())) => {
                        self.names.remove(0);
                        if let Some(t) = self.names.first().cloned() {
                            self.send_admin(io, AdminOp::DeleteTopic { topic: t });
                            return;
                        }
                    }
                    (_, Ok(())) => {}
                    (_, Err((e, m))) => {
                        self.print(format!("{ERR}{}: {m}", e.exception()));
                        self.print(format!(
                            "{} ERROR java.util.concurrent.ExecutionException: {}: {m}",
                            time_prefix(io.wall_ms()),
                            e.exception()
                        ));
                    }
                }
                self.finish(io);
            }
            ToolJob::Election(_) => {
                let ok: Vec<String> = results.iter().filter(|(_, r)| r.is_ok()).map(|(k, _)| k.clone()).collect();
                let noop: Vec<String> =
                    results.iter().filter(|(_, r)| matches!(r, Err((KErr::ElectionNotNeeded, _)))).map(|(k, _)| k.clone()).collect();
                let failed: Vec<(String, String)> = results
                    .iter()
                    .filter_map(|(k, r)| match r {
                        Err((KErr::ElectionNotNeeded, _)) | Ok(()) => None,
                        Err((e, m)) => Some((k.clone(), format!("{}: {m}", e.exception()))),
                    })
                    .collect();
                if !ok.is_empty() {
                    self.print(format!("Successfully completed leader election (PREFERRED) for partitions {}", ok.join(", ")));
                }
                if !noop.is_empty() {
                    self.print(format!("Valid replica already elected for partitions {}", noop.join(", ")));
                }
                if !failed.is_empty() {
                    self.print(format!(
                        "Error completing leader election (PREFERRED) for partition: {}",
                        failed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                    for (k, m) in &failed {
                        self.print(format!("Error completing leader election (PREFERRED) for partition: {k}: {m}"));
                    }
                }
                self.finish(io);
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------ producer

    fn produce(&mut self, io: &mut KIo<'_>) {
        let ToolJob::Producer { cmd, values } = self.job.clone() else { return };
        let Some(tm) = self.topic_meta(&cmd.topic).cloned() else { return };
        // StickyPartitionCache: a random partition with a leader, kept for the batch.
        let tp = match &self.produce_target {
            Some(tp) => tp.clone(),
            None => {
                let avail: Vec<i32> = tm.partitions.iter().filter(|p| p.leader.0 >= 0).map(|p| p.partition).collect();
                let pool: Vec<i32> = if avail.is_empty() { tm.partitions.iter().map(|p| p.partition).collect() } else { avail };
                let pick = pool[io.rng().below(pool.len() as u64) as usize];
                let tp = TopicPartition::new(cmd.topic.clone(), pick);
                self.produce_target = Some(tp.clone());
                tp
            }
        };
        let leader = tm.partitions.iter().find(|p| p.partition == tp.partition).map(|p| p.leader).unwrap_or(BrokerId::NO_LEADER);
        let Some(node) = self.brokers.get(&leader).copied() else {
            // No leader known: refresh metadata at the next tick.
            self.meta = None;
            return;
        };
        let acks: i16 = match cmd.acks {
            topics_cmd::Acks::None => 0,
            topics_cmd::Acks::Leader => 1,
            topics_cmd::Acks::All => -1,
        };
        let corr = self.corr;
        self.corr += 1;
        let vals: Vec<Rc<str>> = values.iter().map(|v| Rc::from(v.as_str())).collect();
        io.send(node, KOut::Kafka(KafkaMsg::Produce { corr, acks, tp: tp.clone(), values: vals }));
        if acks == 0 {
            self.print(format!("# sandbox: {} record(s) sent to {tp} with acks=0 (no acknowledgement is awaited)", values.len()));
            self.finish(io);
        } else {
            self.waiting.insert(corr);
        }
    }

    fn after_produce(&mut self, io: &mut KIo<'_>, tp: TopicPartition, result: Result<i64, KErr>) {
        self.last_progress = io.now();
        if let ToolJob::Load { .. } = self.job {
            match result {
                Ok(_) => self.acked += 1,
                Err(_) => {
                    self.failed += 1;
                    self.meta = None;
                }
            }
            return;
        }
        let ToolJob::Producer { cmd, values } = self.job.clone() else { return };
        match result {
            Ok(base) => {
                if self.retries > 1 {
                    self.print(format!(
                        "# sandbox: {} more retr{} of the same error before it succeeded",
                        self.retries - 1,
                        if self.retries == 2 { "y" } else { "ies" }
                    ));
                }
                let acks = match cmd.acks {
                    topics_cmd::Acks::All => "all",
                    topics_cmd::Acks::Leader => "1",
                    topics_cmd::Acks::None => "0",
                };
                let last = base + values.len() as i64 - 1;
                self.print(format!(
                    "# sandbox: {} record(s) acknowledged (acks={acks}) by the leader of {tp}, offsets {base}..{last}",
                    values.len()
                ));
                self.finish(io);
            }
            Err(e) if e.retriable() => {
                if self.last_error != Some(e) {
                    self.print(format!(
                        "{} WARN [Producer clientId=console-producer] Got error produce response with correlation id {} on topic-partition {tp}, retrying ({} attempts left). Error: {} (org.apache.kafka.clients.producer.internals.Sender)",
                        time_prefix(io.wall_ms()),
                        self.corr - 1,
                        2147483646 - self.retries.min(1_000_000) as i64,
                        e.name()
                    ));
                    self.last_error = Some(e);
                    self.retries = 1;
                } else {
                    self.retries += 1;
                }
                if e == KErr::NotLeaderOrFollower {
                    self.meta = None;
                    self.print(format!(
                        "{} WARN [Producer clientId=console-producer] Received invalid metadata error in produce request on partition {tp} due to org.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.. Going to request metadata update now (org.apache.kafka.clients.producer.internals.Sender)",
                        time_prefix(io.wall_ms())
                    ));
                } else {
                    // retry.backoff.ms, then resend with fresh metadata.
                    self.meta = None;
                }
            }
            Err(e) => {
                self.print(format!(
                    "{} ERROR Error when sending message to topic {} with key: null, value: {} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)",
                    time_prefix(io.wall_ms()),
                    cmd.topic,
                    values.first().map(|v| v.len()).unwrap_or(0)
                ));
                self.print(format!("{}: {}", e.exception(), e.name()));
                self.finish(io);
            }
        }
    }

    fn producer_expire(&mut self, io: &mut KIo<'_>) {
        let ToolJob::Producer { cmd, values } = self.job.clone() else { return };
        if self.retries > 1 {
            self.print(format!("# sandbox: {} more retries of the same error", self.retries - 1));
        }
        let tp = self.produce_target.clone().map(|t| t.to_string()).unwrap_or_else(|| format!("{}-0", cmd.topic));
        self.print(format!(
            "{} ERROR Error when sending message to topic {} with key: null, value: {} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)",
            time_prefix(io.wall_ms()),
            cmd.topic,
            values.first().map(|v| v.len()).unwrap_or(0)
        ));
        self.print(format!(
            "org.apache.kafka.common.errors.TimeoutException: Expiring {} record(s) for {tp}:120000 ms has passed since batch creation",
            values.len()
        ));
        self.finish(io);
    }

    // ------------------------------------------------------------------ consumer

    fn consumer_fetch(&mut self, io: &mut KIo<'_>) {
        let Some((_, _, topics)) = self.meta.as_ref() else { return };
        let mut per: SortedMap<BrokerId, Vec<FetchPart>> = SortedMap::new();
        for (tp, pos) in &self.positions {
            let Some(p) =
                topics.iter().find(|t| t.name == tp.topic).and_then(|t| t.partitions.iter().find(|p| p.partition == tp.partition))
            else {
                continue;
            };
            if p.leader.0 < 0 {
                continue;
            }
            per.get_or_default(p.leader).push(FetchPart {
                tp: tp.clone(),
                offset: if pos.started { pos.offset } else { 0 },
                last_epoch: -1,
            });
        }
        if per.is_empty() {
            self.meta = None;
            return;
        }
        for (b, parts) in per {
            let Some(node) = self.brokers.get(&b).copied() else { continue };
            let corr = self.corr;
            self.corr += 1;
            self.waiting.insert(corr);
            io.send(node, KOut::Kafka(KafkaMsg::Fetch { replica: BrokerId(-1), corr, parts }));
        }
    }

    fn after_fetch(&mut self, io: &mut KIo<'_>, parts: Vec<super::msg::FetchData>) {
        let ToolJob::Consumer(cmd) = self.job.clone() else { return };
        let max = cmd.max_messages.filter(|m| *m >= 0).map(|m| m as i64);
        for d in parts {
            if d.error == Some(KErr::NotLeaderOrFollower) {
                self.meta = None;
                continue;
            }
            let Some(pos) = self.positions.get_mut(&d.tp) else { continue };
            if !pos.started {
                pos.offset = d.high_watermark.max(0);
                pos.started = true;
                continue;
            }
            for r in d.records {
                if max.map(|m| self.consumed >= m).unwrap_or(false) {
                    break;
                }
                self.out.push(r.value.to_string());
                self.consumed += 1;
                pos.offset += 1;
                self.last_progress = io.now();
            }
        }
        if max.map(|m| self.consumed >= m).unwrap_or(false) {
            self.out.push(format!("Processed a total of {} messages", self.consumed));
            self.finish(io);
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
