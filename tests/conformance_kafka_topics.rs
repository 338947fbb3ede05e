//! `kafka-topics` against Kafka 2.8.2, case by case, through the terminal; each test cites the
//! upstream file it follows (paths relative to apache/kafka at tag 2.8.2). Its command-line
//! errors are data: `tests/cli/kafka-topics.cases`.

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::terminal::Terminal;

const ERR: &str = "Error while executing topic command : ";

/// The two lines `TopicCommand.printException` writes: the message, then the log4j line.
fn assert_printed_exception(out: &[String], class: &str, message: &str) {
    let i = out.iter().position(|l| l.starts_with(ERR)).unwrap_or_else(|| panic!("{out:#?}"));
    assert_eq!(out[i], format!("{ERR}{message}"));
    assert!(
        out[i + 1].starts_with('[') && out[i + 1].ends_with(&format!("] ERROR {class}: {message} (kafka.admin.TopicCommand$)")),
        "{out:#?}"
    );
}

fn topics(t: &mut Terminal) -> Vec<String> {
    ok(t, "kafka-topics --list --zookeeper localhost:2181")
}

#[test]
fn a_failure_prints_the_cause_and_logs_its_class_not_the_execution_exception() {
    // core/src/main/scala/kafka/admin/TopicCommand.scala: main unwraps ExecutionException to its
    // cause; printException prints the message and logs Utils.stackTrace(e).
    let mut t = seed_cluster(61);
    let out = ok(&mut t, "kafka-topics --create --bootstrap-server localhost:9092 --topic test --partitions 1 --replication-factor 1");
    assert_printed_exception(&out, "org.apache.kafka.common.errors.TopicExistsException", "Topic 'test' already exists.");
    assert!(!out.iter().any(|l| l.contains("ExecutionException")), "{out:#?}");
    let out = ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic test --partitions 1 --replication-factor 1");
    assert_printed_exception(&out, "org.apache.kafka.common.errors.TopicExistsException", "Topic 'test' already exists.");
    let out = ok(&mut t, "kafka-topics --describe --bootstrap-server localhost:9092 --topic nope");
    assert_printed_exception(&out, "java.lang.IllegalArgumentException", "Topic 'nope' does not exist as expected");
}

#[test]
fn zookeeper_alter_prints_the_partition_warning_before_the_error() {
    // TopicCommand.scala ZookeeperTopicService.alterTopic prints the WARNING, then
    // core/src/main/scala/kafka/zk/AdminZkClient.scala createNewPartitionsAssignment throws.
    let mut t = seed_cluster(62);
    let out = ok(&mut t, "kafka-topics --alter --zookeeper localhost:2181 --topic test --partitions 5");
    assert_eq!(
        out[0],
        "WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected"
    );
    assert_printed_exception(
        &out,
        "org.apache.kafka.common.errors.InvalidPartitionsException",
        "The number of partitions for a topic can only be increased. Topic test currently has 10 partitions, 5 would not be an increase.",
    );
}

#[test]
fn zookeeper_alter_takes_the_whole_assignment_and_drops_the_existing_partitions() {
    // TopicCommand.scala alterTopic: tp.replicaAssignment.drop(existingAssignment.size);
    // AdminZkClient.scala validateReplicaAssignment.
    let mut t = kafka_cluster(63);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic a --replica-assignment 1:2,2:3");
    ok(&mut t, "sleep 2s");
    let out = ok(&mut t, "kafka-topics --alter --zookeeper localhost:2181 --topic a --partitions 3 --replica-assignment 1:2,2:3,3:4");
    assert_eq!(out.last().unwrap(), "Adding partitions succeeded!", "{out:#?}");
    ok(&mut t, "sleep 2s");
    let r = rows(&describe_zk(&mut t, "a"));
    assert_eq!(r.len(), 3, "{r:#?}");
    assert_eq!(row_field(&r[2], "Replicas"), "3,4");
    let out = ok(&mut t, "kafka-topics --alter --zookeeper localhost:2181 --topic a --partitions 4 --replica-assignment 1:2,2:3,3:4,4:9");
    assert_printed_exception(
        &out,
        "org.apache.kafka.common.errors.BrokerNotAvailableException",
        "Some brokers specified for partition id 3 are not available. Specified brokers: 4, 9, available brokers: 1, 2, 3, 4.",
    );
}

#[test]
fn invalid_config_values_are_refused_before_anything_is_written() {
    // core/src/main/scala/kafka/log/LogConfig.scala validate (ConfigDef types and ranges),
    // called by TopicCommand.parseTopicConfigsToBeAdded; nothing reaches ZooKeeper.
    let mut t = kafka_cluster(64);
    for (config, message) in [
        ("min.insync.replicas=abc", "Invalid value abc for configuration min.insync.replicas: Not a number of type INT"),
        ("min.insync.replicas=0", "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"),
        ("retention.ms=abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG"),
    ] {
        for via in ["--zookeeper localhost:2181 --partitions 1 --replication-factor 1", "--bootstrap-server localhost:9092"] {
            let line = format!("kafka-topics --create {via} --topic bad --config {config}");
            let out = ok(&mut t, &line);
            assert_printed_exception(&out, "org.apache.kafka.common.config.ConfigException", message);
        }
    }
    assert!(!topics(&mut t).contains(&"bad".to_string()));
}

#[test]
fn names_colliding_after_dots_and_underscores_are_refused_on_both_paths() {
    // core/src/main/scala/kafka/zk/AdminZkClient.scala validateTopicCreate (run by TopicCommand's
    // ZooKeeper path and by the broker's ZkAdminManager.createTopics); nothing is written.
    let mut t = kafka_cluster(65);
    let out = ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic my_topic --partitions 1 --replication-factor 1");
    assert_eq!(out.last().unwrap(), "Created topic my_topic.");
    for via in ["--zookeeper localhost:2181", "--bootstrap-server localhost:9092"] {
        let out = ok(&mut t, &format!("kafka-topics --create {via} --topic my.topic --partitions 1 --replication-factor 1"));
        assert!(out[0].starts_with("WARNING: Due to limitations in metric names"), "{out:#?}");
        assert_printed_exception(
            &out,
            "org.apache.kafka.common.errors.InvalidTopicException",
            "Topic 'my.topic' collides with existing topics: my_topic",
        );
    }
    ok(&mut t, "sleep 2s");
    assert_eq!(topics(&mut t), vec!["my_topic"]);
}

#[test]
fn zookeeper_create_assigns_replicas_before_checking_that_the_topic_exists() {
    // AdminZkClient.scala createTopic: assignReplicasToBrokers, then validateTopicCreate.
    let mut t = seed_cluster(66);
    let out = ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic test --partitions 1 --replication-factor 9");
    assert_printed_exception(
        &out,
        "org.apache.kafka.common.errors.InvalidReplicationFactorException",
        "Replication factor: 9 larger than available brokers: 4.",
    );
}
