//! Topic deletion waits for a replica on a stopped broker, and resumes when it starts.
//!
//! Kafka 2.8.2: `core/src/main/scala/kafka/controller/TopicDeletionManager.scala`
//! (`startReplicaDeletion` moves replicas on dead brokers to `ReplicaDeletionIneligible` and calls
//! `markTopicIneligibleForDeletion`; `resumeDeletionForTopics`, `completeDeleteTopic`),
//! `KafkaController.onBrokerStartup` (resumes deletions with replicas on the started broker), and
//! the upstream test `core/src/test/scala/unit/kafka/admin/DeleteTopicTest.scala`
//! `testResumeDeleteTopicWithRecoveredFollower`: with one follower down, the other replicas delete
//! their logs, `/admin/delete_topics/test` stays, and the deletion completes once the follower
//! restarts. `TopicCommand` (`ZookeeperTopicService.listTopics`, `describeTopic`) prints
//! `test - marked for deletion` and `MarkedForDeletion: true` while the mark exists.

#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::kafka::types::TopicPartition;
use zkafka_sandbox::terminal::Terminal;

fn has_log(t: &Terminal, broker: u32, tp: &TopicPartition) -> bool {
    t.cluster.broker(broker).map(|b| b.durable.logs.get(tp).is_some()).unwrap_or(false)
}

/// The seed cluster with a topic `test` whose partition 0 lives on brokers 1 (leader), 2 and 3,
/// and broker 3 stopped; then the topic is deleted over ZooKeeper.
fn deleted_with_a_follower_down(seed: u64) -> Terminal {
    let mut t = kafka_cluster(seed);
    let out = ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 1:2:3");
    assert_eq!(out, vec!["Created topic test."]);
    ok(&mut t, "sleep 3s");
    ok(&mut t, "kafka-console-producer --bootstrap-server localhost:9092 --topic test --producer-property acks=all --messages 3");
    ok(&mut t, "broker stop 3");
    ok(&mut t, "sleep 10s");
    let out = ok(&mut t, "kafka-topics --delete --zookeeper localhost:2181 --topic test");
    assert_eq!(
        out,
        vec!["Topic test is marked for deletion.", "Note: This will have no impact if delete.topic.enable is not set to true."]
    );
    ok(&mut t, "sleep 3s");
    t
}

#[test]
fn deleting_a_topic_while_a_follower_is_down_deletes_the_live_replicas_and_keeps_the_mark() {
    let mut t = deleted_with_a_follower_down(11);
    let tp = TopicPartition::new("test", 0);
    // The replicas on live brokers are deleted (StopReplica with delete); the stopped one keeps
    // its log on disk.
    assert!(!has_log(&t, 1, &tp) && !has_log(&t, 2, &tp), "brokers 1 and 2 deleted their replicas");
    assert!(has_log(&t, 3, &tp), "broker 3 was down: its log is still on disk");
    // The topic is ineligible for deletion: the mark and the topic's znodes stay.
    assert_eq!(zk(&mut t, 2181, "ls /admin/delete_topics"), vec!["[test]"]);
    assert_eq!(zk(&mut t, 2181, "ls /brokers/topics"), vec!["[test]"]);
    assert_eq!(ok(&mut t, "kafka-topics --list --zookeeper localhost:2181"), vec!["test - marked for deletion"]);
    let described = describe_zk(&mut t, "test");
    assert!(described.iter().all(|l| l.ends_with("\tMarkedForDeletion: true")), "{described:?}");
    let ctl = t.cluster.controller().and_then(|b| b.ctl.as_ref()).expect("a controller");
    assert!(ctl.ineligible.contains_key("test"), "the controller holds the deletion: {:?}", ctl.ineligible);
    assert_clean(&t);
}

#[test]
fn a_halted_topic_deletion_completes_when_the_follower_starts_again() {
    let mut t = deleted_with_a_follower_down(12);
    let tp = TopicPartition::new("test", 0);
    ok(&mut t, "broker start 3");
    ok(&mut t, "sleep 5s");
    assert!(!has_log(&t, 3, &tp), "the restarted broker deleted its replica");
    assert_eq!(zk(&mut t, 2181, "ls /admin/delete_topics"), vec!["[]"]);
    assert_eq!(zk(&mut t, 2181, "ls /brokers/topics"), vec!["[]"]);
    assert_eq!(zk(&mut t, 2181, "ls /config/topics"), vec!["[]"]);
    assert_eq!(ok(&mut t, "kafka-topics --list --zookeeper localhost:2181"), Vec::<String>::new());
    let ctl = t.cluster.controller().and_then(|b| b.ctl.as_ref()).expect("a controller");
    assert!(ctl.ineligible.is_empty() && !ctl.topics.contains_key("test") && ctl.to_delete.is_empty());
    assert_clean(&t);
}

#[test]
fn a_topic_whose_replicas_are_all_live_is_deleted_at_once() {
    let mut t = kafka_cluster(13);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 1:2:3");
    ok(&mut t, "sleep 3s");
    ok(&mut t, "kafka-topics --delete --zookeeper localhost:2181 --topic test");
    ok(&mut t, "sleep 3s");
    assert_eq!(zk(&mut t, 2181, "ls /admin/delete_topics"), vec!["[]"]);
    assert_eq!(zk(&mut t, 2181, "ls /brokers/topics"), vec!["[]"]);
    let tp = TopicPartition::new("test", 0);
    assert!((1..=3).all(|b| !has_log(&t, b, &tp)));
}
