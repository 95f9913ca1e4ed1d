// Unit tests of the browser client's relay protocol (node --test), with a fake WebSocket and
// virtual time: nothing sleeps, nothing touches the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayClient, CLOSE, backoffDelay, randomClientId } from '../../main/js/relay.js';
import { Clock } from './virtual-clock.mjs';

const URL = 'ws://127.0.0.1:8080/v1/sessions/s-42';
const TICKET = 'duet1.payload.signature';
const SELF = { participant: 'learner-bo', role: 'learner', connection: 'c-2', arrivedAt: '2026-11-24T10:01:00.123Z' };

/** Fake sockets, one per connection attempt; the test plays the relay. */
function fakeSockets() {
  const made = [];
  class FakeSocket {
    constructor(url) { this.url = url; this.sent = []; this.closed = null; made.push(this); }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code, reason) { this.closed = { code, reason }; }
    open() { this.onopen(); }
    relay(frame) { this.onmessage({ data: JSON.stringify({ v: 1, ...frame }) }); }
    drop(code, reason = '') { this.onclose({ code, reason }); }
    of(type) { return this.sent.filter((f) => f.type === type); }
  }
  return { FakeSocket, made };
}

function client(listener = {}, settings = {}) {
  const clock = new Clock();
  const { FakeSocket, made } = fakeSockets();
  let r = 0;
  const relay = new RelayClient({ url: URL, ticket: TICKET, listener, WebSocket: FakeSocket, random: () => (r = (r + 0.37) % 1),
    timers: clock.timers(),
    settings });
  return { relay, clock, made };
}

const PEER = { participant: 'expert-ada', role: 'expert', connection: 'c-1', arrivedAt: '2026-11-24T09:57:00.456Z' };

function joined(socket, lastAcceptedSeq = 0, incarnation = 'i-first', peer = null) {
  socket.relay({ type: 'joined', session: 's-42', self: SELF, peer, lastAcceptedSeq, incarnation });
}

function deliver(socket, dseq, text) {
  socket.relay({ type: 'deliver', dseq, from: 'expert-ada', relayedAt: '2026-11-24T10:01:02.000Z', msg: { type: 'chat', text } });
}

test('joins with the ticket and a client id, and reports the relay facts', () => {
  const events = [];
  const { relay, made } = client({ onJoined: (j) => events.push(j) });
  relay.join();
  made[0].open();
  const join = made[0].of('join')[0];
  assert.equal(join.ticket, TICKET);
  assert.match(join.clientId, /^[A-Za-z0-9]{16}$/);
  assert.equal(join.lastDelivered, 0);
  joined(made[0]);
  assert.deepEqual(events[0].self, SELF);
  assert.equal(relay.state, 'joined');
});

test('sends are numbered, resolved when accepted, and resent after a reconnect from lastAcceptedSeq', async () => {
  const { relay, clock, made } = client();
  relay.join();
  made[0].open();
  joined(made[0]);
  const a = relay.send({ type: 'chat', text: 'one' });
  const b = relay.send({ type: 'chat', text: 'two' });
  assert.deepEqual(made[0].of('send').map((f) => f.seq), [1, 2]);
  made[0].relay({ type: 'accepted', seq: 1 });
  await a;
  made[0].drop(1006);
  clock.advance(60000);
  made[1].open();
  joined(made[1], 1);
  assert.deepEqual(made[1].of('send').map((f) => [f.seq, f.msg.text]), [[2, 'two']]);
  made[1].relay({ type: 'accepted', seq: 2 });
  await b;
});

test('each delivery is processed once and acknowledged cumulatively', () => {
  const got = [];
  const { relay, clock, made } = client({ onMessage: (m) => got.push(m.msg.text) });
  relay.join();
  made[0].open();
  joined(made[0]);
  for (const [dseq, text] of [[1, 'a'], [2, 'b'], [2, 'b'], [3, 'c']]) {
    made[0].relay({ type: 'deliver', dseq, from: 'expert-ada', relayedAt: '2026-11-24T10:01:02.000Z', msg: { type: 'chat', text } });
  }
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.equal(made[0].of('ack').length, 0, 'acks are batched');
  clock.advance(100);
  assert.deepEqual(made[0].of('ack'), [{ v: 1, type: 'ack', dseq: 3 }]);
});

