//! Producing and consuming through the console tools: acks, min.insync.replicas, what a consumer
//! reads, and the records that can be lost (acks=1, unclean election). SEMANTICS §9–11;
//! upstream Partition.appendRecordsToLeader (NOT_ENOUGH_REPLICAS), clients Sender.java
//! (retries until delivery.timeout.ms = 120000).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::kafka::types::TopicPartition;
use zkafka_sandbox::terminal::Terminal;

fn tp(topic: &str, p: i32) -> TopicPartition {
    TopicPartition { topic: topic.into(), partition: p }
}

/// Feed `values` to an interactive console producer and close the batch with `.`.
fn produce(t: &mut Terminal, topic: &str, acks: &str, values: &[&str]) -> Vec<String> {
    let mut out =
        ok(t, &format!("kafka-console-producer --bootstrap-server localhost:9092 --topic {topic} --producer-property acks={acks}"));
    for v in values {
        out.extend(ok(t, v));
    }
    out.extend(ok(t, "."));
    out
}

/// Everything a from-beginning consumer reads before a 3 s timeout, without the trailer lines.
fn consume_all(t: &mut Terminal, topic: &str) -> (Vec<String>, Vec<String>) {
    let out = ok(t, &format!("kafka-console-consumer --bootstrap-server localhost:9092 --topic {topic} --from-beginning --max-messages 100 --timeout-ms 3000"));
    let records = out
        .iter()
        .filter(|l| !l.starts_with('[') && !l.starts_with("org.apache") && !l.starts_with("Processed a total"))
        .cloned()
        .collect();
    (records, out)
}

#[test]
fn acks_all_below_min_insync_replicas_is_rejected_and_times_out_while_acks_1_succeeds() {
    let mut t = kafka_cluster(31);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic m --replica-assignment 2:3:4 --config min.insync.replicas=3");
    ok(&mut t, "sleep 2s");
    // --zookeeper describe shows topic overrides only (§12).
    assert_eq!(describe_zk(&mut t, "m")[0].split('\t').next_back().unwrap(), "Configs: min.insync.replicas=3");
    let out = produce(&mut t, "m", "all", &["one", "two", "three"]);
    assert!(has_line(&out, "3 record(s) acknowledged (acks=all)"), "{out:?}");
    ok(&mut t, "broker kill 4");
    ok(&mut t, "sleep 25s");
    assert_eq!(rows(&describe_zk(&mut t, "m")), vec![row("m", 0, "2", "2,3,4", "2,3")]);
    let leo_before = t.cluster.broker(2).unwrap().durable.logs[&tp("m", 0)].leo();
    let start = t.cluster.now().as_millis();
    let out = produce(&mut t, "m", "all", &["lost1", "lost2"]);
    let took = t.cluster.now().as_millis() - start;
    let all = out.join("\n");
    // Partition.appendRecordsToLeader: ISR 2 < min.insync.replicas 3 with acks=-1 →
    // NOT_ENOUGH_REPLICAS, retriable, so the producer retries until delivery.timeout.ms (120 s)
    // and then reports a TimeoutException for the expired batch.
    assert!(all.contains("Error: NOT_ENOUGH_REPLICAS"), "{all}");
    assert!(
        all.contains(
            "org.apache.kafka.common.errors.TimeoutException: Expiring 2 record(s) for m-0:120000 ms has passed since batch creation"
        ),
        "{all}"
    );
    assert!((120_000..130_000).contains(&took), "the producer gave up after {took} ms");
    assert_eq!(t.cluster.broker(2).unwrap().durable.logs[&tp("m", 0)].leo(), leo_before, "nothing was appended");
    // acks=1 does not look at min.insync.replicas.
    let out = produce(&mut t, "m", "1", &["four"]);
    assert!(has_line(&out, "1 record(s) acknowledged (acks=1)"), "{out:?}");
    // The consumer reads exactly what was acknowledged, in order.
    let (records, raw) = consume_all(&mut t, "m");
    assert_eq!(records, vec!["one", "two", "three", "four"], "{raw:?}");
    assert_eq!(raw.last().unwrap(), "Processed a total of 4 messages");
    assert_clean(&t);
}

#[test]
fn consumer_with_max_messages_stops_after_that_many() {
    let mut t = kafka_cluster(32);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic c --replica-assignment 1:2:3");
    ok(&mut t, "sleep 2s");
    let out = ok(&mut t, "kafka-console-producer --bootstrap-server localhost:9092 --topic c --producer-property acks=all --messages 5");
    assert!(has_line(&out, "5 record(s) acknowledged (acks=all)"), "{out:?}");
    let out = ok(&mut t, "kafka-console-consumer --bootstrap-server localhost:9092 --topic c --from-beginning --max-messages 3");
    assert_eq!(out, vec!["message-1", "message-2", "message-3", "Processed a total of 3 messages"]);
    // acks=all with the full ISR: every replica has all 5, HW 5 everywhere once fetched.
    ok(&mut t, "sleep 2s");
    for b in 1..=3 {
        let log = &t.cluster.broker(b).unwrap().durable.logs[&tp("c", 0)];
        assert_eq!((log.leo(), log.hw), (5, 5), "broker {b}");
    }
    assert_clean(&t);
}

