//! The terminal parser on zkCli lines (`src/terminal/parse/zkcli.rs`): `zookeeper-shell HOST CMD`,
//! the interactive session, zkCli's tokenizer and commons-cli option rules, and the texts zkCli
//! prints for bad input.

#[path = "support/parse.rs"]
mod psupport;

use psupport::*;
use zkafka_sandbox::sim::time::Duration;
use zkafka_sandbox::terminal::ast::{Cmd, KafkaTool, NetCmd, NodeAction, ZkCliCmd};
use zkafka_sandbox::terminal::parse::{parse, zk_cli_tokens};

#[test]
fn zookeeper_shell_parses_connect_strings_and_an_optional_command() {
    let three = vec![hp("localhost", 2181), hp("localhost", 2182), hp("localhost", 2183)];
    check_ok(
        &[
            ("bin/zookeeper-shell.sh localhost:2181", line(shell(vec![hp("localhost", 2181)], None))),
            ("zookeeper-shell localhost:2181,localhost:2182,localhost:2183", line(shell(three.clone(), None))),
            (
                "zookeeper-shell localhost:2181,localhost:2182,localhost:2183, ls /",
                line(shell(three, Some(ZkCliCmd::Ls { path: s("/"), stat: false, recursive: false, watch: false }))),
            ),
            ("zookeeper-shell localhost", line(shell(vec![hp("localhost", 2181)], None))),
            ("zookeeper-shell localhost:", line(shell(vec![hp("localhost", 2181)], None))),
            ("zookeeper-shell localhost:2181/", line(shell(vec![hp("localhost", 2181)], None))),
            (
                "zookeeper-shell 10.0.0.1:2182 get -s /controller",
                line(shell(vec![hp("10.0.0.1", 2182)], Some(ZkCliCmd::Get { path: s("/controller"), stat: true, watch: false }))),
            ),
            ("zookeeper-shell localhost:2181 -timeout 5000 get /a", line(shell(vec![hp("localhost", 2181)], Some(get("/a"))))),
            ("zookeeper-shell localhost:2181 -server localhost:2182 get /a", line(shell(vec![hp("localhost", 2182)], Some(get("/a"))))),
            ("zookeeper-shell localhost:2181 -r", line(shell(vec![hp("localhost", 2181)], None))),
            ("zookeeper-shell localhost:2181 frobnicate", line(shell(vec![hp("localhost", 2181)], Some(ZkCliCmd::Help)))),
            ("zookeeper-shell localhost:2181 quit", line(shell(vec![hp("localhost", 2181)], Some(ZkCliCmd::Quit)))),
            (
                "zookeeper-shell localhost:2181 create /greeting 'hello world'",
                line(shell(
                    vec![hp("localhost", 2181)],
                    Some(ZkCliCmd::Create { path: s("/greeting"), data: Some(s("hello world")), ephemeral: false, sequential: false }),
                )),
            ),
            (
                "zookeeper-shell localhost:2181 get /controller | grep brokerid",
                with_grep(shell(vec![hp("localhost", 2181)], Some(get("/controller"))), "brokerid", false, false),
            ),
            ("zkCli.sh -server localhost:2183 get /a", line(shell(vec![hp("localhost", 2183)], Some(get("/a"))))),
            ("bin/zkCli.sh", line(shell(vec![hp("localhost", 2181)], None))),
        ],
        false,
    );
}

