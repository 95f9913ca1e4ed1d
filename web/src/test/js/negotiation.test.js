// Unit tests of the browser client's negotiation rules (node --test). The machine is pure, so two
// of them are wired together here with a fake peer connection and no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NegotiationMachine, IllegalNegotiationEvent, States, epochOf, arrivedAfter, iceUfrag, canMoveTo, Timers,
} from '../../main/js/negotiation.js';

const EXPERT = { participant: 'expert-ada', connection: 'c-1', arrivedAt: '2026-11-24T09:57:00.456Z' };
const LEARNER = { participant: 'learner-bo', connection: 'c-2', arrivedAt: '2026-11-24T10:01:00.123Z' };

/** A fake peer connection per side: answers every command at once, with ufrags that change on ICE restart. */
class Pair {
  constructor(expertArrival = EXPERT, learnerArrival = LEARNER) {
    this.sides = {
      expert: { m: new NegotiationMachine('expert-ada'), self: expertArrival, offers: 0, restarts: 0, applied: [], pcs: 0 },
      learner: { m: new NegotiationMachine('learner-bo'), self: learnerArrival, offers: 0, restarts: 0, applied: [], pcs: 0 },
    };
    this.queue = [];
    this.log = [];
  }

  other(name) { return name === 'expert' ? 'learner' : 'expert'; }

  post(name, event) { this.queue.push([name, event]); }

  run() {
    for (let steps = 0; this.queue.length > 0; steps++) {
      assert.ok(steps < 1000, 'the pair settles');
      const [name, event] = this.queue.shift();
      const side = this.sides[name];
      for (const c of side.m.handle(event)) this.carry(name, side, c);
    }
  }

  carry(name, side, c) {
    this.log.push(`${name}: ${c.type}`);
    switch (c.type) {
      case 'create-peer-connection': side.pcs++; side.epoch = c.epoch; break;
      case 'send': this.post(this.other(name), { type: 'signal', signal: c.signal }); break;
      case 'create-offer':
        side.offers++;
        if (c.iceRestart) side.restarts++;
        this.post(name, { type: 'local-description-ready', epoch: c.epoch, sdpType: 'offer',
          sdp: `v=0\r\na=ice-ufrag:${name}${side.restarts}\r\n` });
        break;
      case 'create-answer':
        this.post(name, { type: 'local-description-ready', epoch: c.epoch, sdpType: 'answer',
          sdp: `v=0\r\na=ice-ufrag:${name}${side.restarts}\r\n` });
        break;
      case 'apply-remote-description':
        side.applied.push(c.sdpType);
        this.post(name, { type: 'remote-description-applied', epoch: c.epoch, sdpType: c.sdpType });
        break;
      default: break;
    }
  }

  joinBoth() {
    const { expert, learner } = this.sides;
    this.post('expert', { type: 'joined', self: expert.self, peer: null });
    this.post('learner', { type: 'joined', self: learner.self, peer: expert.self });
    this.post('expert', { type: 'peer-joined', peer: learner.self });
    this.run();
  }

  attachTracks() {
    for (const name of ['expert', 'learner']) this.post(name, { type: 'tracks-attached', epoch: this.sides[name].epoch });
    this.run();
  }

  iceConnected() {
    for (const name of ['expert', 'learner']) this.post(name, { type: 'ice-state', epoch: this.sides[name].epoch, state: 'connected' });
    this.run();
  }
}

test('the later arrival offers, exactly once, and both connect', () => {
  const p = new Pair();
  p.joinBoth();
  assert.equal(p.sides.expert.m.state, States.PREPARING);
  assert.equal(p.sides.learner.m.initiator, true);
  assert.equal(p.sides.expert.m.initiator, false);
  p.attachTracks();
  assert.equal(p.sides.learner.offers, 1);
  assert.equal(p.sides.expert.offers, 0);
  assert.equal(p.sides.expert.m.state, States.CONNECTING);
  p.iceConnected();
  assert.equal(p.sides.expert.m.state, States.CONNECTED);
  assert.equal(p.sides.learner.m.state, States.CONNECTED);
  assert.deepEqual(p.sides.expert.m.epoch, ['c-1', 'c-2']);
});