test('a refused send leaves its seq open: the sends after it move down by one', async () => {
  const refused = [];
  const { relay, made } = client({ onSendRefused: (msg, why) => refused.push(why) });
  relay.join();
  made[0].open();
  joined(made[0]);
  relay.send({ type: 'chat', text: 'one' });
  const bad = relay.send({ type: 'chat', text: 'bad' });
  const three = relay.send({ type: 'chat', text: 'three' });
  made[0].relay({ type: 'accepted', seq: 1 });
  made[0].relay({ type: 'error', code: 'invalid-value', message: 'msg.text is not allowed', seq: 2 });
  await assert.rejects(bad, /refused/);
  assert.deepEqual(refused, ['invalid-value: msg.text is not allowed']);
  const resent = made[0].of('send').filter((f) => f.msg.text === 'three');
  assert.deepEqual(resent.map((f) => f.seq), [3, 2], 'sent as 3 first, then again as 2');
  made[0].relay({ type: 'accepted', seq: 2 });
  await three;
  relay.send({ type: 'chat', text: 'four' });
  assert.equal(made[0].of('send').at(-1).seq, 3);
});

test('the heartbeat pings every 3 s and gives up on a relay silent for 8 s', () => {
  const why = [];
  const { relay, clock, made } = client({ onDisconnected: (w) => why.push(w) });
  relay.join();
  made[0].open();
  joined(made[0]);
  clock.advance(3000);
  assert.deepEqual(made[0].of('ping'), [{ v: 1, type: 'ping', id: 1 }]);
  made[0].relay({ type: 'pong', id: 1 });
  clock.advance(3000);
  assert.equal(made[0].of('ping').length, 2);
  clock.advance(6000); // nothing since the pong at 3 s: dead at 11 s
  assert.equal(relay.state, 'reconnecting');
  assert.match(why[0], /nothing from the relay for 8000 ms/);
  clock.advance(60000);
  assert.equal(made.length, 2, 'a new connection');
});

test('a join refused as too early says when the room opens, and is not retried', () => {
  let end;
  const { relay, clock, made } = client({ onClosed: (e) => { end = e; } });
  relay.join();
  made[0].open();
  made[0].relay({ type: 'refused', code: 4425, name: 'too-early', message: 'ticket is valid from 2026-11-24T09:50:00Z',
    opensAt: '2026-11-24T09:50:00.000Z' });
  made[0].drop(CLOSE.TOO_EARLY, 'too-early: ticket is valid from 2026-11-24T09:50:00Z');
  assert.equal(end.code, 4425);
  assert.equal(end.opensAt, '2026-11-24T09:50:00.000Z');
  clock.advance(120000);
  assert.equal(made.length, 1);
  assert.equal(relay.state, 'closed');
});

test('hang-up waits until the relay has every send, then leaves with hangUp', async () => {
  const { relay, made } = client();
  relay.join();
  made[0].open();
  joined(made[0]);
  relay.send({ type: 'bye', epoch: ['c-1', 'c-2'], reason: 'lesson over' });
  const done = relay.hangUp('lesson over');
  assert.equal(made[0].of('leave').length, 0, 'not before the bye is accepted');
  made[0].relay({ type: 'accepted', seq: 1 });
  await done;
  assert.deepEqual(made[0].of('leave'), [{ v: 1, type: 'leave', reason: 'lesson over', hangUp: true }]);
  assert.equal(relay.state, 'closed');
});

test('hang-up leaves anyway once its flush time is up', async () => {
  const { relay, clock, made } = client();
  relay.join();
  made[0].open();
  joined(made[0]);
  relay.send({ type: 'chat', text: 'never accepted' }).catch(() => {});
  const done = relay.hangUp('bye');
  clock.advance(5000);
  await done;
  assert.equal(made[0].of('leave')[0].hangUp, true);
});

