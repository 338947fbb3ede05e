//! zkCli (ZooKeeperMain 3.5.9 behind Kafka's zookeeper-shell): output formats and error texts,
//! Stat fields and how writes move them, sequential names, zxid accounting.
//!
//! Upstream references (apache/zookeeper @ release-3.5.9):
//! - cli/StatPrinter.java (Stat block), cli/LsCommand.java (printChildren: `]` then the Stat
//!   block, then "\n"), cli/CliWrapperException.java (error texts)
//! - ZooKeeper.java `create`/`delete`: the KeeperException carries the *client* path
//! - ZKUtil.java: `visitSubTreeDFS` (ls -R), `deleteRecursive` → `listSubTreeBFS` (deleteall)
//! - server/DataNode.java `copyStat` (cversion = 2*persisted - numChildren),
//!   server/PrepRequestProcessor.java (sequential suffix, error txns)

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

#[test]
fn one_shot_shell_prints_the_banner_then_the_command_output() {
    let mut t = ensemble(31);
    let out = ok(&mut t, "zookeeper-shell localhost:2181 create /a hello");
    let mut expected = banner("localhost:2181");
    expected.push("Created /a".into());
    assert_eq!(out, expected);
    let out = ok(&mut t, "zookeeper-shell localhost:2182 get /a");
    let mut expected = banner("localhost:2182");
    expected.push("hello".into());
    assert_eq!(out, expected, "get without -s prints only the data");
    assert_clean(&t);
}

#[test]
fn get_s_prints_the_stat_block_field_by_field() {
    let mut t = ensemble(32);
    // zxids: createSession 0x100000001, create 0x100000002, closeSession 0x100000003.
    assert_eq!(zk(&mut t, 2181, "create /a hello"), vec!["Created /a"]);
    let out = zk(&mut t, 2182, "get -s /a");
    assert_eq!(out.len(), 12, "{out:?}");
    assert_eq!(out[0], "hello");
    let keys: Vec<&str> = out[1..].iter().map(|l| l.split(" = ").next().unwrap()).collect();
    assert_eq!(keys, STAT_KEYS.to_vec(), "StatPrinter order");
    assert_eq!(out[1], "cZxid = 0x100000002");
    assert_eq!(out[3], "mZxid = 0x100000002");
    assert_eq!(out[5], "pZxid = 0x100000002", "pzxid starts at czxid");
    assert_eq!(out[6], "cversion = 0");
    assert_eq!(out[7], "dataVersion = 0");
    assert_eq!(out[8], "aclVersion = 0");
    assert_eq!(out[9], "ephemeralOwner = 0x0", "persistent nodes have owner 0");
    assert_eq!(out[10], "dataLength = 5");
    assert_eq!(out[11], "numChildren = 0");
    let st = parse_stat(&out[1..]);
    assert_eq!(st.ctime, st.mtime, "mtime = ctime at create");
    parse_java_date(&st.ctime);
    assert_clean(&t);
}

#[test]
fn ctime_is_the_java_date_of_the_virtual_wall_clock_at_create() {
    let mut t = ensemble(33);
    zk(&mut t, 2181, "create /t1 x");
    let wall1 = t.cluster.world.wall_ms() / 1000;
    ok(&mut t, "sleep 10s");
    zk(&mut t, 2181, "create /t2 x");
    let c1 = parse_java_date(&stat(&mut t, 2183, "/t1").ctime);
    let c2 = parse_java_date(&stat(&mut t, 2183, "/t2").ctime);
    assert!(c1.abs_diff(wall1) <= 1, "ctime {c1} vs wall clock {wall1}");
    assert!((10..=11).contains(&(c2 - c1)), "10 s of virtual time between the creates, ctimes differ by {}", c2 - c1);
    // The fresh tree's nodes were never created by a txn: time 0.
    assert_eq!(stat(&mut t, 2181, "/").ctime, "Thu Jan 01 00:00:00 UTC 1970");
    assert_clean(&t);
}