#[test]
fn acks_1_records_are_lost_when_the_leader_dies_before_the_followers_fetched_them() {
    let mut t = kafka_cluster(33);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic l --replica-assignment 2:3");
    ok(&mut t, "sleep 2s");
    let out = produce(&mut t, "l", "all", &["safe"]);
    assert!(has_line(&out, "1 record(s) acknowledged (acks=all)"), "{out:?}");
    ok(&mut t, "sleep 1s");
    // The follower cannot fetch; the leader acknowledges acks=1 records on its own append.
    ok(&mut t, "net cut b3->b2");
    ok(&mut t, "sleep 2s");
    let out = produce(&mut t, "l", "1", &["gone1", "gone2"]);
    assert!(has_line(&out, "2 record(s) acknowledged (acks=1)"), "{out:?}");
    // The leader dies well before replica.lag.time.max.ms: 3 is still in the ISR, so the clean
    // offline election picks it (§9) and the two acks=1 records are gone.
    ok(&mut t, "broker kill 2");
    ok(&mut t, "net heal");
    ok(&mut t, "sleep 25s");
    assert_eq!(rows(&describe_zk(&mut t, "l")), vec![row("l", 0, "3", "2,3", "3")]);
    let (records, raw) = consume_all(&mut t, "l");
    assert_eq!(records, vec!["safe"], "{raw:?}");
    // The old leader comes back, truncates to the new leader's log and rejoins.
    ok(&mut t, "broker start 2");
    ok(&mut t, "sleep 5s");
    assert_eq!(rows(&describe_zk(&mut t, "l")), vec![row("l", 0, "3", "2,3", "3,2")]);
    assert_eq!(t.cluster.broker(2).unwrap().durable.logs[&tp("l", 0)].leo(), 1, "truncated to the leader's log end");
    // acks=1 loss is allowed: the checker's acked-not-lost must not flag it.
    assert_clean(&t);
}

/// Produce 3 (acks=all, both replicas), kill the follower 3, produce 2 more (acks=all, ISR [2]),
/// kill the leader 2: the partition is leaderless with ISR [2].
fn leaderless_after_two_deaths(seed: u64, unclean: bool) -> Terminal {
    let mut t = kafka_cluster(seed);
    let cfg = if unclean { " --config unclean.leader.election.enable=true" } else { "" };
    ok(&mut t, &format!("kafka-topics --create --zookeeper localhost:2181 --topic u --replica-assignment 2:3{cfg}"));
    ok(&mut t, "sleep 2s");
    assert!(has_line(&produce(&mut t, "u", "all", &["a1", "a2", "a3"]), "3 record(s) acknowledged"));
    ok(&mut t, "sleep 2s");
    ok(&mut t, "broker kill 3");
    ok(&mut t, "sleep 25s");
    assert!(has_line(&produce(&mut t, "u", "all", &["b1", "b2"]), "2 record(s) acknowledged (acks=all)"));
    ok(&mut t, "broker kill 2");
    ok(&mut t, "sleep 25s");
    assert_eq!(rows(&describe_zk(&mut t, "u")), vec![row("u", 0, "none", "2,3", "2")]);
    t
}

#[test]
fn unclean_leader_election_elects_an_out_of_sync_replica_and_loses_records_without_a_violation() {
    let mut t = leaderless_after_two_deaths(34, true);
    ok(&mut t, "broker start 3");
    ok(&mut t, "sleep 5s");
    // §9 offline election with unclean enabled: first live replica, ISR = [leader], leader_epoch +1.
    assert_eq!(rows(&describe_zk(&mut t, "u")), vec![row("u", 0, "3", "2,3", "3")]);
    assert_eq!(state(&mut t, "u", 0).0, state_json(1, 3, 3, &[3]));
    let (records, raw) = consume_all(&mut t, "u");
    assert_eq!(records, vec!["a1", "a2", "a3"], "b1, b2 were only on broker 2: {raw:?}");
    // Unclean election is an explicit opt-in to data loss: the checker must not flag it.
    assert_clean(&t);
}

#[test]
fn without_unclean_election_the_partition_waits_for_the_last_isr_member() {
    let mut t = leaderless_after_two_deaths(35, false);
    ok(&mut t, "broker start 3");
    ok(&mut t, "sleep 5s");
    // unclean.leader.election.enable defaults to false (§11): 3 is not in the ISR, no leader.
    assert_eq!(rows(&describe_zk(&mut t, "u")), vec![row("u", 0, "none", "2,3", "2")]);
    ok(&mut t, "broker start 2");
    ok(&mut t, "sleep 5s");
    assert_eq!(rows(&describe_zk(&mut t, "u")), vec![row("u", 0, "2", "2,3", "2,3")]);
    let (records, raw) = consume_all(&mut t, "u");
    assert_eq!(records, vec!["a1", "a2", "a3", "b1", "b2"], "{raw:?}");
    assert_clean(&t);
}
