//! The seed walkthrough (`lessons/seed-walkthrough.txt`, the Korean blog post's steps) against Kafka
//! 2.8.2: controller failover (`core/src/main/scala/kafka/controller/KafkaController.scala`),
//! election algorithms and epochs (`PartitionStateMachine.scala`, `Election.scala`), ISR expand
//! (`kafka/cluster/Partition.scala`) and the describe output (`kafka/admin/TopicCommand.scala`).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/kafka.rs"]
mod ksupport;
mod support;

use ksupport::*;
use support::*;
use zkafka_sandbox::terminal::Terminal;

/// The seed's post-kill table: broker 1 leaves every ISR (order kept), partitions it led go to
/// the first live ISR member in assignment order (SEMANTICS §9 offline election, §10 "When a
/// broker dies").
fn post_kill_rows() -> Vec<String> {
    seed_replicas()
        .iter()
        .enumerate()
        .map(|(p, r)| {
            let isr: Vec<u32> = r.iter().copied().filter(|&b| b != 1).collect();
            row("test", p as i32, &isr[0].to_string(), &join(r), &join(&isr))
        })
        .collect()
}

/// Kill broker 1 and sleep until some other broker controls (polling the Rust view in 1 s steps,
/// which does not disturb the cluster). Returns the virtual time (ms) of the first poll that saw it.
fn kill_controller_and_wait_failover(t: &mut Terminal) -> u64 {
    ok(t, "broker kill 1");
    for _ in 0..40 {
        ok(t, "sleep 1s");
        if let Some(c) = t.cluster.controller() {
            if c.id.0 != 1 {
                return t.cluster.now().as_millis();
            }
        }
    }
    panic!("no new controller 40 s after the kill: {:?}", t.status());
}