#[test]
fn fresh_tree_has_the_3_5_quirky_cversions_and_config_acl_version() {
    let mut t = ensemble(34);
    let root = stat(&mut t, 2181, "/");
    assert_eq!((root.czxid, root.mzxid, root.pzxid), (0, 0, 0));
    // /zookeeper was added without a create: 2*0 - 1 = -1 (observed in real output).
    assert_eq!((root.cversion, root.num_children), (-1, 1));
    let zkn = stat(&mut t, 2181, "/zookeeper");
    assert_eq!((zkn.cversion, zkn.num_children), (-2, 2));
    assert_eq!(zk(&mut t, 2181, "ls /zookeeper"), vec!["[config, quota]"]);
    let cfg = stat(&mut t, 2181, "/zookeeper/config");
    assert_eq!(cfg.acl_version, -1, "DataTree.addConfigNode calls setACL(.., -1)");
    // srvr counts the root twice ("" and "/"): 5 nodes in 3.5.x.
    assert_eq!(field(&srvr(&mut t, 2181), "Node count").as_deref(), Some("5"));
    assert_clean(&t);
}

#[test]
fn set_bumps_data_version_and_mzxid_but_not_czxid_even_with_identical_data() {
    let mut t = ensemble(35);
    zk(&mut t, 2181, "create /v one"); // 0x..2
    let out = zk(&mut t, 2181, "set -s /v two"); // session 0x..4, set 0x..5
    let st = parse_stat(&out);
    assert_eq!((st.czxid, st.mzxid, st.data_version, st.data_length), (0x1_0000_0002, 0x1_0000_0005, 1, 3));
    assert_eq!(st.pzxid, 0x1_0000_0002, "setData does not touch pzxid");
    assert!(zk(&mut t, 2181, "set /v two").is_empty(), "set without -s prints nothing");
    let (data, st) = get_s(&mut t, 2182, "/v");
    assert_eq!(data, "two");
    assert_eq!(st.data_version, 2, "identical bytes still bump the version");
    assert_eq!(st.mzxid, 0x1_0000_0008);
    assert!(parse_java_date(&st.mtime) >= parse_java_date(&st.ctime));
    assert_clean(&t);
}

#[test]
fn conditional_set_and_delete_check_the_version() {
    let mut t = ensemble(36);
    zk(&mut t, 2181, "create /x a");
    assert_eq!(zk(&mut t, 2181, "set -v 5 /x b"), vec!["version No is not valid : /x"]);
    assert!(zk(&mut t, 2181, "set -v 0 /x b").is_empty());
    assert_eq!(zk(&mut t, 2181, "delete -v 0 /x"), vec!["version No is not valid : /x"]);
    assert_eq!(stat(&mut t, 2183, "/x").data_version, 1);
    assert!(zk(&mut t, 2181, "delete -v 1 /x").is_empty());
    assert_eq!(zk(&mut t, 2181, "stat /x"), vec!["Node does not exist: /x"]);
    assert_clean(&t);
}

#[test]
fn error_texts_match_cli_wrapper_exception() {
    let mut t = ensemble(37);
    zk(&mut t, 2181, "create /x a");
    zk(&mut t, 2181, "create /x/child b");
    assert_eq!(zk(&mut t, 2181, "create /x a"), vec!["Node already exists: /x"]);
    assert_eq!(zk(&mut t, 2181, "delete /x"), vec!["Node not empty: /x"]);
    assert_eq!(zk(&mut t, 2181, "delete /nope"), vec!["Node does not exist: /nope"]);
    assert_eq!(zk(&mut t, 2181, "get /nope"), vec!["Node does not exist: /nope"]);
    assert_eq!(zk(&mut t, 2181, "get -s /nope"), vec!["Node does not exist: /nope"]);
    assert_eq!(zk(&mut t, 2181, "ls /nope"), vec!["Node does not exist: /nope"]);
    assert_eq!(zk(&mut t, 2181, "stat /nope"), vec!["Node does not exist: /nope"]);
    assert_eq!(zk(&mut t, 2181, "set /nope v"), vec!["Node does not exist: /nope"]);
    // The client path, not the missing parent (ZooKeeper.create: KeeperException.create(code, clientPath)).
    assert_eq!(zk(&mut t, 2181, "create /no/such/parent v"), vec!["Node does not exist: /no/such/parent"]);
    assert_clean(&t);
}

