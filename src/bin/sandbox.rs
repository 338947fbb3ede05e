//! Native runner: `sandbox [--seed N] [--trace] SCRIPT|-` prints a script's transcript;
//! `sandbox bench [--hours H]` runs the benchmark and prints its figures.

use std::io::Read;
use std::process::ExitCode;

use zkafka_sandbox::bench;
use zkafka_sandbox::terminal::{script::run_script, Terminal};

const USAGE: &str = "usage: sandbox [--seed N] [--trace] SCRIPT|-\n       sandbox bench [--seconds S]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(|a| a == "bench").unwrap_or(false) {
        let mut secs = 3600u64;
        let mut it = args.iter().skip(1);
        while let Some(a) = it.next() {
            match a.as_str() {
                "--seconds" => match it.next().and_then(|v| v.parse().ok()) {
                    Some(v) => secs = v,
                    None => {
                        eprintln!("sandbox bench: --seconds needs a number");
                        return ExitCode::from(2);
                    }
                },
                other => {
                    eprintln!("sandbox bench: unknown option {other}\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
        for line in bench::run_all(secs, &|| std::time::Instant::now()) {
            println!("{line}");
        }
        return ExitCode::SUCCESS;
    }
    let mut seed: u64 = 1;
    let mut trace = false;
    let mut script: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seed" => match it.next().and_then(|v| v.parse().ok()) {
                Some(v) => seed = v,
                None => {
                    eprintln!("sandbox: --seed needs a non-negative integer\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--trace" => trace = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if script.is_none() => script = Some(s.to_string()),
            other => {
                eprintln!("sandbox: unexpected argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(path) = script else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let text = if path == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("sandbox: cannot read stdin: {e}");
            return ExitCode::from(1);
        }
        s
    } else {
        match std::fs::read(&path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                eprintln!("sandbox: cannot read {path}: {e}");
                return ExitCode::from(1);
            }
        }
    };
    let mut term = Terminal::new(seed);
    print!("{}", run_script(&mut term, &text, trace));
    ExitCode::SUCCESS
}
