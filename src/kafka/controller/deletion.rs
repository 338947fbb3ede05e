//! Topic deletion (`/admin/delete_topics` children changed), and its resumption when a broker
//! that held one of the topic's replicas starts again.
//!
//! Follows `kafka/controller/TopicDeletionManager.scala` (2.8.2): a topic marked for deletion is
//! queued (`topicsToBeDeleted`: no more elections, brokers stop serving it, `onTopicDeletion`);
//! its replicas on live brokers get StopReplica with delete (`startReplicaDeletion`); replicas on
//! offline brokers go to `ReplicaDeletionIneligible` and the topic is marked ineligible for
//! deletion (`markTopicIneligibleForDeletion`): `/admin/delete_topics/T` and the topic's znodes
//! stay, and `kafka-topics --list --zookeeper` shows `T - marked for deletion`. When such a broker
//! starts, `KafkaController.onBrokerStartup` resumes the deletion (`resumeDeletionForTopics`); once
//! every replica is deleted, `completeDeleteTopic` removes the topic's znodes and the mark. Unknown
//! topics' marks are removed at once (`processTopicDeletion`). Upstream test:
//! `DeleteTopicTest.testResumeDeleteTopicWithRecoveredFollower`.
//! Simplified: the StopReplica responses are not awaited (a replica on a live broker counts as
//! deleted once the request is sent), and `delete.topic.enable` is always true.

use crate::sorted::{SortedMap, SortedSet};
use crate::zk::types::{Op, WriteOp};

use super::super::io::{ids, KIo};
use super::super::msg::KafkaMsg;
use super::super::types::{BrokerId, TopicPartition};
use super::super::zk_ops::children_of;
use super::{state_path, Controller, Host, Key, Step, Task, TopicCtx};

/// A deletion's stages.
#[derive(Clone, Debug)]
pub(super) enum TopicDeletion {
    /// Read (and watch) `/admin/delete_topics`.
    ReadMarks,
    /// Start the deletions: stop the replicas, delete the znodes of topics with none offline.
    Delete,
    /// Wait for the deletes.
    Finish,
}

fn delete(path: String) -> Op {
    Op::Write(WriteOp::Delete { path, version: -1 })
}

/// A topic's partitions per replica broker.
fn partitions_per_broker(topic: &str, ctx: &TopicCtx) -> SortedMap<BrokerId, Vec<TopicPartition>> {
    let mut per: SortedMap<BrokerId, Vec<TopicPartition>> = SortedMap::new();
    for (p, rs) in &ctx.assignment {
        for r in rs {
            per.get_or_default(*r).push(TopicPartition::new(topic.to_string(), *p));
        }
    }
    per
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
                let mut gone = Vec::new();
                for t in topics {
                    if self.ineligible.contains_key(&t) {
                        // Halted: it resumes when the offline replicas' brokers start.
                        continue;
                    }
                    let Some(ctx) = self.topics.get(&t).cloned() else {
                        // Not a topic (any more): drop the mark.
                        self.request(host, io, Key::DeleteMark(t.clone()), delete(format!("/admin/delete_topics/{t}")));
                        continue;
                    };
                    io.note(format!("controller {}: deleting topic {t}", self.id));
                    self.to_delete.insert(t.clone());
                    let per = partitions_per_broker(&t, &ctx);
                    for p in ctx.assignment.keys() {
                        self.states.remove(&TopicPartition::new(t.clone(), *p));
                    }
                    let offline: SortedSet<BrokerId> = per.keys().filter(|b| !self.is_live(**b)).copied().collect();
                    let live: Vec<BrokerId> = per.keys().filter(|b| self.is_live(**b)).copied().collect();
                    if offline.is_empty() {
                        self.complete_deletion(host, io, &t, &ctx, &live);
                    } else {
                        self.stop_replicas(host, io, &per, &live);
                        let list: Vec<BrokerId> = offline.iter().copied().collect();
                        io.note(format!(
                            "controller {}: topic {t} is ineligible for deletion: its replicas on broker(s) [{}] are offline; /admin/delete_topics/{t} stays until they start",
                            self.id,
                            ids(&list)
                        ));
                        self.ineligible.insert(t.clone(), offline);
                    }
                    gone.push(t);
                }
                if !gone.is_empty() {
                    self.send_update_metadata(host, io, None, false, gone);
                }
                Step::Then(Task::TopicDeletion(TopicDeletion::Finish))
            }
            TopicDeletion::Finish => Step::Done,
        }
    }

    /// `onBrokerStartup` → `resumeDeletionForTopics`: replicas of halted deletions on the brokers
    /// that started are deleted now; topics with none left offline are deleted for good.
    pub(super) fn resume_deletions(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, started: &[BrokerId]) {
        let mut done = Vec::new();
        for (t, offline) in self.ineligible.clone() {
            let back: Vec<BrokerId> = offline.iter().filter(|b| started.contains(b) && self.is_live(**b)).copied().collect();
            if back.is_empty() {
                continue;
            }
            let Some(ctx) = self.topics.get(&t).cloned() else { continue };
            io.note(format!("controller {}: resuming the deletion of topic {t}: broker(s) [{}] started", self.id, ids(&back)));
            let left: SortedSet<BrokerId> = offline.iter().filter(|b| !back.contains(b)).copied().collect();
            if left.is_empty() {
                self.ineligible.remove(&t);
                self.complete_deletion(host, io, &t, &ctx, &back);
                done.push(t);
            } else {
                let per = partitions_per_broker(&t, &ctx);
                self.stop_replicas(host, io, &per, &back);
                self.ineligible.insert(t, left);
            }
        }
        if !done.is_empty() {
            self.send_update_metadata(host, io, None, false, done);
        }
    }

    /// StopReplica with delete to `brokers` for their partitions of the topic.
    fn stop_replicas(
        &mut self,
        host: &mut dyn Host,
        io: &mut KIo<'_>,
        per: &SortedMap<BrokerId, Vec<TopicPartition>>,
        brokers: &[BrokerId],
    ) {
        for (b, partitions) in per {
            if brokers.contains(b) && self.is_live(*b) {
                let msg = KafkaMsg::StopReplica { controller_epoch: self.epoch, partitions: partitions.clone(), delete: true };
                self.send_to_broker(host, io, *b, msg);
            }
        }
    }

    /// `completeDeleteTopic`: the topic's znodes go, the last replicas (on `brokers`) are
    /// stopped, and the mark is removed last.
    fn complete_deletion(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, t: &str, ctx: &TopicCtx, brokers: &[BrokerId]) {
        self.topics.remove(t);
        self.to_delete.remove(t);
        for p in ctx.assignment.keys() {
            let tp = TopicPartition::new(t.to_string(), *p);
            self.states.remove(&tp);
            self.request(host, io, Key::DeleteState(tp.clone()), delete(state_path(&tp)));
            self.request(host, io, Key::DeletePartition(tp), delete(format!("/brokers/topics/{t}/partitions/{p}")));
        }
        self.request(host, io, Key::DeletePartitions(t.to_string()), delete(format!("/brokers/topics/{t}/partitions")));
        self.request(host, io, Key::DeleteTopic(t.to_string()), delete(format!("/brokers/topics/{t}")));
        self.request(host, io, Key::DeleteConfig(t.to_string()), delete(format!("/config/topics/{t}")));
        let per = partitions_per_broker(t, ctx);
        self.stop_replicas(host, io, &per, brokers);
        self.request(host, io, Key::DeleteMark(t.to_string()), delete(format!("/admin/delete_topics/{t}")));
    }
}