test('equal arrival stamps: the greater participant id offers', () => {
  const same = '2026-11-24T10:00:00.000Z';
  assert.equal(arrivedAfter({ ...LEARNER, arrivedAt: same }, { ...EXPERT, arrivedAt: same }), true);
  assert.equal(arrivedAfter({ ...EXPERT, arrivedAt: same }, { ...LEARNER, arrivedAt: same }), false);
  assert.equal(arrivedAfter(EXPERT, LEARNER), false);
});

test('no offer before the initiator has its tracks and the peer said ready', () => {
  const p = new Pair();
  p.joinBoth();
  p.post('learner', { type: 'tracks-attached', epoch: p.sides.learner.epoch });
  p.run();
  assert.equal(p.sides.learner.offers, 0, 'the expert is not ready yet');
  p.post('expert', { type: 'tracks-attached', epoch: p.sides.expert.epoch });
  p.run();
  assert.equal(p.sides.learner.offers, 1);
});

test('an offer that arrives before the answerer has tracks waits for them', () => {
  const m = new NegotiationMachine('expert-ada');
  m.handle({ type: 'joined', self: EXPERT, peer: LEARNER });
  const epoch = m.epoch;
  const out = m.handle({ type: 'signal', signal: { type: 'offer', epoch, offerId: 1, sdp: 'v=0\r\na=ice-ufrag:L0\r\n' } });
  assert.ok(!out.some((c) => c.type === 'apply-remote-description'));
  const later = m.handle({ type: 'tracks-attached', epoch });
  assert.ok(later.some((c) => c.type === 'apply-remote-description'));
});

