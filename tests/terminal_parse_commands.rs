//! The terminal parser on sandbox command lines (`src/terminal/parse/`): the shell lexer (prompts,
//! comments, quotes, pipes, grep) and every sandbox command, each with its error texts.

#[path = "support/parse.rs"]
mod psupport;

use psupport::*;
use zkafka_sandbox::sim::time::Duration;
use zkafka_sandbox::terminal::ast::{Cmd, KafkaTool, Line, NetCmd, NodeAction, ZkCliCmd};
use zkafka_sandbox::terminal::parse::{parse_duration, shell_words};

#[test]
fn the_seed_walkthrough_lines_parse_to_the_expected_commands() {
    check_ok(
        &[
            ("$ bin/zookeeper-server-start.sh config/zookeeper1.properties", line(Cmd::ZkServerStart { id: 1, daemon: false })),
            (
                "echo srvr | nc localhost 2182 | grep Mode",
                with_grep(Cmd::FourLetter { word: s("srvr"), host: s("localhost"), port: 2182 }, "Mode", false, false),
            ),
            (
                "bin/zookeeper-server-start.sh -daemon /usr/local/etc/kafka/zookeeper2.properties",
                line(Cmd::ZkServerStart { id: 2, daemon: true }),
            ),
            (
                "zookeeper-shell localhost:2181 get /controller",
                line(shell(vec![hp("localhost", 2181)], Some(get("/controller")))),
            ),
            ("zookeeper-shell localhost:2181", line(shell(vec![hp("localhost", 2181)], None))),
            (
                "kafka-topics --create --zookeeper localhost:2181,localhost:2182,localhost:2183 --replication-factor 4 --partitions 10 --topic test",
                line(Cmd::KafkaTool {
                    tool: KafkaTool::Topics,
                    args: words(&[
                        "--create",
                        "--zookeeper",
                        "localhost:2181,localhost:2182,localhost:2183",
                        "--replication-factor",
                        "4",
                        "--partitions",
                        "10",
                        "--topic",
                        "test",
                    ]),
                }),
            ),
            (
                "kafka-topics --describe --zookeeper localhost:2181 --topic test",
                line(Cmd::KafkaTool {
                    tool: KafkaTool::Topics,
                    args: words(&["--describe", "--zookeeper", "localhost:2181", "--topic", "test"]),
                }),
            ),
            ("bin/zookeeper-server-start config/zookeeper3.properties", line(Cmd::ZkServerStart { id: 3, daemon: false })),
        ],
        false,
    );
    // Step 3 of the seed: `get /controller` typed inside the interactive shell.
    check_ok(&[("get /controller", line(Cmd::ZkCli(get("/controller"))))], true);
}

#[test]
fn blank_lines_comments_and_prompts_are_empty_commands() {
    let cases: Vec<(&str, Line)> = ["", "   ", "\t", "# a comment", "   # indented comment", "$", "$ ", "$ # after a prompt"]
        .into_iter()
        .map(|l| (l, empty()))
        .collect();
    check_ok(&cases, false);
    check_ok(&cases, true);
    check_ok(&[("[zk: localhost:2181(CONNECTED) 3] ", empty())], true);
}

#[test]
fn a_hash_starts_a_comment_only_at_a_word_start_outside_quotes() {
    check_ok(
        &[
            ("status # how is everyone", line(Cmd::Status)),
            ("help net#frag", line(Cmd::Help(Some(s("net#frag"))))),
            ("help '# not a comment'", line(Cmd::Help(Some(s("# not a comment"))))),
            ("help \\#x", line(Cmd::Help(Some(s("#x"))))),
        ],
        false,
    );
    check_ok(
        &[
            ("get /a # comment", line(Cmd::ZkCli(get("/a")))),
            (
                "create /a \"# data\"",
                line(Cmd::ZkCli(ZkCliCmd::Create { path: s("/a"), data: Some(s("# data")), ephemeral: false, sequential: false })),
            ),
            (
                "create /a x#y",
                line(Cmd::ZkCli(ZkCliCmd::Create { path: s("/a"), data: Some(s("x#y")), ephemeral: false, sequential: false })),
            ),
        ],
        true,
    );
}

