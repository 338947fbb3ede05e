//! Quorum arithmetic (QuorumMaj: a quorum is more than half of the voters): an ensemble of N keeps
//! serving while a strict majority is up. 3 survives 1 loss; 4 survives 1 but not 2 (2 of 4 is not
//! a majority, as the seed post says); 5 survives 2 but not 3. Checked the way a learner would:
//! `srvr` answers and a write through zookeeper-shell.

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;
use zkafka_sandbox::terminal::Terminal;

/// Kill the servers in `kill`, in order, letting each loss be noticed (a new election when it was
/// the leader, a lost quorum otherwise).
fn lose(t: &mut Terminal, kill: &[u32]) {
    for sid in kill {
        ok(t, &format!("zk kill {sid}"));
        ok(t, "sleep 10s");
    }
}

fn survivors(n: u32, kill: &[u32]) -> Vec<u32> {
    (1..=n).filter(|s| !kill.contains(s)).collect()
}

fn assert_serving(t: &mut Terminal, n: u32, kill: &[u32], tag: &str) {
    let alive = survivors(n, kill);
    let mut leaders = 0;
    for sid in &alive {
        let port = 2180 + *sid as u16;
        match mode(t, port).as_deref() {
            Some("leader") => leaders += 1,
            Some("follower") => {}
            other => panic!("{tag}: zk{sid} should serve, srvr Mode = {other:?}; {:?}", t.status()),
        }
    }
    assert_eq!(leaders, 1, "{tag}: exactly one leader among the survivors");
    let first = 2180 + alive[0] as u16;
    let last = 2180 + *alive.last().unwrap() as u16;
    assert_eq!(zk(t, first, &format!("create /{tag} x")), vec![format!("Created /{tag}")]);
    assert_eq!(zk(t, last, &format!("get /{tag}")), vec!["x".to_string()]);
}

fn assert_not_serving(t: &mut Terminal, n: u32, kill: &[u32], tag: &str) {
    let alive = survivors(n, kill);
    for sid in &alive {
        let port = 2180 + *sid as u16;
        assert_eq!(srvr(t, port), vec![NOT_SERVING.to_string()], "{tag}: zk{sid} must not serve; {:?}", t.status());
        assert_eq!(state_of(t, *sid), "LOOKING", "{tag}: zk{sid}");
    }
    // The shell cannot get a session, so the create fails with ConnectionLoss (CliWrapperException
    // falls back to KeeperException.getMessage()).
    let port = 2180 + alive[0] as u16;
    let out = ok(t, &format!("zookeeper-shell localhost:{port} create /{tag} x"));
    assert_eq!(out, vec![format!("Connecting to localhost:{port}"), format!("KeeperErrorCode = ConnectionLoss for /{tag}")]);
}

#[test]
fn three_servers_keep_serving_after_losing_one() {
    let mut t = sandbox(21);
    start_all(&mut t, 3, "5s");
    lose(&mut t, &[3]); // the leader
    assert_serving(&mut t, 3, &[3], "three_minus_one");
    assert_clean(&t);
}

#[test]
fn three_servers_stop_serving_after_losing_two() {
    let mut t = sandbox(22);
    start_all(&mut t, 3, "5s");
    lose(&mut t, &[3, 2]);
    assert_not_serving(&mut t, 3, &[3, 2], "three_minus_two");
    assert_clean(&t);
}

#[test]
fn four_servers_keep_serving_after_losing_one() {
    let mut t = sandbox_n(23, 4);
    start_all(&mut t, 4, "5s");
    assert_eq!(agreed_leader(&t), 4);
    lose(&mut t, &[4]);
    assert_serving(&mut t, 4, &[4], "four_minus_one");
    assert_clean(&t);
}

#[test]
fn four_servers_stop_serving_after_losing_two_because_two_of_four_is_no_majority() {
    let mut t = sandbox_n(24, 4);
    start_all(&mut t, 4, "5s");
    // Two followers: the leader itself must notice it lost its quorum.
    lose(&mut t, &[1, 2]);
    assert_not_serving(&mut t, 4, &[1, 2], "four_minus_two");
    assert_clean(&t);
}

#[test]
fn five_servers_keep_serving_after_losing_two() {
    let mut t = sandbox_n(25, 5);
    start_all(&mut t, 5, "5s");
    lose(&mut t, &[5, 1]);
    assert_serving(&mut t, 5, &[5, 1], "five_minus_two");
    assert_clean(&t);
}

#[test]
fn five_servers_stop_serving_after_losing_three() {
    let mut t = sandbox_n(26, 5);
    start_all(&mut t, 5, "5s");
    lose(&mut t, &[5, 4, 1]);
    assert_not_serving(&mut t, 5, &[5, 4, 1], "five_minus_three");
    assert_clean(&t);
}

#[test]
fn restarting_one_server_restores_the_quorum_and_keeps_the_data() {
    let mut t = sandbox_n(27, 4);
    start_all(&mut t, 4, "5s");
    assert_eq!(zk(&mut t, 2181, "create /kept v"), vec!["Created /kept"]);
    lose(&mut t, &[4, 3]);
    assert_not_serving(&mut t, 4, &[4, 3], "lost");
    script(&mut t, &["zk start 3", "sleep 15s"]);
    assert_serving(&mut t, 4, &[4], "back");
    assert_eq!(zk(&mut t, 2183, "get /kept"), vec!["v"]);
    // The write made before the outage was not lost, and the new epoch is larger.
    let leader = agreed_leader(&t) as u32;
    assert!(t.cluster.zk(leader).unwrap().epoch() >= 3, "{:?}", t.status());
    assert_clean(&t);
}

#[test]
fn a_lone_started_server_of_three_is_looking_and_not_serving() {
    let mut t = sandbox(28);
    script(&mut t, &["zk start 1", "sleep 10s"]);
    assert_eq!(srvr(&mut t, 2181), vec![NOT_SERVING.to_string()]);
    assert_eq!(state_of(&t, 1), "LOOKING");
    assert_clean(&t);
}
