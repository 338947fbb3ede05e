//! Small harness shared by the ZooKeeper integration tests: a terminal with the invariant checker
//! on, helpers that run terminal lines and pick apart what the real tools print (`srvr`, the
//! zkCli Stat block, the zookeeper-shell banner), and a parser for `java.util.Date.toString()`.
//!
//! Every expected value in the tests comes from ZooKeeper 3.5.9 (apache/zookeeper, tag
//! release-3.5.9): the upstream sources cited next to each test, chiefly
//! `zookeeper-server/src/main/java/org/apache/zookeeper/server/quorum/FastLeaderElection.java`,
//! `.../server/quorum/{Leader,Learner,LearnerHandler}.java`, `.../server/DataTree.java`,
//! `.../server/SessionTrackerImpl.java`, `.../server/command/*.java` and `.../cli/*.java`.
#![allow(dead_code)]

use zkafka_sandbox::terminal::{Output, Terminal};

/// The text a LOOKING (or quorum-less) server answers to srvr/stat/mntr
/// (`AbstractFourLetterCommand.ZK_NOT_SERVING`).
pub const NOT_SERVING: &str = "This ZooKeeper instance is not currently serving requests";

/// The first line of `srvr` for the ZooKeeper jar bundled with Kafka 2.8.
pub const VERSION_LINE: &str = "Zookeeper version: 3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built on 01/06/2021 20:03 GMT";

/// A fresh terminal (default shape: 3 ZooKeeper servers) with the invariant checker on.
pub fn sandbox(seed: u64) -> Terminal {
    let mut t = Terminal::new(seed);
    t.cluster.enable_checker();
    t
}

/// A fresh terminal whose ensemble has `n` servers (`cluster --zk N`), checker on.
pub fn sandbox_n(seed: u64, n: u32) -> Terminal {
    let mut t = sandbox(seed);
    ok(&mut t, &format!("cluster --zk {n}"));
    assert!(t.cluster.checker.is_some(), "`cluster` must keep the invariant checker");
    t
}

/// Run one line that must be accepted; return what it printed.
pub fn ok(t: &mut Terminal, line: &str) -> Vec<String> {
    let out: Output = t.run_line(line);
    assert!(!out.error, "line `{line}` was rejected: {:?}", out.lines);
    out.lines
}

/// Run one line that must be rejected; return its message.
pub fn rejected(t: &mut Terminal, line: &str) -> Vec<String> {
    let out: Output = t.run_line(line);
    assert!(out.error, "line `{line}` should have been rejected but printed {:?}", out.lines);
    out.lines
}

/// Run each line (accepted) in order.
pub fn script(t: &mut Terminal, lines: &[&str]) {
    for l in lines {
        ok(t, l);
    }
}

/// Assert that the invariant checker saw no violation.
pub fn assert_clean(t: &Terminal) {
    assert!(t.cluster.checker.is_some(), "the invariant checker is off");
    let v = t.cluster.violations();
    assert!(v.is_empty(), "invariant violations: {v:#?}");
}

/// Start servers 1..=n in order on one line each, without sleeping, then let the election run.
pub fn start_all(t: &mut Terminal, n: u32, settle: &str) {
    for i in 1..=n {
        ok(t, &format!("zookeeper-server-start config/zookeeper{i}.properties"));
    }
    ok(t, &format!("sleep {settle}"));
}

/// The seed order: 1 and 2 first, a pause, then 3. Leader 2, epoch 1.
pub fn seed_ensemble(t: &mut Terminal) {
    script(
        t,
        &[
            "zookeeper-server-start config/zookeeper1.properties",
            "zookeeper-server-start config/zookeeper2.properties",
            "sleep 5s",
            "zookeeper-server-start config/zookeeper3.properties",
            "sleep 5s",
        ],
    );
}

/// `echo WORD | nc localhost PORT`.
pub fn four(t: &mut Terminal, word: &str, port: u16) -> Vec<String> {
    ok(t, &format!("echo {word} | nc localhost {port}"))
}

