//! `help [TOPIC]`: the reference of the terminal language, as the learner sees it.

const OVERVIEW: &str = "\
Sandbox commands (the clock only moves with sleep, step, or while a tool runs):
  cluster [--zk N] [--brokers M]      shape of the cluster, before anything starts (default 3 and 4)
  zk start|stop|kill|restart ID       stop = graceful (SIGTERM), kill = crash (kill -9)
  zk pause|resume ID                  SIGSTOP/SIGCONT (a long GC pause): timers and messages wait
  zookeeper-server-start [-daemon] config/zookeeperN.properties     starts server N
  zookeeper-server-stop               stops every ZooKeeper server gracefully
  sleep DURATION                      advance the virtual clock: 500ms, 10s, 5m
  step [N]                            deliver the next N events and narrate them
  status                              every server's and broker's state
  broker start|stop|kill|restart ID   brokers b1..bM: stop = controlled shutdown, kill = crash
  broker pause|resume ID              SIGSTOP/SIGCONT: its ZooKeeper session may expire meanwhile
  kafka-server-start [-daemon] config/serverN.properties            starts broker N
  kafka-server-stop                   stops every broker (controlled shutdown)
  net partition A,B | C,D             cut the links between groups (zk1, zk2, ..., b1, b2, ...)
  net cut A->B                        one-way cut
  net loss PERCENT                    lost transmissions are retransmitted (TCP): late, in order
  net delay MIN-MAX                   per-message latency range, e.g. 1ms-5ms
  net heal                            remove every cut; held messages are delivered
  net                                 show the network settings
Tools (they run on the simulated network and take virtual time):
  echo srvr | nc localhost 2181       four-letter words: srvr stat mntr ruok isro
  zookeeper-shell localhost:2181 CMD  one zkCli command in a fresh session
  zookeeper-shell localhost:2181      an interactive session, until `quit`
    zkCli: ls [-s] [-R] [-w] path | get [-s] [-w] path | stat [-w] path
           create [-e] [-s] path [data] | set [-s] [-v version] path data
           delete [-v version] path | deleteall path | quit
  kafka-topics --create|--describe|--list|--delete|--alter ...      see `help kafka`
  kafka-console-producer / kafka-console-consumer / kafka-leader-election
Any command can end in `| grep PATTERN`. `#` starts a comment. `help net`, `help zk`, `help kafka`.";

const NET: &str = "\
The network is a set of TCP connections between nodes, one per pair, each in order.
  net delay 1ms-5ms   every message takes a latency drawn from the range (default 1ms-3ms)
  net loss 10         10% of transmissions are lost; TCP retransmits after 200ms, 400ms, ...
  net partition zk1 | zk2,zk3   messages across the groups are held (not delivered) until healed;
                                nodes not named keep all their links
  net cut zk1->zk2    only zk1's messages to zk2 are held
  net heal            every held message is sent again, in order";

const ZK: &str = "\
ZooKeeper servers are zk1..zkN with client ports 2181.., configured like the seed:
  tickTime=2000 initLimit=5 syncLimit=2 server.1=localhost:2888:3888 server.2=localhost:2889:3889
  server.3=localhost:2887:3887 (4lw.commands.whitelist=* so stat, mntr and ruok answer too)
  zk start 1 / zookeeper-server-start config/zookeeper1.properties    start server 1
  zk kill 2      crash: volatile state lost; the txn log, snapshot and epochs survive
  zk stop 2      graceful stop
  zk pause 2     SIGSTOP (or a long GC pause): its timers do not fire, messages to it wait;
  zk resume 2    SIGCONT: it sees the clock jump, then reads what waited (its peers timed out)
Watch an election with `step`, or with `sleep 1s` and `echo srvr | nc localhost 2181`.";

const KAFKA: &str = "\
Kafka brokers are b1..bM (broker.id 1.., listeners localhost:9092..), ZooKeeper mode, 2.8 defaults:
  zookeeper.session.timeout.ms=18000 replica.lag.time.max.ms=30000 min.insync.replicas=1
  unclean.leader.election.enable=false auto.leader.rebalance.enable=true (check every 300 s)
  broker kill 1     crash: its ZooKeeper session expires 18 s later, then the controller reacts
  broker stop 1     controlled shutdown: leaderships move away first, then the session closes
  broker pause 1    SIGSTOP past 18 s: its session expires, a new controller takes over (epoch + 1);
  broker resume 1   the old controller wakes as a zombie, and its requests are fenced by the epoch
  kafka-topics --create --zookeeper localhost:2181 --topic T --partitions 10 --replication-factor 4
  kafka-topics --create --bootstrap-server localhost:9092 --topic T --replica-assignment 3:2:4:1,4:3:1:2
  kafka-topics --describe|--list --zookeeper localhost:2181 [--topic T]   (or --bootstrap-server)
  kafka-topics --delete --topic T ... | --alter --topic T --partitions N ...
    options: --config min.insync.replicas=2 --config unclean.leader.election.enable=true
  kafka-console-producer --bootstrap-server localhost:9092 --topic T [--producer-property acks=all]
    then one message per line and a line `.` to send them (or --messages N)
  kafka-console-consumer --bootstrap-server localhost:9092 --topic T --from-beginning
    [--partition P] [--max-messages N] [--timeout-ms MS]
  kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions
Look inside: zookeeper-shell localhost:2181 get /controller, get -s /brokers/topics/T/partitions/0/state";

/// Help text for `topic` (the overview when `None` or unknown).
pub fn help(topic: Option<&str>) -> Vec<String> {
    let t = match topic.map(|t| t.trim().to_ascii_lowercase()) {
        Some(t) if t.starts_with("net") => NET,
        Some(t) if t.starts_with("zk") || t.starts_with("zoo") => ZK,
        Some(t) if t.starts_with("kafka") || t.starts_with("broker") || t.starts_with("topic") => KAFKA,
        _ => OVERVIEW,
    };
    t.lines().map(|l| l.to_string()).collect()
}
