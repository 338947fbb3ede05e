//! `kafka-topics --topic` for every action but `--create`: Kafka's `IncludeList`, a Java regular
//! expression that must match the whole topic name, with a small regex engine of our own.
//!
//! Follows Kafka 2.8.2's `core/src/main/scala/kafka/utils/TopicFilter.scala` (`IncludeList`: the
//! `,` → `|` normalisation, `isTopicAllowed`) and the syntax of `java.util.regex.Pattern`.
//!
//! Simplified: a subset of `java.util.regex` (see [`TopicFilter`]); lazy and possessive
//! quantifiers match as greedy ones (the same set of whole-name matches); sandbox limits refuse
//! patterns that would exhaust memory.

use super::topic_name::is_internal_topic;
use crate::kafka::assign::java_trim;

/// `--topic` for `--list`, `--describe`, `--alter` and `--delete`: Kafka's `IncludeList`, a Java
/// regular expression that must match the whole topic name.
///
/// Supported syntax (a subset of `java.util.regex`): literals, `.`, `[...]`/`[^...]` with
/// ranges, `\d \D \w \W \s \S`, escaped metacharacters, `( )`, `(?: )`, `|`, `* + ? {n} {n,}
/// {n,m}` (lazy and possessive suffixes accepted and treated as greedy), `^`, `$`. Anything
/// else is reported as an invalid regex, and so are (sandbox limits) repetition bounds above
/// 1000, nesting deeper than 200 groups and patterns that compile to more than 20000 steps.
/// Matching is a Pike VM: linear in the name's length. Note that `IncludeList` turns `,` into
/// `|`, so `{n,m}` never reaches the regex engine intact.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TopicFilter {
    regex: String,
    prog: Vec<Inst>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Node {
    Empty,
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
    Start,
    End,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Split(usize, usize),
    Jmp(usize),
    Start,
    End,
    Match,
}

const MAX_PROGRAM: usize = 20_000;
const MAX_REPEAT: u32 = 1_000;

fn class_item_matches(item: &ClassItem, c: char) -> bool {
    match item {
        ClassItem::Range(a, b) => *a <= c && c <= *b,
        ClassItem::Digit(neg) => c.is_ascii_digit() != *neg,
        ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != *neg,
        ClassItem::Space(neg) => matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r') != *neg,
    }
}

struct RegexParser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl RegexParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }
    fn alternation(&mut self) -> Result<Node, ()> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(());
        }
        let mut alts = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(if alts.len() == 1 { alts.pop().unwrap_or(Node::Empty) } else { Node::Alt(alts) })
    }
    fn concat(&mut self) -> Result<Node, ()> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }
    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let s: String = self.chars[start..self.pos].iter().collect();
        s.parse().ok()
    }
    fn quantified(&mut self, atom: Node) -> Result<Node, ()> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                let min = self.number().ok_or(())?;
                let max = match self.next() {
                    Some('}') => {
                        self.pos -= 1;
                        Some(min)
                    }
                    Some(',') => {
                        if self.peek() == Some('}') {
                            None
                        } else {
                            Some(self.number().ok_or(())?)
                        }
                    }
                    _ => return Err(()),
                };
                if self.peek() != Some('}') || max.is_some_and(|m| m < min) {
                    return Err(());
                }
                // Sandbox limit: bounds past MAX_REPEAT are refused (Java accepts them).
                if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                    return Err(());
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.pos += 1;
        }
        if matches!(atom, Node::Start | Node::End) {
            return Ok(atom);
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }
    fn escape(&mut self, in_class: bool) -> Result<ClassOrChar, ()> {
        let c = self.next().ok_or(())?;
        Ok(match c {
            'd' => ClassOrChar::Class(ClassItem::Digit(false)),
            'D' => ClassOrChar::Class(ClassItem::Digit(true)),
            'w' => ClassOrChar::Class(ClassItem::Word(false)),
            'W' => ClassOrChar::Class(ClassItem::Word(true)),
            's' => ClassOrChar::Class(ClassItem::Space(false)),
            'S' => ClassOrChar::Class(ClassItem::Space(true)),
            't' => ClassOrChar::Char('\t'),
            'n' => ClassOrChar::Char('\n'),
            'r' => ClassOrChar::Char('\r'),
            'f' => ClassOrChar::Char('\u{0c}'),
            c if c.is_ascii_alphanumeric() => return Err(()),
            c => {
                let _ = in_class;
                ClassOrChar::Char(c)
            }
        })
    }
    fn class(&mut self) -> Result<Node, ()> {
        let negated = if self.peek() == Some('^') {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.next().ok_or(())?;
            if c == ']' && !first {
                break;
            }
            if c == ']' || c == '[' || (c == '&' && self.peek() == Some('&')) {
                return Err(());
            }
            first = false;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    ClassOrChar::Class(item) => {
                        items.push(item);
                        continue;
                    }
                    ClassOrChar::Char(ch) => ch,
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let hc = self.next().ok_or(())?;
                let hi = if hc == '\\' {
                    match self.escape(true)? {
                        ClassOrChar::Char(ch) => ch,
                        ClassOrChar::Class(_) => return Err(()),
                    }
                } else {
                    hc
                };
                if hi < lo {
                    return Err(());
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Node::Class(items, negated))
    }
    fn atom(&mut self) -> Result<Node, ()> {
        let c = self.next().ok_or(())?;
        match c {
            '(' => {
                if self.peek() == Some('?') {
                    self.pos += 1;
                    if self.next() != Some(':') {
                        return Err(());
                    }
                }
                let inner = self.alternation()?;
                if self.next() != Some(')') {
                    return Err(());
                }
                Ok(inner)
            }
            '[' => self.class(),
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '\\' => Ok(match self.escape(false)? {
                ClassOrChar::Char(ch) => Node::Char(ch),
                ClassOrChar::Class(item) => Node::Class(vec![item], false),
            }),
            '*' | '+' | '?' | '{' => Err(()),
            c => Ok(Node::Char(c)),
        }
    }
}

