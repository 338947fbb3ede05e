//! The zombie controller (`lessons/zombie-controller.txt`): the controller is paused past its
//! ZooKeeper session timeout, another broker becomes controller with epoch + 1, and when the old
//! one wakes up the requests it sent with the old epoch are refused. Kafka 2.8.2:
//! `ReplicaManager.becomeLeaderOrFollower` answers STALE_CONTROLLER_EPOCH to a LeaderAndIsr whose
//! controller epoch is older than the latest it has seen; `KafkaController` resigns when its
//! session expired (`onControllerResignation`); its ZooKeeper writes carry a check on
//! `/controller_epoch`'s zkVersion (`KafkaZkClient.checkedEphemeralCreate`/`MultiRequest`).

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

#[test]
fn the_zombie_controller_script_shows_the_takeover_with_epoch_two_and_fences_the_old_requests() {
    let text = include_str!("../lessons/zombie-controller.txt");
    let mut t = sandbox(1);
    let out = zkafka_sandbox::terminal::script::run_script(&mut t, text, true);
    let lines: Vec<&str> = out.lines().collect();
    let after = |cmd: &str| -> Vec<&str> {
        let i = lines.iter().position(|l| *l == cmd).unwrap_or_else(|| panic!("no `{cmd}` in:\n{out}"));
        lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("$ "))
            .filter(|l| !l.starts_with("  [") && !l.starts_with('#'))
            .copied()
            .collect()
    };
    let get = |cmd: &str| after(cmd).last().map(|s| s.to_string()).unwrap_or_default();
    // Before: broker 1 controls, epoch 1.
    let first = lines.iter().position(|l| *l == "$ zookeeper-shell localhost:2181 get /controller").unwrap();
    assert!(lines[first..].iter().any(|l| l.starts_with("{\"version\":1,\"brokerid\":1,")), "{out}");
    assert_eq!(
        after("$ broker pause 1"),
        ["b1: paused (SIGSTOP: no timers, inbound messages wait; its ZooKeeper session timeout and replica lag time keep running)"]
    );
    // While it is paused, its session expires and broker 3 takes over with epoch 2.
    let trace_during: Vec<&&str> = lines.iter().skip_while(|l| **l != "$ sleep 25s").take_while(|l| **l != "$ status").collect();
    assert!(trace_during.iter().any(|l| l.contains("zk1: Expiring session 0x10000cf33ee0000, timeout of 18000ms exceeded")), "{out}");
    assert!(trace_during.iter().any(|l| l.contains("broker 3: created /controller — now the controller, controller epoch 2")), "{out}");
    let status = after("$ status");
    assert!(status.iter().any(|l| l.starts_with("b1 :9092  PAUSED (SIGSTOP), running, CONTROLLER (epoch 1)")), "{status:?}");
    assert!(status.iter().any(|l| l.starts_with("b3 :9094  running, CONTROLLER (epoch 2)")), "{status:?}");
    assert_eq!(get("$ zookeeper-shell localhost:2181 get /controller_epoch"), "1");
    let second_epoch = lines.iter().rposition(|l| *l == "$ zookeeper-shell localhost:2181 get /controller_epoch").unwrap();
    assert!(lines[second_epoch..].iter().take_while(|l| **l != "$ broker resume 1").any(|l| *l == "2"), "{out}");
    // After resume and heal: its epoch-1 requests are refused, and it resigns.
    let woke: Vec<&&str> = lines.iter().skip_while(|l| **l != "$ broker resume 1").collect();
    for b in [2, 3] {
        let want = format!("b{b}: broker {b}: ignoring LeaderAndIsr from controller 1 with stale controller epoch 1 (seen 2)");
        assert!(woke.iter().any(|l| l.ends_with(&want)), "missing `{want}`:\n{out}");
    }
    assert_eq!(
        woke.iter()
            .filter(|l| l.ends_with("b1 ← b2: LeaderAndIsr response STALE_CONTROLLER_EPOCH")
                || l.ends_with("b1 ← b3: LeaderAndIsr response STALE_CONTROLLER_EPOCH"))
            .count(),
        2,
        "{out}"
    );
    assert!(woke.iter().any(|l| l.ends_with("b1: broker 1: resigning as controller (epoch 1)")), "{out}");
    // The end: one controller, and the partitions as the new controller decided.
    let last_status = lines.iter().rposition(|l| *l == "$ status").unwrap();
    let tail: Vec<&&str> = lines[last_status..].iter().filter(|l| !l.starts_with("  [")).collect();
    assert!(tail.iter().any(|l| l.starts_with("b1 :9092  running, session")), "{out}");
    assert!(tail.iter().any(|l| l.starts_with("b3 :9094  running, CONTROLLER (epoch 2)")), "{out}");
    assert!(tail.iter().any(|l| **l == "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1"), "{out}");
    assert!(tail.iter().any(|l| **l == "\tTopic: orders\tPartition: 1\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,2,1"), "{out}");
    assert!(!out.contains("Error") && !out.contains("ERROR"), "{out}");
    assert_clean(&t);
}
