//! `kafka-topics` at work: over `--zookeeper` a ZooKeeper client reading and writing the znodes,
//! over `--bootstrap-server` an admin client (Metadata, then CreateTopics/DeleteTopics/
//! CreatePartitions to the controller), printing what the real 2.8.2 tool prints.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/admin/TopicCommand.scala`
//! (`ZookeeperTopicService`, `AdminClientTopicService`: `createTopic`, `listTopics`,
//! `describeTopic`, `alterTopic`, `deleteTopic`) and `kafka/zk/AdminZkClient.scala`
//! (`createTopicWithAssignment`, `addPartitions`, the `/admin/delete_topics` marker).
//!
//! Every failure goes through `printException`: `Error while executing topic command :
//! <message>` on stdout, then the log4j line `[date] ERROR <class>: <message>
//! (kafka.admin.TopicCommand$)` on stderr (its stack trace omitted). On `--zookeeper --create`
//! the checks run in `AdminZkClient`'s order: replica assignment, `Topic.validate`, existence,
//! names colliding after `.`/`_` (`validateTopicCreate`); nothing is written when one fails.
//!
//! Simplified: `--zookeeper --create` writes the topic id into `/brokers/topics/T` itself; in
//! 2.8.2 `TopicCommand` calls `createTopicWithAssignment` with `usesTopicId = false` and the
//! controller adds the id (`KafkaController.processTopicChange` → `setTopicIds`), so there the
//! znode's dataVersion is 1 after creation, here 0. The `--zookeeper --alter` path changes only
//! the partition count; the
//! `--bootstrap-server --describe` configs are the topic's overrides plus the broker's static
//! `segment.bytes`; ZooKeeper reads are issued in phases, all reads of a phase at once.

use super::process::{KafkaTool, ToolJob};
use super::{
    colliding_topics, created_topic_line, describe_topic_output, has_collision_chars, is_internal_topic, list_topics_output,
    topic_already_exists_message, topic_command_error_log_line, topic_does_not_exist_message, validate_topic_name,
    zk_already_marked_for_deletion_line, zk_describe_replication_factor, zk_marked_for_deletion_lines, JavaException, PartitionDescription,
    TopicDescription, TopicsAction, TopicsCmd, TOPIC_COMMAND_ERROR_PREFIX as ERR,
};
use crate::kafka::assign::assign_replicas_rack_unaware;
use crate::kafka::broker::{bytes, children_of, data_of, multi_error, KIo};
use crate::kafka::json;
use crate::kafka::msg::{AdminOp, AdminResult, KErr};
use crate::kafka::types::{BrokerId, TopicId};
use crate::sorted::SortedMap;
use crate::zk::cli_format::log4j_date;
use crate::zk::types::{CreateMode, ErrCode, Op, Reply, WriteOp};

const TOPIC_EXISTS: &str = "org.apache.kafka.common.errors.TopicExistsException";
const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";
const ADMIN_OPERATION: &str = "kafka.admin.AdminOperationException";

