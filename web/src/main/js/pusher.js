// Duet's signalling over Pusher Channels (docs/protocol.md §11) for the browser, on the official
// pusher-js client: a drop-in for RelayClient under DuetCall, with the same listener. The page
// loads pusher-js (vendor/pusher-js-8.6.0/pusher.min.js in this WebJar, or its own copy) and
// passes its Pusher class; the app's backend signs each subscription (PusherChannelAuth).
//
//   const call = new DuetCall({ iceServers, listener,
//     signaling: (listener) => new PusherClient({ Pusher: window.Pusher, key, sessionId, listener,
//       pusherOptions: { cluster: 'eu' },
//       authorize: (socketId, channel) => fetch('/pusher/auth', { method: 'POST',
//         body: new URLSearchParams({ socket_id: socketId, channel_name: channel, ticket }) })
//         .then((r) => (r.ok ? r.json() : Promise.reject(Object.assign(new Error(`auth ${r.status}`), { status: r.status })))) }) });
//
// authorize(socketId, channel) returns a promise of the backend's answer {auth, channel_data}; a
// rejection with status 403 is a refusal for good (the call ends, saying why), any other is tried
// again with backoff. Listener: as RelayClient's (onJoined, onRejoined, onPeerJoined, onPeerLeft,
// onMessage, onDisconnected, onRefused, onClosed).

import { randomClientId, backoffDelay } from './relay.js';

export const PUSHER_DEFAULTS = Object.freeze({
  eventsPerSecond: 6, eventBurst: 4, maxPartsBytes: 8192, peerLeftGraceMs: 3000, resendAfterMs: 2000, ackDelayMs: 100,
  rateLimitPauseMs: 1000, hangUpFlushMs: 5000,
});

const HELLO = 'client-duet-hello';
const SIGNALS = 'client-duet-signals';
const LEAVE = 'client-duet-leave';
const CLIENT_ID = /^[A-Za-z0-9]{1,32}$/;

/** A member {participant, role, connection, arrivedAt} from a presence user_id and the user_info its backend signed. */
export function memberOf(userId, info) {
  if (typeof userId !== 'string' || !info || typeof info !== 'object') throw new TypeError('a member needs a user_id and a user_info object');
  if (info.role !== 'expert' && info.role !== 'learner') throw new TypeError(`user_info.role of ${userId} must be expert or learner`);
  if (typeof info.connection !== 'string' || !Number.isSafeInteger(info.arrived_at)) {
    throw new TypeError(`user_info of ${userId} needs connection and arrived_at (sign with PusherChannelAuth)`);
  }
  return { participant: userId, role: info.role, connection: info.connection, arrivedAt: new Date(info.arrived_at).toISOString() };
}

const sameMember = (a, b) => a != null && b != null && a.participant === b.participant && a.role === b.role
  && a.connection === b.connection && a.arrivedAt === b.arrivedAt;

/** UTF-8 bytes of UTF-16 code unit `c` in a JSON string's content (escapes counted; a surrogate is half of 4). */
function escapedBytes(c) {
  if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) return 2;
  if (c < 0x20) return 6;
  if (c < 0x80) return 1;
  if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)) return 2;
  return 3;
}

/** A message's text cut into parts that each fit one event, never inside a surrogate pair: [{text, bytes}]. */
function measuredParts(text, maxBytes) {
  const limit = maxBytes - 64;
  const parts = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const pair = text.charCodeAt(i) >= 0xd800 && text.charCodeAt(i) <= 0xdbff && i + 1 < text.length;
    const cost = escapedBytes(text.charCodeAt(i)) + (pair ? escapedBytes(text.charCodeAt(i + 1)) : 0);
    if (bytes + cost > limit && i > start) {
      parts.push({ text: text.slice(start, i), bytes });
      start = i;
      bytes = 0;
    }
    bytes += cost;
    if (pair) i++;
  }
  parts.push({ text: text.slice(start), bytes });
  return parts;
}

