// One-way media detection in the browser client, as the Java peer's OneWayMediaDetector does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OneWayMediaDetector, mediaStreams } from '../../main/js/call.js';

const streams = (audioIn, audioOut, videoIn = true, videoOut = true) => [
  { direction: 'inbound', kind: 'audio', flowing: audioIn }, { direction: 'outbound', kind: 'audio', flowing: audioOut },
  { direction: 'inbound', kind: 'video', flowing: videoIn }, { direction: 'outbound', kind: 'video', flowing: videoOut },
];

test('one-way audio is reported once past the threshold, and once when it ends', () => {
  const d = new OneWayMediaDetector(10000);
  assert.deepEqual(d.observe(streams(false, true), 0), []);
  assert.deepEqual(d.observe(streams(false, true), 9000), []);
  assert.deepEqual(d.observe(streams(false, true), 10000), [{ kind: 'audio', flowing: 'outbound', since: 0, ended: false }]);
  assert.deepEqual(d.observe(streams(false, true), 13000), [], 'reported once per episode');
  assert.deepEqual(d.observe(streams(true, true), 16000), [{ kind: 'audio', flowing: 'outbound', since: 0, ended: true }]);
});

test('a short gap or media in both directions is not one-way', () => {
  const d = new OneWayMediaDetector(10000);
  assert.deepEqual(d.observe(streams(false, true), 0), []);
  assert.deepEqual(d.observe(streams(true, true), 3000), []);
  assert.deepEqual(d.observe(streams(false, false), 6000), []);
  assert.deepEqual(d.observe(streams(true, false), 9000), []);
  assert.deepEqual(d.observe(streams(true, false), 19000), [{ kind: 'audio', flowing: 'inbound', since: 9000, ended: false }]);
});

test('media report streams use the Java peer definition of flowing', () => {
  const before = new Map([
    ['in-v', { id: 'in-v', type: 'inbound-rtp', kind: 'video', packetsReceived: 100, bytesReceived: 10000, framesDecoded: 30 }],
    ['in-a', { id: 'in-a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 50, bytesReceived: 5000 }],
    ['out-a', { id: 'out-a', type: 'outbound-rtp', kind: 'audio', packetsSent: 50, bytesSent: 5000 }],
  ]);
  const now = new Map([
    ['in-v', { id: 'in-v', type: 'inbound-rtp', kind: 'video', packetsReceived: 200, bytesReceived: 20000, framesDecoded: 30 }],
    ['in-a', { id: 'in-a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 150, bytesReceived: 9000, packetsLost: 0 }],
    ['out-a', { id: 'out-a', type: 'outbound-rtp', kind: 'audio', packetsSent: 50, bytesSent: 5000 }],
  ]);
  const byKey = Object.fromEntries(mediaStreams(before, now, 1).map((s) => [`${s.direction}/${s.kind}`, s]));
  assert.equal(byKey['inbound/video'].flowing, false, 'packets without decoded frames are not video flowing');
  assert.equal(byKey['inbound/audio'].flowing, true);
  assert.equal(byKey['inbound/audio'].bitrateKbps, 32);
  assert.equal(byKey['outbound/audio'].flowing, false);
});
