//! New topics and new partitions (`/brokers/topics` children changed, or a topic's assignment
//! znode changed).
//!
//! Follows `KafkaController.processTopicChange` (new topics are read, deleted ones dropped from
//! the context) and `processPartitionModifications`, both ending in `onNewPartitionCreation`:
//! NewPartition → OnlinePartition (`PartitionStateMachine.initializeLeaderAndIsrForPartitions`:
//! the first live assigned replica leads, the live replicas form the ISR), UpdateMetadata to every
//! live broker, LeaderAndIsr to the replicas.

use crate::zk::types::Op;

use super::super::io::KIo;
use super::super::json;
use super::super::types::{TopicId, TopicPartition};
use super::super::zk_ops::{children_of, data_of};
use super::state_writes::Tell;
use super::{Controller, Host, Key, Step, Task, TopicCtx};
use crate::sorted::SortedMap;

/// A topic change's stages.
#[derive(Clone, Debug)]
pub(super) enum TopicChange {
    /// Read (and watch) `/brokers/topics`.
    ReadChildren,
    /// Drop deleted topics from the context; read the new ones.
    ReadNew,
    /// A known topic's assignment changed (partitions added): read it.
    ReadModified(String),
    /// Add the topics read to the context; create the new partitions' states.
    Create { topics: Vec<String> },
    /// Tell the brokers.
    Finish,
}

impl Controller {
    pub(super) fn topic_change(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, stage: TopicChange) -> Step {
        match stage {
            TopicChange::ReadChildren => {
                self.request(host, io, Key::Topics, Op::GetChildren { path: "/brokers/topics".into(), watch: true });
                Step::Then(Task::TopicChange(TopicChange::ReadNew))
            }
            TopicChange::ReadNew => {
                let topics = self.result(&Key::Topics).as_ref().and_then(children_of).unwrap_or_default();
                let new: Vec<String> = topics.iter().filter(|t| !self.topics.contains_key(*t)).cloned().collect();
                let gone: Vec<String> = self.topics.keys().filter(|t| !topics.contains(t)).cloned().collect();
                for t in &gone {
                    self.topics.remove(t);
                    self.states.retain(|tp, _| &tp.topic != t);
                }
                self.read_topics(host, io, &new);
                if new.is_empty() {
                    return Step::Done;
                }
                Step::Then(Task::TopicChange(TopicChange::Create { topics: new }))
            }
            TopicChange::ReadModified(topic) => {
                if !self.topics.contains_key(&topic) {
                    return Step::Done;
                }
                self.read_topics(host, io, std::slice::from_ref(&topic));
                Step::Then(Task::TopicChange(TopicChange::Create { topics: vec![topic] }))
            }
            TopicChange::Create { topics } => {
                let new_tps = self.apply_topic_reads(topics);
                self.create_states(host, io, &new_tps);
                Step::Then(Task::TopicChange(TopicChange::Finish))
            }
            TopicChange::Finish => {
                self.finish_writes(host, io, Tell::AllMetadataThenChanged);
                Step::Done
            }
        }
    }

    /// Read the assignment (watched) and config overrides of `topics`.
    pub(super) fn read_topics(&mut self, host: &mut dyn Host, io: &mut KIo<'_>, topics: &[String]) {
        for t in topics {
            self.request(host, io, Key::TopicAssignment(t.clone()), Op::GetData { path: format!("/brokers/topics/{t}"), watch: true });
            self.request(host, io, Key::TopicConfig(t.clone()), Op::GetData { path: format!("/config/topics/{t}"), watch: false });
        }
    }

    /// Add the topics read to the context; returns the partitions that are new to it.
    pub(super) fn apply_topic_reads(&mut self, topics: Vec<String>) -> Vec<TopicPartition> {
        let mut new_tps = Vec::new();
        for t in topics {
            let Some((d, _)) = self.result(&Key::TopicAssignment(t.clone())).as_ref().and_then(data_of) else { continue };
            let Ok(a) = json::parse_topic_assignment(&d) else { continue };
            let configs = self
                .result(&Key::TopicConfig(t.clone()))
                .as_ref()
                .and_then(data_of)
                .and_then(|(d, _)| json::parse_topic_config(&d).ok())
                .unwrap_or_default();
            let entry = self.topics.get_or_insert_with(t.clone(), || TopicCtx {
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
}
