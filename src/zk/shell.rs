//! Client-side tools of the ZooKeeper distribution as sans-IO processes: `zookeeper-shell`
//! (Kafka's wrapper around zkCli, `ZooKeeperMain` 3.5.9) and `nc` sending a four-letter word.
//!
//! The shell prints what zkCli prints: the connection banner, `WATCHER::` events, `get`/`ls`/
//! `stat` output with the Stat block (`StatPrinter`), and the `CliWrapperException` error texts.
//! Simplified: one command at a time; `ls -R` walks the tree with one getChildren per node
//! (as `ZKUtil.listSubTreeBFS` does) but without watches.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::sim::time::Duration;
use crate::sim::{Io, NodeId};
use crate::terminal::ast::ZkCliCmd;

use super::cli_format::{children_list, data_text, stat_block};
use super::client::{ClientEvent, ClientTimer, ZkClient};
use super::msg::ZkMsg;
use super::types::{CreateMode, ErrCode, Op, Reply, WriteOp};

/// zkCli's default session timeout (`ZooKeeperMain`: 30000 ms).
pub const ZKCLI_SESSION_TIMEOUT_MS: u32 = 30_000;

/// Timers of tool processes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ToolTimer {
    /// The ZooKeeper client inside the tool.
    Client(ClientTimer),
    /// `nc` gives up waiting.
    NcTimeout,
    /// A load generator's pause between writes.
    Think,
}

impl std::fmt::Display for ToolTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToolTimer::Client(c) => c.fmt(f),
            ToolTimer::NcTimeout => f.write_str("nc timeout"),
            ToolTimer::Think => f.write_str("writer think time over"),
        }
    }
}

impl From<ClientTimer> for ToolTimer {
    fn from(t: ClientTimer) -> Self {
        ToolTimer::Client(t)
    }
}

/// One zkCli command being run: the ops still to issue and how to print their results.
#[derive(Clone, Debug)]
struct Job {
    cmd: ZkCliCmd,
    /// For `ls -R` and `deleteall`: the paths still to visit / delete.
    work: VecDeque<String>,
    /// Collected output for `ls -R` (paths found so far) and `deleteall` (children to delete, post-order).
    found: Vec<String>,
    waiting: bool,
    /// `deleteall`: the listing is done, deletes are under way.
    deleting: bool,
    /// `ls -R`: the root exists and was printed; a NoNode later is a node that vanished.
    rooted: bool,
}

/// `zookeeper-shell`: a ZooKeeper client with a queue of zkCli commands.
#[derive(Clone, Debug)]
pub struct ShellProc {
    pub client: ZkClient,
    /// The connect string as typed (for the banner and prompt).
    pub connect: String,
    pub interactive: bool,
    jobs: VecDeque<ZkCliCmd>,
    job: Option<Job>,
    /// Output not yet taken by the terminal.
    pub out: Vec<String>,
    /// Commands completed so far.
    pub done: u64,
    /// Exit after the queued commands (one-shot mode, or `quit`).
    pub exit_when_idle: bool,
    pub exited: bool,
    next_tag: u64,
}

type SIo<'a, F> = dyn Io<ZkMsg, ToolTimer, F> + 'a;

/// The embedded client's view of the tool (the one generic adapter, `client_io.rs`).
pub use super::client_io::ClientIo;