#[test]
fn program_names_lose_their_directories_and_sh_suffix() {
    let topics = |args: &[&str]| line(Cmd::KafkaTool { tool: KafkaTool::Topics, args: words(args) });
    check_ok(
        &[
            ("./bin/kafka-topics.sh --list", topics(&["--list"])),
            ("bin/kafka-topics.sh --list", topics(&["--list"])),
            ("kafka-topics --list", topics(&["--list"])),
            ("/opt/kafka/bin/kafka-topics.sh --list", topics(&["--list"])),
            ("$ kafka-topics.sh --list", topics(&["--list"])),
            ("bin/zookeeper-server-stop.sh", line(Cmd::ZkServerStop)),
            ("zookeeper-server-stop anything", line(Cmd::ZkServerStop)),
            ("bin/kafka-server-stop.sh", line(Cmd::KafkaServerStop)),
            (
                "kafka-console-producer --topic test --bootstrap-server localhost:9092",
                line(Cmd::KafkaTool {
                    tool: KafkaTool::ConsoleProducer,
                    args: words(&["--topic", "test", "--bootstrap-server", "localhost:9092"]),
                }),
            ),
            (
                "kafka-console-consumer.sh --topic test --from-beginning",
                line(Cmd::KafkaTool { tool: KafkaTool::ConsoleConsumer, args: words(&["--topic", "test", "--from-beginning"]) }),
            ),
            (
                "kafka-leader-election --election-type preferred --all-topic-partitions",
                line(Cmd::KafkaTool {
                    tool: KafkaTool::LeaderElection,
                    args: words(&["--election-type", "preferred", "--all-topic-partitions"]),
                }),
            ),
            ("kafka-topics", line(Cmd::KafkaTool { tool: KafkaTool::Topics, args: vec![] })),
        ],
        false,
    );
}

#[test]
fn the_grep_filter_is_the_last_top_level_pipe_followed_by_grep() {
    let fl = |port| Cmd::FourLetter { word: s("srvr"), host: s("localhost"), port };
    let partition = Cmd::Net(NetCmd::Partition(vec![vec![s("zk1")], vec![s("zk2"), s("zk3")]]));
    check_ok(
        &[
            ("echo srvr | nc localhost 2181", line(fl(2181))),
            ("echo srvr|nc localhost 2181|grep Mode", with_grep(fl(2181), "Mode", false, false)),
            ("status | grep zk1", with_grep(Cmd::Status, "zk1", false, false)),
            ("status | grep -v zk1", with_grep(Cmd::Status, "zk1", true, false)),
            ("status | grep -i -v LEADER", with_grep(Cmd::Status, "LEADER", true, true)),
            ("status | grep -vi LEADER", with_grep(Cmd::Status, "LEADER", true, true)),
            ("status | grep 'Mode: leader'", with_grep(Cmd::Status, "Mode: leader", false, false)),
            ("status | grep \"Mode: leader\"", with_grep(Cmd::Status, "Mode: leader", false, false)),
            ("status | grep -e -v", with_grep(Cmd::Status, "-v", false, false)),
            ("status | grep -- -v", with_grep(Cmd::Status, "-v", false, false)),
            ("status | grep ''", with_grep(Cmd::Status, "", false, false)),
            ("status | grep 'a|b'", with_grep(Cmd::Status, "a|b", false, false)),
            ("help 'a | grep b'", line(Cmd::Help(Some(s("a | grep b"))))),
            ("net partition zk1 | zk2,zk3 | grep x", with_grep(partition.clone(), "x", false, false)),
            ("net partition zk1 | zk2,zk3", line(partition)),
            ("status | grep x # trailing comment", with_grep(Cmd::Status, "x", false, false)),
        ],
        false,
    );
    check_ok(
        &[
            (
                "ls / | grep zoo",
                with_grep(Cmd::ZkCli(ZkCliCmd::Ls { path: s("/"), stat: false, recursive: false, watch: false }), "zoo", false, false),
            ),
            ("get /controller | grep -i BROKERID", with_grep(Cmd::ZkCli(get("/controller")), "BROKERID", false, true)),
            (
                "create /a x|y",
                line(Cmd::ZkCli(ZkCliCmd::Create { path: s("/a"), data: Some(s("x|y")), ephemeral: false, sequential: false })),
            ),
            ("status | grep zk", with_grep(Cmd::Status, "zk", false, false)),
        ],
        true,
    );
}

