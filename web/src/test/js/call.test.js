// Unit tests of call.js's page-facing state (node --test): fake camera, fake relay socket,
// virtual time. The peer connection itself is exercised by the browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuetCall } from '../../main/js/call.js';

const SELF = { participant: 'learner-bo', role: 'learner', connection: 'c-2', arrivedAt: '2026-11-24T10:01:00.123Z' };
const PEER = { participant: 'expert-ada', role: 'expert', connection: 'c-1', arrivedAt: '2026-11-24T10:00:00.001Z' };

function setUp({ refuseMedia = false } = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) { this.url = url; this.sent = []; sockets.push(this); }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code, reason) { this.closed = { code, reason }; }
    relay(frame) { this.onmessage({ data: JSON.stringify({ v: 1, ...frame }) }); }
  }
  const tasks = [];
  const timers = { setTimeout: (f, ms) => tasks.push({ f, ms }) && tasks.length, clearTimeout: () => {}, now: () => 0 };
  const tracks = [{ kind: 'audio', enabled: true, stopped: false, stop() { this.stopped = true; } },
    { kind: 'video', enabled: true, stopped: false, stop() { this.stopped = true; } }];
  const statuses = [];
  const errors = [];
  const call = new DuetCall({
    url: 'ws://127.0.0.1:8080/v1/sessions/s-42', ticket: 'duet1.p.s', WebSocket: FakeSocket, timers,
    getUserMedia: async () => {
      if (refuseMedia) { const e = new Error('Permission denied'); e.name = 'NotAllowedError'; throw e; }
      return { getTracks: () => tracks };
    },
    RTCPeerConnection: class { constructor() { throw new Error('no peer connection in this test'); } },
    listener: { onStatus: (s) => statuses.push(s), onError: (e) => errors.push(e) },
  });
  return { call, sockets, tracks, statuses, errors };
}

test('the status walks from idle through joining to waiting for the peer, and ends on hang-up', async () => {
  const { call, sockets, tracks, statuses } = setUp();
  assert.equal(call.status.phase, 'idle');
  await call.start();
  assert.deepEqual(statuses.map((s) => s.phase), ['starting', 'joining']);
  assert.equal(call.status.relay, 'connecting');
  sockets[0].onopen();
  sockets[0].relay({ type: 'joined', session: 's-42', self: SELF, peer: null, lastAcceptedSeq: 0 });
  assert.equal(call.status.phase, 'waiting-for-peer');
  assert.equal(call.status.relay, 'online');
  assert.equal(call.status.peer, null);

  call.setAudioMuted(true);
  assert.equal(tracks[0].enabled, false, 'the microphone track is disabled');
  assert.equal(tracks[1].enabled, true, 'the camera is untouched');
  assert.equal(call.status.audioMuted, true);
  call.setVideoMuted(true);
  call.setAudioMuted(false);
  assert.deepEqual([tracks[0].enabled, tracks[1].enabled], [true, false]);
  assert.deepEqual([call.status.audioMuted, call.status.videoMuted], [false, true]);

  call.hangUp('changed my mind');
  assert.equal(call.status.phase, 'ended');
  assert.equal(call.status.error, null);
  assert.ok(tracks.every((t) => t.stopped), 'the camera and microphone are released');
  const leave = sockets[0].sent.find((f) => f.type === 'leave');
  assert.equal(leave.hangUp, true, 'hanging up while alone ends the session: leave with hangUp');
  const phases = statuses.map((s) => s.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
  assert.deepEqual(phases, ['starting', 'joining', 'waiting-for-peer', 'ended']);
});

test('a peer already there makes the phase connecting and names the peer', async () => {
  const { call, sockets } = setUp();
  await call.start();
  sockets[0].onopen();
  try {
    sockets[0].relay({ type: 'joined', session: 's-42', self: SELF, peer: PEER, lastAcceptedSeq: 0 });
  } catch (e) {
    // the fake peer connection refuses to be built; the status was set before
  }
  assert.equal(call.status.peer.participant, 'expert-ada');
  assert.equal(call.status.peer.connection, 'c-1');
});

test('a refused camera ends the call with a media error in the status', async () => {
  const { call, statuses, errors, sockets } = setUp({ refuseMedia: true });
  await assert.rejects(call.start(), /camera or microphone was refused/);
  assert.equal(call.status.phase, 'ended');
  assert.equal(call.status.error.kind, 'media');
  assert.equal(errors.length, 1);
  assert.equal(sockets.length, 0, 'no join without media');
  assert.equal(statuses.at(-1).phase, 'ended');
});

test('a join refused as too early ends with the code and the opening time', async () => {
  const { call, sockets } = setUp();
  await call.start();
  sockets[0].onopen();
  sockets[0].relay({ type: 'refused', code: 4425, name: 'too-early', message: 'the room opens at 09:50', opensAt: '2026-11-24T09:50:00Z' });
  sockets[0].onclose({ code: 4425, reason: 'too-early' });
  assert.equal(call.status.phase, 'ended');
  assert.equal(call.status.relay, 'closed');
  assert.equal(call.status.error.code, 4425);
  assert.equal(call.status.error.opensAt, '2026-11-24T09:50:00Z');
});

test('a lost relay connection shows as reconnecting, and online again once rejoined', async () => {
  const { call, sockets } = setUp();
  await call.start();
  sockets[0].onopen();
  sockets[0].relay({ type: 'joined', session: 's-42', self: SELF, peer: null, lastAcceptedSeq: 0 });
  sockets[0].onclose({ code: 1006, reason: '' });
  assert.equal(call.status.relay, 'reconnecting');
  assert.equal(call.status.phase, 'waiting-for-peer', 'the call itself goes on');
});

test('start() twice is refused', async () => {
  const { call } = setUp();
  await call.start();
  await assert.rejects(call.start(), /started once/);
});