#[test]
fn zookeeper_shell_errors_are_clear() {
    check_err(
        &[
            ("zookeeper-shell", "zookeeper-shell: missing HOST:PORT (usage: zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...])"),
            (
                "zookeeper-shell -server localhost:2181",
                "zookeeper-shell: the first argument must be HOST:PORT, not '-server' (usage: zookeeper-shell HOST:PORT[,HOST:PORT...] [CMD ARGS...])",
            ),
            ("zookeeper-shell localhost:abc", "zookeeper-shell: invalid port 'abc' in 'localhost:abc' (expected a number from 1 to 65535)"),
            ("zookeeper-shell localhost:0", "zookeeper-shell: invalid port '0' in 'localhost:0' (expected a number from 1 to 65535)"),
            ("zookeeper-shell localhost:65536", "zookeeper-shell: invalid port '65536' in 'localhost:65536' (expected a number from 1 to 65535)"),
            ("zookeeper-shell :2181", "zookeeper-shell: missing host in ':2181' (expected HOST:PORT, e.g. localhost:2181)"),
            ("zookeeper-shell localhost:2181,,localhost:2182", "zookeeper-shell: empty host in connect string 'localhost:2181,,localhost:2182'"),
            ("zookeeper-shell ,", "zookeeper-shell: empty connect string (expected HOST:PORT, e.g. localhost:2181)"),
            ("zookeeper-shell localhost:2181/kafka", "zookeeper-shell: a chroot path ('/kafka') in the connect string is not supported in the sandbox"),
            ("zookeeper-shell localhost:2181 -timeout", "zookeeper-shell: no argument found for option -timeout"),
            ("zookeeper-shell localhost:2181 get", "get [-s] [-w] path"),
            ("zookeeper-shell localhost:2181 set /a", "set [-s] [-v version] path data"),
            (
                "zookeeper-shell localhost:2181 set -v abc /a data",
                "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"abc\"",
            ),
        ],
        false,
    );
}

#[test]
fn zkcli_commands_follow_commons_cli_option_rules() {
    let ls = |path: &str, stat, recursive, watch| ZkCliCmd::Ls { path: s(path), stat, recursive, watch };
    let create = |path: &str, data: Option<&str>, ephemeral, sequential| ZkCliCmd::Create {
        path: s(path),
        data: data.map(s),
        ephemeral,
        sequential,
    };
    let set = |path: &str, data: &str, version, stat| ZkCliCmd::Set { path: s(path), data: s(data), version, stat };
    let cases: Vec<(&str, ZkCliCmd)> = vec![
        ("ls /", ls("/", false, false, false)),
        ("ls -s /brokers", ls("/brokers", true, false, false)),
        ("ls / -s", ls("/", true, false, false)),
        ("ls -s -R /x", ls("/x", true, true, false)),
        ("ls -sR /x", ls("/x", true, true, false)),
        ("ls -Rsw /x", ls("/x", true, true, true)),
        ("ls -w /brokers/ids", ls("/brokers/ids", false, false, true)),
        ("ls --s /", ls("/", true, false, false)),
        ("ls -? /", ls("/", false, false, false)),
        // `ls path watch`: the deprecated form; zkCli rewrites word 2 to -w.
        ("ls /brokers watch", ls("/brokers", false, false, true)),
        // ... and it rewrites the raw word 2 even when that is not the path (upstream quirk).
        ("ls -s /a /b", ls("/b", true, false, true)),
        ("get /controller", get("/controller")),
        ("get -s /controller", ZkCliCmd::Get { path: s("/controller"), stat: true, watch: false }),
        ("get -w -s /controller", ZkCliCmd::Get { path: s("/controller"), stat: true, watch: true }),
        ("get /controller -sw", ZkCliCmd::Get { path: s("/controller"), stat: true, watch: true }),
        ("get /controller true", ZkCliCmd::Get { path: s("/controller"), stat: false, watch: true }),
        ("get -- -s", get("-s")),
        ("stat /brokers", ZkCliCmd::Stat { path: s("/brokers"), watch: false }),
        ("stat -w /brokers", ZkCliCmd::Stat { path: s("/brokers"), watch: true }),
        ("stat /brokers 1", ZkCliCmd::Stat { path: s("/brokers"), watch: true }),
        ("create /a", create("/a", None, false, false)),
        ("create /a hello", create("/a", Some("hello"), false, false)),
        ("create -e /a hello", create("/a", Some("hello"), true, false)),
        ("create -s /seq- x", create("/seq-", Some("x"), false, true)),
        ("create -es /a", create("/a", None, true, true)),
        ("create /a hello -e", create("/a", Some("hello"), true, false)),
        ("create /a \"hello world\"", create("/a", Some("hello world"), false, false)),
        ("create /a 'hello world'", create("/a", Some("hello world"), false, false)),
        ("create /a ''", create("/a", Some(""), false, false)),
        ("set /a b", set("/a", "b", None, false)),
        ("set -s /a b", set("/a", "b", None, true)),
        ("set -v 3 /a b", set("/a", "b", Some(3), false)),
        ("set -v3 /a b", set("/a", "b", Some(3), false)),
        ("set -sv3 /a b", set("/a", "b", Some(3), true)),
        ("set /a b -v 0", set("/a", "b", Some(0), false)),
        ("set -v -1 /a b", set("/a", "b", Some(-1), false)),
        ("set -v +7 /a b", set("/a", "b", Some(7), false)),
        ("set -v 2147483647 /a b", set("/a", "b", Some(i32::MAX), false)),
        ("set -v -2147483648 /a b", set("/a", "b", Some(i32::MIN), false)),
        ("set -v 1 -v 2 /a b", set("/a", "b", Some(1), false)),
        ("set /a b extra", set("/a", "b", None, false)),
        ("delete /a", ZkCliCmd::Delete { path: s("/a"), version: None }),
        ("delete -v 2 /a", ZkCliCmd::Delete { path: s("/a"), version: Some(2) }),
        ("delete /a -v 2", ZkCliCmd::Delete { path: s("/a"), version: Some(2) }),
        // `delete path version`: deprecated, and the version is ignored (as upstream does).
        ("delete /a 5", ZkCliCmd::Delete { path: s("/a"), version: None }),
        ("deleteall /a", ZkCliCmd::Deleteall { path: s("/a") }),
        ("rmr /a", ZkCliCmd::Deleteall { path: s("/a") }),
        ("quit", ZkCliCmd::Quit),
        ("quit now", ZkCliCmd::Quit),
        ("help", ZkCliCmd::Help),
        ("help get", ZkCliCmd::Help),
        ("frobnicate /a", ZkCliCmd::Help),
        ("exit", ZkCliCmd::Help),
        ("GET /a", ZkCliCmd::Help),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input, true), Ok(line(Cmd::ZkCli(want.clone()))), "input {input:?}");
        // The same words after `zookeeper-shell HOST` on the sandbox command line.
        let via_shell = format!("zookeeper-shell localhost:2181 {input}");
        assert_eq!(parse(&via_shell, false), Ok(line(shell(vec![hp("localhost", 2181)], Some(want)))), "input {via_shell:?}");
    }
}