/// `echo srvr | nc localhost PORT`.
pub fn srvr(t: &mut Terminal, port: u16) -> Vec<String> {
    four(t, "srvr", port)
}

/// The value after `KEY: ` in a srvr/stat answer.
pub fn field(lines: &[String], key: &str) -> Option<String> {
    let prefix = format!("{key}: ");
    lines.iter().find_map(|l| l.strip_prefix(&prefix).map(|s| s.to_string()))
}

/// `Mode:` from srvr on `port`, or None when the server is not serving (or not running).
pub fn mode(t: &mut Terminal, port: u16) -> Option<String> {
    let lines = srvr(t, port);
    field(&lines, "Mode")
}

/// `Zxid:` from srvr on `port`, parsed.
pub fn srvr_zxid(t: &mut Terminal, port: u16) -> u64 {
    let lines = srvr(t, port);
    let z = field(&lines, "Zxid").unwrap_or_else(|| panic!("no Zxid in srvr of {port}: {lines:?}"));
    hex(&z)
}

/// Parse `0x...` (lowercase, no padding, as `Long.toHexString`).
pub fn hex(s: &str) -> u64 {
    let h = s.strip_prefix("0x").unwrap_or_else(|| panic!("`{s}` does not start with 0x"));
    assert!(!h.is_empty() && h.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "`{s}` is not lowercase hex");
    assert!(h == "0" || !h.starts_with('0'), "`{s}` is zero-padded (Long.toHexString never pads)");
    u64::from_str_radix(h, 16).unwrap()
}

/// The zookeeper-shell banner of a one-shot command that connected (Kafka's
/// ZooKeeperMainWithTlsSupportForKafka wrapping ZooKeeperMain 3.5.9; SEMANTICS §12).
pub fn banner(connect: &str) -> Vec<String> {
    vec![
        format!("Connecting to {connect}"),
        String::new(),
        "WATCHER::".to_string(),
        String::new(),
        "WatchedEvent state:SyncConnected type:None path:null".to_string(),
    ]
}

/// `zookeeper-shell localhost:PORT CMD`: asserts the banner and returns what follows it.
pub fn zk(t: &mut Terminal, port: u16, cmd: &str) -> Vec<String> {
    let lines = ok(t, &format!("zookeeper-shell localhost:{port} {cmd}"));
    let b = banner(&format!("localhost:{port}"));
    assert!(lines.len() >= b.len() && lines[..b.len()] == b[..], "`{cmd}` on {port}: unexpected banner in {lines:?}");
    lines[b.len()..].to_vec()
}

/// The parsed zkCli Stat block (`StatPrinter.print`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatBlock {
    pub czxid: u64,
    pub ctime: String,
    pub mzxid: u64,
    pub mtime: String,
    pub pzxid: u64,
    pub cversion: i32,
    pub data_version: i32,
    pub acl_version: i32,
    pub ephemeral_owner: u64,
    pub data_length: i32,
    pub num_children: i32,
}

pub const STAT_KEYS: [&str; 11] =
    ["cZxid", "ctime", "mZxid", "mtime", "pZxid", "cversion", "dataVersion", "aclVersion", "ephemeralOwner", "dataLength", "numChildren"];

/// Parse exactly the 11 lines of a Stat block, in StatPrinter's order.
pub fn parse_stat(lines: &[String]) -> StatBlock {
    assert_eq!(lines.len(), 11, "a Stat block has 11 lines: {lines:?}");
    let mut vals = Vec::new();
    for (l, k) in lines.iter().zip(STAT_KEYS) {
        let prefix = format!("{k} = ");
        let v = l.strip_prefix(&prefix).unwrap_or_else(|| panic!("expected `{prefix}...`, got `{l}` in {lines:?}"));
        vals.push(v.to_string());
    }
    let int = |i: usize| vals[i].parse::<i32>().unwrap_or_else(|_| panic!("{} = {} is not an int", STAT_KEYS[i], vals[i]));
    StatBlock {
        czxid: hex(&vals[0]),
        ctime: vals[1].clone(),
        mzxid: hex(&vals[2]),
        mtime: vals[3].clone(),
        pzxid: hex(&vals[4]),
        cversion: int(5),
        data_version: int(6),
        acl_version: int(7),
        ephemeral_owner: hex(&vals[8]),
        data_length: int(9),
        num_children: int(10),
    }
}

