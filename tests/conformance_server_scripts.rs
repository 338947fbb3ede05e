//! The server start/stop scripts against Kafka 2.8.2's `bin/` (paths relative to apache/kafka at
//! tag 2.8.2), case by case: what they print and which processes they reach.

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;

#[test]
fn start_scripts_without_arguments_print_their_usage_line() {
    // bin/kafka-server-start.sh and bin/zookeeper-server-start.sh: `if [ $# -lt 1 ]` echo USAGE.
    let mut t = sandbox(71);
    assert_eq!(
        rejected(&mut t, "kafka-server-start"),
        vec!["USAGE: kafka-server-start [-daemon] server.properties [--override property=value]*"]
    );
    assert_eq!(rejected(&mut t, "zookeeper-server-start"), vec!["USAGE: zookeeper-server-start [-daemon] zookeeper.properties"]);
}

#[test]
fn stop_scripts_say_when_nothing_runs_and_otherwise_stop_every_server() {
    // bin/kafka-server-stop.sh: every `kafka.Kafka` java process gets SIGTERM, or "No kafka server
    // to stop"; bin/zookeeper-server-stop.sh likewise for QuorumPeerMain.
    let mut t = sandbox(72);
    assert_eq!(rejected(&mut t, "kafka-server-stop"), vec!["No kafka server to stop"]);
    assert_eq!(rejected(&mut t, "zookeeper-server-stop"), vec!["No zookeeper server to stop"]);
    let mut t = kafka_cluster(73);
    ok(&mut t, "kafka-server-stop");
    ok(&mut t, "sleep 30s");
    assert_eq!(
        rejected(&mut t, "kafka-server-stop"),
        vec!["No kafka server to stop"],
        "every broker stopped (SIGTERM: controlled shutdown)"
    );
    ok(&mut t, "zookeeper-server-stop");
    assert_eq!(rejected(&mut t, "zookeeper-server-stop"), vec!["No zookeeper server to stop"]);
}
