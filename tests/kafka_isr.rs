//! ISR shrink and expand (SEMANTICS §10: leader-driven AlterIsr after replica.lag.time.max.ms;
//! rejoining replicas appended at the end) and the controller's removal of dead replicas (§9).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::kafka::types::TopicPartition;

fn tp(topic: &str, p: i32) -> TopicPartition {
    TopicPartition { topic: topic.into(), partition: p }
}

#[test]
fn a_follower_cut_off_from_its_leader_leaves_the_isr_after_30s_via_alter_isr_and_rejoins_at_the_end() {
    let mut t = kafka_cluster(21);
    // Leader 2, followers 4 and 3; neither 2 nor 4 is the controller (1), and only b4 → b2 is
    // cut, so ZooKeeper and the controller stay reachable for everyone.
    assert_eq!(
        ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic r --replica-assignment 2:4:3"),
        vec!["Created topic r."]
    );
    ok(&mut t, "sleep 2s");
    ok(&mut t, "net cut b4->b2");
    ok(&mut t, "sleep 2s");
    let out = ok(&mut t, "kafka-console-producer --bootstrap-server localhost:9092 --topic r --messages 2");
    assert!(has_line(&out, "2 record(s) acknowledged"), "{out:?}");
    let t0 = t.cluster.now().as_millis();
    // §10: out of sync only once LEO differs AND now - lastCaughtUp > replica.lag.time.max.ms
    // (30000); checked every 15 s. Before 30 s the ISR is untouched.
    ok(&mut t, "sleep 27s");
    assert_eq!(ctl_state(&t, "r", 0).2, vec![2, 4, 3], "shrunk before replica.lag.time.max.ms");
    assert_eq!(rows(&describe_zk(&mut t, "r")), vec![row("r", 0, "2", "2,4,3", "2,4,3")]);
    // By 30 s + one 15 s check interval (+ slack) it has shrunk.
    let now = t.cluster.now().as_millis();
    ok(&mut t, &format!("sleep {}ms", t0 + 48_000 - now));
    assert_eq!(rows(&describe_zk(&mut t, "r")), vec![row("r", 0, "2", "2,4,3", "2,3")]);
    // AlterIsr: leader_epoch unchanged (0), zkVersion +1, stamped by the controller (epoch 1) (§9, §10).
    let (js, st) = state(&mut t, "r", 0);
    assert_eq!(js, state_json(1, 2, 0, &[2, 3]));
    assert_eq!(st.data_version, 1);
    // The leader's HW moved on with the shrunken ISR; the cut follower is behind.
    let hw = t.cluster.broker(2).unwrap().durable.logs[&tp("r", 0)].hw;
    assert_eq!(hw, 2);
    // Heal: the follower fetches, catches up, and the leader expands the ISR with 4 at the end.
    ok(&mut t, "net heal");
    ok(&mut t, "sleep 5s");
    assert_eq!(rows(&describe_zk(&mut t, "r")), vec![row("r", 0, "2", "2,4,3", "2,3,4")]);
    let (js, st) = state(&mut t, "r", 0);
    assert_eq!(js, state_json(1, 2, 0, &[2, 3, 4]));
    assert_eq!(st.data_version, 2);
    assert_eq!(t.cluster.broker(4).unwrap().durable.logs[&tp("r", 0)].leo(), 2);
    assert_clean(&t);
}

#[test]
fn an_idle_follower_that_cannot_fetch_stays_in_the_isr() {
    // §10 isFollowerOutOfSync: LEO != leader LEO is required; with no new records the cut
    // follower is still caught up and is never removed.
    let mut t = kafka_cluster(22);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic idle --replica-assignment 2:4:3");
    ok(&mut t, "sleep 2s");
    ok(&mut t, "net cut b4->b2");
    ok(&mut t, "sleep 70s");
    assert_eq!(rows(&describe_zk(&mut t, "idle")), vec![row("idle", 0, "2", "2,4,3", "2,4,3")]);
    ok(&mut t, "net heal");
    assert_clean(&t);
}

#[test]
fn a_killed_follower_is_removed_by_the_controller_with_leader_epoch_plus_1() {
    let mut t = seed_cluster(23);
    ok(&mut t, "broker kill 4");
    ok(&mut t, "sleep 25s");
    // §9 "A non-controller broker dies while the controller stays up": partitions it led get a
    // new leader (+1); partitions where it followed lose it from the ISR (+1). Controller epoch 1.
    let (p1, s1) = state(&mut t, "test", 1);
    assert_eq!(p1, state_json(1, 3, 1, &[3, 1, 2]));
    assert_eq!(s1.data_version, 1);
    let (p0, s0) = state(&mut t, "test", 0);
    assert_eq!(p0, state_json(1, 3, 1, &[3, 2, 1]));
    assert_eq!(s0.data_version, 1);
    let (p9, _) = state(&mut t, "test", 9);
    assert_eq!(p9, state_json(1, 2, 1, &[2, 3, 1]));
    assert_eq!(controller_id(&mut t), 1);
    assert_clean(&t);
}

#[test]
fn when_the_only_isr_member_dies_the_partition_has_no_leader_and_keeps_that_isr() {
    let mut t = kafka_cluster(24);
    ok(&mut t, "kafka-topics --create --zookeeper localhost:2181 --topic solo --replica-assignment 3:4");
    ok(&mut t, "sleep 2s");
    ok(&mut t, "broker kill 4");
    ok(&mut t, "sleep 25s");
    assert_eq!(rows(&describe_zk(&mut t, "solo")), vec![row("solo", 0, "3", "3,4", "3")]);
    assert_eq!(state(&mut t, "solo", 0).0, state_json(1, 3, 1, &[3]));
    ok(&mut t, "broker kill 3");
    ok(&mut t, "sleep 25s");
    // §9 removeReplicasFromIsr: leader -1, a 1-element ISR is left as it is, leader_epoch +1
    // (ControllerIntegrationTest.testLeaderAndIsrWhenEntireIsrOfflineAndUncleanLeaderElectionDisabled);
    // §12 describe prints `Leader: none`.
    assert_eq!(rows(&describe_zk(&mut t, "solo")), vec![row("solo", 0, "none", "3,4", "3")]);
    let (js, st) = state(&mut t, "solo", 0);
    assert_eq!(js, state_json(1, -1, 2, &[3]));
    assert_eq!(st.data_version, 2);
    // 4 comes back: not in the ISR and unclean election is off (§11) → still no leader.
    ok(&mut t, "broker start 4");
    ok(&mut t, "sleep 5s");
    assert_eq!(rows(&describe_zk(&mut t, "solo")), vec![row("solo", 0, "none", "3,4", "3")]);
    // 3 comes back: the offline election picks it (live and in ISR), leader_epoch 3; then 4 rejoins.
    ok(&mut t, "broker start 3");
    ok(&mut t, "sleep 5s");
    assert_eq!(rows(&describe_zk(&mut t, "solo")), vec![row("solo", 0, "3", "3,4", "3,4")]);
    let (js, _) = state(&mut t, "solo", 0);
    assert_eq!(js, state_json(1, 3, 3, &[3, 4]));
    assert_clean(&t);
}
