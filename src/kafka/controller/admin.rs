//! The admin requests that reach the controller: CreateTopics, DeleteTopics, CreatePartitions and
//! ElectLeaders (preferred).
//!
//! Follows `kafka/server/ZkAdminManager.scala` (`createTopics`, `createPartitions`) with
//! `kafka/zk/AdminZkClient.scala` (`createTopicWithAssignment`: the config znode, then the
//! assignment; `addPartitions`: the assignment rewritten), `KafkaApis.handleDeleteTopicsRequest`
//! (the `/admin/delete_topics/T` mark; deletion itself is `deletion.rs`) and
//! `KafkaController.electLeaders` (per-partition results). Replica assignment is
//! `AdminUtils.assignReplicasToBrokers` (`assign.rs`).
//! Simplified: requests are served by the controller itself (upstream any broker takes them and
//! writes ZooKeeper); CreateTopics answers when the znodes are written, not when the leaders are up.

use crate::sim::NodeId;
use crate::sorted::SortedSet;
use crate::zk::types::{CreateMode, ErrCode, Op, WriteOp};

use super::super::assign::{assign_replicas_rack_unaware, AssignError};
use super::super::cli::validate_topic_name;
use super::super::io::{KIo, KOut};
use super::super::json;
use super::super::msg::{AdminOp, KErr, KafkaMsg};
use super::super::types::TopicId;
use super::super::zk_ops::{bytes, create, multi_error};
use super::state_writes::Tell;
use super::{Answers, Controller, Host, Key, Step, Task};

/// An admin request's stages.
#[derive(Clone, Debug)]
pub(super) enum Admin {
    /// Validate, write ZooKeeper.
    Start { from: NodeId, corr: u64, op: AdminOp },
    /// Answer once the writes are answered.
    Answer { from: NodeId, corr: u64, answer: Answer },
}

/// How to answer.
#[derive(Clone, Debug)]
pub(super) enum Answer {
    /// From the creation of the topic's assignment znode.
    Created { topic: String },
    /// Success for `topic`.
    Done { topic: String },
    /// The preferred elections' answers, once their states are written.
    Elected { answers: Answers },
}

const UNKNOWN_TOPIC: &str = "This server does not host this topic-partition.";

impl Controller {
    pub(super) fn admin(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: Admin) -> Step {
        match stage {
            Admin::Start { from, corr, op } => match self.admin_start(host, io, op) {
                Ok(answer) => Step::Then(Task::Admin(Admin::Answer { from, corr, answer })),
                Err(results) => admin_reply(io, from, corr, results),
            },
            Admin::Answer { from, corr, answer } => {
                let results = match answer {
                    Answer::Created { topic } => {
                        let res = match self.result(&Key::AdminTopic).as_ref().map(multi_error) {
                            Some(None) => Ok(()),
                            Some(Some((_, ErrCode::NodeExists))) => {
                                Err((KErr::TopicAlreadyExists, format!("Topic '{topic}' already exists.")))
                            }
                            _ => Err((KErr::RequestTimedOut, "Call timed out".to_string())),
                        };
                        vec![(topic, res)]
                    }
                    Answer::Done { topic } => vec![(topic, Ok(()))],
                    Answer::Elected { answers } => {
                        if !self.finish_writes(host, io, Tell::Changed) {
                            return Step::Done;
                        }
                        answers
                    }
                };
                admin_reply(io, from, corr, results)
            }
        }
    }

    /// Validate `op` and issue its ZooKeeper writes: how to answer once they are answered, or
    /// the answer now (an error).
    fn admin_start(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, op: AdminOp) -> Result<Answer, Answers> {
        match op {
            AdminOp::CreateTopic { topic, partitions, replication_factor, assignment, configs } => {
                let key = topic.clone();
                if let Err(m) = validate_topic_name(&topic) {
                    return Err(vec![(key, Err((KErr::InvalidTopic, m)))]);
                }
                if self.topics.contains_key(&topic) {
                    return Err(vec![(key, Err((KErr::TopicAlreadyExists, format!("Topic '{topic}' already exists."))))]);
                }
                let live: Vec<_> = self.live.keys().copied().collect();
                let a = match assignment {
                    Some(a) => {
                        if a.values().flatten().any(|b| !live.contains(b)) {
                            let unknown: SortedSet<i32> = a.values().flatten().filter(|b| !live.contains(b)).map(|b| b.0).collect();
                            let list = unknown.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ");
                            return Err(vec![(
                                key,
                                Err((KErr::InvalidReplicaAssignment, format!("Unknown broker(s) in replica assignment: {list}."))),
                            )]);
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
                                    AssignError::InvalidPartitions(_) => KErr::InvalidPartitions,
                                    _ => KErr::InvalidReplicationFactor,
                                };
                                return Err(vec![(key, Err((k, e.message().to_string())))]);
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
                self.request(host, io, Key::AdminConfig, create(&format!("/config/topics/{topic}"), Some(&cfg), CreateMode::PERSISTENT));
                let assignment = json::topic_assignment_json(&a, id);
                self.request(
                    host,
                    io,
                    Key::AdminTopic,
                    create(&format!("/brokers/topics/{topic}"), Some(&assignment), CreateMode::PERSISTENT),
                );
                Ok(Answer::Created { topic })
            }
            AdminOp::DeleteTopic { topic } => {
                if !self.topics.contains_key(&topic) {
                    return Err(vec![(topic, Err((KErr::UnknownTopicOrPartition, UNKNOWN_TOPIC.into())))]);
                }
                self.request(host, io, Key::AdminMark, create(&format!("/admin/delete_topics/{topic}"), None, CreateMode::PERSISTENT));
                Ok(Answer::Done { topic })
            }
            AdminOp::CreatePartitions { topic, count } => {
                let live: Vec<_> = self.live.keys().copied().collect();
                let Some(ctx) = self.topics.get(&topic).cloned() else {
                    return Err(vec![(topic, Err((KErr::UnknownTopicOrPartition, UNKNOWN_TOPIC.into())))]);
                };
                let cur = ctx.assignment.len() as i32;
                if count < cur {
                    let m = format!("Topic currently has {cur} partitions, which is higher than the requested {count}.");
                    return Err(vec![(topic, Err((KErr::InvalidPartitions, m)))]);
                }
                if count == cur {
                    return Err(vec![(topic, Err((KErr::InvalidPartitions, format!("Topic already has {cur} partitions."))))]);
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
                    Err(e) => return Err(vec![(topic, Err((KErr::InvalidReplicationFactor, e.message().to_string())))]),
                };
                let mut all = ctx.assignment.clone();
                all.extend(added);
                let data = bytes(&json::topic_assignment_json(&all, ctx.id));
                self.request(
                    host,
                    io,
                    Key::AdminTopic,
                    Op::Write(WriteOp::SetData { path: format!("/brokers/topics/{topic}"), data, version: -1 }),
                );
                Ok(Answer::Done { topic })
            }
            AdminOp::ElectPreferred { partitions } => {
                let tps = match partitions {
                    Some(p) => p,
                    None => self.all_tps(),
                };
                let (updates, answers) = self.preferred_elections(&tps);
                self.write_states(host, io, updates);
                Ok(Answer::Elected { answers })
            }
        }
    }
}

fn admin_reply(io: &mut KIo<'_>, from: NodeId, corr: u64, results: Answers) -> Step {
    io.send(from, KOut::Kafka(KafkaMsg::AdminResponse { corr, results }));
    Step::Done
}
