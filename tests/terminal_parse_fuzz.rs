//! The terminal parser on hostile input: error messages stay on one line and quote long input
//! briefly, and no line (mutated, random bytes, 100,000 characters) makes it panic.

use zkafka_sandbox::terminal::parse::{parse, parse_duration, shell_words, ERROR_MAX};

#[test]
fn error_messages_stay_on_one_line_and_quote_long_input_briefly() {
    let e = parse("zk start \"1\n2\"", false).unwrap_err();
    assert_eq!(e, "zk: invalid server id '1\\n2' (expected a whole number from 1 to 4294967295)");
    let long = format!("foo{}", "x".repeat(100_000));
    let e = parse(&long, false).unwrap_err();
    assert!(e.starts_with("unknown command: fooxxx"), "{e}");
    assert!(e.chars().count() < 200, "{e}");
    let e = parse(&format!("set -v {} /a b", "9".repeat(50_000)), true).unwrap_err();
    assert!(e.starts_with("Exception in thread \"main\" java.lang.NumberFormatException"), "{e}");
    assert!(!e.contains('\n') && e.chars().count() <= ERROR_MAX + 1);
}

// -----------------------------------------------------------------------------------------
// Property test: no input panics, and every error is a non-empty single line.
// -----------------------------------------------------------------------------------------

/// xorshift64*: a tiny deterministic generator for the fuzz test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const VALID: &[&str] = &[
    "$ bin/zookeeper-server-start.sh config/zookeeper1.properties",
    "echo srvr | nc localhost 2182 | grep Mode",
    "bin/zookeeper-server-start.sh -daemon /usr/local/etc/kafka/zookeeper2.properties",
    "zookeeper-shell localhost:2181 get /controller",
    "kafka-topics --create --zookeeper localhost:2181,localhost:2182,localhost:2183 --replication-factor 4 --partitions 10 --topic test",
    "cluster --zk 3 --brokers 4",
    "cluster --zk=5",
    "zk kill 2",
    "broker restart 1",
    "kafka-server-start -daemon config/server3.properties",
    "zookeeper-server-stop",
    "sleep 1.5s",
    "step 10",
    "net partition zk1,b1 | zk2,zk3 | grep x",
    "net cut zk1 -> zk2",
    "net loss 0.5%",
    "net delay 2-10ms",
    "net heal",
    "status | grep -vi leader",
    "help net",
    "ls -sR /brokers",
    "get -s -w /controller",
    "stat /brokers/ids/1",
    "create -e -s /lock- \"some data\"",
    "set -v 3 /a 'x y'",
    "delete -v 1 /a",
    "deleteall /a",
    "quit",
    "zkCli.sh -server localhost:2181 ls /",
    "# just a comment",
];

const ODD: &[&str] = &[
    "\u{0}",
    "\u{301}",
    "e\u{301}",
    "\u{202e}",
    "\u{200f}",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "😀",
    "👩‍👩‍👧",
    "\u{feff}",
    "\u{a0}",
    "\u{3000}",
    "\r",
    "\n",
    "\t",
    "\u{b}",
    "\u{c}",
    "|",
    "||",
    "#",
    "'",
    "\"",
    "\\",
    ";",
    "&",
    "&&",
    "->",
    "-",
    "--",
    "-v",
    "-sR",
    "=",
    ",",
    ":",
    "/",
    "%",
    ".",
    "99999999999999999999",
    "18446744073709551616",
    "4294967296",
    "2147483648",
    "-2147483649",
    "0",
    "-0",
    "1e9",
    "NaN",
    "µs",
    "ms",
    "1000h",
    "grep",
    "| grep",
    "$",
    "[zk:",
    "]",
    "(",
    ")",
    "ﾟ",
    "𝟙",
    "٣",
    "zk",
    "net",
    "partition",
    "echo",
    "nc",
    "zookeeper-shell",
    "get",
    "set",
    "create",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut toks: Vec<String> = base.split(' ').map(str::to_string).collect();
    let i = rng.below(toks.len());
    match rng.below(7) {
        0 => {
            toks.remove(i);
        }
        1 => {
            let t = toks[i].clone();
            toks.insert(i, t);
        }
        2 => toks[i] = rng.pick(ODD).to_string(),
        3 => {
            let odd = rng.pick(ODD).to_string();
            toks[i].push_str(&odd);
        }
        4 => {
            // Cut the token at a random char boundary.
            let n = toks[i].chars().count();
            let k = rng.below(n + 1);
            toks[i] = toks[i].chars().take(k).collect();
        }
        5 => {
            let other = rng.pick(VALID).split(' ').next().unwrap_or("").to_string();
            toks.insert(i, other);
        }
        _ => {
            let odd = rng.pick(ODD).to_string();
            toks.insert(i, odd);
        }
    }
    toks.join(if rng.below(8) == 0 { "  " } else { " " })
}

