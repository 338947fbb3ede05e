//! Topic deletion (`/admin/delete_topics` children changed).
//!
//! Follows `kafka/controller/TopicDeletionManager.scala`: for each topic marked for deletion,
//! StopReplica (with delete) to the replicas, then the topic's znodes go
//! (`KafkaZkClient.deleteTopicZNode`, `deleteTopicConfigs`, the partition states) and the mark
//! last (`deleteIsrChangeNotifications`… `deleteTopicDeletions`); UpdateMetadata tells the brokers.
//! Simplified: the StopReplica responses are not awaited.

use crate::sorted::SortedMap;
use crate::zk::types::{Op, WriteOp};

use super::super::io::KIo;
use super::super::msg::KafkaMsg;
use super::super::types::{BrokerId, TopicPartition};
use super::super::zk_ops::children_of;
use super::{state_path, Controller, Host, Key, Step, Task};

/// A deletion's stages.
#[derive(Clone, Debug)]
pub(super) enum TopicDeletion {
    /// Read (and watch) `/admin/delete_topics`.
    ReadMarks,
    /// Stop the replicas and delete the znodes.
    Delete,
    /// Wait for the deletes.
    Finish,
}

impl Controller {
    pub(super) fn topic_deletion(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: TopicDeletion) -> Step {
        match stage {
            TopicDeletion::ReadMarks => {
                self.request(host, io, Key::DeleteTopics, Op::GetChildren { path: "/admin/delete_topics".into(), watch: true });
                Step::Then(Task::TopicDeletion(TopicDeletion::Delete))
            }
            TopicDeletion::Delete => {
                let topics = self.result(&Key::DeleteTopics).as_ref().and_then(children_of).unwrap_or_default();
                let mut deleted = Vec::new();
                for t in topics {
                    if let Some(ctx) = self.topics.remove(&t) {
                        io.note(format!("controller {}: deleting topic {t}", self.id));
                        let mut per: SortedMap<BrokerId, Vec<TopicPartition>> = SortedMap::new();
                        for (p, rs) in &ctx.assignment {
                            let tp = TopicPartition::new(t.clone(), *p);
                            for r in rs {
                                per.get_or_default(*r).push(tp.clone());
                            }
                            self.states.remove(&tp);
                            let del = |path: String| Op::Write(WriteOp::Delete { path, version: -1 });
                            self.request(host, io, Key::DeleteState(tp.clone()), del(state_path(&tp)));
                            self.request(host, io, Key::DeletePartition(tp.clone()), del(format!("/brokers/topics/{t}/partitions/{p}")));
                        }
                        let del = |path: String| Op::Write(WriteOp::Delete { path, version: -1 });
                        self.request(host, io, Key::DeletePartitions(t.clone()), del(format!("/brokers/topics/{t}/partitions")));
                        self.request(host, io, Key::DeleteTopic(t.clone()), del(format!("/brokers/topics/{t}")));
                        self.request(host, io, Key::DeleteConfig(t.clone()), del(format!("/config/topics/{t}")));
                        for (b, partitions) in per {
                            if self.is_live(b) {
                                let msg = KafkaMsg::StopReplica { controller_epoch: self.epoch, partitions, delete: true };
                                self.send_to_broker(host, io, b, msg);
                            }
                        }
                        deleted.push(t.clone());
                    }
                    self.request(
                        host,
                        io,
                        Key::DeleteMark(t.clone()),
                        Op::Write(WriteOp::Delete { path: format!("/admin/delete_topics/{t}"), version: -1 }),
                    );
                }
                if !deleted.is_empty() {
                    self.send_update_metadata(host, io, None, false, deleted);
                }
                Step::Then(Task::TopicDeletion(TopicDeletion::Finish))
            }
            TopicDeletion::Finish => Step::Done,
        }
    }
}