/// `zookeeper-shell localhost:PORT stat PATH`, parsed.
pub fn stat(t: &mut Terminal, port: u16, path: &str) -> StatBlock {
    let out = zk(t, port, &format!("stat {path}"));
    parse_stat(&out)
}

/// `zookeeper-shell localhost:PORT get -s PATH`: (data line, Stat).
pub fn get_s(t: &mut Terminal, port: u16, path: &str) -> (String, StatBlock) {
    let out = zk(t, port, &format!("get -s {path}"));
    assert_eq!(out.len(), 12, "get -s prints the data line and the 11-line Stat block: {out:?}");
    (out[0].clone(), parse_stat(&out[1..]))
}

/// Seconds since the Unix epoch of a `java.util.Date.toString()` text in UTC
/// ("EEE MMM dd HH:mm:ss zzz yyyy", e.g. "Fri Sep 17 11:09:56 UTC 2021"). Panics on any other
/// shape, including a wrong weekday.
pub fn parse_java_date(s: &str) -> u64 {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parts: Vec<&str> = s.split(' ').collect();
    assert_eq!(parts.len(), 6, "`{s}` is not EEE MMM dd HH:mm:ss zzz yyyy");
    let wd = DAYS.iter().position(|d| *d == parts[0]).unwrap_or_else(|| panic!("bad weekday in `{s}`"));
    let mon = MONTHS.iter().position(|m| *m == parts[1]).unwrap_or_else(|| panic!("bad month in `{s}`")) as i64 + 1;
    assert_eq!(parts[2].len(), 2, "day of month is two digits (dd) in `{s}`");
    let day: i64 = parts[2].parse().unwrap();
    let hms: Vec<&str> = parts[3].split(':').collect();
    assert!(hms.len() == 3 && hms.iter().all(|x| x.len() == 2), "time is HH:mm:ss in `{s}`");
    let (h, m, sec): (i64, i64, i64) = (hms[0].parse().unwrap(), hms[1].parse().unwrap(), hms[2].parse().unwrap());
    assert_eq!(parts[4], "UTC", "zone in `{s}`");
    let year: i64 = parts[5].parse().unwrap();
    // days_from_civil (Howard Hinnant).
    let y = if mon <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mon + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    assert_eq!(((days + 4).rem_euclid(7)) as usize, wd, "weekday does not match the date in `{s}`");
    (days * 86_400 + h * 3600 + m * 60 + sec) as u64
}

/// The ZooKeeper server states the terminal's `status` reports, by sid.
pub fn state_of(t: &Terminal, sid: u32) -> &'static str {
    let node = t.cluster.zk_node(sid).expect("no such server");
    if !t.cluster.world.is_up(node) {
        return "DOWN";
    }
    t.cluster.zk(sid).unwrap().state().name()
}

/// The sid every running server names as its leader (panics if they disagree or one has none).
pub fn agreed_leader(t: &Terminal) -> u64 {
    let mut leader = None;
    for sid in 1..=t.cluster.shape.zk {
        let node = t.cluster.zk_node(sid).unwrap();
        if !t.cluster.world.is_up(node) {
            continue;
        }
        let l = t.cluster.zk(sid).unwrap().leader().unwrap_or_else(|| panic!("zk{sid} has no leader: {:?}", t.status()));
        match leader {
            None => leader = Some(l.0),
            Some(x) => assert_eq!(x, l.0, "servers disagree on the leader: {:?}", t.status()),
        }
    }
    leader.expect("no server running")
}
