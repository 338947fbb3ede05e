//! `kafka-topics`' command line: the options, `checkArgs`, the order in which `main` and the
//! topic services read the values, and the message texts the tool prints around its work.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/admin/TopicCommand.scala`
//! (`TopicCommandOptions` and `checkArgs`, `CommandTopicPartition`, `main`, the two
//! `TopicService`s' messages), `kafka/utils/CommandLineUtils.scala`, ZooKeeper's
//! `ConnectStringParser` and the clients' `ClientUtils.parseAndValidateAddresses`.
//!
//! Simplified: which checks need cluster state (topic existence, broker count, `Topic.validate`
//! on create, which Kafka runs after the broker-count checks) is left to the caller
//! (`topics_service.rs`); the helpers [`validate_topic_name`](super::validate_topic_name),
//! [`TopicsCmd::create_warning`] and [`TopicsCmd::admin_client_precheck`] give the exact texts.

use super::describe::DescribeFilter;
use super::jopt::{check_invalid, check_invalid_in_order, check_required, flag, jopt_parse, req, spec, JoptError, OptSpec, HELP, VERSION};
use super::topic_config::{split_config_pair, validate_config_names};
use super::topic_name::has_collision_chars;
use super::topic_regex::TopicFilter;
use super::{CliError, TOPIC_COMMAND_ERROR_PREFIX};
use crate::kafka::assign::{java_trim, parse_replica_assignment};
use crate::kafka::types::BrokerId;
use crate::sorted::SortedMap;

/// The one action a `kafka-topics` command line must have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TopicsAction {
    Create,
    List,
    Describe,
    Delete,
    Alter,
}

/// How `kafka-topics` reaches the cluster (exactly one is allowed).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Connection {
    /// `--zookeeper HOSTS` (deprecated in 2.8): the raw connect string.
    Zookeeper(String),
    /// `--bootstrap-server HOST:PORT[,...]`: the raw server list.
    BootstrapServer(String),
}

/// A parsed `kafka-topics` command line that passed every check the tool makes before it
/// talks to the cluster.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TopicsCmd {
    /// `--create`, `--list`, `--describe`, `--delete` or `--alter`.
    pub action: TopicsAction,
    /// `--zookeeper` or `--bootstrap-server`.
    pub connection: Connection,
    /// `--command-config FILE` (bootstrap-server only); never read by this module.
    pub command_config: Option<String>,
    /// `--topic`: a name for `--create`, a Java regex otherwise.
    pub topic: Option<String>,
    /// `--topic` compiled as Kafka's `IncludeList` (every action but `--create`).
    pub topic_filter: Option<TopicFilter>,
    /// `--partitions` (read for `--create` and `--alter` only).
    pub partitions: Option<i32>,
    /// `--replication-factor` (read for `--create` only).
    pub replication_factor: Option<i32>,
    /// `--replica-assignment`, parsed (`None` if absent or the empty string).
    pub replica_assignment: Option<SortedMap<i32, Vec<BrokerId>>>,
    /// `--config k=v`, trimmed, in command-line order (a later duplicate key wins).
    pub configs: Vec<(String, String)>,
    /// `--delete-config NAME`, trimmed.
    pub delete_configs: Vec<String>,
    /// `--if-exists` (alter, delete, describe).
    pub if_exists: bool,
    /// `--if-not-exists` (create).
    pub if_not_exists: bool,
    /// `--under-replicated-partitions` (describe).
    pub under_replicated_partitions: bool,
    /// `--unavailable-partitions` (describe).
    pub unavailable_partitions: bool,
    /// `--under-min-isr-partitions` (describe, bootstrap-server only).
    pub under_min_isr_partitions: bool,
    /// `--at-min-isr-partitions` (describe, bootstrap-server only).
    pub at_min_isr_partitions: bool,
    /// `--topics-with-overrides` (describe).
    pub topics_with_overrides: bool,
    /// `--exclude-internal` (list, describe).
    pub exclude_internal: bool,
    /// `--disable-rack-aware` (create, alter).
    pub disable_rack_aware: bool,
}

