//! `kafka-leader-election` against Kafka 2.8.2, case by case; each test cites the upstream file
//! it follows (paths relative to apache/kafka at tag 2.8.2). Its command-line errors are data:
//! `tests/cli/kafka-leader-election.cases`.

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;

const ALL: &str = "kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions";

#[test]
fn nothing_to_elect_prints_the_no_op_line_with_the_empty_succeeded_set() {
    // core/src/main/scala/kafka/admin/LeaderElectionCommand.scala, electLeaders: the no-op line
    // prints `succeeded.mkString(", ")` (KAFKA-12684, fixed in 3.0), and no summary line.
    let mut t = seed_cluster(51);
    let out = ok(&mut t, ALL);
    assert_eq!(out, vec!["Valid replica already elected for partitions ".to_string()]);
}

#[test]
fn a_mixed_result_lists_the_succeeded_partitions_twice() {
    // LeaderElectionCommand.scala, electLeaders (KAFKA-12684); the sets are Scala 2.13
    // mutable.HashSets (scala/collection/mutable/HashSet.scala: bucket by improved hash).
    let mut t = seed_cluster(52);
    ok(&mut t, "broker kill 1");
    ok(&mut t, "sleep 40s");
    ok(&mut t, "kafka-server-start -daemon config/server1.properties");
    ok(&mut t, "sleep 15s");
    let out = ok(&mut t, ALL);
    assert_eq!(out.len(), 2, "{out:#?}");
    let done = out[0].strip_prefix("Successfully completed leader election (PREFERRED) for partitions ").expect("success line");
    let mut parts: Vec<&str> = done.split(", ").collect();
    assert_eq!(out[1], format!("Valid replica already elected for partitions {done}"));
    parts.sort();
    assert_eq!(parts, vec!["test-2", "test-6"], "the partitions broker 1 prefers and does not lead: {out:#?}");
}

#[test]
fn failed_elections_end_with_the_uncaught_admin_command_failed_exception() {
    // LeaderElectionCommand.scala, electLeaders: one line per failed partition with the
    // exception, then `throw new AdminCommandFailedException(s"${failed.size} replica(s) could
    // not be elected")`, which escapes main.
    let mut t = kafka_cluster(53);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic m --replica-assignment 2:3");
    ok(&mut t, "sleep 2s");
    ok(&mut t, "broker kill 2");
    ok(&mut t, "sleep 30s");
    let out = ok(&mut t, "kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --topic m --partition 0");
    assert_eq!(
        out,
        vec![
            "Error completing leader election (PREFERRED) for partition: m-0: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: Failed to elect leader for partition m-0 under strategy PreferredReplicaPartitionLeaderElectionStrategy".to_string(),
            "Exception in thread \"main\" kafka.common.AdminCommandFailedException: 1 replica(s) could not be elected".to_string(),
        ]
    );
}

#[test]
fn no_reachable_broker_times_out_after_thirty_seconds() {
    // LeaderElectionCommand.scala: main runs with a 30 s timeout (default.api.timeout.ms);
    // electLeaders turns the TimeoutException into "Timeout waiting for election results".
    let mut t = seed_cluster(54);
    for b in 1..=4 {
        ok(&mut t, &format!("broker kill {b}"));
    }
    let start = t.cluster.now().as_millis();
    let out = ok(&mut t, ALL);
    let took = t.cluster.now().as_millis() - start;
    assert_eq!(
        out,
        vec![
            "Timeout waiting for election results".to_string(),
            "Exception in thread \"main\" kafka.common.AdminCommandFailedException: Timeout waiting for election results".to_string(),
        ]
    );
    assert!((30_000..31_000).contains(&took), "{took} ms");
}