#[test]
fn describe_after_creation_shows_exactly_the_seed_table() {
    let mut t = seed_cluster(1);
    let out = ok(&mut t, "kafka-topics --describe --zookeeper localhost:2181,localhost:2182,localhost:2183 --topic test");
    assert_eq!(out.len(), 11, "{out:#?}");
    // §12: header fields TAB-separated; TopicId base64url 22 chars; on --zookeeper only topic
    // overrides follow `Configs: ` (none here, so the line ends in "Configs: ").
    let h: Vec<&str> = out[0].split('\t').collect();
    assert_eq!(h.len(), 5, "{:?}", out[0]);
    assert_eq!(h[0], "Topic: test");
    let id = h[1].strip_prefix("TopicId: ").expect("TopicId field");
    assert_eq!(id.len(), 22, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{id} is base64url");
    assert_eq!(&h[2..], &["PartitionCount: 10", "ReplicationFactor: 4", "Configs: "]);
    // §9 new partition: leader = first live replica, ISR = live replicas in assignment order.
    assert_eq!(out[1..].to_vec(), seed_rows_created());
    // /state of P2 right after creation: leader_epoch 0, zkVersion 0, controller_epoch 1 (§6, §9).
    let (json, st) = state(&mut t, "test", 2);
    assert_eq!(json, state_json(1, 1, 0, &[1, 4, 2, 3]));
    assert_eq!(st.data_version, 0);
    assert_clean(&t);
}

#[test]
fn killed_controller_changes_nothing_until_its_session_expires_then_shows_the_seed_post_kill_table() {
    let mut t = seed_cluster(2);
    ok(&mut t, "broker kill 1");
    ok(&mut t, "sleep 10s");
    // §10: with kill -9 nothing happens until zookeeper.session.timeout.ms (18 s) expires the session.
    assert_eq!(rows(&describe_zk(&mut t, "test")), seed_rows_created());
    assert_eq!(controller_id(&mut t), 1, "/controller is the dead broker's ephemeral until expiry");
    ok(&mut t, "sleep 20s");
    assert_eq!(rows(&describe_zk(&mut t, "test")), post_kill_rows());
    // §7: another broker wins /controller; /controller_epoch 1 → 2 with dataVersion 2, both in one multi.
    let c = controller_id(&mut t);
    assert!([2, 3, 4].contains(&c), "controller {c}");
    let (epoch, est) = get_s(&mut t, 2181, "/controller_epoch");
    assert_eq!(epoch, "2");
    assert_eq!(est.data_version, 2);
    let (_, cst) = get_s(&mut t, 2181, "/controller");
    assert_eq!(cst.data_version, 0);
    assert_eq!(cst.czxid, est.mzxid, "/controller and /controller_epoch are written in the same txn (§6)");
    assert_eq!(controllers(&t), vec![c]);
    assert_clean(&t);
}

#[test]
fn controller_failover_writes_leader_epoch_2_for_partitions_the_dead_controller_led_and_1_elsewhere() {
    let mut t = seed_cluster(3);
    ok(&mut t, "broker kill 1");
    ok(&mut t, "sleep 30s");
    // §9 "The controller broker itself dies": replicaStateMachine.startup (OfflineReplica: leader
    // -1, ISR without 1, +1) runs before partitionStateMachine.startup (offline election, +1).
    let (p2, s2) = state(&mut t, "test", 2);
    assert_eq!(p2, state_json(2, 4, 2, &[4, 2, 3]));
    assert_eq!(s2.data_version, 2);
    let (p6, s6) = state(&mut t, "test", 6);
    assert_eq!(p6, state_json(2, 2, 2, &[2, 3, 4]));
    assert_eq!(s6.data_version, 2);
    // Partitions where 1 was only a follower: one rewrite by the new controller.
    for (p, r) in seed_replicas().iter().enumerate() {
        if r[0] == 1 {
            continue;
        }
        let isr: Vec<u32> = r.iter().copied().filter(|&b| b != 1).collect();
        let (js, st) = state(&mut t, "test", p as i32);
        assert_eq!(js, state_json(2, r[0] as i32, 1, &isr), "partition {p}");
        assert_eq!(st.data_version, 1, "partition {p}");
    }
    assert_clean(&t);
}

#[test]
fn restarted_broker_is_appended_to_every_isr_while_leaders_stay() {
    let mut t = seed_cluster(4);
    kill_controller_and_wait_failover(&mut t);
    // Past the first imbalance check (failover + 5 s, §7 step 10), as in the seed walkthrough:
    // otherwise that check would already move P2/P6 back.
    ok(&mut t, "sleep 7s");
    ok(&mut t, "kafka-server-start -daemon config/server1.properties");
    ok(&mut t, "sleep 10s");
    // §7 onBrokerStartup: no leader move; §10: the rejoining broker is appended at the end.
    let expected: Vec<String> = seed_replicas()
        .iter()
        .enumerate()
        .map(|(p, r)| {
            let mut isr: Vec<u32> = r.iter().copied().filter(|&b| b != 1).collect();
            let leader = isr[0];
            isr.push(1);
            row("test", p as i32, &leader.to_string(), &join(r), &join(&isr))
        })
        .collect();
    assert_eq!(rows(&describe_zk(&mut t, "test")), expected);
    // §9/§10: an AlterIsr expansion keeps leader_epoch and bumps only zkVersion; the controller
    // that processes it stamps its own epoch (2).
    let (p2, s2) = state(&mut t, "test", 2);
    assert_eq!(p2, state_json(2, 4, 2, &[4, 2, 3, 1]));
    assert_eq!(s2.data_version, 3);
    let (p1, s1) = state(&mut t, "test", 1);
    assert_eq!(p1, state_json(2, 4, 1, &[4, 3, 2, 1]));
    assert_eq!(s1.data_version, 2);
    // /brokers/ids cversion: 4 creates + 1 delete + 1 create (seed trace).
    assert_eq!(stat(&mut t, 2181, "/brokers/ids").cversion, 6);
    assert_clean(&t);
}

#[test]
fn auto_rebalance_returns_preferred_leadership_at_the_first_check_after_the_broker_is_back() {
    let mut t = seed_cluster(5);
    let failover_ms = kill_controller_and_wait_failover(&mut t);
    // The first imbalance check is 5 s after failover (§7 step 10); broker 1 is still down then,
    // so nothing moves (preferred replica must be live and in ISR, §9).
    ok(&mut t, "sleep 7s");
    ok(&mut t, "kafka-server-start -daemon config/server1.properties");
    ok(&mut t, "sleep 10s");
    // Next check: failover + 5 s + 300 s (leader.imbalance.check.interval.seconds, §11). Just
    // before it, P2 and P6 are still led by 4 and 2.
    let before = failover_ms + 5_000 + 300_000 - 3_000;
    let now = t.cluster.now().as_millis();
    ok(&mut t, &format!("sleep {}ms", before - now));
    assert_eq!(ctl_state(&t, "test", 2).0, 4, "P2 moved back before the 300 s check");
    assert_eq!(ctl_state(&t, "test", 6).0, 2, "P6 moved back before the 300 s check");
    ok(&mut t, "sleep 6s");
    let d = rows(&describe_zk(&mut t, "test"));
    assert_eq!(d[2], row("test", 2, "1", "1,4,2,3", "4,2,3,1"));
    assert_eq!(d[6], row("test", 6, "1", "1,2,3,4", "2,3,4,1"));
    // Preferred election: leader_epoch +1 → 3, ISR order unchanged, zkVersion 4 (seed trace).
    let (p2, s2) = state(&mut t, "test", 2);
    assert_eq!(p2, state_json(2, 1, 3, &[4, 2, 3, 1]));
    assert_eq!(s2.data_version, 4);
    let (p6, s6) = state(&mut t, "test", 6);
    assert_eq!(p6, state_json(2, 1, 3, &[2, 3, 4, 1]));
    assert_eq!(s6.data_version, 4);
    // The others keep their leaders (preferred leader already leads).
    for p in [0, 1, 3, 4, 5, 7, 8, 9] {
        assert_eq!(row_field(&d[p], "Leader"), seed_replicas()[p][0].to_string(), "partition {p}");
    }
    assert_clean(&t);
}

#[test]
fn controlled_shutdown_of_the_controller_moves_its_leaderships_at_once_then_the_controller_moves() {
    let mut t = seed_cluster(6);
    ok(&mut t, "broker stop 1");
    ok(&mut t, "sleep 5s");
    // §7/§9 controlled shutdown: leader = first live ISR replica not shutting down; ISR filtered.
    // Followers drop 1 from the ISR (OfflineReplica). Takes effect at once, not after 18 s.
    assert_eq!(rows(&describe_zk(&mut t, "test")), post_kill_rows());
    // Written by the old controller (epoch 1) with one +1; the new controller's failover finds
    // broker 1 in no ISR and leaders all live, so it rewrites nothing (ReplicaStateMachine
    // doRemoveReplicasFromIsr only touches partitions whose ISR contains the replica).
    let (p2, s2) = state(&mut t, "test", 2);
    assert_eq!(p2, state_json(1, 4, 1, &[4, 2, 3]));
    assert_eq!(s2.data_version, 1);
    let (p6, _) = state(&mut t, "test", 6);
    assert_eq!(p6, state_json(1, 2, 1, &[2, 3, 4]));
    let (p0, s0) = state(&mut t, "test", 0);
    assert_eq!(p0, state_json(1, 3, 1, &[3, 2, 4]));
    assert_eq!(s0.data_version, 1);
    // Then the clean close deleted /controller and another broker won epoch 2.
    let c = controller_id(&mut t);
    assert!([2, 3, 4].contains(&c), "controller {c}");
    assert_eq!(get_s(&mut t, 2181, "/controller_epoch").0, "2");
    assert_eq!(zk(&mut t, 2181, "ls /brokers/ids"), vec!["[2, 3, 4]"]);
    assert_clean(&t);
}

#[test]
fn controlled_shutdown_of_a_follower_broker_moves_leadership_without_a_controller_change() {
    let mut t = seed_cluster(7);
    ok(&mut t, "broker stop 4");
    ok(&mut t, "sleep 10s");
    assert_eq!(t.cluster.broker(4).unwrap().phase, zkafka_sandbox::kafka::broker::Phase::Down, "{:?}", t.status());
    // P1, P5, P9 (led by 4) move to the next ISR member not shutting down (§9 controlled shutdown);
    // 4 leaves every ISR (OfflineReplica), and once it has exited the controller's
    // onBrokerFailure removes it from any ISR it might still be in (§7): a stopped broker is in no ISR.
    let expected: Vec<String> = seed_replicas()
        .iter()
        .enumerate()
        .map(|(p, r)| {
            let isr: Vec<u32> = r.iter().copied().filter(|&b| b != 4).collect();
            row("test", p as i32, &isr[0].to_string(), &join(r), &join(&isr))
        })
        .collect();
    assert_eq!(rows(&describe_zk(&mut t, "test")), expected);
    assert_eq!(controller_id(&mut t), 1);
    assert_eq!(get_s(&mut t, 2181, "/controller_epoch").0, "1");
    let (p1, _) = state(&mut t, "test", 1);
    assert_eq!(p1, state_json(1, 3, 1, &[3, 1, 2]));
    assert_clean(&t);
}

#[test]
fn a_stopped_broker_stays_out_of_every_isr() {
    // Same as above, checked a minute later: nothing may bring a broker that is down back into an
    // ISR (only a follower fetch can expand the ISR, Partition.maybeExpandIsr, §10).
    let mut t = seed_cluster(8);
    ok(&mut t, "broker stop 4");
    ok(&mut t, "sleep 60s");
    for r in rows(&describe_zk(&mut t, "test")) {
        let isr = row_field(&r, "Isr");
        assert!(!isr.split(',').any(|b| b == "4"), "stopped broker 4 still in the ISR: {r}");
    }
    assert_clean(&t);
}

#[test]
fn the_seed_walkthrough_lesson_runs_end_to_end_with_the_expected_transcript() {
    let text = include_str!("../lessons/seed-walkthrough.txt");
    let mut t = sandbox(42);
    let out = zkafka_sandbox::terminal::script::run_script(&mut t, text, false);
    let lines: Vec<String> = out.lines().map(|l| l.to_string()).collect();
    let must = [
        "$ broker kill 1",
        // step 2, every row of the seed table
        "\tTopic: test\tPartition: 0\tLeader: 3\tReplicas: 3,2,4,1\tIsr: 3,2,4,1",
        "\tTopic: test\tPartition: 5\tLeader: 4\tReplicas: 4,1,2,3\tIsr: 4,1,2,3",
        // step 4 after expiry
        "\tTopic: test\tPartition: 2\tLeader: 4\tReplicas: 1,4,2,3\tIsr: 4,2,3",
        "\tTopic: test\tPartition: 3\tLeader: 2\tReplicas: 2,1,3,4\tIsr: 2,3,4",
        "{\"controller_epoch\":2,\"leader\":4,\"version\":1,\"leader_epoch\":2,\"isr\":[4,2,3]}",
        // step 5
        "\tTopic: test\tPartition: 1\tLeader: 4\tReplicas: 4,3,1,2\tIsr: 4,3,2,1",
        "\tTopic: test\tPartition: 2\tLeader: 4\tReplicas: 1,4,2,3\tIsr: 4,2,3,1",
        // after the rebalance
        "\tTopic: test\tPartition: 2\tLeader: 1\tReplicas: 1,4,2,3\tIsr: 4,2,3,1",
        "\tTopic: test\tPartition: 6\tLeader: 1\tReplicas: 1,2,3,4\tIsr: 2,3,4,1",
        "{\"controller_epoch\":2,\"leader\":1,\"version\":1,\"leader_epoch\":3,\"isr\":[4,2,3,1]}",
        "dataVersion = 4",
        "Created topic test.",
    ];
    for m in must {
        assert!(lines.iter().any(|l| l == m), "missing `{m}` in transcript:\n{out}");
    }
    // The grep between kill and expiry still shows P2 led by 1.
    let i = lines.iter().position(|l| l.starts_with("$ kafka-topics --describe --zookeeper localhost:2181 --topic test | grep")).unwrap();
    assert_eq!(lines[i + 1], "\tTopic: test\tPartition: 2\tLeader: 1\tReplicas: 1,4,2,3\tIsr: 1,4,2,3");
    // Step 6: modes before and after killing ZooKeeper server 2.
    let modes: Vec<&String> = lines.iter().filter(|l| l.starts_with("Mode: ")).collect();
    assert_eq!(modes, ["Mode: follower", "Mode: leader", "Mode: follower", "Mode: follower", "Mode: leader", "Mode: follower"]);
    assert_eq!(lines.last().unwrap(), "[1, 2, 3, 4]");
    // No error anywhere in the transcript.
    assert!(!out.contains("Error") && !out.contains("ERROR"), "{out}");
    assert_clean(&t);
}

#[test]
fn manual_preferred_leader_election_moves_p2_and_p6_back_before_the_auto_rebalance() {
    let mut t = seed_cluster(9);
    kill_controller_and_wait_failover(&mut t);
    ok(&mut t, "sleep 7s");
    ok(&mut t, "kafka-server-start -daemon config/server1.properties");
    ok(&mut t, "sleep 10s");
    assert_eq!(ctl_state(&t, "test", 2).0, 4);
    // LeaderElectionCommand (PREFERRED, all partitions): only P2 and P6 have a preferred replica
    // (1) that does not lead; the others are no-ops (ELECTION_NOT_NEEDED).
    let out = ok(&mut t, "kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions");
    let done = out
        .iter()
        .find_map(|l| l.strip_prefix("Successfully completed leader election (PREFERRED) for partitions "))
        .unwrap_or_else(|| panic!("{out:?}"));
    let mut parts: Vec<&str> = done.split(", ").collect();
    parts.sort();
    assert_eq!(parts, vec!["test-2", "test-6"], "{out:?}");
    assert!(!has_line(&out, "Error"), "{out:?}");
    ok(&mut t, "sleep 1s");
    let d = rows(&describe_zk(&mut t, "test"));
    assert_eq!(d[2], row("test", 2, "1", "1,4,2,3", "4,2,3,1"));
    assert_eq!(d[6], row("test", 6, "1", "1,2,3,4", "2,3,4,1"));
    // Preferred election: leader_epoch +1, ISR unchanged (§9).
    let (p2, s2) = state(&mut t, "test", 2);
    assert_eq!(p2, state_json(2, 1, 3, &[4, 2, 3, 1]));
    assert_eq!(s2.data_version, 4);
    assert_clean(&t);
}
