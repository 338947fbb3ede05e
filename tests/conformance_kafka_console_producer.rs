//! `kafka-console-producer` against Kafka 2.8.2, case by case; each test cites the upstream file
//! it follows (paths relative to apache/kafka at tag 2.8.2). Its command-line errors are data:
//! `tests/cli/kafka-console-producer.cases`.

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::kafka::types::TopicPartition;
use zkafka_sandbox::terminal::Terminal;

const NOT_ENOUGH: &str =
    "org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required.";

/// Topic `m` on brokers 2,3,4 with min.insync.replicas=3, and broker 4 dead long enough to leave
/// the ISR: every acks=all produce is answered NOT_ENOUGH_REPLICAS.
fn below_min_isr(seed: u64) -> Terminal {
    let mut t = kafka_cluster(seed);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic m --replica-assignment 2:3:4 --config min.insync.replicas=3");
    ok(&mut t, "sleep 2s");
    ok(&mut t, "broker kill 4");
    ok(&mut t, "sleep 25s");
    assert_eq!(rows(&describe_zk(&mut t, "m")), vec![row("m", 0, "2", "2,3,4", "2,3")]);
    t
}

/// Runs a producer command; returns its lines and the virtual milliseconds it took.
fn timed(t: &mut Terminal, line: &str) -> (Vec<String>, u64) {
    let start = t.cluster.now().as_millis();
    let out = ok(t, line);
    (out, t.cluster.now().as_millis() - start)
}

fn attempts_left(out: &[String]) -> Vec<String> {
    out.iter().filter_map(|l| l.split("retrying (").nth(1)).map(|r| r.split(')').next().unwrap_or("").to_string()).collect()
}

fn leo(t: &Terminal) -> i64 {
    t.cluster.broker(2).unwrap().durable.logs[&TopicPartition { topic: "m".into(), partition: 0 }].leo()
}

#[test]
fn acks_all_below_min_insync_replicas_is_retried_three_times_then_each_record_fails() {
    // core/src/main/scala/kafka/tools/ConsoleProducer.scala (producerProps: retries from
    // --message-send-max-retries, default 3); clients/.../producer/internals/Sender.java
    // (completeBatch: "retrying (retries - attempts - 1 attempts left)"); clients/.../producer/
    // internals/ErrorLoggingCallback.java (one ERROR per record); common/protocol/Errors.java.
    let mut t = below_min_isr(31);
    let before = leo(&t);
    let (out, took) =
        timed(&mut t, "kafka-console-producer --bootstrap-server localhost:9092 --topic m --producer-property acks=all --messages 2");
    assert_eq!(attempts_left(&out), vec!["2 attempts left", "1 attempts left", "0 attempts left"], "{out:#?}");
    assert!(out
        .iter()
        .filter(|l| l.contains(" WARN "))
        .all(|l| l.ends_with("Error: NOT_ENOUGH_REPLICAS (org.apache.kafka.clients.producer.internals.Sender)")));
    let errors: Vec<&String> = out.iter().filter(|l| l.contains(" ERROR ")).collect();
    assert_eq!(errors.len(), 2, "one ErrorLoggingCallback line per record: {out:#?}");
    for e in &errors {
        assert!(
            e.ends_with("ERROR Error when sending message to topic m with key: null, value: 9 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)"),
            "{e}"
        );
    }
    assert_eq!(out.iter().filter(|l| *l == NOT_ENOUGH).count(), 2, "{out:#?}");
    assert!(took < 5_000, "four attempts 100 ms apart, not delivery.timeout.ms: {took} ms");
    assert_eq!(leo(&t), before, "nothing was appended");
}

#[test]
fn the_retry_count_comes_from_the_option_then_the_property() {
    // ConsoleProducer.scala + core/src/main/scala/kafka/utils/CommandLineUtils.scala
    // (maybeMergeOptions: the option, or its default unless the property is set).
    let mut t = below_min_isr(32);
    let base = "kafka-console-producer --bootstrap-server localhost:9092 --topic m --producer-property acks=all --messages 1";
    let (out, _) = timed(&mut t, &format!("{base} --message-send-max-retries 1"));
    assert_eq!(attempts_left(&out), vec!["0 attempts left"], "{out:#?}");
    let (out, _) = timed(&mut t, &format!("{base} --producer-property retries=0"));
    assert!(attempts_left(&out).is_empty(), "{out:#?}");
    assert!(out.contains(&NOT_ENOUGH.to_string()), "{out:#?}");
    let (out, _) = timed(&mut t, &format!("{base} --producer-property retries=5"));
    assert_eq!(attempts_left(&out).len(), 5, "{out:#?}");
    let (out, _) = timed(&mut t, &format!("{base} --producer-property retries=5 --message-send-max-retries 2"));
    assert_eq!(attempts_left(&out).len(), 2, "the option wins: {out:#?}");
}

#[test]
fn retry_backoff_ms_spaces_the_attempts() {
    // ConsoleProducer.scala (--retry-backoff-ms → retry.backoff.ms); Sender.java (reenqueue
    // waits retry.backoff.ms).
    let mut t = below_min_isr(33);
    let base = "kafka-console-producer --bootstrap-server localhost:9092 --topic m --producer-property acks=all --messages 1";
    let (_, fast) = timed(&mut t, base);
    let (out, slow) = timed(&mut t, &format!("{base} --retry-backoff-ms 1000"));
    assert_eq!(attempts_left(&out).len(), 3, "{out:#?}");
    assert!(slow >= 3_000 && slow > fast + 2_000, "3 backoffs of 1 s: {slow} ms (default: {fast} ms)");
}

#[test]
fn unlimited_retries_run_until_delivery_timeout_ms() {
    // clients/.../producer/ProducerConfig.java (delivery.timeout.ms = 120000) and
    // clients/.../producer/internals/ProducerBatch.java (the expiry message): true of a bare
    // KafkaProducer (retries = Integer.MAX_VALUE), not of the console producer's default.
    let mut t = below_min_isr(34);
    let (out, took) = timed(
        &mut t,
        "kafka-console-producer --bootstrap-server localhost:9092 --topic m --producer-property acks=all --producer-property retries=2147483647 --messages 2",
    );
    assert_eq!(attempts_left(&out)[0], "2147483646 attempts left", "{out:#?}");
    assert!(has_line(&out, "# sandbox: "), "further retries are counted in one line: {out:#?}");
    assert_eq!(
        out.iter()
            .filter(|l| *l == "org.apache.kafka.common.errors.TimeoutException: Expiring 2 record(s) for m-0:120000 ms has passed since batch creation")
            .count(),
        2,
        "{out:#?}"
    );
    assert!((120_000..130_000).contains(&took), "{took} ms");
}

#[test]
fn sync_mode_ends_with_the_first_records_execution_exception() {
    // ConsoleProducer.scala (send: --sync waits on producer.send(record).get(); main prints the
    // exception's stack trace, whose first line this is).
    let mut t = below_min_isr(35);
    let (out, _) = timed(
        &mut t,
        "kafka-console-producer --bootstrap-server localhost:9092 --topic m --producer-property acks=all --sync --messages 2",
    );
    assert_eq!(out.last().unwrap(), &format!("java.util.concurrent.ExecutionException: {NOT_ENOUGH}"));
    assert!(!out.iter().any(|l| l.contains("ErrorLoggingCallback")), "{out:#?}");
}