test('backoff and client ids stay in their bounds', () => {
  for (let attempt = 0; attempt < 30; attempt++) {
    const d = backoffDelay(attempt, () => 0.999999);
    assert.ok(d >= 0 && d <= Math.min(30000, 500 * 2 ** attempt));
  }
  assert.equal(backoffDelay(3, () => 0), 0);
  assert.match(randomClientId(), /^[A-Za-z0-9]{16}$/);
  assert.throws(() => new RelayClient({ url: 'http://x', ticket: TICKET, WebSocket: class {} }), /ws:\/\/ or wss:\/\//);
});

test('after a relay restart (a new incarnation) it resumes: unaccepted sends renumbered, deliveries counted anew, the call goes on', async () => {
  const events = [];
  const got = [];
  const { relay, clock, made } = client({
    onRejoined: (j) => events.push(['rejoined', j.peer]), onPeerJoined: (p) => events.push(['peer-joined', p]),
    onMessage: (m) => got.push(m.msg.text),
  });
  relay.join();
  made[0].open();
  joined(made[0], 0, 'i-first', PEER);
  const a = relay.send({ type: 'chat', text: 'one' });
  const b = relay.send({ type: 'chat', text: 'two' });
  made[0].relay({ type: 'accepted', seq: 1 });
  await a;
  for (const [dseq, text] of [[1, 'x'], [2, 'y'], [3, 'z']]) deliver(made[0], dseq, text);
  made[0].drop(1006);
  clock.advance(60000);
  made[1].open();
  const join = made[1].of('join')[0];
  assert.equal(join.lastDelivered, 3);
  assert.deepEqual(join.resume, { incarnation: 'i-first', connection: SELF.connection, arrivedAt: SELF.arrivedAt });
  joined(made[1], 0, 'i-second', null); // the restarted relay knows nothing, and the peer is not back yet
  assert.deepEqual(made[1].of('send').map((f) => [f.seq, f.msg.text]), [[1, 'two']], 'the unaccepted send, renumbered');
  deliver(made[1], 1, 'after the restart');
  assert.deepEqual(got, ['x', 'y', 'z', 'after the restart'], 'dseq 1 of the new incarnation is new');
  made[1].relay({ type: 'peer-joined', peer: PEER });
  assert.deepEqual(events, [], 'the peer resumed as it was: no rejoin, no new peer, the epoch goes on');
  made[1].relay({ type: 'accepted', seq: 1 });
  await b;
  const c = relay.send({ type: 'chat', text: 'three' });
  assert.deepEqual(made[1].of('send').map((f) => f.seq), [1, 2]);
  made[1].relay({ type: 'accepted', seq: 2 });
  await c;
});

test('after a relay restart, a peer that does not resume within the grace is reported gone', () => {
  const events = [];
  const { relay, clock, made } = client({ onRejoined: (j) => events.push(['rejoined', j.peer]) });
  relay.join();
  made[0].open();
  joined(made[0], 0, 'i-first', PEER);
  made[0].drop(1006);
  clock.advance(60000);
  made[1].open();
  joined(made[1], 0, 'i-second', null);
  const alive = (ms) => { for (let t = 0; t < ms; t += 1000) { made[1].relay({ type: 'pong', id: 0 }); clock.advance(1000); } };
  alive(14000);
  assert.deepEqual(events, []);
  alive(2000);
  assert.deepEqual(events, [['rejoined', null]]);
  assert.equal(made.length, 2, 'still on the same connection');
});

test('a rejoin on the same incarnation is an ordinary rejoin: a new connection, the listener hears it', () => {
  const events = [];
  const { relay, clock, made } = client({ onRejoined: (j) => events.push(j.self.connection) });
  relay.join();
  made[0].open();
  joined(made[0], 0, 'i-first', PEER);
  made[0].drop(1006);
  clock.advance(60000);
  made[1].open();
  made[1].relay({ type: 'joined', session: 's-42', self: { ...SELF, connection: 'c-9' }, peer: PEER, lastAcceptedSeq: 0,
    incarnation: 'i-first' });
  assert.deepEqual(events, ['c-9']);
});