#[test]
fn grep_mistakes_are_reported_with_the_grep_prefix() {
    let cases = [
        ("status | grep", "grep: missing PATTERN (usage: grep [-v] [-i] PATTERN)"),
        ("status | grep -v", "grep: missing PATTERN (usage: grep [-v] [-i] PATTERN)"),
        ("status | grep a b", "grep: only one PATTERN is supported (and no files)"),
        ("status | grep -x a", "grep: unsupported option '-x' (usage: grep [-v] [-i] PATTERN)"),
        ("status | grep -E 'a|b'", "grep: -E (regular expressions) is not supported: PATTERN is a plain substring"),
        ("status | grep 'open", "grep: unterminated ' quote"),
        ("status | grep a | grep b", "grep: only one '| grep' filter per line is supported"),
        ("| grep x", "grep: nothing to filter: type a command before '| grep'"),
    ];
    check_err(&cases, false);
    check_err(&[("ls / | grep a | grep b", "grep: only one '| grep' filter per line is supported")], true);
}

#[test]
fn help_and_status_parse() {
    check_ok(
        &[
            ("help", line(Cmd::Help(None))),
            ("help net", line(Cmd::Help(Some(s("net"))))),
            ("help net partition", line(Cmd::Help(Some(s("net partition"))))),
            ("status", line(Cmd::Status)),
            ("  status  ", line(Cmd::Status)),
        ],
        false,
    );
    check_err(&[("status now", "status: unexpected argument 'now' (status takes no arguments)")], false);
}

#[test]
fn cluster_accepts_both_flag_forms_and_checks_ranges() {
    check_ok(
        &[
            ("cluster", line(Cmd::Cluster { zk: None, brokers: None })),
            ("cluster --zk 3", line(Cmd::Cluster { zk: Some(3), brokers: None })),
            ("cluster --zk=5 --brokers=4", line(Cmd::Cluster { zk: Some(5), brokers: Some(4) })),
            ("cluster --brokers 64 --zk 1", line(Cmd::Cluster { zk: Some(1), brokers: Some(64) })),
            ("cluster --zk 7", line(Cmd::Cluster { zk: Some(7), brokers: None })),
        ],
        false,
    );
    check_err(
        &[
            ("cluster --zk 0", "cluster: --zk must be between 1 and 7, got 0"),
            ("cluster --zk 8", "cluster: --zk must be between 1 and 7, got 8"),
            ("cluster --brokers 65", "cluster: --brokers must be between 1 and 64, got 65"),
            ("cluster --zk 99999999999999999999", "cluster: --zk must be between 1 and 7, got 99999999999999999999"),
            ("cluster --zk three", "cluster: invalid --zk value 'three' (expected a number from 1 to 7)"),
            ("cluster --zk=-1", "cluster: invalid --zk value '-1' (expected a number from 1 to 7)"),
            ("cluster --zk", "cluster: --zk needs a value (a number from 1 to 7)"),
            ("cluster --brokers", "cluster: --brokers needs a value (a number from 1 to 64)"),
            ("cluster --zk 3 --zk 5", "cluster: --zk given twice"),
            ("cluster --nodes 3", "cluster: unknown option '--nodes' (usage: cluster [--zk N] [--brokers M])"),
            ("cluster 3", "cluster: unknown option '3' (usage: cluster [--zk N] [--brokers M])"),
        ],
        false,
    );
}

#[test]
fn zk_and_broker_commands_parse_every_action() {
    check_ok(
        &[
            ("zk start 1", line(Cmd::Zk { action: NodeAction::Start, id: 1 })),
            ("zk stop 2", line(Cmd::Zk { action: NodeAction::Stop, id: 2 })),
            ("zk kill 3", line(Cmd::Zk { action: NodeAction::Kill, id: 3 })),
            ("zk restart 4294967295", line(Cmd::Zk { action: NodeAction::Restart, id: u32::MAX })),
            ("broker start 1", line(Cmd::Broker { action: NodeAction::Start, id: 1 })),
            ("broker stop 4", line(Cmd::Broker { action: NodeAction::Stop, id: 4 })),
            ("broker kill 1", line(Cmd::Broker { action: NodeAction::Kill, id: 1 })),
            ("broker restart 12", line(Cmd::Broker { action: NodeAction::Restart, id: 12 })),
        ],
        false,
    );
    // Sandbox commands still run while a zkCli session is open.
    check_ok(&[("zk kill 2", line(Cmd::Zk { action: NodeAction::Kill, id: 2 }))], true);
}