test('remote candidates wait for their description; an older ufrag is dropped', () => {
  const m = new NegotiationMachine('expert-ada');
  m.handle({ type: 'joined', self: EXPERT, peer: LEARNER });
  const epoch = m.epoch;
  m.handle({ type: 'tracks-attached', epoch });
  const cand = { candidate: 'candidate:1 1 udp 1 10.77.0.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  assert.deepEqual(m.handle({ type: 'signal', signal: { type: 'candidates', epoch, ufrag: 'L0', candidates: [cand] } }), []);
  m.handle({ type: 'signal', signal: { type: 'offer', epoch, offerId: 1, sdp: 'v=0\r\na=ice-ufrag:L0\r\n' } });
  const applied = m.handle({ type: 'remote-description-applied', epoch, sdpType: 'offer' });
  assert.deepEqual(applied.find((c) => c.type === 'add-remote-candidates').candidates, [cand]);
  m.handle({ type: 'local-description-ready', epoch, sdpType: 'answer', sdp: 'v=0\r\na=ice-ufrag:E0\r\n' });
  // An ICE restart: new ufrag L1; candidates of L0 from now on are stale.
  m.handle({ type: 'signal', signal: { type: 'offer', epoch, offerId: 2, sdp: 'v=0\r\na=ice-ufrag:L1\r\n' } });
  m.handle({ type: 'remote-description-applied', epoch, sdpType: 'offer' });
  const stale = m.handle({ type: 'signal', signal: { type: 'candidates', epoch, ufrag: 'L0', candidates: [cand] } });
  assert.deepEqual(stale, []);
  assert.equal(m.stats.staleCandidates, 1);
});

test('glare: the initiator ignores the colliding offer, the polite side rolls back', () => {
  const initiator = new NegotiationMachine('learner-bo');
  initiator.handle({ type: 'joined', self: LEARNER, peer: EXPERT });
  const epoch = initiator.epoch;
  initiator.handle({ type: 'signal', signal: { type: 'ready', epoch } });
  initiator.handle({ type: 'tracks-attached', epoch }); // makes its first offer
  assert.deepEqual(initiator.handle({ type: 'signal', signal: { type: 'offer', epoch, offerId: 1, sdp: 'a=ice-ufrag:E0\r\n' } }), []);
  assert.equal(initiator.stats.ignoredOffers, 1);

  const polite = new NegotiationMachine('expert-ada');
  polite.handle({ type: 'joined', self: EXPERT, peer: LEARNER });
  polite.handle({ type: 'tracks-attached', epoch });
  polite.handle({ type: 'signal', signal: { type: 'ready', epoch } });
  polite.handle({ type: 'signal', signal: { type: 'offer', epoch, offerId: 1, sdp: 'a=ice-ufrag:L0\r\n' } });
  polite.handle({ type: 'remote-description-applied', epoch, sdpType: 'offer' });
  polite.handle({ type: 'local-description-ready', epoch, sdpType: 'answer', sdp: 'a=ice-ufrag:E0\r\n' });
  polite.handle({ type: 'negotiation-needed', epoch }); // a track added later: the polite side offers
  const collide = polite.handle({ type: 'signal', signal: { type: 'offer', epoch, offerId: 2, sdp: 'a=ice-ufrag:L0\r\n' } });
  assert.equal(polite.stats.rollbacks, 1);
  assert.ok(collide.length === 0 || collide.every((c) => c.type !== 'send'));
});

test('an unanswered ready is sent again on its timer', () => {
  const m = new NegotiationMachine('expert-ada');
  m.handle({ type: 'joined', self: EXPERT, peer: LEARNER });
  const out = m.handle({ type: 'tracks-attached', epoch: m.epoch });
  const timer = out.find((c) => c.type === 'start-timer');
  assert.equal(timer.key.kind, Timers.READY_WAIT);
  assert.equal(timer.delayMs, 5000);
  const again = m.handle({ type: 'timer-fired', key: timer.key });
  assert.ok(again.some((c) => c.type === 'send' && c.signal.type === 'ready'));
  assert.deepEqual(m.handle({ type: 'timer-fired', key: timer.key }), [], 'a stale timer does nothing');
});

test('hang-up sends bye and closes; a closed machine takes nothing', () => {
  const m = new NegotiationMachine('expert-ada');
  m.handle({ type: 'joined', self: EXPERT, peer: LEARNER });
  const out = m.handle({ type: 'hang-up', reason: 'lesson over' });
  assert.equal(out[0].type, 'send');
  assert.equal(out[0].signal.type, 'bye');
  assert.equal(m.state, States.CLOSED);
  assert.throws(() => m.handle({ type: 'peer-left', connection: 'c-2' }), IllegalNegotiationEvent);
});

test('the relay saying the peer hung up ends the session without a bye', () => {
  const m = new NegotiationMachine('expert-ada');
  m.handle({ type: 'joined', self: EXPERT, peer: LEARNER });
  const out = m.handle({ type: 'peer-hung-up', reason: '' });
  assert.ok(out.some((c) => c.type === 'close-peer-connection'));
  assert.ok(!out.some((c) => c.type === 'send'));
  assert.equal(m.state, States.CLOSED);
});

test('a rejoin of the peer starts a new epoch with a new peer connection', () => {
  const p = new Pair();
  p.joinBoth();
  p.attachTracks();
  p.iceConnected();
  const back = { ...LEARNER, connection: 'c-3', arrivedAt: '2026-11-24T10:05:00.000Z' };
  p.sides.learner.self = back;
  p.post('learner', { type: 'rejoined', self: back, peer: EXPERT });
  p.post('expert', { type: 'peer-joined', peer: back });
  p.run();
  assert.deepEqual(p.sides.expert.m.epoch, ['c-1', 'c-3']);
  assert.equal(p.sides.expert.pcs, 2);
  p.attachTracks();
  assert.equal(p.sides.learner.offers, 2, 'the rejoining side offers again');
});

test('an event the state does not allow is refused and changes nothing', () => {
  const m = new NegotiationMachine('expert-ada');
  assert.throws(() => m.handle({ type: 'peer-left', connection: 'c-2' }), /expected joined first/);
  assert.equal(m.state, States.IDLE);
  assert.throws(() => m.handle({ type: 'joined', self: LEARNER, peer: null }), /self presence is for learner-bo/);
  assert.equal(m.state, States.IDLE);
});

test('helpers: epoch order, ufrag, the transition table', () => {
  assert.deepEqual(epochOf('c-2', 'c-1'), ['c-1', 'c-2']);
  assert.throws(() => epochOf('c-1', 'c-1'));
  assert.equal(iceUfrag('v=0\r\na=ice-ufrag:Lx8t\r\na=ice-pwd:x\r\n'), 'Lx8t');
  assert.equal(iceUfrag('v=0\r\n'), null);
  assert.equal(canMoveTo(States.IDLE, States.CONNECTED), false);
  assert.equal(canMoveTo(States.CONNECTED, States.RECONNECTING), true);
});
