//! Sessions, ephemerals and watches as an interactive `zookeeper-shell` sees them (SEMANTICS §4):
//! ephemerals live as long as their session; a clean close deletes them at once; an abandoned
//! session expires after its negotiated timeout; watches are one-shot and are delivered to the
//! interactive shell as `WATCHER::` / `WatchedEvent ...` lines (ZooKeeperMain.printMessage).

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

fn event(state: &str, kind: &str, path: &str) -> Vec<String> {
    vec![String::new(), "WATCHER::".into(), String::new(), format!("WatchedEvent state:{state} type:{kind} path:{path}")]
}

/// Whether `lines` contains `needle` as a contiguous run.
fn contains_run(lines: &[String], needle: &[String]) -> bool {
    lines.windows(needle.len()).any(|w| w == needle)
}

fn count_events(lines: &[String]) -> usize {
    lines.iter().filter(|l| l.starts_with("WatchedEvent ")).count()
}

#[test]
fn interactive_shell_prints_welcome_and_connected_event() {
    let mut t = ensemble(61);
    let out = ok(&mut t, "zookeeper-shell localhost:2181");
    let mut expected = vec!["Connecting to localhost:2181".to_string(), "Welcome to ZooKeeper!".into(), "JLine support is disabled".into()];
    expected.extend(event("SyncConnected", "None", "null"));
    assert_eq!(out, expected);
    assert!(t.in_shell());
    // One interactive session at a time.
    rejected(&mut t, "zookeeper-shell localhost:2182");
    assert_clean(&t);
}

#[test]
fn quit_closes_the_session_before_the_prompt_returns() {
    // ZooKeeperMain.processZKCmd: `quit` → zk.close() (ClientCnxn.close submits closeSession and
    // waits for its reply) → System.exit. When the prompt comes back the session is closed and
    // the process is gone.
    let mut t = ensemble(60);
    ok(&mut t, "zookeeper-shell localhost:2182");
    ok(&mut t, "create -e /e1 x");
    assert!(ok(&mut t, "quit").is_empty());
    assert!(!t.in_shell(), "the shell process has exited");
    // Back at the bash prompt: a zkCli word is no longer a command.
    rejected(&mut t, "ls /");
    // The closeSession txn is committed on the server that answered it.
    assert!(t.cluster.zk(2).unwrap().tree().stat("/e1").is_none(), "{:?}", t.status());
    let leader = agreed_leader(&t) as u32;
    assert!(t.cluster.zk(leader).unwrap().tracked_sessions().is_empty());
    // A new interactive session can be opened right away.
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "quit");
    ok(&mut t, "sleep 1s");
    assert_clean(&t);
}

#[test]
fn ephemeral_lives_while_the_session_is_open_and_goes_at_quit() {
    let mut t = ensemble(62);
    ok(&mut t, "zookeeper-shell localhost:2181");
    assert_eq!(ok(&mut t, "create -e /eph x"), vec!["Created /eph"]);
    ok(&mut t, "sleep 20s");
    // Visible from another session on another server.
    assert_eq!(zk(&mut t, 2183, "get /eph"), vec!["x"]);
    let st = stat(&mut t, 2182, "/eph");
    assert_ne!(st.ephemeral_owner, 0);
    let leader = agreed_leader(&t) as u16;
    let mntr = four(&mut t, "mntr", 2180 + leader);
    assert!(mntr.contains(&"zk_ephemerals_count\t1".to_string()), "{mntr:?}");
    assert!(ok(&mut t, "quit").is_empty());
    // close() issues closeSession: the ephemeral is gone at once, no timeout involved.
    assert_eq!(zk(&mut t, 2182, "stat /eph"), vec!["Node does not exist: /eph"]);
    assert_eq!(zk(&mut t, 2182, "ls /"), vec!["[zookeeper]"]);
    assert_clean(&t);
}

#[test]
fn one_shot_shell_ephemeral_is_deleted_when_the_shell_exits() {
    let mut t = ensemble(63);
    assert_eq!(zk(&mut t, 2181, "create -e /brief x"), vec!["Created /brief"]);
    assert_eq!(zk(&mut t, 2183, "stat /brief"), vec!["Node does not exist: /brief"]);
    assert_clean(&t);
}