impl KafkaTool {
    /// `TopicCommand.printException`: the message on stdout, the exception logged on stderr.
    pub(super) fn topic_error(&mut self, io: &mut KIo<'_>, class: &'static str, message: impl Into<String>) {
        let e = JavaException::new(class, message);
        self.print(format!("{ERR}{}", e.message));
        self.print(topic_command_error_log_line(&log4j_date(io.wall_ms()), &e));
    }

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
                // validateTopicCreate reads every topic only for a name with '.' or '_'.
                if has_collision_chars(&topic) {
                    self.zreq(io, "all", Op::GetChildren { path: "/brokers/topics".into(), watch: false });
                }
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
                let all = self.results_children("all");
                // AdminZkClient.createTopic: the assignment first, then validateTopicCreate.
                let assignment = match &cmd.replica_assignment {
                    Some(a) => a.clone(),
                    None => {
                        let n = cmd.partitions.unwrap_or(1);
                        let rf = cmd.replication_factor.unwrap_or(1);
                        let mut next = |bound: i32| io.rng().below(bound.max(1) as u64) as i32;
                        match assign_replicas_rack_unaware(&brokers, n, rf, -1, -1, &mut next) {
                            Ok(a) => a,
                            Err(e) => {
                                self.topic_error(io, e.exception_class(), e.message());
                                return;
                            }
                        }
                    }
                };
                if let Err(m) = validate_topic_name(&topic) {
                    self.topic_error(io, "org.apache.kafka.common.errors.InvalidTopicException", m);
                    return;
                }
                if exists {
                    if !cmd.if_not_exists {
                        self.topic_error(io, TOPIC_EXISTS, topic_already_exists_message(&topic));
                    }
                    return;
                }
                if let Some(m) = colliding_topics(&topic, &all) {
                    self.topic_error(io, "org.apache.kafka.common.errors.InvalidTopicException", m);
                    return;
                }
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
                    Some((_, ErrCode::NodeExists)) => {
                        if !cmd.if_not_exists {
                            self.topic_error(io, TOPIC_EXISTS, topic_already_exists_message(&topic));
                        }
                    }
                    Some((_, e)) => self.topic_error(io, ADMIN_OPERATION, format!("KeeperErrorCode = {}", e.name())),
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
                    self.topic_error(io, ILLEGAL_ARGUMENT, topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or("")));
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
                        self.topic_error(io, ILLEGAL_ARGUMENT, topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or("")));
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
                        Some((_, e)) => self.topic_error(io, ADMIN_OPERATION, format!("KeeperErrorCode = {}", e.name())),
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
                        self.topic_error(io, ILLEGAL_ARGUMENT, topic_does_not_exist_message(&topic));
                    }
                    return;
                };
                let Ok(a) = json::parse_topic_assignment(&d) else { return };
                let Some(count) = cmd.partitions else {
                    self.print("# sandbox: kafka-topics --alter --zookeeper changes only the partition count here (--partitions); topic configs are not altered");
                    return;
                };
                if is_internal_topic(&topic) {
                    self.topic_error(
                        io,
                        ILLEGAL_ARGUMENT,
                        format!("The number of partitions for the internal topic {topic} cannot be changed."),
                    );
                    return;
                }
                self.print("WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected");
                let cur = a.partitions.len() as i32;
                if count <= cur {
                    self.topic_error(
                        io,
                        "org.apache.kafka.common.errors.InvalidPartitionsException",
                        format!("The number of partitions for a topic can only be increased. Topic {topic} currently has {cur} partitions, {count} would not be an increase."),
                    );
                    return;
                }
                let rf = a.partitions.get(&0).map(|r| r.len() as i32).unwrap_or(1);
                // AdminZkClient.createNewPartitionsAssignment: startIndex = max(0, the first broker
                // whose id >= partition 0's first replica).
                let start = a
                    .partitions
                    .get(&0)
                    .and_then(|r| r.first())
                    .map(|h| brokers.iter().position(|b| b.0 >= h.0).unwrap_or(0) as i32)
                    .unwrap_or(0);
                let added: SortedMap<i32, Vec<BrokerId>> = match &cmd.replica_assignment {
                    // TopicCommand: the given assignment lists every partition; the existing ones
                    // are dropped, the rest validated (validateReplicaAssignment).
                    Some(given) => {
                        let extra: SortedMap<i32, Vec<BrokerId>> = given.iter().skip(cur as usize).map(|(p, r)| (*p, r.clone())).collect();
                        if let Err((class, m)) = validate_added_assignment(&extra, rf, &brokers) {
                            self.topic_error(io, class, m);
                            return;
                        }
                        extra
                    }
                    None => {
                        let mut next = |bound: i32| io.rng().below(bound.max(1) as u64) as i32;
                        match assign_replicas_rack_unaware(&brokers, count - cur, rf, start, cur, &mut next) {
                            Ok(x) => x,
                            Err(e) => {
                                self.topic_error(io, e.exception_class(), e.message());
                                return;
                            }
                        }
                    }
                };
                let mut all = a.partitions.clone();
                all.extend(added);
                let j = json::topic_assignment_json(&all, a.topic_id.unwrap_or(TopicId::ZERO));
                self.zreq(
                    io,
                    "set",
                    Op::Write(WriteOp::SetData { path: format!("/brokers/topics/{topic}"), data: bytes(&j), version: st.version }),
                );
            }
            _ => match self.take("set").as_ref().and_then(multi_error) {
                None => self.print("Adding partitions succeeded!"),
                Some((_, e)) => self.topic_error(io, ADMIN_OPERATION, format!("KeeperErrorCode = {}", e.name())),
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
                    self.topic_error(io, ILLEGAL_ARGUMENT, topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or("")));
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
                        self.topic_error(io, ILLEGAL_ARGUMENT, topic_does_not_exist_message(cmd.topic.as_deref().unwrap_or("")));
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
                        self.topic_error(io, ILLEGAL_ARGUMENT, topic_does_not_exist_message(&topic));
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
                // TopicCommand.main unwraps the ExecutionException to its cause.
                self.topic_error(io, e.exception(), m);
            }
        }
        self.finish(io);
    }
}

/// `AdminZkClient.validateReplicaAssignment` for the partitions `--alter --replica-assignment`
/// adds: the exception class and message of the first problem.
fn validate_added_assignment(extra: &SortedMap<i32, Vec<BrokerId>>, rf: i32, live: &[BrokerId]) -> Result<(), (&'static str, String)> {
    const INVALID: &str = "org.apache.kafka.common.errors.InvalidReplicaAssignmentException";
    let list = |v: &[BrokerId]| v.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(", ");
    for (p, replicas) in extra {
        if replicas.is_empty() {
            return Err((INVALID, format!("Cannot have replication factor of 0 for partition id {p}.")));
        }
        if replicas.iter().enumerate().any(|(i, b)| replicas[..i].contains(b)) {
            return Err((
                INVALID,
                format!("Duplicate brokers not allowed in replica assignment: {} for partition id {p}.", list(replicas)),
            ));
        }
        if replicas.iter().any(|b| !live.contains(b)) {
            return Err((
                "org.apache.kafka.common.errors.BrokerNotAvailableException",
                format!(
                    "Some brokers specified for partition id {p} are not available. Specified brokers: {}, available brokers: {}.",
                    list(replicas),
                    list(live)
                ),
            ));
        }
    }
    let bad: Vec<(i32, usize)> = extra.iter().filter(|(_, r)| r.len() as i32 != rf).map(|(p, r)| (*p, r.len())).collect();
    if !bad.is_empty() {
        let parts: Vec<String> = bad.iter().map(|(p, _)| p.to_string()).collect();
        let rfs: Vec<String> = bad.iter().map(|(_, n)| n.to_string()).collect();
        return Err((
            INVALID,
            format!(
                "Inconsistent replication factor between partitions, partition 0 has {rf} while partitions [{}] have replication factors [{}], respectively.",
                parts.join(", "),
                rfs.join(", ")
            ),
        ));
    }
    Ok(())
}
