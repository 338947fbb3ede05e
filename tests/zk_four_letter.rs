//! Four-letter words sent with `echo WORD | nc localhost PORT` (SEMANTICS §5; server/command/*.java
//! in 3.5.9; the sandbox's config whitelists them all with `4lw.commands.whitelist=*`).

// Native only: the invariant checker these tests lean on is not in the wasm32 build
// (`wasm-pack test` compiles every test target for wasm32 but runs only tests/wasm.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;
use zkafka_sandbox::terminal::Terminal;

fn ensemble(seed: u64) -> Terminal {
    let mut t = sandbox(seed);
    start_all(&mut t, 3, "5s");
    t
}

fn keys(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('\t').unwrap_or_else(|| panic!("mntr line without a TAB: {l:?}"));
            assert!(!v.is_empty(), "{l:?}");
            k.to_string()
        })
        .collect()
}

fn mntr_value(lines: &[String], key: &str) -> String {
    lines.iter().find_map(|l| l.strip_prefix(&format!("{key}\t")).map(|v| v.to_string())).unwrap_or_else(|| panic!("no {key} in {lines:?}"))
}

const MNTR_COMMON: [&str; 15] = [
    "zk_version",
    "zk_avg_latency",
    "zk_max_latency",
    "zk_min_latency",
    "zk_packets_received",
    "zk_packets_sent",
    "zk_num_alive_connections",
    "zk_outstanding_requests",
    "zk_server_state",
    "zk_znode_count",
    "zk_watch_count",
    "zk_ephemerals_count",
    "zk_approximate_data_size",
    "zk_open_file_descriptor_count",
    "zk_max_file_descriptor_count",
];

const MNTR_LEADER: [&str; 6] =
    ["zk_followers", "zk_synced_followers", "zk_pending_syncs", "zk_last_proposal_size", "zk_max_proposal_size", "zk_min_proposal_size"];

#[test]
fn ruok_answers_imok_even_when_not_serving() {
    let mut t = sandbox(81);
    ok(&mut t, "zk start 1");
    ok(&mut t, "sleep 2s");
    // RuokCommand prints "imok" without checking isZKServerRunning().
    assert_eq!(four(&mut t, "ruok", 2181), vec!["imok"]);
    script(&mut t, &["zk start 2", "zk start 3", "sleep 5s"]);
    for port in 2181..=2183 {
        assert_eq!(four(&mut t, "ruok", port), vec!["imok"]);
    }
    assert_clean(&t);
}

#[test]
fn srvr_lines_on_leader_and_follower() {
    let mut t = ensemble(82);
    let leader = srvr(&mut t, 2183);
    let keys: Vec<&str> = leader.iter().map(|l| l.split(": ").next().unwrap()).collect();
    assert_eq!(
        keys,
        vec![
            "Zookeeper version",
            "Latency min/avg/max",
            "Received",
            "Sent",
            "Connections",
            "Outstanding",
            "Zxid",
            "Mode",
            "Node count",
            "Proposal sizes last/min/max"
        ]
    );
    assert_eq!(leader[0], VERSION_LINE);
    assert_eq!(field(&leader, "Mode").as_deref(), Some("leader"));
    assert_eq!(field(&leader, "Proposal sizes last/min/max").as_deref(), Some("-1/-1/-1"), "no proposal yet");
    // 3.5 prints the average latency as an integer.
    let lat = field(&leader, "Latency min/avg/max").unwrap();
    assert!(lat.split('/').all(|x| x.parse::<u64>().is_ok()), "{lat}");
    let follower = srvr(&mut t, 2181);
    assert_eq!(follower.len(), 9, "no Proposal sizes line on a follower: {follower:?}");
    assert_eq!(follower[0], VERSION_LINE);
    assert_eq!(field(&follower, "Mode").as_deref(), Some("follower"));
    assert_eq!(field(&follower, "Node count").as_deref(), Some("5"));
    assert_clean(&t);
}