/** Cuts a message's text into parts that each fit one event, never inside a surrogate pair. */
export function cutIntoParts(text, maxBytes = PUSHER_DEFAULTS.maxPartsBytes) {
  return measuredParts(text, maxBytes).map((p) => p.text);
}

export class PusherClient {
  /**
   * @param {object} o
   * @param {Function} o.Pusher       pusher-js's Pusher class
   * @param {string} o.key            the Pusher app key
   * @param {string} o.sessionId      the session: its channel is presence-duet-<sessionId>
   * @param {Function} o.authorize    (socketId, channel) => Promise<{auth, channel_data}> from the app's backend
   * @param {object} [o.pusherOptions] more options for pusher-js (cluster, wsHost, wsPort, forceTLS...)
   * @param {object} [o.listener]     callbacks, as RelayClient's
   * @param {object} [o.timers]       {setTimeout, clearTimeout, now}
   */
  constructor({ Pusher, key, sessionId, authorize, pusherOptions = {}, listener = {}, timers, random = Math.random, settings = {} }) {
    if (typeof Pusher !== 'function') throw new TypeError('Pusher must be pusher-js\'s Pusher class (load pusher.min.js first)');
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(key)) throw new TypeError('key must be a Pusher app key');
    if (typeof sessionId !== 'string' || !/^[A-Za-z0-9._~-]{1,64}$/.test(sessionId)) throw new TypeError('sessionId must be a session id');
    if (typeof authorize !== 'function') throw new TypeError('authorize must be a function (socketId, channel) => Promise of the backend\'s answer');
    this.Pusher = Pusher;
    this.key = key;
    this.session = sessionId;
    this.channelName = `presence-duet-${sessionId}`;
    this.authorize = authorize;
    this.pusherOptions = pusherOptions;
    this.listener = listener;
    this.timers = timers || { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h), now: () => Date.now() };
    this.random = random;
    this.settings = { ...PUSHER_DEFAULTS, ...settings };
    this.clientId = randomClientId(random);
    this.state = 'new';
    this.subscribed = false;
    this.self = null;
    this.signedSelf = null;
    this.peer = null;
    this.streamClient = null; // the peer's client instance this side's numbering is for
    this.outbox = []; // {seq, msg, parts: [{text, bytes}], resolve, reject}
    this.nextSeq = 1;
    this.ackedUpTo = 0;
    this.cursor = { seq: 1, part: 0 };
    this.lastProgress = 0;
    this.delivered = new Map();
    this.lastSender = null;
    this.ackedToPeer = 0;
    this.partial = null;
    this.tokens = this.settings.eventBurst;
    this.tokensAt = this.timers.now();
    this.flushTimer = null;
    this.ackTimer = null;
    this.resendTimer = null;
    this.graceTimer = null;
    this.authAttempt = 0;
    this.peerHungUp = false;
    this.hangingUp = null;
    this.helloOwed = false;
    this.helloTimer = null;
  }

  join() {
    if (this.state !== 'new') throw new Error('join() is called once');
    this.state = 'connecting';
    const options = { disableStats: true, ...this.pusherOptions,
      channelAuthorization: { customHandler: (params, callback) => this.sign(params, callback) } };
    if (options.cluster === undefined) options.cluster = 'mt1'; // pusher-js requires one; wsHost overrides it
    this.pusher = new this.Pusher(this.key, options);
    this.pusher.connection.bind('state_change', (s) => this.connectionState(s.current));
    this.pusher.connection.bind('error', (e) => this.serverError(e));
    this.subscribe();
  }

  subscribe() {
    this.channel = this.pusher.subscribe(this.channelName);
    this.channel.bind('pusher:subscription_succeeded', (members) => this.subscriptionSucceeded(members));
    this.channel.bind('pusher:subscription_error', (status) => this.subscriptionError(status));
    this.channel.bind('pusher:member_added', (m) => this.memberAdded(m));
    this.channel.bind('pusher:member_removed', (m) => this.memberRemoved(m));
    for (const name of [HELLO, SIGNALS, LEAVE]) this.channel.bind(name, (data, meta) => this.fromPeer(name, data, meta));
  }

  sign({ socketId, channelName }, callback) {
    Promise.resolve().then(() => this.authorize(socketId, channelName)).then((body) => {
      const answer = typeof body === 'string' ? JSON.parse(body) : body;
      const data = JSON.parse(answer.channel_data);
      const me = memberOf(data.user_id, data.user_info);
      if (me.connection !== socketId) throw new TypeError(`the signed connection ${me.connection} is not this socket ${socketId}`);
      this.signedSelf = me;
      this.authAttempt = 0;
      callback(null, answer);
    }).catch((e) => {
      callback(e instanceof Error ? e : new Error(String(e)), null);
      if (e && e.status === 403) this.refuse(`the app's backend refused to sign the subscription to ${this.channelName}: ${e.message}`);
      else if (e instanceof TypeError || e instanceof SyntaxError) {
        this.refuse(`the app's backend answered the subscription request with something other than PusherChannelAuth's answer: ${e.message}`);
      }
      // else: pusher:subscription_error follows, and the subscription is tried again after a backoff
    });
  }

  subscriptionError(status) {
    if (this.state === 'closed') return;
    const delay = backoffDelay(this.authAttempt++, this.random);
    this.tell('onDisconnected', `the subscription was not signed (${status && (status.error || status.status)}); trying again in ${delay} ms`);
    this.timers.setTimeout(() => {
      if (this.state === 'closed') return;
      this.pusher.unsubscribe(this.channelName);
      this.subscribe();
    }, delay);
  }

  subscriptionSucceeded(members) {
    if (this.state === 'closed' || !this.signedSelf) return;
    this.self = this.signedSelf;
    let other = null;
    members.each((m) => {
      if (m.id !== this.self.participant) {
        try { other = memberOf(m.id, m.info); } catch (e) { /* not a Duet participant */ }
      }
    });
    this.subscribed = true;
    this.cancelGrace();
    const first = this.state === 'connecting';
    this.state = 'joined';
    this.peer = other;
    const joined = { session: this.session, self: this.self, peer: other };
    this.tell(first ? 'onJoined' : 'onRejoined', joined);
    this.rewind();
    if (!this.hangUpIfDrained()) this.hello();
  }

  connectionState(current) {
    if (this.state === 'closed' || current === 'connected' || current === 'connecting' || current === 'initialized') return;
    if (current === 'failed') { this.refuse('the browser cannot reach the Pusher server (pusher-js: failed)'); return; }
    // 'unavailable' or 'disconnected': pusher-js reconnects, resubscribes, and the backend signs the new socket
    this.subscribed = false;
    if (this.state === 'joined') {
      this.state = 'reconnecting';
      this.tell('onDisconnected', `connection ${current}`);
    }
  }

  serverError(e) {
    const data = (e && e.data) || (e && e.error && e.error.data) || {};
    const code = data.code;
    if (code === 4301) {
      this.rewind();
      this.clearTimer('flushTimer');
      this.flushTimer = this.timers.setTimeout(() => { this.flushTimer = null; this.flush(); }, this.settings.rateLimitPauseMs);
      return;
    }
    if (Number.isInteger(code) && code >= 4000 && code <= 4099) {
      this.refuse(`the Pusher server closed the connection with ${code} ${data.message || ''} (4000 to 4099: do not reconnect unchanged)`);
      return;
    }
    if (!this.subscribed && this.signedSelf && code == null && data.message) {
      this.refuse(`the Pusher server refused the subscription to ${this.channelName}: ${data.message}`);
    }
  }

  memberAdded(m) {
    if (!this.self || m.id === this.self.participant) return;
    let member;
    try { member = memberOf(m.id, m.info); } catch (e) { return; }
    this.peerArrived(member);
  }

  memberRemoved(m) {
    if (!this.peer || m.id !== this.peer.participant) return;
    const gone = this.peer;
    const leftAt = new Date(this.timers.now()).toISOString();
    this.cancelGrace();
    this.graceTimer = this.timers.setTimeout(() => {
      this.graceTimer = null;
      if (this.state !== 'closed' && sameMember(this.peer, gone)) {
        this.peer = null;
        this.tell('onPeerLeft', { participant: gone.participant, connection: gone.connection, leftAt, reason: 'connection-lost' });
      }
    }, this.settings.peerLeftGraceMs);
  }

  /** A member_removed waiting out its grace is answered (or cancelled). */
  cancelGrace() {
    this.clearTimer('graceTimer');
  }

  peerArrived(member) {
    this.cancelGrace();
    this.peerHungUp = false;
    if (sameMember(member, this.peer)) return;
    this.peer = member;
    this.tell('onPeerJoined', member);
    this.rewind();
    this.flush();
    if (!this.streamClient) this.scheduleHelloCheck();
  }

  fromPeer(name, data, meta) {
    const user = meta && meta.user_id;
    if (!this.self || !this.subscribed || typeof user !== 'string' || user === this.self.participant) return;
    if (!data || typeof data !== 'object' || !CLIENT_ID.test(data.client)) return;
    try {
      if (name === HELLO) this.helloFrom(user, data);
      else if (name === LEAVE) this.leaveFrom(user, data);
      else this.signalsFrom(user, data);
    } catch (e) {
      // a malformed event changes nothing
    }
  }

  helloFrom(user, data) {
    const member = memberOf(user, data.member);
    const newClient = this.streamClient != null && this.streamClient !== data.client;
    if (newClient) this.renumberFromOne();
    this.streamClient = data.client;
    this.peerArrived(member);
    if (data.sees !== this.self.connection || data.knows !== this.clientId) this.hello();
    this.flush();
  }

  leaveFrom(user, data) {
    if (!this.peer || this.peer.participant !== user || this.peer.connection !== data.connection) return;
    const gone = this.peer;
    this.peer = null;
    this.cancelGrace();
    this.peerHungUp = data.hang_up === true;
    this.tell('onPeerLeft', { participant: gone.participant, connection: gone.connection, leftAt: new Date(this.timers.now()).toISOString(),
      reason: this.peerHungUp ? 'hung-up' : 'left' });
    this.hangUpIfDrained();
  }

  signalsFrom(user, data) {
    const ack = data.ack;
    if (data.client === this.streamClient && ack && ack.client === this.clientId && Number.isSafeInteger(ack.seq)) this.acknowledged(ack.seq);
    if (!Array.isArray(data.msgs) || data.msgs.length === 0 || data.to !== this.clientId) return;
    let last = this.delivered.get(data.client) || 0;
    for (const part of data.msgs) {
      const { s, p, n, t } = part || {};
      if (!Number.isSafeInteger(s) || s < 1 || !Number.isInteger(n) || n < 1 || n > 64 || !Number.isInteger(p) || p < 0 || p >= n
        || typeof t !== 'string') return;
      if (s !== last + 1) continue;
      if (!this.partial || this.partial.client !== data.client || this.partial.seq !== s) this.partial = { client: data.client, seq: s, parts: [] };
      if (p !== this.partial.parts.length) continue;
      this.partial.parts.push(t);
      if (this.partial.parts.length < n) continue;
      const whole = this.partial.parts.join('');
      this.partial = null;
      last = s;
      this.delivered.set(data.client, last);
      let frame;
      try { frame = JSON.parse(whole); } catch (e) { continue; }
      if (frame && frame.v === 1 && frame.type === 'send' && frame.msg && typeof frame.msg.type === 'string') {
        this.tell('onMessage', { from: user, relayedAt: new Date(this.timers.now()).toISOString(), msg: frame.msg });
      }
    }
    this.lastSender = data.client;
    if (!this.ackTimer) {
      this.ackTimer = this.timers.setTimeout(() => { this.ackTimer = null; this.flush(); }, this.settings.ackDelayMs);
    }
  }

  // ------------------------------------------------------------------ sending

  send(msg) {
    if (this.state === 'new' || this.state === 'closed') return Promise.reject(new Error(`send needs a joined or joining client; it is ${this.state}`));
    return new Promise((resolve, reject) => {
      const seq = this.nextSeq++;
      if (this.outbox.length === 0) this.lastProgress = this.timers.now();
      this.outbox.push({ seq, msg, parts: this.partsOf(seq, msg), resolve, reject });
      this.flush();
    });
  }

  renumberFromOne() {
    let seq = 0;
    for (const p of this.outbox) {
      seq++;
      p.seq = seq;
      p.parts = this.partsOf(seq, p.msg);
    }
    this.nextSeq = seq + 1;
    this.ackedUpTo = 0;
    this.rewind();
  }

  /** Message `msg` as number `seq`: its §4 send frame, cut into measured parts. */
  partsOf(seq, msg) {
    return measuredParts(JSON.stringify({ v: 1, type: 'send', seq, msg }), this.settings.maxPartsBytes);
  }

  rewind() {
    this.cursor = { seq: this.ackedUpTo + 1, part: 0 };
  }

  acknowledged(seq) {
    if (seq <= this.ackedUpTo) return;
    this.ackedUpTo = Math.min(seq, this.nextSeq - 1);
    this.lastProgress = this.timers.now();
    while (this.outbox.length > 0 && this.outbox[0].seq <= this.ackedUpTo) this.outbox.shift().resolve();
    if (this.cursor.seq <= this.ackedUpTo) this.rewind();
    this.hangUpIfDrained();
  }

  take() {
    const now = this.timers.now();
    this.tokens = Math.min(this.settings.eventBurst, this.tokens + ((now - this.tokensAt) * this.settings.eventsPerSecond) / 1000);
    this.tokensAt = now;
    if (this.tokens >= 1) { this.tokens -= 1; return true; }
    return false;
  }

  flush() {
    while (this.state !== 'closed' && this.subscribed) {
      if (this.helloOwed) {
        if (!this.take()) {
          if (!this.flushTimer) this.flushTimer = this.timers.setTimeout(() => { this.flushTimer = null; this.flush(); }, 1000 / this.settings.eventsPerSecond);
          return;
        }
        this.sendHello();
        continue;
      }
      const ackOwed = this.lastSender != null && (this.delivered.get(this.lastSender) || 0) > this.ackedToPeer;
      const msgs = this.peer && this.streamClient ? this.collectParts() : [];
      if (msgs.length === 0 && !ackOwed) return;
      if (!this.take()) {
        if (!this.flushTimer) this.flushTimer = this.timers.setTimeout(() => { this.flushTimer = null; this.flush(); }, 1000 / this.settings.eventsPerSecond);
        return;
      }
      const data = { client: this.clientId };
      if (msgs.length > 0) { data.to = this.streamClient; data.msgs = msgs; }
      if (this.lastSender != null) {
        const upTo = this.delivered.get(this.lastSender) || 0;
        data.ack = { client: this.lastSender, seq: upTo };
        this.ackedToPeer = upTo;
      }
      if (!this.channel.trigger(SIGNALS, data)) return;
      if (msgs.length > 0) {
        const last = msgs[msgs.length - 1];
        this.cursor = last.p + 1 >= last.n ? { seq: last.s + 1, part: 0 } : { seq: last.s, part: last.p + 1 };
        this.scheduleResend();
      }
    }
  }

  collectParts() {
    const msgs = [];
    let bytes = 0;
    for (const p of this.outbox) {
      if (p.seq < this.cursor.seq) continue;
      for (let i = p.seq === this.cursor.seq ? this.cursor.part : 0; i < p.parts.length; i++) {
        const size = p.parts[i].bytes + 40;
        if (bytes + size > this.settings.maxPartsBytes && msgs.length > 0) return msgs;
        bytes += size;
        msgs.push({ s: p.seq, p: i, n: p.parts.length, t: p.parts[i].text });
      }
    }
    return msgs;
  }

  scheduleResend() {
    if (this.resendTimer) return;
    this.resendTimer = this.timers.setTimeout(() => {
      this.resendTimer = null;
      if (this.state === 'closed' || this.outbox.length === 0) return;
      if (this.timers.now() - this.lastProgress >= this.settings.resendAfterMs
        && (this.cursor.seq > this.ackedUpTo + 1 || this.cursor.part > 0)) {
        this.lastProgress = this.timers.now();
        this.rewind();
        this.flush();
      }
      if (this.outbox.length > 0) this.scheduleResend();
    }, this.settings.resendAfterMs);
  }

  /** Owes the peer a hello: it goes out first in the next flush, paced like every client event. */
  hello() {
    this.helloOwed = true;
    this.flush();
  }

  /** While the peer is present and its client id unknown (a hello was lost), says hello again every resendAfterMs. */
  scheduleHelloCheck() {
    if (this.helloTimer) return;
    this.helloTimer = this.timers.setTimeout(() => {
      this.helloTimer = null;
      if (this.state !== 'closed' && this.subscribed && this.peer && !this.streamClient) this.hello();
    }, this.settings.resendAfterMs);
  }

  /** Announces this side's current connection and client to the peer. */
  sendHello() {
    this.helloOwed = false;
    this.scheduleHelloCheck();
    this.channel.trigger(HELLO, { client: this.clientId,
      member: { role: this.self.role, connection: this.self.connection, arrived_at: Date.parse(this.self.arrivedAt) },
      sees: this.peer ? this.peer.connection : '', knows: this.streamClient || '' });
  }

  // ------------------------------------------------------------------ ending

  /** Ends the session for both: waits (at most hangUpFlushMs) for the peer to acknowledge what was sent, then leaves with hang_up. */
  hangUp(reason) {
    if (this.state === 'closed' || this.hangingUp) return;
    this.hangingUp = { reason };
    if (!this.hangUpIfDrained()) this.timers.setTimeout(() => this.finishHangUp(), this.settings.hangUpFlushMs);
  }

  hangUpIfDrained() {
    if (this.hangingUp && (this.outbox.length === 0 || this.peerHungUp) && this.subscribed) {
      this.finishHangUp();
      return true;
    }
    return false;
  }

  finishHangUp() {
    if (!this.hangingUp || this.state === 'closed') return;
    const { reason } = this.hangingUp;
    this.announceLeave(reason, true);
    this.close({ reason: `hung up: ${reason}`, local: true });
  }

  /** Leaves without ending the session (the peer is told 'left'). */
  leave(reason) {
    if (this.state === 'closed') return;
    if (this.hangingUp) { this.finishHangUp(); return; }
    this.announceLeave(reason, false);
    this.close({ reason: `left: ${reason}`, local: true });
  }

  announceLeave(reason, hangUp) {
    if (!this.subscribed || !this.self) return;
    this.take();
    this.channel.trigger(LEAVE, { client: this.clientId, connection: this.self.connection, reason: String(reason).slice(0, 200), hang_up: hangUp });
  }

  refuse(message) {
    if (this.state === 'closed') return;
    const first = this.state === 'connecting';
    if (first) this.tell('onRefused', { code: null, name: 'pusher-refused', message });
    this.close({ reason: message, local: false });
  }

  close(end) {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.subscribed = false;
    for (const t of ['flushTimer', 'ackTimer', 'resendTimer', 'graceTimer', 'helloTimer']) this.clearTimer(t);
    for (const p of this.outbox) p.reject(new Error('the client closed before the peer acknowledged the message'));
    this.outbox = [];
    if (this.pusher) {
      try { this.pusher.unsubscribe(this.channelName); this.pusher.disconnect(); } catch (e) { /* already gone */ }
    }
    this.tell('onClosed', { code: null, reason: end.reason, local: end.local });
  }

  clearTimer(name) {
    if (this[name]) { this.timers.clearTimeout(this[name]); this[name] = null; }
  }

  tell(method, ...args) {
    const f = this.listener[method];
    if (typeof f === 'function') {
      try { f.apply(this.listener, args); } catch (e) { /* the listener's failure must not stop the client */ }
    }
  }
}