#[test]
fn zkcli_keeps_quotes_inside_words_while_the_command_line_removes_them() {
    let create = |data: &str| ZkCliCmd::Create { path: s("/a"), data: Some(s(data)), ephemeral: false, sequential: false };
    // zkCli's tokenizer: a word that does not start with a quote keeps its quotes.
    check_ok(&[("create /a {\"version\":1}", line(Cmd::ZkCli(create("{\"version\":1}"))))], true);
    // The sandbox command line is a POSIX shell line: quote it as in bash.
    check_ok(
        &[
            (
                "zookeeper-shell localhost:2181 create /a {\"version\":1}",
                line(shell(vec![hp("localhost", 2181)], Some(create("{version:1}")))),
            ),
            (
                "zookeeper-shell localhost:2181 create /a '{\"version\":1}'",
                line(shell(vec![hp("localhost", 2181)], Some(create("{\"version\":1}")))),
            ),
        ],
        false,
    );
}

#[test]
fn zkcli_errors_mirror_the_texts_zkcli_prints() {
    check_err(
        &[
            ("get", "get [-s] [-w] path"),
            ("get -s", "get [-s] [-w] path"),
            ("ls", "ls [-s] [-w] [-R] path"),
            ("ls -R", "ls [-s] [-w] [-R] path"),
            ("stat", "stat [-w] path"),
            ("create", "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"),
            ("create -e", "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"),
            ("set /a", "set [-s] [-v version] path data"),
            ("set", "set [-s] [-v version] path data"),
            ("delete", "delete [-v version] path"),
            ("deleteall", "deleteall path"),
            ("rmr", "rmr path"),
            ("get -x /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x"),
            ("get -sx /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx"),
            ("ls --recursive /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: --recursive"),
            ("set /a -1", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -1"),
            ("deleteall -r /a", "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -r"),
            ("set /a b -v", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"),
            ("set -v -s /a b", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"),
            ("delete -v", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"),
            ("create -t /a", "create [-s] [-e] [-c] [-t ttl] path [data] [acl]"),
            ("create -t", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t"),
            ("set -v abc /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"abc\""),
            ("set -v 2147483648 /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"2147483648\""),
            ("set -v 1.0 /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"1.0\""),
            ("set -v - /a b", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"-\""),
            ("delete -v x1 /a", "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"x1\""),
            (
                "create -c /a",
                "create: container (-c) and TTL (-t) znodes are not modeled in this sandbox; use create [-s] [-e] path [data]",
            ),
            (
                "create -t 5000 /a",
                "create: container (-c) and TTL (-t) znodes are not modeled in this sandbox; use create [-s] [-e] path [data]",
            ),
            (
                "create /a data world:anyone:r",
                "create: ACLs are not modeled in this sandbox (every znode is world:anyone); use create [-s] [-e] path [data]",
            ),
            ("getAcl /a", "getAcl: not available in the sandbox's zkCli (available: ls, get, stat, create, set, delete, deleteall, quit)"),
            ("ls2 /a", "ls2: not available in the sandbox's zkCli (available: ls, get, stat, create, set, delete, deleteall, quit)"),
        ],
        true,
    );
}

#[test]
fn the_zkcli_tokenizer_matches_zookeeper_main_args_pattern() {
    let toks = zk_cli_tokens;
    let cases: &[(&str, &[&str])] = &[
        ("get /a", &["get", "/a"]),
        ("  get   /a  ", &["get", "/a"]),
        ("create /a \"hello world\"", &["create", "/a", "hello world"]),
        // Single quotes group too in 3.5.x (ARGS_PATTERN has a '[^']*' alternative).
        ("create /a 'hello world'", &["create", "/a", "hello world"]),
        // A quote inside a word is literal: the word alternative runs to the next space.
        ("create /a x\"y z\"", &["create", "/a", "x\"y", "z\""]),
        // A quoted token ends at its closing quote; the rest is a new token.
        ("create /a \"ab\"cd", &["create", "/a", "ab", "cd"]),
        // Only one pair of quotes is removed.
        ("create /a '\"x\"'", &["create", "/a", "\"x\""]),
        ("create /a \"\"", &["create", "/a", ""]),
        // An unterminated quote is skipped and the scan restarts after it.
        ("get \"/a", &["get", "/a"]),
        ("get '/a b", &["get", "/a", "b"]),
        // At the very start, the regex backtracks into leading whitespace before a lone quote.
        ("  \"abc", &[" \"abc"]),
        ("get \"  ", &["get", " "]),
        // Java's \s is ASCII only: a no-break space is part of a word.
        ("get /a\u{a0}b", &["get", "/a\u{a0}b"]),
        // A quoted token with a line break keeps its quotes (Java's `.` stops at it).
        ("create /a \"x\ny\"", &["create", "/a", "\"x\ny\""]),
    ];
    for (input, want) in cases {
        assert_eq!(toks(input), words(want), "input {input:?}");
    }
}

#[test]
fn the_interactive_shell_routes_sandbox_words_to_the_sandbox_parser() {
    check_ok(
        &[
            ("status", line(Cmd::Status)),
            ("sleep 1s", line(Cmd::Sleep(Duration::from_secs(1)))),
            ("net heal", line(Cmd::Net(NetCmd::Heal))),
            (
                "echo srvr | nc localhost 2181 | grep Mode",
                with_grep(Cmd::FourLetter { word: s("srvr"), host: s("localhost"), port: 2181 }, "Mode", false, false),
            ),
            ("bin/kafka-topics.sh --list", line(Cmd::KafkaTool { tool: KafkaTool::Topics, args: words(&["--list"]) })),
            ("zookeeper-shell localhost:2182", line(shell(vec![hp("localhost", 2182)], None))),
            ("$ zk start 1", line(Cmd::Zk { action: NodeAction::Start, id: 1 })),
            ("help", line(Cmd::ZkCli(ZkCliCmd::Help))),
            ("[zk: localhost:2181(CONNECTED) 0] get /controller", line(Cmd::ZkCli(get("/controller")))),
            ("[zk: localhost:2181(CONNECTED) 12] status", line(Cmd::Status)),
        ],
        true,
    );
    // Outside the shell, `help` is the sandbox's, and zkCli words are unknown commands.
    check_ok(&[("help", line(Cmd::Help(None)))], false);
}
