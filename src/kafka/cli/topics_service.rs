//! `kafka-topics` at work: over `--zookeeper` a ZooKeeper client reading and writing the znodes,
//! over `--bootstrap-server` an admin client (Metadata, then CreateTopics/DeleteTopics/
//! CreatePartitions to the controller), printing what the real 2.8.2 tool prints.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/admin/TopicCommand.scala`
//! (`ZookeeperTopicService`, `AdminClientTopicService`: `createTopic`, `listTopics`,
//! `describeTopic`, `alterTopic`, `deleteTopic`) and `kafka/zk/AdminZkClient.scala`
//! (`createTopicWithAssignment`, `addPartitions`, the `/admin/delete_topics` marker).
//!
//! Simplified: the `--zookeeper --alter` path changes only the partition count; the
//! `--bootstrap-server --describe` configs are the topic's overrides plus the broker's static
//! `segment.bytes`; ZooKeeper reads are issued in phases, all reads of a phase at once.

use super::process::{time_prefix, KafkaTool, ToolJob};
use super::{
    created_topic_line, describe_topic_output, is_internal_topic, list_topics_output, topic_already_exists_message,
    topic_does_not_exist_message, zk_already_marked_for_deletion_line, zk_describe_replication_factor, zk_marked_for_deletion_lines,
    PartitionDescription, TopicDescription, TopicsAction, TopicsCmd, TOPIC_COMMAND_ERROR_PREFIX as ERR,
};
use crate::kafka::assign::assign_replicas_rack_unaware;
use crate::kafka::broker::{bytes, children_of, data_of, multi_error, KIo};
use crate::kafka::json;
use crate::kafka::msg::{AdminOp, AdminResult, KErr};
use crate::kafka::types::{BrokerId, TopicId};
use crate::zk::types::{CreateMode, ErrCode, Op, Reply, WriteOp};

impl KafkaTool {
    pub(super) fn zk_phase(&mut self, io: &mut KIo<'_>) {
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
                        self.print(format!("{ERR}{}", topic_already_exists_message(&topic)));
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
                    None => self.print(created_topic_line(&topic)),
                    Some((_, ErrCode::NodeExists)) => self.print(format!("{ERR}{}", topic_already_exists_message(&topic))),
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
                    .unwrap_or(!cmd.exclude_internal || !is_internal_topic(t))
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
                    let text = list_topics_output(&list, true);
                    for l in text.lines() {
                        self.print(l);
                    }
                    return;
                }
                if topics.is_empty() && cmd.topic.is_some() && !cmd.if_exists {
                    self.print(format!("{ERR}{}", topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
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
                        replication_factor: zk_describe_replication_factor(&t, &a.partitions),
                        configs: cfg.into_iter().collect(),
                        marked_for_deletion: marked.contains(&t),
                    };
                    let text = describe_topic_output(&desc, &parts, &cmd.describe_filter(), &live, None);
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
                        self.print(format!("{ERR}{}", topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
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
                            for l in zk_marked_for_deletion_lines(&t) {
                                self.print(l);
                            }
                        }
                        Some((_, ErrCode::NodeExists)) => self.print(zk_already_marked_for_deletion_line(&t)),
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
                        self.print(format!("{ERR}{}", topic_does_not_exist_message(&topic)));
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

    pub(super) fn topics_after_metadata(&mut self, io: &mut KIo<'_>, cmd: TopicsCmd) {
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
                let text = list_topics_output(&list, false);
                for l in text.trim_end_matches('\n').split('\n') {
                    self.print(l);
                }
                self.finish(io);
            }
            TopicsAction::Describe => {
                let mut topics = self.matching(&cmd, &names);
                crate::sorted::sort(&mut topics);
                if topics.is_empty() && cmd.topic.is_some() && !cmd.if_exists {
                    self.print(format!("{ERR}{}", topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
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
                    let text = describe_topic_output(&desc, &parts, &cmd.describe_filter(), &live, Some(min_isr));
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
                        self.print(format!("{ERR}{}", topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or(""))));
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
                        self.print(format!("{ERR}{}", topic_does_not_exist_message(&topic)));
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

    pub(super) fn topics_after_admin(&mut self, io: &mut KIo<'_>, cmd: TopicsCmd, results: Vec<AdminResult>) {
        let topic = cmd.topic.clone().unwrap_or_default();
        let r = results.into_iter().next().map(|(_, r)| r).unwrap_or(Ok(()));
        match (cmd.action, r) {
            (TopicsAction::Create, Ok(())) => self.print(created_topic_line(&topic)),
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
                self.print(format!("{} ERROR java.util.concurrent.ExecutionException: {}: {m}", time_prefix(io.wall_ms()), e.exception()));
            }
        }
        self.finish(io);
    }
}