enum ClassOrChar {
    Char(char),
    Class(ClassItem),
}

fn compile_node(node: &Node, prog: &mut Vec<Inst>) -> Result<(), ()> {
    if prog.len() > MAX_PROGRAM {
        return Err(());
    }
    match node {
        Node::Empty => {}
        Node::Char(c) => prog.push(Inst::Char(*c)),
        Node::Any => prog.push(Inst::Any),
        Node::Class(items, neg) => prog.push(Inst::Class(items.clone(), *neg)),
        Node::Start => prog.push(Inst::Start),
        Node::End => prog.push(Inst::End),
        Node::Concat(items) => {
            for n in items {
                compile_node(n, prog)?;
            }
        }
        Node::Alt(alts) => {
            let mut jumps = Vec::new();
            for (i, a) in alts.iter().enumerate() {
                if i + 1 < alts.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile_node(a, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile_node(a, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile_node(inner, prog)?;
                if prog.len() > MAX_PROGRAM {
                    return Err(());
                }
            }
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile_node(inner, prog)?;
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(0, 0));
                        compile_node(inner, prog)?;
                        if prog.len() > MAX_PROGRAM {
                            return Err(());
                        }
                    }
                    let end = prog.len();
                    for s in splits {
                        prog[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

impl TopicFilter {
    /// `IncludeList(raw)`: trims, turns `,` into `|`, drops spaces and surrounding quotes, then
    /// compiles. The error is Kafka's `RuntimeException` message: `<regex> is an invalid regex.`
    pub fn new(raw: &str) -> Result<TopicFilter, String> {
        let regex =
            java_trim(raw).replace(',', "|").replace(' ', "").trim_start_matches(['"', '\'']).trim_end_matches(['"', '\'']).to_string();
        let invalid = || format!("{regex} is an invalid regex.");
        let mut parser = RegexParser { chars: regex.chars().collect(), pos: 0, depth: 0 };
        let ast = parser.alternation().map_err(|_| invalid())?;
        if parser.pos != parser.chars.len() {
            return Err(invalid());
        }
        let mut prog = Vec::new();
        compile_node(&ast, &mut prog).map_err(|_| invalid())?;
        prog.push(Inst::Match);
        Ok(TopicFilter { regex, prog })
    }

    /// The normalized regular expression.
    pub fn regex(&self) -> &str {
        &self.regex
    }

    /// `String.matches`: the whole name must match.
    pub fn matches(&self, topic: &str) -> bool {
        let input: Vec<char> = topic.chars().collect();
        let mut current: Vec<usize> = Vec::new();
        let mut seen = vec![usize::MAX; self.prog.len()];
        self.add_thread(&mut current, &mut seen, 0, 0, input.len());
        for (pos, c) in input.iter().enumerate() {
            let mut next = Vec::new();
            for &pc in &current {
                let step = match &self.prog[pc] {
                    Inst::Char(x) => *x == *c,
                    Inst::Any => !matches!(*c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'),
                    Inst::Class(items, neg) => items.iter().any(|i| class_item_matches(i, *c)) != *neg,
                    _ => false,
                };
                if step {
                    self.add_thread(&mut next, &mut seen, pc + 1, pos + 1, input.len());
                }
            }
            current = next;
            if current.is_empty() {
                return false;
            }
        }
        current.iter().any(|pc| self.prog[*pc] == Inst::Match)
    }

    fn add_thread(&self, list: &mut Vec<usize>, seen: &mut [usize], pc: usize, pos: usize, len: usize) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if pc >= self.prog.len() || seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match &self.prog[pc] {
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Start => {
                    if pos == 0 {
                        stack.push(pc + 1);
                    }
                }
                Inst::End => {
                    if pos == len {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    /// `IncludeList.isTopicAllowed`: matches, and is not an internal topic when those are
    /// excluded (`--exclude-internal`).
    pub fn is_topic_allowed(&self, topic: &str, exclude_internal: bool) -> bool {
        self.matches(topic) && !(is_internal_topic(topic) && exclude_internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_filters_follow_include_list_normalisation() {
        let f = TopicFilter::new(" \"a, b\" ").unwrap();
        assert_eq!(f.regex(), "a|b");
        assert!(f.matches("a") && f.matches("b") && !f.matches("ab"));
        let f = TopicFilter::new("test").unwrap();
        assert!(f.matches("test") && !f.matches("test2") && !f.matches("tes"));
        let f = TopicFilter::new(".*").unwrap();
        assert!(f.is_topic_allowed("__consumer_offsets", false));
        assert!(!f.is_topic_allowed("__consumer_offsets", true));
        assert!(f.is_topic_allowed("test", true));
    }

    #[test]
    fn topic_filter_supports_common_java_regex_syntax() {
        let ok = |re: &str, yes: &[&str], no: &[&str]| {
            let f = TopicFilter::new(re).unwrap_or_else(|e| panic!("{re}: {e}"));
            for y in yes {
                assert!(f.matches(y), "{re} should match {y}");
            }
            for n in no {
                assert!(!f.matches(n), "{re} should not match {n}");
            }
        };
        ok("test\\.topic", &["test.topic"], &["testxtopic"]);
        ok("[a-c]+-\\d{2}", &["abc-12", "a-12"], &["abc-123", "d-12", "-1"]);
        ok("[^x]*", &["", "abc"], &["axb"]);
        ok("(foo|bar)?baz", &["baz", "foobaz", "barbaz"], &["fbaz"]);
        ok("(?:ab)+", &["ab", "abab"], &["aba", ""]);
        ok("^t.st$", &["test", "tost"], &["tests"]);
        ok("a{2}b?", &["aa", "aab"], &["a", "aaa"]);
        ok("a*?b", &["b", "aab"], &["aa"]);
        ok("\\w+_\\W?", &["my_", "my_."], &["my"]);
        ok("(a*)*b", &["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"], &["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"]);
        // IncludeList turns every ',' into '|', so Kafka cannot use {n,m} bounds at all.
        assert_eq!(TopicFilter::new("a{1,2}").unwrap_err(), "a{1|2} is an invalid regex.");
        for bad in ["*a", "a{", "a{2", "(a", "a)", "[a", "[]", "\\y", "(?=a)", "[b-a]", "a{x}"] {
            assert!(TopicFilter::new(bad).is_err(), "{bad} should be invalid");
        }
    }

    #[test]
    fn huge_repetitions_are_refused_instead_of_exhausting_memory() {
        assert!(TopicFilter::new("(a{1000}){1000}").is_err());
        let deep = "(".repeat(500) + &")".repeat(500);
        assert!(TopicFilter::new(&deep).is_err());
        assert!(TopicFilter::new("(?:){4000000000}").is_err());
        assert!(TopicFilter::new("a{1000}").is_ok());
    }
}