#[test]
fn node_command_errors_name_the_command_and_the_problem() {
    check_err(
        &[
            ("zk frobnicate 1", "zk: unknown action 'frobnicate' (expected start, stop, kill, restart, pause or resume)"),
            ("zk", "zk: missing action (usage: zk start|stop|kill|restart|pause|resume ID)"),
            ("zk start", "zk: missing server id (e.g. 'zk start 1')"),
            ("zk start 0", "zk: invalid server id '0' (expected a whole number from 1 to 4294967295)"),
            ("zk start -1", "zk: invalid server id '-1' (expected a whole number from 1 to 4294967295)"),
            ("zk start 4294967296", "zk: invalid server id '4294967296' (expected a whole number from 1 to 4294967295)"),
            ("zk start one", "zk: invalid server id 'one' (expected a whole number from 1 to 4294967295)"),
            ("zk start 1 2", "zk: unexpected argument '2' (usage: zk start|stop|kill|restart|pause|resume ID)"),
            ("zk 1 start", "zk: the action comes first, as in 'zk start 1'"),
            ("broker kill", "broker: missing broker id (e.g. 'broker kill 1')"),
            ("broker explode 1", "broker: unknown action 'explode' (expected start, stop, kill, restart, pause or resume)"),
        ],
        false,
    );
}

#[test]
fn server_scripts_take_the_id_from_the_properties_file_name() {
    check_ok(
        &[
            ("zookeeper-server-start config/zookeeper2.properties", line(Cmd::ZkServerStart { id: 2, daemon: false })),
            ("zookeeper-server-start.sh -daemon config/zookeeper3.properties", line(Cmd::ZkServerStart { id: 3, daemon: true })),
            ("zookeeper-server-start zookeeper12.properties", line(Cmd::ZkServerStart { id: 12, daemon: false })),
            ("zookeeper-server-start config/zookeeper-2.properties", line(Cmd::ZkServerStart { id: 2, daemon: false })),
            ("kafka-server-start config/server1.properties", line(Cmd::KafkaServerStart { id: 1, daemon: false })),
            ("bin/kafka-server-start.sh -daemon config/server4.properties", line(Cmd::KafkaServerStart { id: 4, daemon: true })),
            ("kafka-server-start config/server-2.properties", line(Cmd::KafkaServerStart { id: 2, daemon: false })),
            ("kafka-server-start /usr/local/etc/kafka/server3.properties &", line(Cmd::KafkaServerStart { id: 3, daemon: false })),
        ],
        false,
    );
}

#[test]
fn server_script_errors_explain_the_expected_file_name() {
    check_err(
        &[
            (
                "zookeeper-server-start config/zookeeper.properties",
                "zookeeper-server-start: cannot tell the server id from 'config/zookeeper.properties': name the config file zookeeperN.properties, where N is the server id (e.g. config/zookeeper1.properties)",
            ),
            (
                "kafka-server-start config/server.properties",
                "kafka-server-start: cannot tell the broker id from 'config/server.properties': name the config file serverN.properties, where N is the broker id (e.g. config/server1.properties)",
            ),
            (
                "zookeeper-server-start config/zookeeper2.cfg",
                "zookeeper-server-start: cannot tell the server id from 'config/zookeeper2.cfg': name the config file zookeeperN.properties, where N is the server id (e.g. config/zookeeper1.properties)",
            ),
            ("zookeeper-server-start config/zookeeper0.properties", "zookeeper-server-start: server ids start at 1, got 'config/zookeeper0.properties'"),
            (
                "zookeeper-server-start zookeeper99999999999999999999.properties",
                "zookeeper-server-start: server id in 'zookeeper99999999999999999999.properties' is too large",
            ),
            // bin/zookeeper-server-start.sh and bin/kafka-server-start.sh (Kafka 2.8.2): `$# -lt 1`.
            ("zookeeper-server-start", "USAGE: zookeeper-server-start [-daemon] zookeeper.properties"),
            ("kafka-server-start", "USAGE: kafka-server-start [-daemon] server.properties [--override property=value]*"),
            ("zookeeper-server-start -daemon", "zookeeper-server-start: missing config file (usage: zookeeper-server-start [-daemon] config/zookeeper1.properties)"),
            (
                "zookeeper-server-start config/zookeeper1.properties -daemon",
                "zookeeper-server-start: -daemon must come before the config file (usage: zookeeper-server-start [-daemon] config/zookeeper1.properties)",
            ),
            (
                "kafka-server-start config/server1.properties --override broker.id=7",
                "kafka-server-start: --override is not supported in the sandbox (usage: kafka-server-start [-daemon] config/server1.properties)",
            ),
            ("kafka-server-start -x config/server1.properties", "kafka-server-start: unknown option '-x' (usage: kafka-server-start [-daemon] config/server1.properties)"),
        ],
        false,
    );
}

