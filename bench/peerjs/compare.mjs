// Drives the Duet relay and the PeerJS server (npm `peer` 1.0.2) side by side, in one run, with
// the same workload and the same load generator (this process, Node with `ws`, on loopback):
//
//   1. join:  N sessions of two clients connect (256 connects in flight); time from opening the
//             socket to being admitted (Duet: `joined`; PeerJS: `OPEN`);
//   2. hold:  all 2N sockets held idle for 5 s; the server's resident set and threads;
//   3. setup: a call set-up per session, 100 sessions at a time (up to 1,000 sessions): the
//             signals of a real negotiation (an offer and an answer of 5 KB, 5 ICE candidates per
//             side); time from its start to both sides holding everything, and every frame on the
//             wire both ways (heartbeats excluded) until the session is quiet again;
//   4. chat:  100-byte chat lines between random participants at a fixed aggregate rate (each
//             rate for --seconds after a 2-s warm-up): one-way latency p50/p99 (sender hands the
//             frame to its socket -> receiver parses it; one process, one clock) and the server's
//             CPU time per forwarded message (/proc/<pid>/stat);
//   5. ramp:  rates doubling from 1,000 msg/s until p99 exceeds 50 ms or a message is lost.
//
// Each client behaves as the real client of its server does. Duet (docs/protocol.md): `join`,
// `ready`, `offer`, `answer`, one `candidates` message per side, `send`/`accepted`/`deliver`,
// cumulative `ack` at most one per 100 ms (as duet-web's relay.js); it answers the relay's
// WebSocket pings (ws does) and sends no heartbeat of its own. PeerJS (peerjs 1.5 client):
// OFFER, ANSWER and one CANDIDATE message per candidate, HEARTBEAT every 5 s. Both offer
// permessage-deflate, as browsers do; each server decides.
//
// Usage: node compare.mjs --jar <duet-signaling-server-all.jar> [--sessions 500,1000,2500,5000]
//        [--targets duet,peerjs] [--rates 1000,2000] [--seconds 8] [--ramp on|off] [--java-opts "..."]
//        [--out results.json]
// More relay variants in the same run: --targets duet,duet-deflate,peerjs --args-deflate "--permessage-deflate on",
// or another build: --targets duet,duet-base --jar-base old.jar.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const args = parseArgs(process.argv.slice(2));
const SESSIONS = (args.sessions ?? '500,1000,2500,5000').split(',').map(Number);
const TARGETS = (args.targets ?? 'duet,peerjs').split(',');
const RATES = (args.rates ?? '1000,2000').split(',').filter(Boolean).map(Number);
const SECONDS = Number(args.seconds ?? 8);
const MAX_P99_MS = 50;
const SETUP_AT_ONCE = 100;
const SETUP_SESSIONS = 1000;
const CANDIDATES_PER_SIDE = 5;
const CONNECTS_IN_FLIGHT = 256;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`expected --name value, got ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- servers

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitForPort(port, child, seconds = 60) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port} after ${seconds} s`);
}

const KEY = randomBytes(32);
const KEY_ID = 'bench';

async function startServer(target, dir) {
  const port = await freePort();
  const log = openSync(path.join(dir, 'server.log'), 'w'); // the server's own output, kept for a look afterwards
  let child;
  if (target.startsWith('duet')) {
    // "duet" runs --jar; "duet-<name>" runs --jar-<name> if given (another build), else --jar, with the
    // relay options --args-<name> added (e.g. --args-deflate "--permessage-deflate on"), in the same run.
    const name = target.slice(5);
    const jar = args[`jar-${name}`] ?? args.jar;
    const extra = (args[`args-${name}`] ?? '').split(' ').filter(Boolean);
    const keys = path.join(dir, 'ticket-keys');
    writeFileSync(keys, `${KEY_ID}:${KEY.toString('base64')}\n`, { mode: 0o600 });
    const javaOpts = (args['java-opts'] ?? '').split(' ').filter(Boolean);
    child = spawn('java', [...javaOpts, '-jar', jar, '--host', '127.0.0.1', '--port', String(port), '--ticket-keys', keys, ...extra],
      { stdio: ['ignore', log, log] });
  } else {
    child = spawn(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), 'peerjs-server.mjs'), String(port)],
      { stdio: ['ignore', log, log] });
  }
  await waitForPort(port, child);
  return { target, port, child, pid: child.pid, log: path.join(dir, 'server.log') };
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
}

