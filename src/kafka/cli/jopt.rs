//! A jopt-simple 5 emulation, configured as Kafka's `CommandDefaultOptions` configures it (no
//! abbreviations; `--help` and `--version` on every tool), and the checks of Kafka's
//! `CommandLineUtils` that the tools run on the parsed options.
//!
//! Follows jopt-simple 5.0.4's `OptionParser` (token rules: `--name`, `-name`, `--name=value`,
//! `--` ending the options, a required argument taken even if it looks like an option, an
//! optional argument only if it does not; the `OptionException` classes and messages) and Kafka
//! 2.8.2's `core/src/main/scala/kafka/utils/CommandLineUtils.scala` (`checkRequiredArgs`,
//! `checkInvalidArgs`, `parseKeyValueArgs`).
//!
//! Simplified: short-option clusters are never recognized (every Kafka option is longer than one
//! letter, so jopt-simple reports the cluster's first letter, as here); option specs carry no
//! help text, since the usage table is not printed (see the module notes of `cli`).

use super::CliError;
use crate::kafka::json::scala_immutable_hash_order;
use crate::kafka::types::java_string_hash;
use crate::sorted::SortedMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ArgKind {
    /// `parser.accepts(name)`.
    NoArg,
    /// `.withRequiredArg`.
    Required,
    /// `.withOptionalArg` (String-typed).
    Optional,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct OptSpec {
    pub(super) name: &'static str,
    pub(super) arg: ArgKind,
    /// `.forHelp()`: suppresses "Missing required option(s)".
    pub(super) for_help: bool,
}

pub(super) const fn flag(name: &'static str) -> OptSpec {
    OptSpec { name, arg: ArgKind::NoArg, for_help: false }
}
pub(super) const fn req(name: &'static str) -> OptSpec {
    OptSpec { name, arg: ArgKind::Required, for_help: false }
}
pub(super) const fn opt_arg(name: &'static str) -> OptSpec {
    OptSpec { name, arg: ArgKind::Optional, for_help: false }
}
pub(super) const HELP: OptSpec = OptSpec { name: "help", arg: ArgKind::NoArg, for_help: true };
pub(super) const VERSION: OptSpec = OptSpec { name: "version", arg: ArgKind::NoArg, for_help: true };

/// A jopt-simple `OptionException` raised while parsing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct JoptError {
    pub(super) class: &'static str,
    pub(super) message: String,
}

impl JoptError {
    pub(super) fn unrecognized(option: &str) -> JoptError {
        JoptError { class: "joptsimple.UnrecognizedOptionException", message: format!("{option} is not a recognized option") }
    }
    pub(super) fn missing_argument(option: &str) -> JoptError {
        JoptError { class: "joptsimple.OptionMissingRequiredArgumentException", message: format!("Option {option} requires an argument") }
    }
    pub(super) fn missing_required(options: &[&str]) -> JoptError {
        JoptError {
            class: "joptsimple.MissingRequiredOptionsException",
            message: format!("Missing required option(s) [{}]", options.join(", ")),
        }
    }
    pub(super) fn conversion(option: &str, argument: &str) -> JoptError {
        JoptError {
            class: "joptsimple.OptionArgumentConversionException",
            message: format!("Cannot parse argument '{argument}' of option {option}"),
        }
    }
    pub(super) fn multiple(option: &str) -> JoptError {
        JoptError {
            class: "joptsimple.MultipleArgumentsForOptionException",
            message: format!("Found multiple arguments for option {option}, but you asked for only one"),
        }
    }
    pub(super) fn uncaught(&self) -> CliError {
        CliError::uncaught(self.class, &self.message)
    }
}