#[test]
fn sleep_and_step_parse_their_arguments() {
    check_ok(
        &[
            ("sleep 500ms", line(Cmd::Sleep(ms(500)))),
            ("sleep 10", line(Cmd::Sleep(Duration::from_secs(10)))),
            ("sleep 1.5s", line(Cmd::Sleep(ms(1500)))),
            ("sleep 5m", line(Cmd::Sleep(Duration::from_secs(300)))),
            ("step", line(Cmd::Step(1))),
            ("step 25", line(Cmd::Step(25))),
            ("step 10000000", line(Cmd::Step(10_000_000))),
        ],
        false,
    );
    check_err(
        &[
            ("sleep abc", "sleep: invalid duration 'abc' (examples: 500ms, 10s, 5m)"),
            ("sleep", "sleep: missing duration (e.g. sleep 10s, sleep 500ms)"),
            ("sleep -5s", "sleep: invalid duration '-5s': durations cannot be negative"),
            ("sleep 1001h", "sleep: duration '1001h' is too long (at most 1000h)"),
            ("sleep 10 s", "sleep: unexpected argument 's' (usage: sleep DURATION)"),
            ("step 0", "step: invalid count '0' (expected a number from 1 to 10000000)"),
            ("step 10000001", "step: invalid count '10000001' (expected a number from 1 to 10000000)"),
            ("step x", "step: invalid count 'x' (expected a number from 1 to 10000000)"),
            ("step 1 2", "step: unexpected argument '2' (usage: step [N])"),
        ],
        false,
    );
}

#[test]
fn parse_duration_accepts_units_decimals_and_plain_seconds() {
    let cases: &[(&str, u64)] = &[
        ("500ms", 500_000),
        ("10s", 10_000_000),
        ("5m", 300_000_000),
        ("1h", 3_600_000_000),
        ("250us", 250),
        ("250µs", 250),
        ("10", 10_000_000),
        ("0", 0),
        ("1.5s", 1_500_000),
        ("1.5", 1_500_000),
        (".5s", 500_000),
        ("2.", 2_000_000),
        ("0.001ms", 1),
        ("1.25m", 75_000_000),
        ("1000h", 3_600_000_000_000),
        ("999.999999h", 3_599_999_996_400),
        (" 3s ", 3_000_000),
        ("1.500000000000000000000000000000s", 1_500_000),
    ];
    for (input, us) in cases {
        assert_eq!(parse_duration(input), Ok(Duration::from_micros(*us)), "input {input:?}");
    }
}

#[test]
fn parse_duration_rejects_negatives_junk_overflow_and_sub_microsecond_values() {
    let cases = [
        ("abc", "invalid duration 'abc' (examples: 500ms, 10s, 5m)"),
        ("", "invalid duration '' (examples: 500ms, 10s, 5m)"),
        ("ms", "invalid duration 'ms' (examples: 500ms, 10s, 5m)"),
        (".", "invalid duration '.' (examples: 500ms, 10s, 5m)"),
        ("1.2.3s", "invalid duration '1.2.3s' (examples: 500ms, 10s, 5m)"),
        ("10 s", "invalid duration '10 s' (examples: 500ms, 10s, 5m)"),
        ("10sec", "invalid duration '10sec' (examples: 500ms, 10s, 5m)"),
        ("+5s", "invalid duration '+5s' (examples: 500ms, 10s, 5m)"),
        ("1e3ms", "invalid duration '1e3ms' (examples: 500ms, 10s, 5m)"),
        ("-5s", "invalid duration '-5s': durations cannot be negative"),
        ("1000.000001h", "duration '1000.000001h' is too long (at most 1000h)"),
        ("3600001s", "duration '3600001s' is too long (at most 1000h)"),
        ("99999999999999999999", "duration '99999999999999999999' is too long (at most 1000h)"),
        (
            "999999999999999999999999999999999999999999999999h",
            "duration '999999999999999999999999999999999999999999999999h' is too long (at most 1000h)",
        ),
        ("0.5us", "duration '0.5us' is finer than 1us"),
        ("0.0000001s", "duration '0.0000001s' is finer than 1us"),
        ("0.000000000000000000000000001s", "duration '0.000000000000000000000000001s' is finer than 1us"),
    ];
    for (input, want) in cases {
        assert_eq!(parse_duration(input), Err(s(want)), "input {input:?}");
    }
}

