//! Pause and resume (`zk pause|resume N`, `broker pause|resume N`): SIGSTOP/SIGCONT, or a long
//! stop-the-world GC pause. While paused a process runs no handler: its timers wait and the
//! messages sent to it wait in its socket buffers; its peers' timers keep running (ZooKeeper
//! 3.5.9 `Follower`/`Learner` read timeouts of `syncLimit` ticks, `SessionTrackerImpl` expiry).
//! On resume it sees the clock jump: what came due fires, what waited is read, each link in order.

// Native only: the invariant checker these tests lean on is not in the wasm32 build.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

/// The sid of the leader, as the servers themselves say.
fn leader_sid(t: &Terminal) -> u32 {
    agreed_leader(t) as u32
}

use zkafka_sandbox::terminal::Terminal;

#[test]
fn a_paused_zookeeper_leader_is_replaced_by_a_new_epoch_and_rejoins_as_a_follower_after_resume() {
    let mut t = sandbox_n(7, 3);
    start_all(&mut t, 3, "5s");
    let old = leader_sid(&t);
    let old_epoch = t.cluster.zk(old).unwrap().epoch();
    let live_port = (1..=3).find(|s| *s != old).map(|s| 2180 + s as u16).unwrap();
    zk(&mut t, live_port, "create /before one");

    let out = ok(&mut t, &format!("zk pause {old}"));
    assert!(out[0].starts_with(&format!("zk{old}: paused (SIGSTOP")), "{out:?}");
    // The followers stop hearing from it: after syncLimit ticks they elect a new leader.
    ok(&mut t, "sleep 10s");
    let status = t.status();
    assert!(status.iter().any(|l| l.starts_with(&format!("zk{old} ")) && l.contains("PAUSED (SIGSTOP)")), "{status:?}");
    // The paused server still believes it leads: nothing has run on it.
    assert_eq!(state_of(&t, old), "LEADING");
    let new = (1..=3u32).find(|s| *s != old && state_of(&t, *s) == "LEADING").expect("no new leader among the running servers");
    assert_eq!(t.cluster.zk(new).unwrap().epoch(), old_epoch + 1);
    zk(&mut t, live_port, "create /during two");

    let out = ok(&mut t, &format!("zk resume {old}"));
    assert!(out[0].contains("resumed"), "{out:?}");
    ok(&mut t, "sleep 10s");
    // It learnt it lost its quorum, and now follows the new leader, with its writes.
    assert_eq!(leader_sid(&t), new);
    assert_eq!(state_of(&t, old), "FOLLOWING");
    assert_eq!(t.cluster.zk(old).unwrap().epoch(), old_epoch + 1);
    let got = zk(&mut t, 2180 + old as u16, "get /during");
    assert_eq!(got, ["two"]);
    assert_clean(&t);
}

#[test]
fn pause_and_resume_refuse_what_a_real_process_would_not_do() {
    let mut t = sandbox_n(3, 3);
    start_all(&mut t, 3, "5s");
    assert_eq!(rejected(&mut t, "zk pause 9"), ["zk: no server 9 (the ensemble has 3: zk1..zk3)"]);
    assert_eq!(rejected(&mut t, "zk resume 1"), ["zk: zk1 is not paused"]);
    ok(&mut t, "zk pause 1");
    assert_eq!(rejected(&mut t, "zk pause 1"), ["zk: zk1 is already paused"]);
    // SIGTERM waits for SIGCONT; kill -9 does not.
    assert_eq!(rejected(&mut t, "zk stop 1"), ["zk: zk1 is paused: resume it first (SIGTERM waits for SIGCONT; kill works)"]);
    assert_eq!(rejected(&mut t, "zk start 1"), ["zk: zk1 is already running"]);
    ok(&mut t, "zk kill 1");
    assert_eq!(rejected(&mut t, "zk resume 1"), ["zk: zk1 is not paused"]);
    assert_eq!(rejected(&mut t, "zk pause 1"), ["zk: zk1 is not running"]);
    ok(&mut t, "zk start 1");
    ok(&mut t, "sleep 5s");
    assert!(t.status().iter().all(|l| !l.contains("PAUSED")), "{:?}", t.status());
    assert_eq!(rejected(&mut t, "broker pause 1"), ["broker: b1 is not running"]);
    assert_clean(&t);
}

#[test]
fn a_broker_paused_past_its_session_timeout_loses_its_registration_and_registers_again_on_resume() {
    let mut t = sandbox(5);
    script(&mut t, &["cluster --zk 1 --brokers 2", "zk start 1", "sleep 2s", "broker start 1", "broker start 2", "sleep 5s"]);
    ok(&mut t, "broker pause 2");
    ok(&mut t, "sleep 25s");
    // zookeeper.session.timeout.ms = 18000 ran out on the ZooKeeper side: /brokers/ids/2 is gone.
    assert_eq!(zk(&mut t, 2181, "ls /brokers/ids"), ["[1]"]);
    ok(&mut t, "broker resume 2");
    ok(&mut t, "sleep 5s");
    assert_eq!(zk(&mut t, 2181, "ls /brokers/ids"), ["[1, 2]"]);
    assert_clean(&t);
}