function processFigures(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  const threads = Number(/Threads:\s+(\d+)/.exec(status)[1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rssMiB: rssKiB / 1024, threads, cpuMs: (cpuTicks * 1000) / TICKS_PER_SECOND, sysMs: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
}

// ---------------------------------------------------------------- clients

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A Duet join ticket, minted as docs/protocol.md §8.1 says. */
function ticket(session, participant, role) {
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(Buffer.from([KEY_ID, session, participant, role, now - 60, now + 4 * 3600].join('\n'), 'utf8'));
  const signature = b64url(createHmac('sha256', KEY).update(`duet1.${payload}`, 'ascii').digest());
  return `duet1.${payload}.${signature}`;
}

const SDP = 'v=0\r\n' + 'a=ice-ufrag:Ab12\r\n' + 'a=x-filler:'.padEnd(5000, 'x') + '\r\n';
const candidate = (i, side) => ({
  candidate: `candidate:${1000 + i} 1 udp 2122260223 10.77.0.${side} ${50000 + i} typ host generation 0 ufrag Ab12`,
  sdpMid: '0', sdpMLineIndex: 0,
});

class Counters {
  constructor() { this.frames = 0; this.errors = 0; }
}

/** One participant's connection; counts every frame both ways except heartbeats. */
class Client {
  constructor(target, port, sessionIndex, role, counters, onMessage) {
    this.target = target; this.role = role; this.counters = counters; this.onMessage = onMessage;
    this.session = `s-${sessionIndex}`;
    this.id = `${role === 'expert' ? 'e' : 'l'}-${sessionIndex}`;
    this.peerId = `${role === 'expert' ? 'l' : 'e'}-${sessionIndex}`;
    this.seq = 0; this.lastDelivered = 0; this.lastAcked = 0; this.ackTimer = null;
    this.selfConnection = null; this.peerConnection = null;
    this.duet = target.startsWith('duet');
    const url = this.duet
      ? `ws://127.0.0.1:${port}/v1/sessions/${this.session}`
      : `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${this.id}&token=${this.id}t`;
    this.started = performance.now();
    this.joined = new Promise((resolve, reject) => { this.resolveJoined = resolve; this.rejectJoined = reject; });
    this.ws = new WebSocket(url, { perMessageDeflate: true });
    this.ws.on('open', () => {
      if (this.duet) {
        this.write({ v: 1, type: 'join', ticket: ticket(this.session, this.id, role), clientId: `${this.id}-client`, lastDelivered: 0 });
      } else {
        this.heartbeat = setInterval(() => this.ws.send('{"type":"HEARTBEAT"}'), 5000);
      }
    });
    this.ws.on('message', (data) => this.received(data));
    this.ws.on('error', (e) => { this.counters.errors++; this.rejectJoined(e); });
    this.ws.on('close', (code) => { clearInterval(this.heartbeat); this.rejectJoined(new Error(`closed ${code}`)); });
  }

  write(frame) {
    this.counters.frames++;
    this.ws.send(JSON.stringify(frame));
  }

  received(data) {
    const frame = JSON.parse(data);
    const at = performance.now();
    this.counters.frames++;
    if (this.duet) {
      switch (frame.type) {
        case 'joined':
          this.selfConnection = frame.self.connection;
          this.peerConnection = frame.peer?.connection ?? null;
          this.joinMs = at - this.started;
          this.resolveJoined();
          break;
        case 'peer-joined': this.peerConnection = frame.peer.connection; break;
        case 'deliver':
          if (frame.dseq > this.lastDelivered) {
            this.lastDelivered = frame.dseq;
            this.onMessage(this, frame.msg, at);
          }
          if (!this.ackTimer) {
            this.ackTimer = setTimeout(() => {
              this.ackTimer = null;
              if (this.lastDelivered > this.lastAcked) {
                this.lastAcked = this.lastDelivered;
                this.write({ v: 1, type: 'ack', dseq: this.lastDelivered });
              }
            }, 100);
          }
          break;
        case 'error': this.counters.errors++; break;
        default: break; // accepted, pong, peer-left
      }
    } else if (frame.type === 'OPEN') {
      this.joinMs = at - this.started;
      this.resolveJoined();
    } else if (frame.type === 'ERROR' || frame.type === 'ID-TAKEN') {
      this.counters.errors++;
    } else {
      // The server forwards only its signal types; chat rides as a CANDIDATE whose payload says chat.
      this.onMessage(this, frame.payload?.type === 'chat' ? frame.payload : { ...frame.payload, type: frame.type }, at);
    }
  }

  /** Sends one signal or chat message to the peer. */
  signal(msg) {
    if (this.duet) {
      this.write({ v: 1, type: 'send', seq: ++this.seq, msg: msg.type === 'chat' ? msg : { ...msg, epoch: this.epoch() } });
    } else {
      const type = { offer: 'OFFER', answer: 'ANSWER', candidate: 'CANDIDATE', chat: 'CANDIDATE' }[msg.type];
      this.write({ type, dst: this.peerId, payload: msg });
    }
  }

  epoch() {
    return [this.selfConnection, this.peerConnection].sort();
  }

  close() {
    clearInterval(this.heartbeat);
    clearTimeout(this.ackTimer);
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------- phases

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function join(server, n, counters, onMessage, prefix = '') {
  const t0 = performance.now();
  const experts = [];
  const learners = [];
  // Every expert arrives first, then every learner (the second arrival), CONNECTS_IN_FLIGHT at a time.
  for (const [role, list] of [['expert', experts], ['learner', learners]]) {
    const inFlight = new Set();
    for (let s = 0; s < n; s++) {
      while (inFlight.size >= CONNECTS_IN_FLIGHT) await Promise.race(inFlight);
      const c = new Client(server.target, server.port, `${prefix}${s}`, role, counters, onMessage);
      const settled = c.joined.catch(() => {}).finally(() => inFlight.delete(settled));
      inFlight.add(settled);
      list.push(c);
    }
    await Promise.all(list.map((c) => c.joined));
  }
  const seconds = (performance.now() - t0) / 1000;
  const pairs = experts.map((e, i) => [e, learners[i]]);
  const times = pairs.flat().map((c) => c.joinMs).sort((a, b) => a - b);
  return { pairs, joinsPerSecond: (2 * n) / seconds, joinP50: percentile(times, 50), joinP99: percentile(times, 99) };
}

/** Runs call set-ups for the first sessions, `SETUP_AT_ONCE` at a time. */
async function setups(pairs, counters, handlers) {
  const times = [];
  let frames = 0;
  let calls = 0;
  const count = Math.min(pairs.length, SETUP_SESSIONS);
  for (let from = 0; from < count; from += SETUP_AT_ONCE) {
    const batch = pairs.slice(from, Math.min(count, from + SETUP_AT_ONCE));
    const framesBefore = counters.frames;
    const done = batch.map(([expert, learner]) => new Promise((resolve) => {
      const call = { started: performance.now(), expertHas: 0, learnerHas: 0, resolve };
      handlers.set(expert, call);
      handlers.set(learner, call);
      if (expert.duet) {
        expert.signal({ type: 'ready' });
        learner.signal({ type: 'ready' });
      } else {
        offer(learner);
      }
    }));
    times.push(...(await Promise.all(done)));
    await sleep(300); // the trailing `ack`s (sent 100 ms after a delivery) belong to the set-up
    frames += counters.frames - framesBefore;
    calls += batch.length;
    for (const [e, l] of batch) { handlers.delete(e); handlers.delete(l); }
  }
  times.sort((a, b) => a - b);
  return { setupP50: percentile(times, 50), setupP99: percentile(times, 99), framesPerSetup: frames / calls };
}

function offer(initiator) {
  initiator.signal({ type: 'offer', offerId: 1, sdp: SDP });
  sendCandidates(initiator, 1);
}

function sendCandidates(client, side) {
  const all = Array.from({ length: CANDIDATES_PER_SIDE }, (_, i) => candidate(i, side));
  if (client.duet) {
    client.signal({ type: 'candidates', ufrag: 'Ab12', candidates: all });
  } else {
    for (const c of all) client.signal({ type: 'candidate', candidate: c });
  }
}

/** The set-up's message handling: a negotiation as both clients run it. */
function setupMessage(call, client, msg) {
  const isExpert = client.role === 'expert';
  switch (msg.type) {
    case 'ready': if (!isExpert) offer(client); return;
    case 'offer': case 'OFFER':
      client.signal({ type: 'answer', offerId: 1, sdp: SDP });
      sendCandidates(client, 2);
      call.expertHas += 1;
      break;
    case 'answer': case 'ANSWER': call.learnerHas += 1; break;
    case 'candidates': if (isExpert) call.expertHas += msg.candidates.length; else call.learnerHas += msg.candidates.length; break;
    case 'CANDIDATE': if (isExpert) call.expertHas += 1; else call.learnerHas += 1; break;
    default: return;
  }
  if (call.expertHas === 1 + CANDIDATES_PER_SIDE && call.learnerHas === 1 + CANDIDATES_PER_SIDE) {
    call.resolve(performance.now() - call.started);
  }
}

const CHAT_PAD = 'x'.repeat(100);

/** Chat at `rate` messages per second for `seconds`; latencies of those sent after the warm-up. */
async function chat(server, pairs, rate, seconds, latencies, state) {
  const warmUp = 2;
  const clients = pairs.flat();
  state.latencies = null;
  state.sent = 0; state.received = 0;
  let cpuBefore; let sysBefore; let measuredSent = 0;
  const t0 = performance.now();
  let issued = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      if (state.latencies === null && elapsed >= warmUp) {
        state.latencies = latencies; state.sent = 0; state.received = 0;
        ({ cpuMs: cpuBefore, sysMs: sysBefore } = processFigures(server.pid));
      }
      if (elapsed >= warmUp + seconds) { clearInterval(timer); resolve(); return; }
      const due = Math.floor(rate * elapsed) - issued;
      for (let i = 0; i < due; i++) {
        const c = clients[Math.floor(Math.random() * clients.length)];
        const stamp = performance.now().toFixed(3);
        c.signal({ type: 'chat', text: `${stamp} ${CHAT_PAD}`.slice(0, 100) });
        state.sent++;
      }
      issued += due;
    }, 2);
  });
  measuredSent = state.sent;
  await sleep(1000); // the last messages' deliveries
  const after = processFigures(server.pid);
  const cpuMs = after.cpuMs - cpuBefore;
  const sysShare = (after.sysMs - sysBefore) / Math.max(1, cpuMs);
  const received = state.received;
  state.latencies = null;
  latencies.sort((a, b) => a - b);
  return {
    rate, sent: measuredSent, received,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1],
    cpuUsPerMessage: (cpuMs * 1000) / Math.max(1, received), sysShare,
  };
}