#[test]
fn net_commands_parse_every_form() {
    let net = |n| line(Cmd::Net(n));
    let groups = |g: &[&[&str]]| NetCmd::Partition(g.iter().map(|x| words(x)).collect());
    let delay = |a, b| NetCmd::Delay { min: Duration::from_micros(a), max: Duration::from_micros(b) };
    check_ok(
        &[
            ("net", net(NetCmd::Status)),
            ("net status", net(NetCmd::Status)),
            ("net heal", net(NetCmd::Heal)),
            ("net partition zk1,b1 | zk2,zk3,b2", net(groups(&[&["zk1", "b1"], &["zk2", "zk3", "b2"]]))),
            ("net partition zk1 | zk2 | zk3", net(groups(&[&["zk1"], &["zk2"], &["zk3"]]))),
            ("net partition zk1, b1 | zk2 zk3", net(groups(&[&["zk1", "b1"], &["zk2", "zk3"]]))),
            ("net partition zk1,zk1 | zk2", net(groups(&[&["zk1"], &["zk2"]]))),
            ("net partition zk1|zk2", net(groups(&[&["zk1"], &["zk2"]]))),
            ("net cut zk1->zk2", net(NetCmd::Cut { from: s("zk1"), to: s("zk2") })),
            ("net cut zk1 -> b2", net(NetCmd::Cut { from: s("zk1"), to: s("b2") })),
            ("net loss 10", net(NetCmd::Loss { ppm: 100_000 })),
            ("net loss 10%", net(NetCmd::Loss { ppm: 100_000 })),
            ("net loss 0.5", net(NetCmd::Loss { ppm: 5_000 })),
            ("net loss 0", net(NetCmd::Loss { ppm: 0 })),
            ("net loss 100", net(NetCmd::Loss { ppm: 1_000_000 })),
            ("net loss 0.0001%", net(NetCmd::Loss { ppm: 1 })),
            ("net loss 10 %", net(NetCmd::Loss { ppm: 100_000 })),
            ("net delay 1ms-5ms", net(delay(1_000, 5_000))),
            ("net delay 2-10ms", net(delay(2_000, 10_000))),
            ("net delay 3ms", net(delay(3_000, 3_000))),
            ("net delay 1ms - 5ms", net(delay(1_000, 5_000))),
            ("net delay 500us-2ms", net(delay(500, 2_000))),
            ("net delay 0", net(delay(0, 0))),
            ("net delay 1-60s", net(delay(1_000_000, 60_000_000))),
            ("net delay 1.5-2.5ms", net(delay(1_500, 2_500))),
        ],
        false,
    );
}

