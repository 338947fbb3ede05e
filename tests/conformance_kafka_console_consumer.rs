//! `kafka-console-consumer` against Kafka 2.8.2, case by case; each test cites the upstream file
//! it follows (paths relative to apache/kafka at tag 2.8.2). Its command-line errors are data:
//! `tests/cli/kafka-console-consumer.cases`.

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;

#[test]
fn timeout_ms_ends_the_consumer_even_when_the_partition_has_no_leader() {
    // core/src/main/scala/kafka/tools/ConsoleConsumer.scala: receive() throws a TimeoutException
    // when a poll of timeout-ms returns nothing; process() logs "Error processing message,
    // terminating consumer process: " with it; run() ends with reportRecordCount.
    let mut t = kafka_cluster(41);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic solo --replica-assignment 4");
    ok(&mut t, "sleep 2s");
    ok(&mut t, "broker kill 4");
    ok(&mut t, "sleep 25s");
    assert_eq!(rows(&describe_zk(&mut t, "solo")), vec![row("solo", 0, "none", "4", "4")]);
    let start = t.cluster.now().as_millis();
    let out = ok(&mut t, "kafka-console-consumer --bootstrap-server localhost:9092 --topic solo --from-beginning --timeout-ms 5000");
    let took = t.cluster.now().as_millis() - start;
    assert_eq!(out.len(), 3, "{out:#?}");
    assert!(
        out[0].ends_with("] ERROR Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)"),
        "{out:#?}"
    );
    assert_eq!(out[1], "org.apache.kafka.common.errors.TimeoutException");
    assert_eq!(out[2], "Processed a total of 0 messages");
    assert!((5_000..6_000).contains(&took), "the timeout counts from the start, not from each metadata refresh: {took} ms");
}

#[test]
fn timeout_ms_counts_from_the_last_record() {
    // ConsoleConsumer.scala: each receive() polls for timeout-ms; records reset it.
    let mut t = seed_cluster(42);
    ok(&mut t, "kafka-console-producer --bootstrap-server localhost:9092 --topic test --messages 3");
    let out = ok(&mut t, "kafka-console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --timeout-ms 2000");
    assert_eq!(out.iter().filter(|l| l.starts_with("message-")).count(), 3, "{out:#?}");
    assert_eq!(out.last().unwrap(), "Processed a total of 3 messages");
    assert!(has_line(&out, "org.apache.kafka.common.errors.TimeoutException"), "{out:#?}");
}