#[test]
fn ephemeral_owner_is_the_creating_session_with_the_server_id_in_the_top_byte() {
    let mut t = ensemble(64);
    ok(&mut t, "zookeeper-shell localhost:2183");
    ok(&mut t, "create -e /mine x");
    let owner = parse_stat(&ok(&mut t, "stat /mine")).ephemeral_owner;
    // SessionTrackerImpl.initializeNextSession: (... >>> 8) | (sid << 56).
    assert_eq!(owner >> 56, 3, "session created through zk3: {owner:#x}");
    let leader = agreed_leader(&t) as u32;
    let tracked = t.cluster.zk(leader).unwrap().tracked_sessions();
    let me = tracked.iter().find(|(s, _, _)| s.0 == owner).unwrap_or_else(|| panic!("{owner:#x} not among {tracked:?}"));
    // zkCli asks for 30000 ms; [2*tickTime, 20*tickTime] = [4000, 40000] keeps it.
    assert_eq!(me.1, 30_000);
    let conns = t.cluster.zk(3).unwrap().clients();
    assert!(conns.iter().any(|(_, s)| s.0 == owner), "zk3 holds the connection: {conns:?}");
    // Persistent nodes created in the same session have owner 0.
    ok(&mut t, "create /durable x");
    assert_eq!(parse_stat(&ok(&mut t, "stat /durable")).ephemeral_owner, 0);
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn closing_a_session_deletes_all_its_ephemerals_in_one_txn() {
    let mut t = ensemble(65);
    zk(&mut t, 2181, "create /dir");
    ok(&mut t, "zookeeper-shell localhost:2182");
    ok(&mut t, "create -e /e1 x");
    ok(&mut t, "create -e /dir/e2 x");
    ok(&mut t, "quit");
    // (1 s of slack: see quit_closes_the_session_before_the_prompt_returns.)
    ok(&mut t, "sleep 1s");
    let close = srvr_zxid(&mut t, 2181);
    // DataTree.killSession deletes every ephemeral with the closeSession zxid.
    assert_eq!(stat(&mut t, 2183, "/dir").pzxid, close);
    let root = stat(&mut t, 2183, "/");
    assert_eq!(root.pzxid, close, "{root:?}");
    assert_eq!(zk(&mut t, 2183, "ls /dir"), vec!["[]"]);
    assert_clean(&t);
}

#[test]
fn get_w_watch_fires_once_in_the_interactive_shell() {
    let mut t = ensemble(66);
    zk(&mut t, 2182, "create /a v0");
    ok(&mut t, "zookeeper-shell localhost:2181");
    assert_eq!(ok(&mut t, "get -w /a"), vec!["v0"]);
    // The one-shot shell's own output comes first, then the open shell's event.
    let out = ok(&mut t, "zookeeper-shell localhost:2183 set /a v1");
    let mut expected = banner("localhost:2183");
    expected.extend(event("SyncConnected", "NodeDataChanged", "/a"));
    assert_eq!(out, expected);
    // One-shot: the second change is not reported.
    let out = ok(&mut t, "zookeeper-shell localhost:2183 set /a v2");
    assert_eq!(out, banner("localhost:2183"));
    let out = ok(&mut t, "sleep 5s");
    assert!(out.is_empty(), "{out:?}");
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn get_w_watch_reports_node_deleted() {
    let mut t = ensemble(67);
    zk(&mut t, 2182, "create /gone v0");
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "get -w /gone");
    let out = ok(&mut t, "zookeeper-shell localhost:2183 delete /gone");
    assert!(contains_run(&out, &event("SyncConnected", "NodeDeleted", "/gone")), "{out:?}");
    assert_eq!(count_events(&out), 2, "the connect event and one NodeDeleted: {out:?}");
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn ls_w_child_watch_fires_on_child_create_and_not_on_data_change() {
    let mut t = ensemble(68);
    zk(&mut t, 2181, "create /p x");
    ok(&mut t, "zookeeper-shell localhost:2181");
    assert_eq!(ok(&mut t, "ls -w /p"), vec!["[]"]);
    let out = ok(&mut t, "zookeeper-shell localhost:2182 set /p y");
    assert_eq!(out, banner("localhost:2182"), "a child watch ignores setData");
    let out = ok(&mut t, "zookeeper-shell localhost:2182 create /p/c");
    assert!(contains_run(&out, &event("SyncConnected", "NodeChildrenChanged", "/p")), "{out:?}");
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn stat_w_on_a_missing_node_fires_node_created() {
    let mut t = ensemble(69);
    ok(&mut t, "zookeeper-shell localhost:2183");
    // StatCommand: exists() registers the watch, then a null Stat prints NoNode.
    assert_eq!(ok(&mut t, "stat -w /later"), vec!["Node does not exist: /later"]);
    let out = ok(&mut t, "zookeeper-shell localhost:2181 create /later x");
    let mut expected = banner("localhost:2181");
    expected.push("Created /later".into());
    expected.extend(event("SyncConnected", "NodeCreated", "/later"));
    assert_eq!(out, expected);
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn session_and_watch_survive_the_loss_of_the_connected_server() {
    let mut t = ensemble(70);
    zk(&mut t, 2181, "create /a v0");
    ok(&mut t, "zookeeper-shell localhost:2181,localhost:2182,localhost:2183");
    ok(&mut t, "create -e /eph x");
    ok(&mut t, "get -w /a");
    let owner = parse_stat(&ok(&mut t, "stat /eph")).ephemeral_owner;
    let on = (1..=3u32)
        .find(|sid| t.cluster.zk(*sid).unwrap().clients().iter().any(|(_, s)| s.0 == owner))
        .expect("some server holds the shell's connection");
    ok(&mut t, &format!("zk kill {on}"));
    let out = ok(&mut t, "sleep 15s");
    // ClientCnxn: Disconnected, then it reconnects elsewhere within the session timeout.
    assert!(contains_run(&out, &event("Disconnected", "None", "null")), "{out:?}");
    assert!(contains_run(&out, &event("SyncConnected", "None", "null")), "{out:?}");
    let other = 2180 + (1..=3u16).find(|s| *s as u32 != on).unwrap();
    assert_eq!(zk(&mut t, other, "get /eph"), vec!["x"], "the session survived, so did its ephemeral");
    // The client re-registered its data watch on the new server (SetWatches).
    let out = ok(&mut t, &format!("zookeeper-shell localhost:{other} set /a v1"));
    assert!(contains_run(&out, &event("SyncConnected", "NodeDataChanged", "/a")), "{out:?}");
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn session_expires_after_its_timeout_when_its_only_server_stays_down() {
    let mut t = ensemble(71);
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "create -e /eph x");
    ok(&mut t, "zk kill 1");
    let out = ok(&mut t, "sleep 20s");
    assert!(contains_run(&out, &event("Disconnected", "None", "null")), "{out:?}");
    // 20 s < 30 s negotiated timeout: the leader still tracks the session.
    assert_eq!(zk(&mut t, 2183, "get /eph"), vec!["x"]);
    ok(&mut t, "sleep 20s");
    // Expired on the leader: closeSession deleted the ephemeral.
    assert_eq!(zk(&mut t, 2183, "stat /eph"), vec!["Node does not exist: /eph"]);
    ok(&mut t, "zk start 1");
    let out = ok(&mut t, "sleep 10s");
    // The server refuses the old session id: the client learns it expired.
    assert!(contains_run(&out, &event("Expired", "None", "null")), "{out:?}");
    assert_eq!(ok(&mut t, "ls /"), vec!["KeeperErrorCode = Session expired for /"]);
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn session_survives_a_quick_restart_of_its_only_server() {
    let mut t = ensemble(72);
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "create -e /eph x");
    script(&mut t, &["zk kill 1", "sleep 3s", "zk start 1"]);
    let out = ok(&mut t, "sleep 10s");
    assert!(contains_run(&out, &event("SyncConnected", "None", "null")), "{out:?}");
    assert!(!out.iter().any(|l| l.contains("Expired")), "{out:?}");
    assert_eq!(ok(&mut t, "get /eph"), vec!["x"]);
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn get_w_on_a_missing_node_sets_no_watch() {
    // DataTree.getData throws NoNode before adding the watcher, and the client registers a data
    // watch only when rc == 0.
    let mut t = ensemble(73);
    ok(&mut t, "zookeeper-shell localhost:2181");
    assert_eq!(ok(&mut t, "get -w /missing"), vec!["Node does not exist: /missing"]);
    let out = ok(&mut t, "zookeeper-shell localhost:2182 create /missing x");
    assert_eq!(count_events(&out), 1, "only the one-shot's own connect event: {out:?}");
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn ls_r_w_watches_every_node_of_the_subtree() {
    // LsCommand.exec: ZKUtil.visitSubTreeDFS(zk, path, watch, cb) → zk.getData(path, watch, null)
    // on the root, then zk.getChildren(node, watch, null) on every node.
    let mut t = ensemble(74);
    zk(&mut t, 2181, "create /p x");
    zk(&mut t, 2181, "create /p/q x");
    ok(&mut t, "zookeeper-shell localhost:2181");
    assert_eq!(ok(&mut t, "ls -R -w /p"), vec!["/p", "/p/q"]);
    let out = ok(&mut t, "zookeeper-shell localhost:2182 create /p/q/r x");
    assert!(contains_run(&out, &event("SyncConnected", "NodeChildrenChanged", "/p/q")), "{out:?}");
    let out = ok(&mut t, "zookeeper-shell localhost:2182 set /p y");
    assert!(contains_run(&out, &event("SyncConnected", "NodeDataChanged", "/p")), "{out:?}");
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn session_ids_are_seeded_from_the_monotonic_clock() {
    // SessionTrackerImpl.initializeNextSession (3.5.x):
    //   nextSid = (Time.currentElapsedTime() << 24) >>> 8; nextSid |= (id << 56);
    // Time.currentElapsedTime() is System.nanoTime()/1e6 (on Linux, time since boot), so on any
    // machine up for less than ~49 days the byte under the server id is 0 and a session created
    // on server 1 prints as 0x1000xxxxxxx000n (SEMANTICS §4; Kafka logs show e.g. 0x100000cf3f90000).
    let mut t = ensemble(75);
    ok(&mut t, "zookeeper-shell localhost:2181");
    ok(&mut t, "create -e /eph x");
    let owner = parse_stat(&ok(&mut t, "stat /eph")).ephemeral_owner;
    assert_eq!(owner >> 56, 1);
    assert_eq!((owner >> 48) & 0xff, 0, "ephemeralOwner = {owner:#x}");
    ok(&mut t, "quit");
    assert_clean(&t);
}
