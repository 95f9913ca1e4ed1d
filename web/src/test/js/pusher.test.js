// Unit tests of the browser client's Pusher transport (node --test), in virtual time, with an
// in-memory stand-in for pusher-js and a Pusher server: presence members, client events to the
// channel's other members with the sender's user_id (never echoed), the 10-events-a-second limit
// with error 4301. Nothing sleeps, nothing touches the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PusherClient, memberOf, cutIntoParts } from '../../main/js/pusher.js';
import { Clock } from './virtual-clock.mjs';

const SESSION = 's-42';
const CHANNEL = `presence-duet-${SESSION}`;

/** A Pusher server and pusher-js stand-in: one presence channel, members by user, client events limited to 10 a second. */
class Hub {
  constructor(clock) { this.clock = clock; this.sockets = 0; this.members = []; this.errors = []; this.events = []; }

  pusherClass() {
    const hub = this;
    return class FakePusher {
      constructor(key, options) {
        this.options = options;
        this.socketId = `${++hub.sockets}.${++hub.sockets}`;
        this.handlers = {};
        this.recent = [];
        this.connection = { bind: (name, f) => { this.handlers[name] = f; } };
      }

      subscribe(name) {
        const socket = this;
        const channel = {
          handlers: {},
          subscribed: false,
          bind(event, f) { this.handlers[event] = f; },
          emit(event, ...args) { if (this.handlers[event]) this.handlers[event](...args); },
          trigger(event, data) {
            if (!this.subscribed) return false;
            const now = hub.clock.now();
            socket.recent = socket.recent.filter((t) => now - t < 1000);
            if (socket.recent.length >= 10) {
              hub.errors.push(4301);
              socket.handlers.error({ type: 'PusherError', data: { code: 4301, message: 'Client event rate limit reached' } });
              return true;
            }
            socket.recent.push(now);
            hub.events.push({ from: channel.me.id, event, data, at: now });
            for (const m of hub.members) if (m.channel !== channel) m.channel.emit(event, JSON.parse(JSON.stringify(data)), { user_id: channel.me.id });
            return true;
          },
        };
        this.channel = channel;
        this.options.channelAuthorization.customHandler({ socketId: this.socketId, channelName: name }, (error, auth) => {
          if (error) { channel.emit('pusher:subscription_error', { error: String(error) }); return; }
          const data = JSON.parse(auth.channel_data);
          channel.me = { id: data.user_id, info: data.user_info };
          const newUser = !hub.members.some((m) => m.channel.me.id === data.user_id);
          hub.members.push({ channel, socket: this });
          channel.subscribed = true;
          const seen = new Map();
          for (const m of hub.members) if (!seen.has(m.channel.me.id)) seen.set(m.channel.me.id, m.channel.me.info);
          channel.emit('pusher:subscription_succeeded', { each: (f) => seen.forEach((info, id) => f({ id, info })) });
          if (newUser) for (const m of hub.members) if (m.channel !== channel) m.channel.emit('pusher:member_added', { id: data.user_id, info: data.user_info });
        });
        return channel;
      }

      unsubscribe() { hub.leave(this); }

      disconnect() { hub.leave(this); }
    };
  }

  leave(socket) {
    const mine = this.members.find((m) => m.socket === socket);
    if (!mine) return;
    this.members = this.members.filter((m) => m !== mine);
    mine.channel.subscribed = false;
    if (!this.members.some((m) => m.channel.me.id === mine.channel.me.id)) {
      for (const m of this.members) m.channel.emit('pusher:member_removed', { id: mine.channel.me.id });
    }
  }

  /** The socket of `user` drops without a leave, as a lost network. */
  drop(user) {
    const m = this.members.find((x) => x.channel.me.id === user);
    this.leave(m.socket);
  }
}

/** A backend that signs like PusherChannelAuth (the signature itself is the server's business here). */
function backend(clock, participant, role) {
  return (socketId) => Promise.resolve({ auth: `key:${'0'.repeat(64)}`,
    channel_data: JSON.stringify({ user_id: participant, user_info: { role, connection: socketId, arrived_at: clock.now() } }) });
}