#[test]
fn create_under_an_ephemeral_names_the_child_path() {
    let mut t = ensemble(38);
    ok(&mut t, "zookeeper-shell localhost:2181");
    assert_eq!(ok(&mut t, "create -e /eph x"), vec!["Created /eph"]);
    // ZooKeeper.create throws KeeperException.create(code, clientPath) with clientPath = the
    // path given to create; CliWrapperException prints "Ephemerals cannot have children: " + getPath().
    assert_eq!(ok(&mut t, "create /eph/child y"), vec!["Ephemerals cannot have children: /eph/child"]);
    assert_eq!(ok(&mut t, "create -s /eph/seq y"), vec!["Ephemerals cannot have children: /eph/seq"]);
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn sequential_names_count_parent_creations_and_are_never_reused() {
    let mut t = ensemble(39);
    zk(&mut t, 2181, "create /q");
    assert_eq!(zk(&mut t, 2181, "create -s /q/n x"), vec!["Created /q/n0000000000"]);
    assert_eq!(zk(&mut t, 2182, "create -s /q/n x"), vec!["Created /q/n0000000001"]);
    assert!(zk(&mut t, 2183, "delete /q/n0000000001").is_empty());
    // The suffix is the parent's persisted cversion (creations only): deletes do not lower it.
    assert_eq!(zk(&mut t, 2181, "create -s /q/n x"), vec!["Created /q/n0000000002"]);
    // Other names share the counter, and a plain create counts too.
    zk(&mut t, 2181, "create /q/plain");
    assert_eq!(zk(&mut t, 2181, "create -s /q/other- x"), vec!["Created /q/other-0000000004"]);
    // A failed create does not count.
    assert_eq!(zk(&mut t, 2181, "create /q/plain"), vec!["Node already exists: /q/plain"]);
    assert_eq!(zk(&mut t, 2181, "create -s -e /q/e x"), vec!["Created /q/e0000000005"]);
    assert_eq!(zk(&mut t, 2181, "ls /q"), vec!["[n0000000000, n0000000002, other-0000000004, plain]"]);
    assert_clean(&t);
}

#[test]
fn sequential_child_of_the_fresh_root_starts_at_zero() {
    let mut t = ensemble(40);
    // Root's persisted cversion is 0 (cversion -1 shown), so the first suffix is 0000000000.
    assert_eq!(zk(&mut t, 2181, "create -s /seq"), vec!["Created /seq0000000000"]);
    assert_eq!(zk(&mut t, 2181, "create -s /seq"), vec!["Created /seq0000000001"]);
    assert_clean(&t);
}

#[test]
fn cversion_counts_creates_and_deletes_and_pzxid_follows_child_changes() {
    let mut t = ensemble(41);
    zk(&mut t, 2181, "create /p"); // session 1, create 2, close 3
    zk(&mut t, 2181, "create /p/c"); // 4, 5, 6
    zk(&mut t, 2181, "create /p/d"); // 7, 8, 9
    let st = stat(&mut t, 2181, "/p"); // a, b
    assert_eq!((st.cversion, st.num_children, st.pzxid), (2, 2, 0x1_0000_0008));
    assert_eq!((st.mzxid, st.data_version), (0x1_0000_0002, 0), "child changes do not touch mzxid/version");
    zk(&mut t, 2181, "delete /p/c"); // c, d, e
    let st = stat(&mut t, 2182, "/p");
    // 2 creates + 1 delete = 3 (DataNode.copyStat: 2*2 - 1).
    assert_eq!((st.cversion, st.num_children, st.pzxid), (3, 1, 0x1_0000_000d));
    assert_clean(&t);
}

#[test]
fn create_without_data_stores_null() {
    let mut t = ensemble(42);
    zk(&mut t, 2181, "create /nodata");
    let (data, st) = get_s(&mut t, 2181, "/nodata");
    assert_eq!(data, "null", "GetCommand prints new String(null data) as null");
    assert_eq!(st.data_length, 0);
    assert_clean(&t);
}

#[test]
fn ls_sorts_children_and_prints_brackets() {
    let mut t = ensemble(43);
    for n in ["b", "a", "c10", "c2"] {
        zk(&mut t, 2181, &format!("create /{n}"));
    }
    assert_eq!(zk(&mut t, 2181, "ls /"), vec!["[a, b, c10, c2, zookeeper]"]);
    assert_eq!(zk(&mut t, 2181, "ls /a"), vec!["[]"]);
    assert_clean(&t);
}

#[test]
fn ls_s_prints_the_stat_block_on_the_bracket_line_then_a_blank_line() {
    let mut t = ensemble(44);
    zk(&mut t, 2181, "create /d");
    zk(&mut t, 2181, "create /d/x");
    let out = zk(&mut t, 2181, "ls -s /d");
    // LsCommand.printChildren in 3.5.9: out.append("]"); StatPrinter.print(stat); out.append("\n").
    assert_eq!(out.len(), 12, "{out:?}");
    assert_eq!(out[0], "[x]cZxid = 0x100000002");
    let mut block = vec!["cZxid = 0x100000002".to_string()];
    block.extend(out[1..11].iter().cloned());
    let st = parse_stat(&block);
    assert_eq!((st.num_children, st.cversion, st.pzxid), (1, 1, 0x1_0000_0005));
    assert_eq!(out[11], "", "a blank line follows the Stat block");
    assert_clean(&t);
}

#[test]
fn ls_r_lists_the_path_then_its_sorted_subtree() {
    let mut t = ensemble(45);
    for p in ["/r", "/r/b", "/r/a", "/r/a/x"] {
        zk(&mut t, 2181, &format!("create {p}"));
    }
    assert_eq!(zk(&mut t, 2181, "ls -R /r"), vec!["/r", "/r/a", "/r/b", "/r/a/x"]);
    assert_eq!(zk(&mut t, 2181, "ls -R /nope"), vec!["Node does not exist: /nope"]);
    assert_clean(&t);
}

#[test]
fn ls_r_follows_zkutil_visit_subtree_dfs_order_three_levels_deep() {
    let mut t = ensemble(46);
    for p in ["/r", "/r/a", "/r/b", "/r/a/x", "/r/a/x/deep", "/r/b/y"] {
        zk(&mut t, 2181, &format!("create {p}"));
    }
    // visitSubTreeDFS: print /r; helper(/r) prints /r/a, /r/b, then recurses into /r/a (prints
    // /r/a/x, recurses into /r/a/x: /r/a/x/deep), then into /r/b (/r/b/y).
    assert_eq!(zk(&mut t, 2181, "ls -R /r"), vec!["/r", "/r/a", "/r/b", "/r/a/x", "/r/a/x/deep", "/r/b/y"]);
    assert_clean(&t);
}

#[test]
fn deleteall_removes_a_whole_subtree() {
    let mut t = ensemble(47);
    for p in ["/tree", "/tree/a", "/tree/a/b", "/tree/c", "/keep"] {
        zk(&mut t, 2181, &format!("create {p}"));
    }
    assert!(zk(&mut t, 2182, "deleteall /tree").is_empty());
    assert_eq!(zk(&mut t, 2183, "ls /"), vec!["[keep, zookeeper]"]);
    assert_clean(&t);
}

#[test]
fn deleteall_of_a_missing_node_prints_node_does_not_exist() {
    let mut t = ensemble(48);
    let before = srvr_zxid(&mut t, 2181);
    // DeleteAllCommand → ZKUtil.deleteRecursive → listSubTreeBFS → zk.getChildren("/nope")
    // throws NoNodeException("/nope"); CliWrapperException prints "Node does not exist: /nope".
    assert_eq!(zk(&mut t, 2181, "deleteall /nope"), vec!["Node does not exist: /nope"]);
    // No delete is ever sent: only the shell's createSession and closeSession are txns.
    assert_eq!(srvr_zxid(&mut t, 2181), before + 2);
    assert_clean(&t);
}

#[test]
fn consecutive_writes_of_a_session_get_consecutive_zxids() {
    let mut t = ensemble(49);
    ok(&mut t, "zookeeper-shell localhost:2181"); // createSession 0x100000001
    assert_eq!(ok(&mut t, "create /a 1"), vec!["Created /a"]); // 0x..2
    assert_eq!(ok(&mut t, "create /b 1"), vec!["Created /b"]); // 0x..3
    assert!(ok(&mut t, "set /a 2").is_empty()); // 0x..4
    assert!(ok(&mut t, "delete /b").is_empty()); // 0x..5
    let a = parse_stat(&ok(&mut t, "stat /a"));
    assert_eq!((a.czxid, a.mzxid), (0x1_0000_0002, 0x1_0000_0004));
    let root = parse_stat(&ok(&mut t, "stat /"));
    assert_eq!(root.pzxid, 0x1_0000_0005, "the delete of /b moved the root's pzxid");
    // Reads do not consume zxids: every server's last zxid is the delete.
    for port in 2181..=2183 {
        assert_eq!(srvr_zxid(&mut t, port), 0x1_0000_0005, "port {port}");
    }
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn failed_write_still_consumes_a_zxid() {
    // PrepRequestProcessor.pRequest: pRequest2Txn(type, zks.getNextZxid(), ...) sets the TxnHeader
    // before checking; on KeeperException the header type becomes OpCode.error with an ErrorTxn,
    // and the request is still proposed (ProposalRequestProcessor proposes any request with a
    // header). So a failed create/set/delete uses up the next zxid.
    let mut t = ensemble(50);
    ok(&mut t, "zookeeper-shell localhost:2182"); // 0x..1
    ok(&mut t, "create /a 1"); // 0x..2
    assert_eq!(ok(&mut t, "create /a 1"), vec!["Node already exists: /a"]); // 0x..3 (error txn)
    assert_eq!(ok(&mut t, "set -v 9 /a 2"), vec!["version No is not valid : /a"]); // 0x..4
    assert_eq!(ok(&mut t, "delete /missing"), vec!["Node does not exist: /missing"]); // 0x..5
    assert_eq!(ok(&mut t, "create /b 1"), vec!["Created /b"]); // 0x..6
    let b = parse_stat(&ok(&mut t, "stat /b"));
    assert_eq!(b.czxid, 0x1_0000_0006);
    for port in 2181..=2183 {
        assert_eq!(srvr_zxid(&mut t, port), 0x1_0000_0006, "port {port}");
    }
    // A failed read does not: stat of a missing node.
    assert_eq!(ok(&mut t, "stat /missing"), vec!["Node does not exist: /missing"]);
    assert_eq!(srvr_zxid(&mut t, 2182), 0x1_0000_0006);
    ok(&mut t, "quit");
    assert_clean(&t);
}

#[test]
fn every_server_shows_the_same_zxid_and_node_count_after_writes() {
    let mut t = ensemble(51);
    zk(&mut t, 2181, "create /n1");
    zk(&mut t, 2182, "create /n2");
    zk(&mut t, 2183, "create /n2/c");
    ok(&mut t, "sleep 1s");
    let z: Vec<u64> = (2181..=2183).map(|p| srvr_zxid(&mut t, p)).collect();
    assert!(z.iter().all(|x| *x == 0x1_0000_0009), "{z:x?}");
    for port in 2181..=2183 {
        assert_eq!(field(&srvr(&mut t, port), "Node count").as_deref(), Some("8"), "port {port}");
    }
    assert_clean(&t);
}