fn random_bytes_line(rng: &mut Rng, max: usize) -> String {
    let n = rng.below(max + 1);
    let bytes: Vec<u8> = (0..n)
        .map(|_| match rng.below(4) {
            0 => (rng.next() & 0xff) as u8,
            1 => *rng.pick(b" \t|#'\"\\;&-,:/%.=>"),
            _ => *rng.pick(b"abcdefghijklmnopqrstuvwxyz0123456789"),
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn odd_line(rng: &mut Rng) -> String {
    let n = 1 + rng.below(12);
    let mut out = String::new();
    for _ in 0..n {
        let t = *rng.pick(ODD);
        out.push_str(t);
        if rng.below(2) == 0 {
            out.push(' ');
        }
    }
    out
}

fn long_line(rng: &mut Rng) -> String {
    let unit = match rng.below(6) {
        0 => "a".to_string(),
        1 => "\"".to_string(),
        2 => "' ".to_string(),
        3 => "| ".to_string(),
        4 => "9".to_string(),
        _ => rng.pick(ODD).to_string(),
    };
    let head = rng.pick(VALID).to_string();
    let reps = 100_000 / unit.len().max(1);
    let body = unit.repeat(reps);
    match rng.below(4) {
        0 => format!("{head} {body}"),
        1 => format!("{body} {head}"),
        2 => format!("net partition {} | zk2", "zk1,".repeat(25_000)),
        _ => body,
    }
}

#[track_caller]
fn assert_well_formed(input: &str, in_shell: bool) {
    if let Err(e) = parse(input, in_shell) {
        assert!(!e.trim().is_empty(), "empty error for {input:?}");
        assert!(
            !e.chars().any(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{b}' | '\u{c}')),
            "multi-line error {e:?} for {input:?}"
        );
    }
}

#[test]
fn fuzzed_lines_never_panic_and_every_error_is_one_nonempty_line() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut count = 0usize;
    for i in 0..200_000usize {
        let input = match i % 10 {
            0..=3 => {
                let base = rng.pick(VALID).to_string();
                let mut l = mutate(&mut rng, &base);
                if rng.below(3) == 0 {
                    l = mutate(&mut rng, &l);
                }
                l
            }
            4 | 5 => random_bytes_line(&mut rng, 80),
            6 => odd_line(&mut rng),
            7 => rng.pick(VALID).to_string(),
            8 => {
                let a = rng.pick(VALID).to_string();
                let b = rng.pick(ODD).to_string();
                let cut = rng.below(a.len() + 1);
                // Splice at a byte index: may split nothing (ASCII) but go through a lossy
                // round trip anyway to keep the line valid UTF-8.
                let mut bytes = a.into_bytes();
                bytes.splice(cut..cut, b.into_bytes());
                String::from_utf8_lossy(&bytes).into_owned()
            }
            _ => {
                if i % 1000 == 9 {
                    long_line(&mut rng)
                } else {
                    random_bytes_line(&mut rng, 400)
                }
            }
        };
        assert_well_formed(&input, false);
        assert_well_formed(&input, true);
        count += 1;
    }
    assert_eq!(count, 200_000);
    // The standalone helpers too.
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let l = random_bytes_line(&mut rng, 30);
        let _ = shell_words(&l);
        if let Err(e) = parse_duration(&l) {
            assert!(!e.is_empty());
        }
    }
}