const TOPICS_SPECS: &[OptSpec] = &[
    HELP,
    VERSION,
    req("bootstrap-server"),
    req("command-config"),
    req("zookeeper"),
    flag("list"),
    flag("create"),
    flag("delete"),
    flag("alter"),
    flag("describe"),
    req("topic"),
    req("config"),
    req("delete-config"),
    req("partitions"),
    req("replication-factor"),
    req("replica-assignment"),
    flag("under-replicated-partitions"),
    flag("unavailable-partitions"),
    flag("under-min-isr-partitions"),
    flag("at-min-isr-partitions"),
    flag("topics-with-overrides"),
    flag("if-exists"),
    flag("if-not-exists"),
    flag("disable-rack-aware"),
    flag("force"),
    flag("exclude-internal"),
];

fn topic_failed(message: &str) -> CliError {
    CliError::failed(format!("{TOPIC_COMMAND_ERROR_PREFIX}{message}"))
}

/// Parses a `kafka-topics` command line (arguments after the program name).
/// The error is the text the real tool prints first; see [`parse_topics_args_detailed`].
pub fn parse_topics_args(args: &[String]) -> Result<TopicsCmd, String> {
    parse_topics_args_detailed(args).map_err(|e| e.text)
}

/// Parses a `kafka-topics` command line, in TopicCommand 2.8's order: jopt-simple parsing,
/// `checkArgs`, the connection options `main` reads, then what `CommandTopicPartition` and the
/// topic lookup evaluate inside the `try` (errors printed as `Error while executing topic
/// command : ...`).
pub fn parse_topics_args_detailed(args: &[String]) -> Result<TopicsCmd, CliError> {
    let set = jopt_parse(TOPICS_SPECS, args, &[]).map_err(|e| e.uncaught())?;

    // checkArgs
    if args.is_empty() {
        return Err(CliError::usage("Create, delete, describe, or change a topic."));
    }
    if set.has("help") {
        return Err(CliError::usage("This tool helps to create, delete, describe, or change a topic."));
    }
    if set.has("version") {
        return Err(CliError::version());
    }
    let actions = ["create", "list", "alter", "describe", "delete"];
    if actions.iter().filter(|a| set.has(a)).count() != 1 {
        return Err(CliError::usage("Command must include exactly one action: --list, --describe, --create, --alter or --delete"));
    }
    let has_bootstrap = set.has("bootstrap-server");
    let has_zk = set.has("zookeeper");
    if has_bootstrap == has_zk {
        return Err(CliError::uncaught(
            "java.lang.IllegalArgumentException",
            "Only one of --bootstrap-server or --zookeeper must be specified",
        ));
    }
    if set.has("describe") && set.has("if-exists") {
        check_required(&set, &["topic"])?;
    }
    if !set.has("list") && !set.has("describe") {
        check_required(&set, &["topic"])?;
    }
    if set.has("create") && !set.has("replica-assignment") && has_zk {
        check_required(&set, &["partitions", "replication-factor"])?;
    }
    if has_bootstrap && set.has("alter") && set.has("config") {
        return Err(CliError::usage(format!(
            "Option combination \"{},{}\" can't be used with option \"{}\" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)",
            spec("bootstrap-server"),
            spec("config"),
            spec("alter")
        )));
    }
    if has_bootstrap && set.has("alter") {
        check_required(&set, &["partitions"])?;
    }
    check_invalid(&set, "config", &["describe", "list", "delete"])?;
    check_invalid(&set, "delete-config", &["create", "describe", "list", "delete", "bootstrap-server"])?;
    check_invalid(&set, "partitions", &["describe", "list", "delete"])?;
    check_invalid(&set, "replication-factor", &["alter", "describe", "list", "delete"])?;
    check_invalid(&set, "replica-assignment", &["describe", "list", "delete"])?;
    if set.has("create") {
        check_invalid_in_order(&set, "replica-assignment", &["partitions", "replication-factor"])?;
    }
    let not_describe = ["alter", "create", "list", "delete"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { not_describe.iter().copied().chain(extra.iter().copied()).collect() };
    check_invalid(
        &set,
        "under-replicated-partitions",
        &with(&["under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions", "topics-with-overrides"]),
    )?;
    check_invalid(
        &set,
        "under-min-isr-partitions",
        &with(&["under-replicated-partitions", "at-min-isr-partitions", "unavailable-partitions", "topics-with-overrides", "zookeeper"]),
    )?;
    check_invalid(
        &set,
        "at-min-isr-partitions",
        &with(&["under-replicated-partitions", "under-min-isr-partitions", "unavailable-partitions", "topics-with-overrides", "zookeeper"]),
    )?;
    check_invalid(
        &set,
        "unavailable-partitions",
        &with(&["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "topics-with-overrides"]),
    )?;
    check_invalid(
        &set,
        "topics-with-overrides",
        &with(&["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"]),
    )?;
    check_invalid(&set, "if-exists", &["create", "list"])?;
    check_invalid(&set, "if-not-exists", &["alter", "describe", "list", "delete"])?;
    check_invalid(&set, "exclude-internal", &["alter", "create", "delete"])?;

    // main: the service is built before the try.
    let (connection, command_config) = if has_zk {
        let zk = set.value_of("zookeeper").map_err(|e| e.uncaught())?.unwrap_or_default();
        (Connection::Zookeeper(zk.to_string()), None)
    } else {
        let cc = set.value_of("command-config").map_err(|e| e.uncaught())?.map(str::to_string);
        let bs = set.value_of("bootstrap-server").map_err(|e| e.uncaught())?.unwrap_or_default();
        (Connection::BootstrapServer(bs.to_string()), cc)
    };

    let action = if set.has("create") {
        TopicsAction::Create
    } else if set.has("alter") {
        TopicsAction::Alter
    } else if set.has("list") {
        TopicsAction::List
    } else if set.has("describe") {
        TopicsAction::Describe
    } else {
        TopicsAction::Delete
    };

    // Inside the try: opts.topic is read first by every action.
    let as_failed = |e: JoptError| topic_failed(&e.message);
    let topic = set.value_of("topic").map_err(as_failed)?.map(str::to_string);

    let mut cmd = TopicsCmd {
        action,
        connection,
        command_config,
        topic,
        topic_filter: None,
        partitions: None,
        replication_factor: None,
        replica_assignment: None,
        configs: Vec::new(),
        delete_configs: Vec::new(),
        if_exists: set.has("if-exists"),
        if_not_exists: set.has("if-not-exists"),
        under_replicated_partitions: set.has("under-replicated-partitions"),
        unavailable_partitions: set.has("unavailable-partitions"),
        under_min_isr_partitions: set.has("under-min-isr-partitions"),
        at_min_isr_partitions: set.has("at-min-isr-partitions"),
        topics_with_overrides: set.has("topics-with-overrides"),
        exclude_internal: set.has("exclude-internal"),
        disable_rack_aware: set.has("disable-rack-aware"),
    };

    // getTopics builds the IncludeList before CommandTopicPartition everywhere except on the
    // --bootstrap-server --alter path, where it comes after.
    let filter_first = action != TopicsAction::Create && (action != TopicsAction::Alter || cmd.is_zookeeper());
    if filter_first {
        cmd.topic_filter = topic_filter_of(&cmd.topic)?;
    }
    if matches!(action, TopicsAction::Create | TopicsAction::Alter) {
        // new CommandTopicPartition(opts)
        cmd.partitions = set.int_value_of("partitions").map_err(as_failed)?;
        cmd.replication_factor = set.int_value_of("replication-factor").map_err(as_failed)?;
        if let Some(ra) = set.value_of("replica-assignment").map_err(as_failed)? {
            if !ra.is_empty() {
                cmd.replica_assignment = Some(parse_replica_assignment(ra).map_err(|m| topic_failed(&m))?);
            }
        }
        let mut pairs = Vec::new();
        let mut well_formed = true;
        for c in set.values("config") {
            let parts = split_config_pair(c);
            if parts.len() != 2 {
                well_formed = false;
            } else {
                pairs.push((java_trim(&parts[0]).to_string(), java_trim(&parts[1]).to_string()));
            }
        }
        if !well_formed {
            return Err(topic_failed(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            ));
        }
        let names: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        validate_config_names(&names).map_err(|m| topic_failed(&m))?;
        cmd.configs = pairs;
        let deletes: Vec<String> = set.values("delete-config").iter().map(|d| java_trim(d).to_string()).collect();
        validate_config_names(&deletes).map_err(|m| topic_failed(&m))?;
        cmd.delete_configs = deletes;
    }
    if action == TopicsAction::Alter && !cmd.is_zookeeper() {
        cmd.topic_filter = topic_filter_of(&cmd.topic)?;
    }
    Ok(cmd)
}

fn topic_filter_of(topic: &Option<String>) -> Result<Option<TopicFilter>, CliError> {
    match topic {
        Some(t) => TopicFilter::new(t).map(Some).map_err(|m| topic_failed(&m)),
        None => Ok(None),
    }
}

impl TopicsCmd {
    /// `true` on the deprecated `--zookeeper` path.
    pub fn is_zookeeper(&self) -> bool {
        matches!(self.connection, Connection::Zookeeper(_))
    }

    /// The warning `--create` prints (stdout) before creating a topic whose name contains `.`
    /// or `_`.
    pub fn create_warning(&self) -> Option<&'static str> {
        match (&self.action, &self.topic) {
            (TopicsAction::Create, Some(t)) if has_collision_chars(t) => Some(
                "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
            ),
            _ => None,
        }
    }

    /// `AdminClientTopicService.createTopic`'s own checks (after the warning, before the
    /// request): the full `Error while executing topic command : ...` line.
    pub fn admin_client_precheck(&self) -> Result<(), String> {
        if self.action != TopicsAction::Create || self.is_zookeeper() {
            return Ok(());
        }
        if self.replication_factor.is_some_and(|rf| !(1..=i16::MAX as i32).contains(&rf)) {
            return Err(format!("{TOPIC_COMMAND_ERROR_PREFIX}The replication factor must be between 1 and 32767 inclusive"));
        }
        if self.partitions.is_some_and(|p| p < 1) {
            return Err(format!("{TOPIC_COMMAND_ERROR_PREFIX}The partitions must be greater than 0"));
        }
        Ok(())
    }

    /// The describe filters this command line asks for.
    pub fn describe_filter(&self) -> DescribeFilter {
        DescribeFilter {
            under_replicated_partitions: self.under_replicated_partitions,
            unavailable_partitions: self.unavailable_partitions,
            under_min_isr_partitions: self.under_min_isr_partitions,
            at_min_isr_partitions: self.at_min_isr_partitions,
            topics_with_overrides: self.topics_with_overrides,
        }
    }
}

/// `Created topic test.`
pub fn created_topic_line(topic: &str) -> String {
    format!("Created topic {topic}.")
}

/// `ensureTopicExists`' message (without the `Error while executing topic command : ` prefix).
pub fn topic_does_not_exist_message(requested: &str) -> String {
    format!("Topic '{requested}' does not exist as expected")
}

/// The `--zookeeper --delete` output for one topic: two lines.
pub fn zk_marked_for_deletion_lines(topic: &str) -> [String; 2] {
    [
        format!("Topic {topic} is marked for deletion."),
        "Note: This will have no impact if delete.topic.enable is not set to true.".to_string(),
    ]
}

/// `TopicExistsException`'s message for `--create` of an existing topic (both paths).
pub fn topic_already_exists_message(topic: &str) -> String {
    format!("Topic '{topic}' already exists.")
}

/// The `--zookeeper --delete` output for a topic already marked for deletion.
pub fn zk_already_marked_for_deletion_line(topic: &str) -> String {
    format!("Topic {topic} is already marked for deletion.")
}

/// `kafka-topics --list` output for the topics that passed the `--topic` filter, each with
/// whether it is marked for deletion: sorted by name; the `--zookeeper` path prints
/// `name - marked for deletion` for those, the `--bootstrap-server` path prints the names
/// joined by newlines followed by one newline (so an empty list prints an empty line).
pub fn list_topics_output(topics: &[(String, bool)], zookeeper: bool) -> String {
    let mut sorted: Vec<&(String, bool)> = topics.iter().collect();
    crate::sorted::sort(&mut sorted);
    if zookeeper {
        sorted.iter().map(|(t, marked)| if *marked { format!("{t} - marked for deletion\n") } else { format!("{t}\n") }).collect()
    } else {
        let names: Vec<&str> = sorted.iter().map(|(t, _)| t.as_str()).collect();
        format!("{}\n", names.join("\n"))
    }
}

/// A `--zookeeper` connect string, split.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ZkConnectString {
    /// `(host, port)` in the given order.
    pub hosts: Vec<(String, u16)>,
    /// The chroot path (`/kafka`), if any other than `/`.
    pub chroot: Option<String>,
}

/// Splits a `--zookeeper` connect string like ZooKeeper's `ConnectStringParser`: an optional
/// chroot after the first `/`, hosts separated by commas, port 2181 when omitted.
pub fn parse_zk_connect_string(s: &str) -> Result<ZkConnectString, String> {
    let (hosts, chroot) = match s.find('/') {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    };
    let chroot = match chroot {
        None | Some("/") => None,
        Some(c) => Some(c.to_string()),
    };
    let mut out = Vec::new();
    for h in hosts.split(',') {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        let (host, port) = match h.rfind(':') {
            Some(i) if !h.ends_with(']') => {
                let port = h[i + 1..].parse::<u16>().map_err(|_| format!("Invalid port in connect string: {h}"))?;
                (&h[..i], port)
            }
            _ => (h, 2181),
        };
        out.push((host.trim_start_matches('[').trim_end_matches(']').to_string(), port));
    }
    if out.is_empty() {
        return Err("A HostProvider may not be empty!".to_string());
    }
    Ok(ZkConnectString { hosts: out, chroot })
}

/// Splits a `--bootstrap-server` list into `(host, port)` pairs like
/// `ClientUtils.parseAndValidateAddresses`; the error is Kafka's `ConfigException` message.
pub fn parse_bootstrap_servers(s: &str) -> Result<Vec<(String, u16)>, String> {
    let mut out = Vec::new();
    for url in s.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        let port_ok = url.rfind(':').and_then(|i| url[i + 1..].parse::<u16>().ok().map(|p| (i, p)));
        match port_ok {
            Some((i, p)) if i > 0 => out.push((url[..i].trim_start_matches('[').trim_end_matches(']').to_string(), p)),
            _ => return Err(format!("Invalid url in bootstrap.servers: {url}")),
        }
    }
    if out.is_empty() {
        return Err("No resolvable bootstrap urls given in bootstrap.servers".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::cli::is_internal_topic;
    use crate::kafka::types::BrokerId;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn topics(s: &str) -> Result<TopicsCmd, CliError> {
        parse_topics_args_detailed(&argv(s))
    }

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|b| BrokerId(*b)).collect()
    }

    const ZK: &str = "--zookeeper localhost:2181,localhost:2182,localhost:2183";

    #[test]
    fn seed_create_command_parses() {
        let c = topics(&format!("--create {ZK} --replication-factor 4 --partitions 10 --topic test")).unwrap();
        assert_eq!(c.action, TopicsAction::Create);
        assert_eq!(c.connection, Connection::Zookeeper("localhost:2181,localhost:2182,localhost:2183".into()));
        assert_eq!(c.partitions, Some(10));
        assert_eq!(c.replication_factor, Some(4));
        assert_eq!(c.topic.as_deref(), Some("test"));
        assert!(c.topic_filter.is_none(), "create takes a literal name");
        assert!(c.is_zookeeper());
    }

    #[test]
    fn seed_describe_command_parses_without_a_topic() {
        let c = topics(&format!("--describe {ZK}")).unwrap();
        assert_eq!(c.action, TopicsAction::Describe);
        assert_eq!(c.topic, None);
    }

    #[test]
    fn bootstrap_create_may_omit_partitions_and_replication_factor() {
        let c = topics("--create --bootstrap-server localhost:9092 --topic t").unwrap();
        assert_eq!(c.partitions, None);
        assert_eq!(c.replication_factor, None);
        assert_eq!(c.connection, Connection::BootstrapServer("localhost:9092".into()));
    }

    #[test]
    fn a_required_argument_may_look_like_an_option() {
        let c = topics(&format!("--describe {ZK} --topic --list")).unwrap();
        assert_eq!(c.topic.as_deref(), Some("--list"));
    }

    #[test]
    fn equals_syntax_and_flags_with_values() {
        let c = topics("--create=yes --zookeeper=z:2181 --topic=t --partitions=2 --replication-factor=1").unwrap();
        assert_eq!(c.action, TopicsAction::Create);
        assert_eq!(c.partitions, Some(2));
        assert_eq!(c.connection, Connection::Zookeeper("z:2181".into()));
    }

    #[test]
    fn configs_are_split_trimmed_and_name_checked() {
        let c = topics(&format!(
            "--create {ZK} --topic t --partitions 1 --replication-factor 1 --config retention.ms=1000 --config cleanup.policy=compact"
        ))
        .unwrap();
        assert_eq!(c.configs, vec![("retention.ms".into(), "1000".into()), ("cleanup.policy".into(), "compact".into())]);
        let spaced = parse_topics_args_detailed(&[
            "--create".into(),
            "--zookeeper".into(),
            "z".into(),
            "--topic".into(),
            "t".into(),
            "--partitions".into(),
            "1".into(),
            "--replication-factor".into(),
            "1".into(),
            "--config".into(),
            " segment.bytes = 1024 ".into(),
        ])
        .unwrap();
        assert_eq!(spaced.configs, vec![("segment.bytes".into(), "1024".into())]);
    }

    #[test]
    fn describe_flags_are_recorded() {
        let c = topics(&format!("--describe {ZK} --under-replicated-partitions --exclude-internal")).unwrap();
        assert!(c.under_replicated_partitions && c.exclude_internal);
        let f = c.describe_filter();
        assert!(f.under_replicated_partitions && !f.unavailable_partitions);
    }

    #[test]
    fn collision_warning_is_for_create_with_dot_or_underscore() {
        let c = topics("--create --bootstrap-server b:9092 --topic first_topic").unwrap();
        assert_eq!(
            c.create_warning(),
            Some("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.")
        );
        assert_eq!(topics("--create --bootstrap-server b:9092 --topic test").unwrap().create_warning(), None);
        assert_eq!(topics("--delete --bootstrap-server b:9092 --topic a.b").unwrap().create_warning(), None);
        assert!(is_internal_topic("__consumer_offsets") && !is_internal_topic("test"));
    }

    #[test]
    fn admin_client_checks_partitions_and_replication_factor_ranges() {
        let c = topics("--create --bootstrap-server b:9092 --topic t --replication-factor 0").unwrap();
        assert_eq!(
            c.admin_client_precheck(),
            Err("Error while executing topic command : The replication factor must be between 1 and 32767 inclusive".into())
        );
        let c = topics("--create --bootstrap-server b:9092 --topic t --partitions 0").unwrap();
        assert_eq!(c.admin_client_precheck(), Err("Error while executing topic command : The partitions must be greater than 0".into()));
        let c = topics(&format!("--create {ZK} --topic t --partitions 0 --replication-factor 0")).unwrap();
        assert_eq!(c.admin_client_precheck(), Ok(()), "the ZooKeeper path leaves this to AdminUtils");
    }

    #[test]
    fn output_helpers_use_kafkas_texts() {
        assert_eq!(created_topic_line("test"), "Created topic test.");
        assert_eq!(topic_does_not_exist_message("nope"), "Topic 'nope' does not exist as expected");
        assert_eq!(
            zk_marked_for_deletion_lines("test"),
            [
                "Topic test is marked for deletion.".to_string(),
                "Note: This will have no impact if delete.topic.enable is not set to true.".to_string()
            ]
        );
    }

    #[test]
    fn list_output_differs_between_the_two_paths() {
        let topics = vec![("test".to_string(), false), ("old".to_string(), true)];
        assert_eq!(list_topics_output(&topics, true), "old - marked for deletion\ntest\n");
        assert_eq!(list_topics_output(&topics, false), "old\ntest\n");
        assert_eq!(list_topics_output(&[], false), "\n");
        assert_eq!(list_topics_output(&[], true), "");
        assert_eq!(topic_already_exists_message("test"), "Topic 'test' already exists.");
        assert_eq!(zk_already_marked_for_deletion_line("t"), "Topic t is already marked for deletion.");
    }

    #[test]
    fn connect_strings_split_into_hosts() {
        assert_eq!(
            parse_zk_connect_string("localhost:2181,localhost:2182/kafka").unwrap(),
            ZkConnectString { hosts: vec![("localhost".into(), 2181), ("localhost".into(), 2182)], chroot: Some("/kafka".into()) }
        );
        assert_eq!(parse_zk_connect_string("zk").unwrap(), ZkConnectString { hosts: vec![("zk".into(), 2181)], chroot: None });
        assert!(parse_zk_connect_string("zk:x").is_err());
        assert!(parse_zk_connect_string("").is_err());
        assert_eq!(parse_bootstrap_servers("a:9092, b:9093").unwrap(), vec![("a".into(), 9092), ("b".into(), 9093)]);
        assert_eq!(parse_bootstrap_servers("a").unwrap_err(), "Invalid url in bootstrap.servers: a");
        assert!(parse_bootstrap_servers("").is_err());
    }

    #[test]
    fn replica_assignment_is_parsed_for_create() {
        let c = topics(&format!("--create {ZK} --topic t --replica-assignment 3:2:4:1,4:3:1:2")).unwrap();
        let ra = c.replica_assignment.unwrap();
        assert_eq!(ra[&0], ids(&[3, 2, 4, 1]));
        assert_eq!(ra[&1], ids(&[4, 3, 1, 2]));
        let c = parse_topics_args_detailed(
            &argv("--create --zookeeper z --topic t --replica-assignment").into_iter().chain([String::new()]).collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(c.replica_assignment, None, "an empty assignment counts as absent");
    }

    #[test]
    fn single_dash_long_options_and_equals_values_work() {
        let c = topics(&format!("-list {ZK} -topic=t")).unwrap();
        assert_eq!(c.action, TopicsAction::List);
        assert_eq!(c.topic.as_deref(), Some("t"));
    }

    #[test]
    fn topic_regex_is_compiled_for_non_create_actions() {
        let c = topics(&format!("--describe {ZK} --topic te.*")).unwrap();
        let f = c.topic_filter.unwrap();
        assert!(f.matches("test"));
        assert!(!f.matches("xtest"));
    }
}