fn join(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

/// `CliWrapperException` texts.
fn cli_error(e: ErrCode, path: &str) -> String {
    match e {
        ErrCode::NoNode => format!("Node does not exist: {path}"),
        ErrCode::NodeExists => format!("Node already exists: {path}"),
        ErrCode::NotEmpty => format!("Node not empty: {path}"),
        ErrCode::BadVersion => format!("version No is not valid : {path}"),
        ErrCode::NoChildrenForEphemerals => format!("Ephemerals cannot have children: {path}"),
        ErrCode::BadArguments => "Path must start with / character".to_string(),
        other => format!("KeeperErrorCode = {} for {path}", other.name()),
    }
}

impl ShellProc {
    /// A shell connected (eventually) to `servers`; `connect` is the connect string as typed.
    pub fn new(servers: Vec<NodeId>, connect: String, interactive: bool) -> ShellProc {
        ShellProc {
            client: ZkClient::new(servers, ZKCLI_SESSION_TIMEOUT_MS),
            connect,
            interactive,
            jobs: VecDeque::new(),
            job: None,
            out: Vec::new(),
            done: 0,
            exit_when_idle: !interactive,
            exited: false,
            next_tag: 1,
        }
    }

    /// `zookeeper-shell HOST CMD`: runs `cmd` in a fresh session, then closes it and exits.
    pub fn one_shot(servers: Vec<NodeId>, connect: String, cmd: ZkCliCmd) -> ShellProc {
        let mut s = ShellProc::new(servers, connect, false);
        s.jobs.push_back(cmd);
        s
    }

    /// Whether the shell has nothing left to do.
    pub fn idle(&self) -> bool {
        self.job.is_none() && self.jobs.is_empty()
    }

    /// Process start: print the banner and connect.
    pub fn start<F>(&mut self, io: &mut SIo<'_, F>) {
        self.out.push(format!("Connecting to {}", self.connect));
        if self.interactive {
            self.out.push("Welcome to ZooKeeper!".into());
            self.out.push("JLine support is disabled".into());
        }
        let mut cio = ClientIo { inner: io };
        self.client.start(&mut cio);
        self.maybe_next(io);
    }

    /// Queue a command (interactive input, or the one-shot command).
    pub fn enqueue<F>(&mut self, io: &mut SIo<'_, F>, cmd: ZkCliCmd) {
        self.jobs.push_back(cmd);
        self.maybe_next(io);
    }

    fn maybe_next<F>(&mut self, io: &mut SIo<'_, F>) {
        while self.job.is_none() {
            let Some(cmd) = self.jobs.pop_front() else {
                if self.exit_when_idle && !self.exited {
                    self.finish(io);
                }
                return;
            };
            self.begin(io, cmd);
        }
    }

    fn finish<F>(&mut self, io: &mut SIo<'_, F>) {
        let mut cio = ClientIo { inner: io };
        if self.client.is_dead() {
            self.exited = true;
            io.exit();
        } else {
            let ev = self.client.close(&mut cio);
            self.handle_events(io, ev);
            if self.client.is_dead() && !self.exited {
                self.exited = true;
                io.exit();
            }
        }
    }

    fn op<F>(&mut self, io: &mut SIo<'_, F>, op: Op) {
        let tag = self.next_tag;
        self.next_tag += 1;
        if let Some(j) = self.job.as_mut() {
            j.waiting = true;
        }
        let mut cio = ClientIo { inner: io };
        let ev = self.client.submit(&mut cio, tag, op);
        self.handle_events(io, ev);
    }

    fn begin<F>(&mut self, io: &mut SIo<'_, F>, cmd: ZkCliCmd) {
        let first = match &cmd {
            ZkCliCmd::Quit => {
                self.exit_when_idle = true;
                self.done += 1;
                return;
            }
            ZkCliCmd::Help => {
                self.out.extend(HELP.lines().map(|l| l.to_string()));
                self.done += 1;
                return;
            }
            ZkCliCmd::Ls { path, watch, recursive, .. } => {
                if *recursive {
                    // ZKUtil.visitSubTreeDFS starts with getData(path, watch)
                    Op::GetData { path: path.clone(), watch: *watch }
                } else {
                    Op::GetChildren { path: path.clone(), watch: *watch }
                }
            }
            ZkCliCmd::Get { path, watch, .. } => Op::GetData { path: path.clone(), watch: *watch },
            ZkCliCmd::Stat { path, watch } => Op::Exists { path: path.clone(), watch: *watch },
            ZkCliCmd::Create { path, data, ephemeral, sequential } => {
                let data: Option<Rc<[u8]>> = data.as_deref().map(|d| d.as_bytes().into());
                Op::Write(WriteOp::Create { path: path.clone(), data, mode: CreateMode { ephemeral: *ephemeral, sequential: *sequential } })
            }
            ZkCliCmd::Set { path, data, version, .. } => {
                Op::Write(WriteOp::SetData { path: path.clone(), data: Some(data.as_bytes().into()), version: version.unwrap_or(-1) })
            }
            ZkCliCmd::Delete { path, version } => Op::Write(WriteOp::Delete { path: path.clone(), version: version.unwrap_or(-1) }),
            ZkCliCmd::Deleteall { path } => Op::GetChildren { path: path.clone(), watch: false },
        };
        let mut job = Job { cmd, work: VecDeque::new(), found: Vec::new(), waiting: false, deleting: false, rooted: false };
        if let ZkCliCmd::Ls { path, recursive: true, .. } | ZkCliCmd::Deleteall { path } = &job.cmd {
            job.found.push(path.clone());
            job.work.push_back(path.clone());
        }
        self.job = Some(job);
        self.op(io, first);
    }

    fn complete<F>(&mut self, io: &mut SIo<'_, F>) {
        self.job = None;
        self.done += 1;
        self.maybe_next(io);
    }

    fn on_result<F>(&mut self, io: &mut SIo<'_, F>, result: Result<Reply, ErrCode>) {
        let Some(job) = self.job.as_mut() else { return };
        job.waiting = false;
        let cmd = job.cmd.clone();
        match (&cmd, result) {
            (ZkCliCmd::Ls { path, stat, recursive: false, .. }, Ok(Reply::Children { children, stat: st })) => {
                let mut sorted = children;
                crate::sorted::sort(&mut sorted);
                if *stat {
                    // 3.5.9 quirk: the Stat block starts right after "]" on the same line, a blank line follows.
                    let block = stat_block(&st);
                    self.out.push(format!("{}{}", children_list(&sorted), block.lines().next().unwrap_or("")));
                    self.out.extend(block.lines().skip(1).map(|l| l.to_string()));
                    self.out.push(String::new());
                } else {
                    self.out.push(children_list(&sorted));
                }
                let _ = path;
                self.complete(io);
            }
            (ZkCliCmd::Ls { path, recursive: true, .. }, Ok(Reply::Data { .. })) => {
                if let Some(j) = self.job.as_mut() {
                    j.rooted = true;
                }
                self.out.push(path.clone());
                self.walk_next(io);
            }
            (ZkCliCmd::Ls { recursive: true, watch, .. }, Ok(Reply::Children { children, .. })) => {
                // visitSubTreeDFSHelper: print the sorted children, then descend into each in order.
                let watch = *watch;
                let Some(job) = self.job.as_mut() else { return };
                let base = job.work.pop_back().unwrap_or_else(|| "/".into());
                let mut sorted = children;
                crate::sorted::sort(&mut sorted);
                for c in &sorted {
                    self.out.push(join(&base, c));
                }
                let Some(job) = self.job.as_mut() else { return };
                for c in sorted.iter().rev() {
                    job.work.push_back(join(&base, c));
                }
                let _ = watch;
                self.walk_next(io);
            }
            (ZkCliCmd::Ls { recursive: true, .. }, Err(ErrCode::NoNode)) if self.job.as_ref().map(|j| j.rooted).unwrap_or(false) => {
                // A node vanished while walking: skip it.
                if let Some(job) = self.job.as_mut() {
                    job.work.pop_back();
                }
                self.walk_next(io);
            }
            (ZkCliCmd::Deleteall { .. }, Ok(Reply::Children { children, .. }))
                if !self.job.as_ref().map(|j| j.deleting).unwrap_or(true) =>
            {
                // listSubTreeBFS
                let Some(job) = self.job.as_mut() else { return };
                let base = job.work.pop_front().unwrap_or_else(|| "/".into());
                let mut sorted = children;
                crate::sorted::sort(&mut sorted);
                for c in sorted {
                    let p = join(&base, &c);
                    job.found.push(p.clone());
                    job.work.push_back(p);
                }
                self.walk_next(io);
            }
            (ZkCliCmd::Deleteall { path }, Err(ErrCode::NoNode)) if !self.job.as_ref().map(|j| j.deleting).unwrap_or(true) => {
                if self.job.as_ref().map(|j| j.found.len() <= 1).unwrap_or(true) {
                    self.out.push(cli_error(ErrCode::NoNode, path));
                    self.complete(io);
                } else {
                    if let Some(job) = self.job.as_mut() {
                        job.work.pop_front();
                    }
                    self.walk_next(io);
                }
            }
            (ZkCliCmd::Deleteall { .. }, Ok(Reply::Deleted)) | (ZkCliCmd::Deleteall { .. }, Err(ErrCode::NoNode)) => {
                let next = self.job.as_mut().and_then(|j| j.found.pop());
                match next {
                    Some(p) => self.op(io, Op::Write(WriteOp::Delete { path: p, version: -1 })),
                    None => self.complete(io),
                }
            }
            (ZkCliCmd::Get { stat, .. }, Ok(Reply::Data { data, stat: st })) => {
                self.out.push(data_text(data.as_deref()));
                if *stat {
                    self.out.extend(stat_block(&st).lines().map(|l| l.to_string()));
                }
                self.complete(io);
            }
            (ZkCliCmd::Stat { path, .. }, Ok(Reply::Exists { stat })) => {
                match stat {
                    Some(st) => self.out.extend(stat_block(&st).lines().map(|l| l.to_string())),
                    None => self.out.push(cli_error(ErrCode::NoNode, path)),
                }
                self.complete(io);
            }
            (ZkCliCmd::Create { .. }, Ok(Reply::Created { path })) => {
                self.out.push(format!("Created {path}"));
                self.complete(io);
            }
            (ZkCliCmd::Set { stat, .. }, Ok(Reply::SetData { stat: st })) => {
                if *stat {
                    self.out.extend(stat_block(&st).lines().map(|l| l.to_string()));
                }
                self.complete(io);
            }
            (ZkCliCmd::Delete { .. }, Ok(Reply::Deleted)) => self.complete(io),
            (cmd, Err(e)) => {
                let path = match cmd {
                    ZkCliCmd::Ls { path, .. }
                    | ZkCliCmd::Get { path, .. }
                    | ZkCliCmd::Stat { path, .. }
                    | ZkCliCmd::Create { path, .. }
                    | ZkCliCmd::Set { path, .. }
                    | ZkCliCmd::Delete { path, .. }
                    | ZkCliCmd::Deleteall { path } => path.clone(),
                    _ => String::new(),
                };
                self.out.push(cli_error(e, &path));
                self.complete(io);
            }
            (_, Ok(_)) => self.complete(io),
        }
    }

    /// Walk the tree: `ls -R` depth first (ZKUtil.visitSubTreeDFS, `work` used as a stack, with
    /// the command's watch flag), `deleteall` breadth first (ZKUtil.listSubTreeBFS).
    fn walk_next<F>(&mut self, io: &mut SIo<'_, F>) {
        let Some(job) = self.job.as_ref() else { return };
        let next = match &job.cmd {
            ZkCliCmd::Ls { watch, .. } => job.work.back().cloned().map(|p| Op::GetChildren { path: p, watch: *watch }),
            _ => job.work.front().cloned().map(|p| Op::GetChildren { path: p, watch: false }),
        };
        match next {
            Some(op) => self.op(io, op),
            None => self.tree_walk_done(io),
        }
    }

    fn tree_walk_done<F>(&mut self, io: &mut SIo<'_, F>) {
        let Some(job) = self.job.as_mut() else { return };
        match &job.cmd {
            ZkCliCmd::Deleteall { .. } => {
                // ZKUtil.deleteRecursive: delete in reverse BFS order (deepest first).
                job.deleting = true;
                match job.found.pop() {
                    Some(p) => self.op(io, Op::Write(WriteOp::Delete { path: p, version: -1 })),
                    None => self.complete(io),
                }
            }
            _ => self.complete(io),
        }
    }

    /// What zkCli's watcher prints for an event (`ZooKeeperMain.printMessage` adds the blank line).
    fn watcher(&mut self, state: &str, kind: &str, path: &str) {
        self.out.push(String::new());
        self.out.push("WATCHER::".into());
        self.out.push(String::new());
        self.out.push(format!("WatchedEvent state:{state} type:{kind} path:{path}"));
    }

    fn handle_events<F>(&mut self, io: &mut SIo<'_, F>, events: Vec<ClientEvent>) {
        for e in events {
            match e {
                ClientEvent::Connected { .. } => self.watcher("SyncConnected", "None", "null"),
                ClientEvent::Disconnected => self.watcher("Disconnected", "None", "null"),
                ClientEvent::Expired => self.watcher("Expired", "None", "null"),
                ClientEvent::Watch { event, path } => self.watcher("SyncConnected", event.name(), &path),
                ClientEvent::Reply { result, .. } => self.on_result(io, result),
                ClientEvent::Closed => {
                    if !self.exited {
                        self.exited = true;
                        io.exit();
                    }
                }
            }
        }
    }

    pub fn on_msg<F>(&mut self, io: &mut SIo<'_, F>, from: NodeId, msg: ZkMsg) {
        let mut cio = ClientIo { inner: io };
        let ev = self.client.on_msg(&mut cio, from, msg);
        self.handle_events(io, ev);
    }

    pub fn on_timer<F>(&mut self, io: &mut SIo<'_, F>, timer: ToolTimer) {
        if let ToolTimer::Client(t) = timer {
            let mut cio = ClientIo { inner: io };
            let ev = self.client.on_timer(&mut cio, t);
            self.handle_events(io, ev);
        }
    }

    pub fn on_disconnect<F>(&mut self, io: &mut SIo<'_, F>, peer: NodeId) {
        let mut cio = ClientIo { inner: io };
        let ev = self.client.on_disconnect(&mut cio, peer);
        self.handle_events(io, ev);
    }
}

/// `echo WORD | nc HOST PORT`.
#[derive(Clone, Debug)]
pub struct NcProc {
    pub server: Option<NodeId>,
    pub word: String,
    pub out: Vec<String>,
    pub exited: bool,
}

impl NcProc {
    pub fn start<F>(&mut self, io: &mut SIo<'_, F>) {
        match self.server {
            Some(s) => {
                io.send(s, ZkMsg::FourLetter { word: self.word.clone() });
                io.set_timer(ToolTimer::NcTimeout, Duration::from_secs(10));
            }
            None => self.done(io),
        }
    }
    fn done<F>(&mut self, io: &mut SIo<'_, F>) {
        if !self.exited {
            self.exited = true;
            io.exit();
        }
    }
    pub fn on_msg<F>(&mut self, io: &mut SIo<'_, F>, msg: ZkMsg) {
        if let ZkMsg::FourLetterReply { text } = msg {
            // `ruok` answers "imok" without a newline; the terminal shows it as a line anyway.
            self.out.extend(text.lines().map(|l| l.to_string()));
            self.done(io);
        }
    }
    pub fn on_timer<F>(&mut self, io: &mut SIo<'_, F>) {
        self.done(io);
    }
    pub fn on_disconnect<F>(&mut self, io: &mut SIo<'_, F>) {
        self.done(io);
    }
}

/// zkCli's `help` output (ZooKeeperMain.usage, 3.5.9, the commands the sandbox models).
pub const HELP: &str = "ZooKeeper -server host:port cmd args
\tcreate [-s] [-e] [-c] [-t ttl] path [data] [acl]
\tdelete [-v version] path
\tdeleteall path
\tget [-s] [-w] path
\tls [-s] [-w] [-R] path
\tquit 
\tset [-s] [-v version] path data
\tstat [-w] path";
