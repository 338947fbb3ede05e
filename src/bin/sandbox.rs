//! Native runner: `sandbox [--seed N] [--trace] SCRIPT|-` prints a script's transcript;
//! `sandbox bench [--hours H]` runs the benchmark and prints its figures.

use std::io::Read;
use std::process::ExitCode;

use zkafka_sandbox::bench;
use zkafka_sandbox::terminal::{script::run_script, Terminal};

#[cfg(not(target_arch = "wasm32"))] // wasm-pack test builds every target for wasm32
#[global_allocator]
static GLOBAL: zkafka_sandbox::alloc::MiMallocFast = zkafka_sandbox::alloc::MiMallocFast;

const USAGE: &str = "usage: sandbox [--seed N] [--trace] SCRIPT|-\n       sandbox bench [--seconds S]\n       sandbox swarm [--kafka] [--menu wide|classic] [--seed N | --from N --count M] [--jobs J] [--verbose] [--trace]";

/// The swarm runner lives in the native build only (wasm-pack test builds every target for
/// wasm32, this binary included, but the swarm and its invariant checker are not in it).
#[cfg(target_arch = "wasm32")]
fn swarm(_args: &[String]) -> ExitCode {
    usage_error("sandbox swarm: only in the native build")
}

#[cfg(not(target_arch = "wasm32"))]
fn swarm(args: &[String]) -> ExitCode {
    use zkafka_sandbox::swarm::{self, Coverage, Menu, SwarmRun};
    let (mut from, mut count, mut verbose, mut trace, mut kafka, mut jobs, mut menu) =
        (0u64, 10_000u64, false, false, false, 1usize, Menu::Wide);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let num = |v: Option<&String>| v.and_then(|v| v.parse::<u64>().ok());
        match a.as_str() {
            "--seed" => match num(it.next()) {
                Some(v) => {
                    from = v;
                    count = 1;
                }
                None => return usage_error("--seed needs a number"),
            },
            "--from" => match num(it.next()) {
                Some(v) => from = v,
                None => return usage_error("--from needs a number"),
            },
            "--count" => match num(it.next()) {
                Some(v) => count = v,
                None => return usage_error("--count needs a number"),
            },
            "--jobs" => match num(it.next()) {
                Some(v) if (1..=256).contains(&v) => jobs = v as usize,
                _ => return usage_error("--jobs needs a number from 1 to 256"),
            },
            "--menu" => match it.next().map(|s| s.as_str()) {
                Some("wide") => menu = Menu::Wide,
                Some("classic") => menu = Menu::Classic,
                _ => return usage_error("--menu needs wide or classic"),
            },
            "--verbose" => verbose = true,
            "--trace" => trace = true,
            "--kafka" => kafka = true,
            other => return usage_error(&format!("unknown option {other}")),
        }
    }
    // The runner times the wall clock of a whole run for its report; the simulation never reads it.
    #[allow(clippy::disallowed_methods)]
    let start = std::time::Instant::now();
    let (mut failed, mut events, mut worst) = (0u64, 0u64, 0u64);
    let mut coverage = Coverage::default();
    let mut report = |run: SwarmRun, cluster: Option<&zkafka_sandbox::cluster::Cluster>| {
        let seed = run.seed;
        if let Some(cluster) = cluster {
            let w = &cluster.world;
            let name = |id: zkafka_sandbox::sim::NodeId| w.name(id);
            for r in w.trace.since(0) {
                println!("[{}] {}", r.at, zkafka_sandbox::sim::trace::narrate(r, &name));
            }
        }
        events += run.events;
        coverage.add(&run);
        if let Some(d) = run.recovered_in {
            worst = worst.max(d.as_millis());
        }
        if verbose {
            println!(
                "seed {seed}: {} servers, {} events, {} acknowledged writes, recovered in {:?}",
                run.servers,
                run.events,
                run.writes,
                run.recovered_in.map(|d| d.to_string())
            );
            for f in &run.faults {
                println!("  {f}");
            }
        }
        if !run.ok() {
            failed += 1;
            println!("FAILED seed {seed}:");
            for f in &run.failures {
                println!("  {f}");
            }
            println!("  replay: {}", run.replay_command());
        }
    };
    if trace {
        // One seed at a time, keeping its trace.
        for seed in from..from.saturating_add(count) {
            if kafka {
                let (run, t) = swarm::run_kafka_seed_traced_with(seed, true, menu);
                report(run, Some(&t.cluster));
            } else {
                let (run, c) = swarm::run_seed_traced_with(seed, true, menu);
                report(run, Some(&c));
            }
        }
    } else if kafka {
        swarm::run_many_with(from, count, jobs, |s| swarm::run_kafka_seed_with(s, menu), |r| report(r, None));
    } else {
        swarm::run_many_with(from, count, jobs, |s| swarm::run_seed_with(s, menu), |r| report(r, None));
    }
    if count > 1 {
        println!("coverage ({} seeds; how many exercised each fault and feature):", coverage.seeds);
        for l in coverage.lines() {
            println!("{l}");
        }
    }
    println!(
        "swarm{}: {count} seeds from {from} ({} menu, {jobs} job{}), {failed} failed, {events} events, slowest recovery {worst} ms, {:.1} s wall",
        if kafka { " --kafka" } else { "" },
        menu.name(),
        if jobs == 1 { "" } else { "s" },
        start.elapsed().as_secs_f64()
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("sandbox: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    #[cfg(not(target_arch = "wasm32"))]
    zkafka_sandbox::alloc::configure();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(|a| a == "swarm").unwrap_or(false) {
        return swarm(&args[1..]);
    }
    if args.first().map(|a| a == "bench").unwrap_or(false) {
        let mut secs = 3600u64;
        let mut only: Option<String> = None;
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
                // Hidden, for profiling: run one benchmark (kafka-seed, kafka-scale, zk).
                "--only" => only = it.next().cloned(),
                other => {
                    eprintln!("sandbox bench: unknown option {other}\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
        // The benchmark's wall clock, handed to src/bench.rs as a function (clippy.toml).
        #[allow(clippy::disallowed_methods)]
        let origin = std::time::Instant::now();
        let clock = || origin.elapsed().as_secs_f64();
        let lines = match only.as_deref() {
            None => bench::run_all(secs, &clock),
            Some(which) => match bench::run_one(which, secs, &clock) {
                Some(l) => vec![l],
                None => {
                    eprintln!("sandbox bench: --only kafka-seed|kafka-scale|zk");
                    return ExitCode::from(2);
                }
            },
        };
        for line in lines {
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