/// The detected options, in command-line order.
#[derive(Clone, Debug, Default)]
pub(super) struct OptionSet {
    /// `(option name, argument)`; the argument is `None` for flags and absent optional args.
    pub(super) detected: Vec<(&'static str, Option<String>)>,
    /// Arguments that are not options (kept, as jopt-simple does; the tools ignore them).
    pub(super) non_options: Vec<String>,
}

impl OptionSet {
    pub(super) fn has(&self, name: &str) -> bool {
        self.detected.iter().any(|(n, _)| *n == name)
    }
    pub(super) fn values(&self, name: &str) -> Vec<&str> {
        self.detected.iter().filter(|(n, _)| *n == name).filter_map(|(_, v)| v.as_deref()).collect()
    }
    /// `OptionSet.valueOf` for a String option.
    pub(super) fn value_of(&self, name: &str) -> Result<Option<&str>, JoptError> {
        let v = self.values(name);
        match v.len() {
            0 => Ok(None),
            1 => Ok(Some(v[0])),
            _ => Err(JoptError::multiple(name)),
        }
    }
    /// `OptionSet.valueOf` for an `Integer` option: every value is converted first
    /// (`valuesOf`), then the count is checked.
    pub(super) fn int_value_of(&self, name: &str) -> Result<Option<i32>, JoptError> {
        let mut converted = Vec::new();
        for v in self.values(name) {
            converted.push(java_integer_value_of(v).ok_or_else(|| JoptError::conversion(name, v))?);
        }
        match converted.len() {
            0 => Ok(None),
            1 => Ok(Some(converted[0])),
            _ => Err(JoptError::multiple(name)),
        }
    }
    /// `OptionSet.valueOf` for a `Long` option.
    pub(super) fn long_value_of(&self, name: &str) -> Result<Option<i64>, JoptError> {
        let mut converted = Vec::new();
        for v in self.values(name) {
            converted.push(java_long_value_of(v).ok_or_else(|| JoptError::conversion(name, v))?);
        }
        match converted.len() {
            0 => Ok(None),
            1 => Ok(Some(converted[0])),
            _ => Err(JoptError::multiple(name)),
        }
    }
}

/// `Integer.valueOf(String)` (ASCII digits only).
pub(super) fn java_integer_value_of(s: &str) -> Option<i32> {
    java_long_value_of(s).and_then(|v| i32::try_from(v).ok())
}

/// `Long.valueOf(String)` (ASCII digits only).
pub(super) fn java_long_value_of(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    body.parse::<i64>().ok()
}

/// jopt-simple's `isShortOptionToken || isLongOptionToken`.
fn looks_like_an_option(arg: &str) -> bool {
    arg.starts_with('-') && arg != "-" && arg != "--"
}

/// jopt-simple's `KeyValuePair.valueOf`: split at the first `=`.
fn key_value(token: &str) -> (&str, Option<&str>) {
    match token.find('=') {
        Some(i) => (&token[..i], Some(&token[i + 1..])),
        None => (token, None),
    }
}

/// `OptionParser.parse` (jopt-simple 5, not POSIXly correct, abbreviations off).
/// `required_unless`: `(option, other)` pairs: `option` is required unless `other` is present.
pub(super) fn jopt_parse(
    specs: &[OptSpec],
    args: &[String],
    required_unless: &[(&'static str, &'static str)],
) -> Result<OptionSet, JoptError> {
    let find = |name: &str| specs.iter().find(|s| s.name == name).copied();
    let mut set = OptionSet::default();
    let mut i = 0;
    let mut more_options = true;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if !more_options {
            set.non_options.push(arg.clone());
            continue;
        }
        if arg == "--" {
            more_options = false;
            continue;
        }
        let spec_and_value = if let Some(body) = arg.strip_prefix("--") {
            let (key, value) = key_value(body);
            match find(key) {
                Some(spec) => Some((spec, value)),
                None => return Err(JoptError::unrecognized(key)),
            }
        } else if arg.starts_with('-') && arg != "-" {
            let body = &arg[1..];
            let (key, value) = key_value(body);
            match find(key) {
                Some(spec) => Some((spec, value)),
                // A short-option cluster: every option here is longer than one character, so
                // its first character is never recognized.
                None => {
                    let first: String = body.chars().take(1).collect();
                    return Err(JoptError::unrecognized(&first));
                }
            }
        } else {
            None
        };
        let Some((spec, value)) = spec_and_value else {
            set.non_options.push(arg.clone());
            continue;
        };
        match spec.arg {
            ArgKind::NoArg => set.detected.push((spec.name, None)),
            ArgKind::Required => match value {
                Some(v) if !v.is_empty() => set.detected.push((spec.name, Some(v.to_string()))),
                _ => {
                    if i < args.len() {
                        set.detected.push((spec.name, Some(args[i].clone())));
                        i += 1;
                    } else {
                        return Err(JoptError::missing_argument(spec.name));
                    }
                }
            },
            ArgKind::Optional => match value {
                Some(v) if !v.is_empty() => set.detected.push((spec.name, Some(v.to_string()))),
                _ => {
                    if i < args.len() && !looks_like_an_option(&args[i]) {
                        set.detected.push((spec.name, Some(args[i].clone())));
                        i += 1;
                    } else {
                        set.detected.push((spec.name, None));
                    }
                }
            },
        }
    }
    let help_present = specs.iter().any(|s| s.for_help && set.has(s.name));
    let missing: Vec<&str> =
        required_unless.iter().filter(|(option, other)| !set.has(option) && !set.has(other)).map(|(option, _)| *option).collect();
    if !missing.is_empty() && !help_present {
        return Err(JoptError::missing_required(&missing));
    }
    Ok(set)
}

