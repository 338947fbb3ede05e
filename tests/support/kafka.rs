//! Helpers for the Kafka integration tests (included from each `tests/kafka_*.rs` with
//! `#[path = "support/kafka.rs"] mod ksupport;`, next to `mod support;`).
//!
//! The expectations come from Kafka 2.8.2 in ZooKeeper mode (apache/kafka, tag 2.8.2):
//! `core/src/main/scala/kafka/zk/ZkData.scala` (znode payloads), `kafka/controller/KafkaController.scala`
//! and `PartitionStateMachine.scala` (failover, elections), `kafka/admin/AdminUtils.scala` (assignment),
//! `kafka/cluster/Partition.scala` (ISR) and `kafka/admin/TopicCommand.scala` (describe output).
#![allow(dead_code)]

use crate::support::*;
use zkafka_sandbox::kafka::types::TopicPartition;
use zkafka_sandbox::terminal::Terminal;

/// The seed's explicit replica assignment (SEMANTICS §8, "Seed reproduction").
pub const SEED_ASSIGNMENT: &str = "3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1";

/// The seed assignment as lists.
pub fn seed_replicas() -> Vec<Vec<u32>> {
    SEED_ASSIGNMENT.split(',').map(|p| p.split(':').map(|b| b.parse().unwrap()).collect()).collect()
}

/// Three ZooKeeper servers in the seed order (1, 2, pause, 3) and then brokers 1..=4 started in
/// order, with 5 s to register and elect a controller.
pub fn kafka_cluster(seed: u64) -> Terminal {
    let mut t = sandbox(seed);
    seed_ensemble(&mut t);
    for b in 1..=4 {
        ok(&mut t, &format!("kafka-server-start -daemon config/server{b}.properties"));
    }
    ok(&mut t, "sleep 5s");
    t
}

/// `kafka_cluster` plus the seed topic `test` created over ZooKeeper with the explicit seed
/// assignment, and 2 s for the controller to elect the leaders.
pub fn seed_cluster(seed: u64) -> Terminal {
    let mut t = kafka_cluster(seed);
    let out = ok(&mut t, &format!("kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment {SEED_ASSIGNMENT}"));
    assert_eq!(out, vec!["Created topic test."]);
    ok(&mut t, "sleep 2s");
    t
}

/// One describe row as `kafka-topics` prints it (SEMANTICS §12).
pub fn row(topic: &str, p: i32, leader: &str, replicas: &str, isr: &str) -> String {
    format!("\tTopic: {topic}\tPartition: {p}\tLeader: {leader}\tReplicas: {replicas}\tIsr: {isr}")
}

/// `kafka-topics --describe --zookeeper localhost:2181 --topic T`.
pub fn describe_zk(t: &mut Terminal, topic: &str) -> Vec<String> {
    ok(t, &format!("kafka-topics --describe --zookeeper localhost:2181 --topic {topic}"))
}

/// Only the partition rows of a describe (drops the header line).
pub fn rows(describe: &[String]) -> Vec<String> {
    describe.iter().filter(|l| l.starts_with("\tTopic: ")).cloned().collect()
}

/// A describe row's field (`Leader`, `Replicas`, `Isr`, ...).
pub fn row_field(row: &str, key: &str) -> String {
    let prefix = format!("{key}: ");
    row.split('\t').find_map(|f| f.strip_prefix(&prefix).map(|s| s.to_string())).unwrap_or_else(|| panic!("no {key} in `{row}`"))
}

/// The seed table right after creation: leader = R[0], Isr = R.
pub fn seed_rows_created() -> Vec<String> {
    seed_replicas()
        .iter()
        .enumerate()
        .map(|(p, r)| {
            let s = join(r);
            row("test", p as i32, &r[0].to_string(), &s, &s)
        })
        .collect()
}

pub fn join(v: &[u32]) -> String {
    v.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",")
}

/// `/brokers/topics/T/partitions/P/state`: (JSON, Stat).
pub fn state(t: &mut Terminal, topic: &str, p: i32) -> (String, StatBlock) {
    get_s(t, 2181, &format!("/brokers/topics/{topic}/partitions/{p}/state"))
}

/// The exact `/state` payload (SEMANTICS §6: key order controller_epoch, leader, version,
/// leader_epoch, isr on both Scala builds).
pub fn state_json(controller_epoch: i32, leader: i32, leader_epoch: i32, isr: &[u32]) -> String {
    format!(
        "{{\"controller_epoch\":{controller_epoch},\"leader\":{leader},\"version\":1,\"leader_epoch\":{leader_epoch},\"isr\":[{}]}}",
        join(isr)
    )
}

/// The broker id named by `/controller`.
pub fn controller_id(t: &mut Terminal) -> u32 {
    let out = zk(t, 2181, "get /controller");
    assert_eq!(out.len(), 1, "{out:?}");
    let s = &out[0];
    let i = s.find("\"brokerid\":").unwrap_or_else(|| panic!("no brokerid in {s}")) + "\"brokerid\":".len();
    s[i..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().unwrap()
}

/// Whether `lines` contains a line containing `needle`.
pub fn has_line(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

/// The brokers that are up and hold a controller context.
pub fn controllers(t: &Terminal) -> Vec<u32> {
    (1..=t.cluster.shape.brokers)
        .filter(|&b| {
            let up = t.cluster.broker_node(b).map(|n| t.cluster.world.is_up(n)).unwrap_or(false);
            up && t.cluster.broker(b).map(|x| x.is_running() && x.ctl.is_some()).unwrap_or(false)
        })
        .collect()
}

/// The controller's view of one partition (leader, leader_epoch, isr, controller_epoch, zk_version).
pub fn ctl_state(t: &Terminal, topic: &str, p: i32) -> (i32, i32, Vec<u32>, i32, i32) {
    let c = t.cluster.controller().expect("no controller");
    let s = c
        .ctl
        .as_ref()
        .unwrap()
        .states
        .get(&TopicPartition { topic: topic.into(), partition: p })
        .unwrap_or_else(|| panic!("no state for {topic}-{p}"));
    (s.leader.0, s.leader_epoch.0, s.isr.iter().map(|b| b.0 as u32).collect(), s.controller_epoch.0, s.zk_version)
}
