//! A line that does not parse, or names something that does not exist, prints one error line,
//! sets `error`, and leaves the simulation untouched (terminal/exec.rs contract).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

const BAD: [&str; 22] = [
    "blahblah",
    "zk frob 1",
    "zk start 9",
    "zk start 0",
    "zk start 1",
    "zk kill 3",
    "sleep -1s",
    "sleep banana",
    "step -3",
    "net cut zk1->zk1",
    "net cut zk1->zk7",
    "net partition zk1",
    "cluster --zk 5",
    "echo srvr | nc localhost",
    "echo srvr nc localhost 2181",
    "echo srvr | nc localhost 2181 | grep",
    "ls /",
    "quit",
    "zookeeper-shell",
    "zookeeper-shell localhost:99999 ls /",
    "zookeeper-server-start config/zookeeper7.properties",
    "zookeeper-server-start config/zookeeper.properties",
];

#[test]
fn malformed_or_impossible_lines_are_rejected_and_change_nothing() {
    let mut t = sandbox(91);
    // zk1 running and LOOKING, zk2 and zk3 never started.
    script(&mut t, &["zk start 1", "sleep 2s"]);
    let before = t.status();
    let events = t.cluster.world.events();
    let zxid = t.cluster.zk(1).unwrap().last_processed();
    for line in BAD {
        let msg = rejected(&mut t, line);
        assert_eq!(msg.len(), 1, "`{line}` prints one error line: {msg:?}");
        assert!(!msg[0].is_empty());
        assert_eq!(t.status(), before, "`{line}` changed the simulation");
        assert_eq!(t.cluster.world.events(), events, "`{line}` processed events");
        assert_eq!(t.cluster.zk(1).unwrap().last_processed(), zxid);
    }
    assert!(!t.in_shell());
    assert_clean(&t);
}

#[test]
fn bad_lines_inside_an_interactive_shell_leave_the_session_alone() {
    let mut t = sandbox(92);
    start_all(&mut t, 3, "5s");
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "create -e /eph x");
    let zxid = t.cluster.zk(1).unwrap().last_processed();
    for line in ["zookeeper-shell localhost:2182", "create -t 10 /ttl x", "create /a b world:anyone:cdrwa", "sleep soon"] {
        rejected(&mut t, line);
        assert_eq!(t.cluster.zk(1).unwrap().last_processed(), zxid, "`{line}`");
    }
    assert!(t.in_shell());
    assert_eq!(ok(&mut t, "get /eph"), vec!["x"]);
    ok(&mut t, "quit");
    ok(&mut t, "sleep 1s");
    assert_clean(&t);
}

#[test]
fn cluster_shape_is_fixed_once_a_server_started() {
    let mut t = sandbox(93);
    assert_eq!(
        ok(&mut t, "cluster --zk 5"),
        vec!["cluster: 5 ZooKeeper servers (zk1..zk5, client ports 2181..2185), 4 brokers; nothing started yet"]
    );
    rejected(&mut t, "cluster --zk 0");
    rejected(&mut t, "cluster --zk 8");
    ok(&mut t, "zk start 5");
    let before = t.status();
    rejected(&mut t, "cluster --zk 3");
    assert_eq!(t.status(), before);
    assert_eq!(t.cluster.shape.zk, 5);
    assert_clean(&t);
}