/// `OptionSpec.toString`: `[name]`.
pub(super) fn spec(name: &str) -> String {
    format!("[{name}]")
}

/// The iteration order of a Scala 2.13 immutable `HashSet[OptionSpec[_]]`: an `OptionSpec`'s
/// hash is its `List("name").hashCode` = `31 + name.hashCode`.
pub(super) fn option_set_order<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let keyed: Vec<(&'a str, i32)> = names.iter().map(|n| (*n, 31i32.wrapping_add(java_string_hash(n)))).collect();
    scala_immutable_hash_order(&keyed)
}

/// `CommandLineUtils.checkRequiredArgs`.
pub(super) fn check_required(set: &OptionSet, names: &[&str]) -> Result<(), CliError> {
    for n in names {
        if !set.has(n) {
            return Err(CliError::usage(format!("Missing required argument \"{}\"", spec(n))));
        }
    }
    Ok(())
}

/// `CommandLineUtils.checkInvalidArgs` where `invalid` is a Scala immutable `HashSet`.
pub(super) fn check_invalid(set: &OptionSet, used: &str, invalid: &[&str]) -> Result<(), CliError> {
    check_invalid_in_order(set, used, &option_set_order(invalid))
}

/// `CommandLineUtils.checkInvalidArgs` where `invalid` is iterated in the given order.
pub(super) fn check_invalid_in_order(set: &OptionSet, used: &str, invalid: &[&str]) -> Result<(), CliError> {
    if set.has(used) {
        for arg in invalid {
            if set.has(arg) {
                return Err(CliError::usage(format!("Option \"{}\" can't be used with option \"{}\"", spec(used), spec(arg))));
            }
        }
    }
    Ok(())
}

/// `CommandLineUtils.parseKeyValueArgs(args, acceptMissingValue = true)`: `k=v` split at the
/// first `=`; a missing value is the empty string; later keys override earlier ones.
pub fn parse_key_value_args(args: &[&str]) -> SortedMap<String, String> {
    let mut props = SortedMap::new();
    for a in args {
        let (k, v) = match a.find('=') {
            Some(i) => (&a[..i], &a[i + 1..]),
            None => (*a, ""),
        };
        props.insert(k.to_string(), v.to_string());
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_args_split_at_the_first_equals_sign() {
        let m = parse_key_value_args(&["a=b=c", "flag", "x=", "a2=1"]);
        assert_eq!(m.get("a").map(String::as_str), Some("b=c"));
        assert_eq!(m.get("flag").map(String::as_str), Some(""));
        assert_eq!(m.get("x").map(String::as_str), Some(""));
    }

    #[test]
    fn conflicting_report_options_are_reported_in_scala_hash_set_order() {
        // The invalid set of --under-replicated-partitions iterates (CHAMP order):
        // create, unavailable-partitions, delete, list, at-min-isr-partitions, alter,
        // topics-with-overrides, under-min-isr-partitions.
        assert_eq!(
            option_set_order(&[
                "alter",
                "create",
                "list",
                "delete",
                "under-min-isr-partitions",
                "at-min-isr-partitions",
                "unavailable-partitions",
                "topics-with-overrides",
            ]),
            vec![
                "create",
                "unavailable-partitions",
                "delete",
                "list",
                "at-min-isr-partitions",
                "alter",
                "topics-with-overrides",
                "under-min-isr-partitions",
            ]
        );
    }
}