async function run(target, n) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duet-peerjs-'));
  const server = await startServer(target, dir);
  const counters = new Counters();
  const handlers = new Map();
  const state = { latencies: null, sent: 0, received: 0 };
  const onMessage = (client, msg, at) => {
    if (msg.type === 'chat') {
      if (state.latencies !== null) {
        state.latencies.push(at - Number(msg.text.slice(0, msg.text.indexOf(' '))));
        state.received++;
      }
      return;
    }
    const call = handlers.get(client);
    if (call) setupMessage(call, client, msg);
  };
  try {
    await sleep(1000);
    const idle = processFigures(server.pid);
    // Warm-up (a server runs warm: its JIT compilers done): 500 sessions join, set up, chat at
    // 2,000 msg/s for 15 s and leave, with session ids the measured run does not use.
    const warm = await join(server, 500, new Counters(), onMessage, 'warm-');
    await setups(warm.pairs, counters, handlers);
    await chat(server, warm.pairs, 2000, 15, [], state);
    for (const c of warm.pairs.flat()) c.close();
    await sleep(2000);
    counters.frames = 0;
    const joined = await join(server, n, counters, onMessage);
    await sleep(5000);
    const held = processFigures(server.pid);
    const setup = await setups(joined.pairs, counters, handlers);
    const rates = [];
    for (const rate of RATES) rates.push(await chat(server, joined.pairs, rate, SECONDS, [], state));
    let maxRate = 0;
    const ramp = [];
    for (let rate = 1000; args.ramp !== 'off' && rate <= 64000; rate *= 2) {
      const r = await chat(server, joined.pairs, rate, Math.min(SECONDS, 5), [], state);
      ramp.push(r);
      if (r.p99 > MAX_P99_MS || r.received < r.sent) break;
      maxRate = rate;
    }
    // CPU with every socket held and no traffic, measured last: by now the JIT has settled.
    await sleep(3000);
    const holdStart = processFigures(server.pid);
    await sleep(6000);
    const heldCpuPercent = (processFigures(server.pid).cpuMs - holdStart.cpuMs) / 60; // over 6 s, in % of one core
    for (const c of joined.pairs.flat()) c.close();
    return {
      target, sessions: n, sockets: 2 * n, errors: counters.errors,
      idleRssMiB: idle.rssMiB, idleThreads: idle.threads, heldRssMiB: held.rssMiB, heldThreads: held.threads, heldCpuPercent,
      joinsPerSecond: joined.joinsPerSecond, joinP50: joined.joinP50, joinP99: joined.joinP99,
      ...setup, rates, ramp, maxRate,
    };
  } finally {
    await stopServer(server);
  }
}

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const results = [];
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${new Date().toISOString()}`);
for (const n of SESSIONS) {
  for (const target of TARGETS) {
    const r = await run(target, n);
    results.push(r);
    const rates = r.rates.map((x) => `${x.rate}/s p50 ${f(x.p50, 2)} p99 ${f(x.p99, 2)} ms, ${f(x.cpuUsPerMessage, 0)} µs cpu/msg (${f(100 * x.sysShare, 0)} % in the kernel), ${x.received}/${x.sent}`).join('; ');
    console.log(`${target} N=${n}: joins ${f(r.joinsPerSecond, 0)}/s p50 ${f(r.joinP50)} p99 ${f(r.joinP99)} ms; `
      + `held rss ${f(r.heldRssMiB, 0)} MiB threads ${r.heldThreads} cpu ${f(r.heldCpuPercent)} % (empty ${f(r.idleRssMiB, 0)} MiB, ${r.idleThreads}); `
      + `setup p50 ${f(r.setupP50)} p99 ${f(r.setupP99)} ms, ${f(r.framesPerSetup)} frames; ${rates}; `
      + `max ${r.maxRate} msg/s at p99<=${MAX_P99_MS} ms (ramp: ${r.ramp.map((x) => `${x.rate}:${f(x.p99, 1)}`).join(' ')}); errors ${r.errors}`);
  }
}
if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));
process.exit(0);