#[test]
fn stat_inserts_a_clients_section_after_the_version_line() {
    let mut t = ensemble(83);
    ok(&mut t, "zookeeper-shell localhost:2182");
    let out = four(&mut t, "stat", 2182);
    assert_eq!(out[0], VERSION_LINE);
    assert_eq!(out[1], "Clients:");
    let blank = out.iter().position(|l| l.is_empty()).expect("a blank line ends the Clients section");
    let clients = &out[2..blank];
    assert_eq!(clients.len(), 2, "the shell and the nc connection itself: {out:?}");
    for c in clients {
        // ServerCnxn.dumpConnectionInfo, brief form: " /127.0.0.1:PORT[1](queued=..,recved=..,sent=..)".
        assert!(c.starts_with(" /127.0.0.1:") && c.ends_with(')') && c.contains("](queued="), "{c:?}");
    }
    assert!(clients.iter().any(|c| c.contains("[1]")), "the shell's connection is initialized: {clients:?}");
    assert_eq!(out[blank + 1].split(':').next(), Some("Latency min/avg/max"));
    assert_eq!(field(&out, "Connections").as_deref(), Some("2"));
    assert_eq!(field(&out, "Mode").as_deref(), Some("follower"));
    ok(&mut t, "quit");
    ok(&mut t, "sleep 1s");
    assert_clean(&t);
}

#[test]
fn mntr_keys_come_in_the_documented_order() {
    let mut t = ensemble(84);
    let follower = four(&mut t, "mntr", 2181);
    assert_eq!(keys(&follower), MNTR_COMMON.to_vec());
    assert_eq!(mntr_value(&follower, "zk_server_state"), "follower");
    let leader = four(&mut t, "mntr", 2183);
    let mut expected = MNTR_COMMON.to_vec();
    expected.extend(MNTR_LEADER);
    assert_eq!(keys(&leader), expected);
    assert_eq!(mntr_value(&leader, "zk_server_state"), "leader");
    assert_eq!(mntr_value(&leader, "zk_version"), VERSION_LINE.strip_prefix("Zookeeper version: ").unwrap());
    assert_eq!(mntr_value(&leader, "zk_followers"), "2");
    assert_eq!(mntr_value(&leader, "zk_synced_followers"), "2");
    assert_eq!(mntr_value(&leader, "zk_znode_count"), "5");
    assert_eq!(mntr_value(&leader, "zk_approximate_data_size"), "44", "fresh tree: sum of path lengths");
    assert_clean(&t);
}

#[test]
fn mntr_counts_znodes_watches_and_ephemerals() {
    let mut t = ensemble(85);
    zk(&mut t, 2181, "create /a x");
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "create -e /e y");
    ok(&mut t, "get -w /a");
    let m = four(&mut t, "mntr", 2181);
    assert_eq!(mntr_value(&m, "zk_znode_count"), "7");
    assert_eq!(mntr_value(&m, "zk_ephemerals_count"), "1");
    assert_eq!(mntr_value(&m, "zk_watch_count"), "1", "the data watch lives on the server the shell talks to");
    assert_eq!(mntr_value(&four(&mut t, "mntr", 2182), "zk_watch_count"), "0");
    ok(&mut t, "quit");
    ok(&mut t, "sleep 1s");
    let m = four(&mut t, "mntr", 2181);
    assert_eq!(mntr_value(&m, "zk_ephemerals_count"), "0");
    assert_eq!(mntr_value(&m, "zk_znode_count"), "6");
    assert_clean(&t);
}

#[test]
fn a_looking_server_answers_not_serving_to_srvr_stat_and_mntr() {
    let mut t = sandbox(86);
    script(&mut t, &["zk start 1", "sleep 5s"]);
    for w in ["srvr", "stat", "mntr"] {
        assert_eq!(four(&mut t, w, 2181), vec![NOT_SERVING.to_string()], "{w}");
    }
    assert_eq!(four(&mut t, "isro", 2181), vec!["null"], "IsroCommand prints null when not running");
    script(&mut t, &["zk start 2", "sleep 5s"]);
    assert_eq!(four(&mut t, "isro", 2181), vec!["rw"]);
    assert_clean(&t);
}

#[test]
fn grep_filters_four_letter_output() {
    let mut t = ensemble(87);
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2183 | grep Mode"), vec!["Mode: leader"]);
    assert_eq!(ok(&mut t, "echo srvr | nc localhost 2183 | grep -i mode:"), vec!["Mode: leader"]);
    let rest = ok(&mut t, "echo srvr | nc localhost 2181 | grep -v Mode");
    assert_eq!(rest.len(), 8);
    assert_clean(&t);
}