function heard() {
  const lines = [];
  const messages = [];
  return { lines, messages, listener: {
    onJoined: (j) => lines.push(`joined as ${j.self.connection} with ${j.peer ? j.peer.connection : 'nobody'}`),
    onRejoined: (j) => lines.push(`rejoined with ${j.peer ? j.peer.connection : 'nobody'}`),
    onPeerJoined: (m) => lines.push(`peer-joined ${m.participant} ${m.connection}`),
    onPeerLeft: (l) => lines.push(`peer-left ${l.participant} ${l.reason}`),
    onMessage: (m) => { messages.push(m.msg); lines.push(`message from ${m.from}`); },
    onRefused: (r) => lines.push(`refused ${r.message}`),
    onClosed: (c) => lines.push(`closed ${c.reason}`),
  } };
}

let instances = 0;

function participant(hub, clock, who, role, authorize) {
  const h = heard();
  let r = (++instances * 0.123) % 1; // every client instance its own id, as with Math.random
  const client = new PusherClient({ Pusher: hub.pusherClass(), key: 'duet-test-key', sessionId: SESSION, listener: h.listener,
    authorize: authorize || backend(clock, who, role), random: () => (r = (r + 0.37) % 1),
    timers: clock.timers() });
  return { client, ...h };
}

test('both sides learn each other from presence and hellos, and messages go once and in order both ways', async () => {
  const clock = new Clock(1_796_032_800_000);
  const hub = new Hub(clock);
  const expert = participant(hub, clock, 'expert-ada', 'expert');
  const learner = participant(hub, clock, 'learner-bo', 'learner');
  expert.client.join();
  await clock.advanceSettling(5000);
  learner.client.join();
  await clock.advanceSettling(0);
  assert.deepEqual(expert.lines, ['joined as 1.2 with nobody', 'peer-joined learner-bo 3.4']);
  assert.deepEqual(learner.lines, ['joined as 3.4 with 1.2']);
  const acks = [];
  for (let i = 1; i <= 5; i++) {
    acks.push(expert.client.send({ type: 'chat', text: `e${i}` }));
    acks.push(learner.client.send({ type: 'chat', text: `l${i}` }));
  }
  await clock.advanceSettling(3000);
  await Promise.all(acks);
  assert.deepEqual(learner.messages.map((m) => m.text), ['e1', 'e2', 'e3', 'e4', 'e5']);
  assert.deepEqual(expert.messages.map((m) => m.text), ['l1', 'l2', 'l3', 'l4', 'l5']);
  assert.deepEqual(hub.errors, []);
  const hellos = hub.events.filter((e) => e.event === 'client-duet-hello');
  assert.ok(hellos.length <= 3, `hellos: ${JSON.stringify(hellos)}`);
});

test('a burst and a 30 KB offer arrive whole and in order, batched, never over 10 events a second', async () => {
  const clock = new Clock(1_796_032_800_000);
  const hub = new Hub(clock);
  const expert = participant(hub, clock, 'expert-ada', 'expert');
  const learner = participant(hub, clock, 'learner-bo', 'learner');
  expert.client.join();
  learner.client.join();
  await clock.advanceSettling(100);
  let sdp = 'v=0\r\na=ice-ufrag:Xy9z\r\n';
  while (sdp.length < 30000) sdp += `a=candidate:1 1 udp 2122260223 10.77.0.1 ${sdp.length} typ host "q" é 😀\r\n`;
  const sent = [];
  for (let i = 0; i < 60; i++) sent.push(i === 30 ? { type: 'offer', epoch: 'x', offerId: 1, sdp } : { type: 'chat', text: `line ${i}` });
  const acks = sent.map((m) => expert.client.send(m));
  await clock.advanceSettling(15000);
  await Promise.all(acks);
  assert.deepEqual(learner.messages, sent);
  assert.deepEqual(hub.errors, []);
  const mine = hub.events.filter((e) => e.from === 'expert-ada');
  for (const e of mine) assert.ok(mine.filter((x) => x.at > e.at - 1000 && x.at <= e.at).length <= 10, 'at most 10 events in any second');
  for (const e of mine) assert.ok(Buffer.byteLength(JSON.stringify(e.data)) <= 10 * 1024, 'each event under 10 KB');
  assert.ok(mine.filter((e) => e.event === 'client-duet-signals').length < 30, 'messages are batched');
});