#[test]
fn net_errors_are_clear() {
    check_err(
        &[
            ("net frobnicate", "net: unknown subcommand 'frobnicate' (expected partition, cut, loss, delay, heal or status)"),
            ("net heal now", "net heal: unexpected argument 'now' (net heal takes no arguments)"),
            ("net partition zk1,zk2", "net partition: need at least two groups separated by '|' (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
            ("net partition", "net partition: need at least two groups separated by '|' (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
            ("net partition zk1,zk2 | zk2,zk3", "net partition: zk2 is in two groups (a node belongs to one side)"),
            ("net partition | zk1", "net partition: group 1 is empty (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
            ("net partition zk1 | ,", "net partition: group 2 is empty (e.g. net partition zk1,b1 | zk2,zk3,b2)"),
            ("net partition zk1 | zk2 |", "net: syntax error near unexpected token '|'"),
            ("net partition zk1 | z!", "net partition: invalid node name 'z!' (expected names like zk1 or b2)"),
            ("net cut zk1", "net cut: expected FROM->TO, got 'zk1' (e.g. net cut zk1->zk2)"),
            ("net cut", "net cut: missing FROM->TO (e.g. net cut zk1->zk2)"),
            ("net cut zk1->zk1", "net cut: cannot cut zk1 from itself"),
            ("net cut zk1->zk2->zk3", "net cut: expected FROM->TO, got 'zk1->zk2->zk3' (e.g. net cut zk1->zk2)"),
            ("net cut ->zk2", "net cut: invalid node name '' (expected names like zk1 or b2)"),
            ("net cut zk1->zk2 | zk3", "net: unexpected '|': the only pipe supported here is a final '| grep PATTERN'"),
            ("net loss", "net loss: missing PERCENT (e.g. net loss 10%, net loss 0.5)"),
            ("net loss 101", "net loss: must be between 0 and 100 percent, got '101'"),
            ("net loss 100.01", "net loss: must be between 0 and 100 percent, got '100.01'"),
            ("net loss 99999999999999999999", "net loss: must be between 0 and 100 percent, got '99999999999999999999'"),
            ("net loss -5", "net loss: invalid percentage '-5' (expected 0 to 100, e.g. 10%, 0.5)"),
            ("net loss lots", "net loss: invalid percentage 'lots' (expected 0 to 100, e.g. 10%, 0.5)"),
            ("net loss 0.00001", "net loss: '0.00001' is finer than 0.0001%"),
            ("net delay", "net delay: missing MIN-MAX (e.g. net delay 1ms-5ms, 2-10ms or 3ms)"),
            ("net delay 5ms-1ms", "net delay: MIN 5ms is larger than MAX 1ms"),
            ("net delay 1ms-61s", "net delay: at most 60s, got 61s"),
            ("net delay -5ms", "net delay: invalid range '-5ms' (e.g. 1ms-5ms, 2-10ms or 3ms; delays cannot be negative)"),
            ("net delay 1ms-", "net delay: invalid range '1ms-' (e.g. 1ms-5ms, 2-10ms or 3ms; delays cannot be negative)"),
            ("net delay fast", "net delay: invalid duration 'fast' (examples: 500ms, 10s, 5m)"),
        ],
        false,
    );
}

#[test]
fn four_letter_words_need_echo_word_pipe_nc_host_port() {
    let fl = |word: &str, host: &str, port| line(Cmd::FourLetter { word: s(word), host: s(host), port });
    check_ok(
        &[
            ("echo srvr | nc localhost 2181", fl("srvr", "localhost", 2181)),
            ("echo ruok | nc 127.0.0.1 2183", fl("ruok", "127.0.0.1", 2183)),
            ("echo mntr | nc -q 1 localhost 2182", fl("mntr", "localhost", 2182)),
            ("echo stat | nc -w 1 localhost 2182", fl("stat", "localhost", 2182)),
            ("echo stat | nc -q1 -N localhost 2182", fl("stat", "localhost", 2182)),
            ("echo stat | nc localhost 2182 -q 2", fl("stat", "localhost", 2182)),
            ("echo -n conf | nc localhost 2181", fl("conf", "localhost", 2181)),
            ("echo 'wchs' | nc localhost 2181", fl("wchs", "localhost", 2181)),
            ("echo frob | nc localhost 2181", fl("frob", "localhost", 2181)),
            ("echo srvr | ncat localhost 2181", fl("srvr", "localhost", 2181)),
        ],
        false,
    );
    check_err(
        &[
            ("echo srvr | nc localhost:2181", "nc: expected HOST PORT separated by a space (nc localhost 2181), not 'localhost:2181'"),
            ("echo srvr | nc localhost", "nc: missing PORT (usage: echo srvr | nc HOST PORT)"),
            ("echo srvr | nc", "nc: missing HOST and PORT (usage: echo srvr | nc HOST PORT)"),
            ("echo srvr | nc localhost 99999", "nc: invalid port '99999' (expected a number from 1 to 65535)"),
            ("echo srvr | nc localhost 0", "nc: invalid port '0' (expected a number from 1 to 65535)"),
            ("echo srvr | nc localhost http", "nc: invalid port 'http' (expected a number from 1 to 65535)"),
            ("echo srvr | nc localhost 2181 2182", "nc: unexpected argument '2182' (usage: echo srvr | nc HOST PORT)"),
            ("echo srvr | nc -z localhost 2181", "nc: unsupported option '-z' (usage: echo srvr | nc HOST PORT)"),
            ("echo srvr | nc localhost 2181 -q", "nc: option -q needs a value (e.g. nc -q 1 localhost 2181)"),
            ("echo srvr", "echo: the sandbox only runs 'echo WORD | nc HOST PORT' (a four-letter word such as srvr, stat, ruok or mntr)"),
            ("echo | nc localhost 2181", "echo: missing four-letter word (e.g. echo srvr | nc localhost 2181)"),
            ("echo srvr stat | nc localhost 2181", "echo: send one four-letter word at a time (echo WORD | nc HOST PORT)"),
            ("echo srvr | cat", "echo: expected '| nc HOST PORT' after 'echo srvr', got '| cat'"),
            ("echo srvr | nc localhost 2181 | nc localhost 2182", "echo: expected 'echo WORD | nc HOST PORT' with a single '|'"),
            ("nc localhost 2181", "nc: send a four-letter word with: echo srvr | nc HOST PORT (e.g. echo srvr | nc localhost 2181)"),
        ],
        false,
    );
}

#[test]
fn unknown_commands_are_reported_with_a_hint() {
    check_err(
        &[
            ("foo", "unknown command: foo (type 'help' for the list)"),
            ("foo bar baz", "unknown command: foo (type 'help' for the list)"),
            ("bin/foo.sh", "unknown command: bin/foo.sh (type 'help' for the list)"),
            ("kafka-configs --describe", "unknown command: kafka-configs (type 'help' for the list)"),
            (
                "get /controller",
                "unknown command: get (zkCli commands run inside 'zookeeper-shell localhost:2181', or as 'zookeeper-shell localhost:2181 get ...'; type 'help' for the list)",
            ),
            (
                "quit",
                "unknown command: quit (zkCli commands run inside 'zookeeper-shell localhost:2181', or as 'zookeeper-shell localhost:2181 quit ...'; type 'help' for the list)",
            ),
            ("status | wc -l", "status: unexpected '|': the only pipe supported here is a final '| grep PATTERN'"),
            ("'' x", "unknown command: '' (type 'help' for the list)"),
        ],
        false,
    );
}

#[test]
fn semicolons_and_double_ampersands_are_rejected_and_a_trailing_ampersand_is_ignored() {
    check_err(
        &[
            ("zk start 1; zk start 2", "zk: ';' is not supported: type one command per line"),
            ("zk start 1 && zk start 2", "zk: '&&' is not supported: type one command per line"),
            ("status || grep x", "status: syntax error near unexpected token '|'"),
        ],
        false,
    );
    check_ok(
        &[
            ("bin/zookeeper-server-start.sh config/zookeeper1.properties &", line(Cmd::ZkServerStart { id: 1, daemon: false })),
            ("help 'a;b'", line(Cmd::Help(Some(s("a;b"))))),
            ("&", empty()),
        ],
        false,
    );
}

#[test]
fn unterminated_quotes_are_errors_that_name_the_command() {
    check_err(
        &[
            ("zk start '1", "zk: unterminated ' quote"),
            ("help \"net", "help: unterminated \" quote"),
            ("zookeeper-shell localhost:2181 create /a 'x", "zookeeper-shell: unterminated ' quote"),
        ],
        false,
    );
}

#[test]
fn shell_words_splits_like_a_posix_shell() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("   ", &[]),
        ("a b  c", &["a", "b", "c"]),
        ("'a b' c", &["a b", "c"]),
        ("\"a b\" c", &["a b", "c"]),
        ("\"a \\\"quoted\\\" b\"", &["a \"quoted\" b"]),
        ("\"back\\\\slash\"", &["back\\slash"]),
        ("\"keep \\n as is\"", &["keep \\n as is"]),
        ("'no \\escapes in single'", &["no \\escapes in single"]),
        ("a\\ b", &["a b"]),
        ("\\'x", &["'x"]),
        ("a'b c'd", &["ab cd"]),
        ("''", &[""]),
        ("\"\" x", &["", "x"]),
        ("trailing\\", &["trailing\\"]),
        ("tab\tsep\u{3000}ideographic", &["tab", "sep", "ideographic"]),
        ("émoji 😀 ok", &["émoji", "😀", "ok"]),
    ];
    for (input, want) in cases {
        assert_eq!(shell_words(input), Ok(words(want)), "input {input:?}");
    }
    assert_eq!(shell_words("'open"), Err(s("unterminated ' quote")));
    assert_eq!(shell_words("\"open"), Err(s("unterminated \" quote")));
    assert_eq!(shell_words("\"ends with escape\\\""), Err(s("unterminated \" quote")));
}