test('after error 4301 the dropped messages are sent again a second later', async () => {
  const clock = new Clock(1_796_032_800_000);
  const hub = new Hub(clock);
  const expert = participant(hub, clock, 'expert-ada', 'expert');
  const learner = participant(hub, clock, 'learner-bo', 'learner');
  expert.client.join();
  learner.client.join();
  await clock.advanceSettling(100);
  // Another tab of the expert's app floods the same socket's allowance: the next events are refused.
  const socket = hub.members.find((m) => m.channel.me.id === 'expert-ada').socket;
  for (let i = 0; i < 10; i++) socket.recent.push(clock.now());
  const ack = expert.client.send({ type: 'chat', text: 'Can you hear me?' });
  await clock.advanceSettling(0);
  assert.deepEqual(hub.errors, [4301]);
  await clock.advanceSettling(2500);
  await ack;
  assert.deepEqual(learner.messages.map((m) => m.text), ['Can you hear me?']);
});

test('a leave, a hang-up and a lost connection reach the peer; the last only after the grace', async () => {
  const clock = new Clock(1_796_032_800_000);
  const hub = new Hub(clock);
  const expert = participant(hub, clock, 'expert-ada', 'expert');
  expert.client.join();
  const learner = participant(hub, clock, 'learner-bo', 'learner');
  learner.client.join();
  await clock.advanceSettling(100);
  learner.client.leave('done');
  await clock.advanceSettling(0);
  assert.equal(expert.lines.at(-1), 'peer-left learner-bo left');

  const again = participant(hub, clock, 'learner-bo', 'learner');
  again.client.join();
  await clock.advanceSettling(100);
  again.client.hangUp('thanks');
  await clock.advanceSettling(0);
  assert.equal(expert.lines.at(-1), 'peer-left learner-bo hung-up');

  const third = participant(hub, clock, 'learner-bo', 'learner');
  third.client.join();
  await clock.advanceSettling(100);
  hub.drop('learner-bo');
  await clock.advanceSettling(2900);
  assert.match(expert.lines.at(-1), /^peer-joined learner-bo/);
  await clock.advanceSettling(200);
  assert.equal(expert.lines.at(-1), 'peer-left learner-bo connection-lost');
});

test('a new client instance of the peer gets the unacknowledged messages numbered from 1', async () => {
  const clock = new Clock(1_796_032_800_000);
  const hub = new Hub(clock);
  const expert = participant(hub, clock, 'expert-ada', 'expert');
  const learner = participant(hub, clock, 'learner-bo', 'learner');
  expert.client.join();
  learner.client.join();
  await clock.advanceSettling(100);
  await Promise.all([expert.client.send({ type: 'chat', text: 'one' }), clock.advanceSettling(500)]);
  hub.drop('learner-bo'); // the page reloads: a new client instance, which knows nothing of message 1
  const pending = expert.client.send({ type: 'chat', text: 'two' });
  await clock.advanceSettling(1000);
  const reloaded = participant(hub, clock, 'learner-bo', 'learner');
  reloaded.client.join();
  await clock.advanceSettling(3000);
  await pending;
  assert.deepEqual(reloaded.messages.map((m) => m.text), ['two']);
});

test('a backend that refuses (403) ends the join with its reason; malformed members are refused', async () => {
  const clock = new Clock(1_796_032_800_000);
  const hub = new Hub(clock);
  const refused = participant(hub, clock, 'learner-bo', 'learner',
    () => Promise.reject(Object.assign(new Error('the join ticket was refused: WRONG_SESSION'), { status: 403 })));
  refused.client.join();
  await clock.advanceSettling(0);
  assert.match(refused.lines[0], /^refused the app's backend refused to sign the subscription to presence-duet-s-42: .*WRONG_SESSION/);
  assert.equal(refused.client.state, 'closed');
  assert.throws(() => memberOf('x', { role: 'admin', connection: '1.2', arrived_at: 1 }), /role/);
  assert.throws(() => memberOf('x', { role: 'expert' }), /connection and arrived_at/);
  assert.throws(() => new PusherClient({ key: 'k', sessionId: 's', authorize: () => {} }), /Pusher must be/);
});

test('parts never split a surrogate pair and join back to the text', () => {
  const text = `${'😀'.repeat(5000)}"\\\n${'é'.repeat(3000)}`;
  const parts = cutIntoParts(text, 2048);
  assert.ok(parts.length > 5);
  assert.equal(parts.join(''), text);
  for (const p of parts) {
    assert.ok(Buffer.byteLength(JSON.stringify(p)) <= 2048, `a part of ${Buffer.byteLength(JSON.stringify(p))} bytes`);
    assert.ok(!/^[\udc00-\udfff]/.test(p), 'no part starts with a low surrogate');
  }
});
