// The relay protocol of docs/protocol.md for the browser: join with a ticket, numbered sends kept
// until accepted and resent after a reconnect, each delivery processed once and acknowledged,
// the ping/pong heartbeat, reconnect with backoff and full jitter, and the close codes. No
// negotiation here (see negotiation.js) and no browser API but the WebSocket constructor it is given.
//
//   const relay = new RelayClient({ url, ticket, listener });
//   relay.join();                     // listener.onJoined({session, self, peer}) ...
//   relay.send({type: 'chat', text: 'hi'}).then(...);
//   relay.hangUp('lesson over');      // flushes what is unaccepted (at most 5 s), then leaves with hangUp
//
// Listener (every method optional): onJoined(joined), onRejoined(joined), onPeerJoined(member),
// onPeerLeft({participant, connection, leftAt, reason}), onMessage({from, relayedAt, msg}),
// onDisconnected(why), onRefused({code, name, message, opensAt}), onClosed({code, reason, local}),
// onSendRefused(msg, why).

export const CLOSE = Object.freeze({
  NORMAL: 1000, GOING_AWAY: 1001, INTERNAL_ERROR: 1011, IDLE_TIMEOUT: 4002, TOO_SLOW: 4003, BAD_JOIN: 4400,
  TICKET_INVALID: 4401, TICKET_WRONG_SESSION: 4403, JOIN_TIMEOUT: 4408, REPLACED: 4409, TICKET_EXPIRED: 4410,
  TICKET_IN_USE: 4423, TOO_EARLY: 4425, RATE_LIMITED: 4429, SESSION_CLOSED: 4499, NODE_FULL: 4503,
});

/** Close codes after which a client must not reconnect (docs/protocol.md §9.1). */
const FINAL = new Set([CLOSE.NORMAL, CLOSE.BAD_JOIN, CLOSE.TICKET_INVALID, CLOSE.TICKET_WRONG_SESSION, CLOSE.REPLACED,
  CLOSE.TICKET_EXPIRED, CLOSE.TOO_EARLY, CLOSE.SESSION_CLOSED]);

export const DEFAULTS = Object.freeze({
  pingIntervalMs: 3000, deadAfterMs: 8000, ackDelayMs: 100, backoffInitialMs: 500, backoffMaxMs: 30000,
  framesPerSecond: 40, hangUpFlushMs: 5000, peerResumeGraceMs: 15000,
});

const sameMember = (a, b) => a != null && b != null && a.participant === b.participant && a.role === b.role
  && a.connection === b.connection && Date.parse(a.arrivedAt) === Date.parse(b.arrivedAt);

/** A random client id: 16 characters of [A-Za-z0-9] (the protocol allows 8 to 64 id characters). */
export function randomClientId(random = Math.random) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 16; i++) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}

/** The delay before reconnect attempt `attempt` (from 0): full jitter under min(max, initial × 2^attempt). */
export function backoffDelay(attempt, random = Math.random, initialMs = DEFAULTS.backoffInitialMs, maxMs = DEFAULTS.backoffMaxMs) {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 0), 20));
  return Math.floor(random() * (ceiling + 1));
}

export class RelayClient {
  /**
   * @param {object} o
   * @param {string} o.url        wss://<relay>/v1/sessions/<sessionId>
   * @param {string} o.ticket     the participant's join ticket from the app's backend
   * @param {object} o.listener   callbacks (see above)
   * @param {Function} [o.WebSocket]  the WebSocket constructor (the browser's by default)
   * @param {object} [o.timers]   {setTimeout, clearTimeout, now} (the browser's by default)
   * @param {Function} [o.random] uniform [0,1) (Math.random by default)
   */
  constructor({ url, ticket, listener = {}, WebSocket: Socket = globalThis.WebSocket, timers, random = Math.random,
    settings = {} }) {
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) throw new TypeError('url must be a ws:// or wss:// address');
    if (typeof ticket !== 'string' || !ticket.startsWith('duet1.')) throw new TypeError('ticket must be a duet1. ticket');
    if (typeof Socket !== 'function') throw new TypeError('no WebSocket constructor: pass one as the WebSocket option');
    this.url = url;
    this.ticket = ticket;
    this.listener = listener;
    this.Socket = Socket;
    this.timers = timers || { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t), now: () => Date.now() };
    this.random = random;
    this.settings = { ...DEFAULTS, ...settings };
    this.clientId = randomClientId(random);
    this.state = 'new'; // new, connecting, joined, reconnecting, closed
    this.nextSeq = 1;
    this.outbox = []; // {seq, msg, resolve, reject}
    this.sentUpTo = 0;
    this.acceptedUpTo = 0;
    this.lastDelivered = 0;
    this.lastAcked = 0;
    this.attempt = 0;
    this.socket = null;
    this.socketJoined = false;
    this.refusal = null;
    this.pingId = 0;
    this.timersArmed = {};
    this.lastHeard = 0;
    this.hangingUp = null;
    this.incarnation = null; // the relay's incarnation of the session at the last joined (§7.1)
    this.self = null;
    this.peer = null;
    this.awaitingPeerResume = null;
  }

  /** Connects and joins; retried with backoff until joined, refused, or closed. */
  join() {
    if (this.state !== 'new') throw new Error(`join may be called once; the client is ${this.state}`);
    this.state = 'connecting';
    this.connect();
  }

  /** Sends a message (§6) to the peer; resolves when the relay accepted it, rejects when it refused it. */
  send(msg) {
    if (this.state === 'new' || this.state === 'closed') return Promise.reject(new Error(`cannot send: the client is ${this.state}`));
    return new Promise((resolve, reject) => {
      this.outbox.push({ seq: this.nextSeq++, msg, resolve, reject });
      this.flush();
    });
  }

  /** Leaves for good without ending the session (the peer may wait for this side). */
  leave(reason = 'left') {
    if (this.socket && this.socketJoined) this.write({ v: 1, type: 'leave', reason });
    this.terminate({ code: CLOSE.NORMAL, reason: `left: ${reason}`, local: true });
  }

  /** Ends the session for both: waits (bounded) until every send is accepted, then leaves with hangUp. */
  hangUp(reason = 'hung up') {
    if (this.state === 'closed') return Promise.resolve();
    if (this.hangingUp) return this.hangingUp.promise;
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    this.hangingUp = { reason, resolve, promise };
    if (!this.hangUpIfDrained()) {
      this.hangingUp.timer = this.timers.setTimeout(() => this.finishHangUp(), this.settings.hangUpFlushMs);
    }
    return promise;
  }

  /** Drops the connection without leaving. */
  close() {
    this.terminate({ code: CLOSE.NORMAL, reason: 'closed by this side', local: true });
  }

  // ------------------------------------------------------------------ connection

  connect() {
    const socket = new this.Socket(this.url);
    this.socket = socket;
    this.socketJoined = false;
    this.refusal = null;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.lastHeard = this.timers.now();
      const join = { v: 1, type: 'join', ticket: this.ticket, clientId: this.clientId, lastDelivered: this.lastDelivered };
      if (this.incarnation) {
        join.resume = { incarnation: this.incarnation, connection: this.self.connection, arrivedAt: this.self.arrivedAt };
      }
      this.write(join);
      this.armHeartbeat();
    };
    socket.onmessage = (e) => {
      if (socket !== this.socket) return;
      this.lastHeard = this.timers.now();
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch (err) {
        return; // not JSON: a relay bug; ignore it
      }
      this.receive(frame);
    };
    socket.onclose = (e) => {
      if (socket !== this.socket) return;
      this.lost(e.code, e.reason || '');
    };
    socket.onerror = () => { /* onclose follows */ };
  }

  write(frame) {
    this.socket.send(JSON.stringify(frame));
  }

  receive(f) {
    switch (f.type) {
      case 'joined': {
        this.attempt = 0;
        this.socketJoined = true;
        const forgotten = this.incarnation !== null && f.incarnation !== this.incarnation;
        this.incarnation = f.incarnation;
        if (forgotten) {
          // The relay restarted and forgot the session (§7.1): renumber what it has not accepted, count deliveries anew.
          let seq = f.lastAcceptedSeq;
          for (const p of this.outbox) p.seq = ++seq;
          this.nextSeq = seq + 1;
          this.acceptedUpTo = f.lastAcceptedSeq;
          this.lastDelivered = 0;
        }
        this.lastAcked = this.lastDelivered;
        this.accepted(f.lastAcceptedSeq);
        if (this.state === 'closed') return;
        this.sentUpTo = this.acceptedUpTo;
        const first = this.state === 'connecting';
        this.state = 'joined';
        this.flush();
        const selfBefore = this.self;
        const peerBefore = this.awaitingPeerResume || this.peer;
        this.self = f.self;
        this.peer = f.peer || null;
        this.awaitingPeerResume = null;
        this.disarm('peerResume');
        const joined = { session: f.session, self: f.self, peer: f.peer };
        if (first) {
          this.tell('onJoined', joined);
        } else if (forgotten && sameMember(f.self, selfBefore) && (f.peer ? sameMember(f.peer, peerBefore) : peerBefore)) {
          // Resumed as before: the epoch and the call go on. A peer not back yet gets a grace to resume.
          if (!f.peer) {
            this.awaitingPeerResume = peerBefore;
            this.arm('peerResume', this.settings.peerResumeGraceMs, () => {
              this.awaitingPeerResume = null;
              if (this.state === 'joined') this.tell('onRejoined', { session: f.session, self: this.self, peer: null });
            });
          }
        } else {
          this.tell('onRejoined', joined);
        }
        break;
      }
      case 'deliver':
        if (f.dseq > this.lastDelivered) {
          this.lastDelivered = f.dseq;
          this.tell('onMessage', { from: f.from, relayedAt: f.relayedAt, msg: f.msg });
        }
        this.scheduleAck();
        break;
      case 'accepted': this.accepted(f.seq); break;
      case 'peer-joined': {
        const resumed = sameMember(f.peer, this.awaitingPeerResume) || sameMember(f.peer, this.peer);
        this.awaitingPeerResume = null;
        this.disarm('peerResume');
        this.peer = f.peer;
        // newClient: another client instance of the peer (a reload, another device, or a copy of its ticket).
        if (!resumed) this.tell('onPeerJoined', f.peer, { newClient: f.newClient === true });
        // else: the peer resumed after a relay restart; nothing changed
        break;
      }
      case 'peer-left':
        if (this.peer && this.peer.connection === f.connection) this.peer = null;
        this.tell('onPeerLeft', { participant: f.participant, connection: f.connection, leftAt: f.leftAt, reason: f.reason });
        break;
      case 'pong': break;
      case 'refused': this.refusal = f; this.tell('onRefused', { code: f.code, name: f.name, message: f.message, opensAt: f.opensAt });
        break;
      case 'error': this.onError(f); break;
      default: break; // a later minor version may add frame types
    }
  }

  onError(f) {
    if (f.seq == null) return;
    if (f.code === 'rate-limited' || f.code === 'out-of-order') {
      // Go back: after a pause, resend everything after what the relay has accepted.
      this.sentUpTo = this.acceptedUpTo;
      this.arm('flush', 1000, () => this.flush());
      return;
    }
    const i = this.outbox.findIndex((p) => p.seq === f.seq);
    if (i < 0) return;
    const [refused] = this.outbox.splice(i, 1);
    // A refused send leaves its seq open: the sends after it move down by one (§4).
    for (const p of this.outbox) if (p.seq > refused.seq) p.seq -= 1;
    this.nextSeq -= 1;
    this.sentUpTo = Math.min(this.sentUpTo, refused.seq - 1);
    refused.reject(new Error(`the relay refused the message: ${f.code}: ${f.message}`));
    this.tell('onSendRefused', refused.msg, `${f.code}: ${f.message}`);
    this.flush();
  }

  accepted(seq) {
    this.acceptedUpTo = Math.max(this.acceptedUpTo, seq);
    while (this.outbox.length > 0 && this.outbox[0].seq <= this.acceptedUpTo) this.outbox.shift().resolve();
    this.hangUpIfDrained();
  }

  flush() {
    if (!this.socket || !this.socketJoined) return;
    for (const p of this.outbox) {
      if (p.seq <= this.sentUpTo) continue;
      this.write({ v: 1, type: 'send', seq: p.seq, msg: p.msg });
      this.sentUpTo = p.seq;
    }
  }

  scheduleAck() {
    if (this.timersArmed.ack) return;
    this.arm('ack', this.settings.ackDelayMs, () => {
      if (this.socket && this.socketJoined && this.lastDelivered > this.lastAcked) {
        this.write({ v: 1, type: 'ack', dseq: this.lastDelivered });
        this.lastAcked = this.lastDelivered;
      }
    });
  }

  armHeartbeat() {
    this.arm('ping', this.settings.pingIntervalMs, () => {
      if (!this.socket || this.state === 'closed') return;
      if (this.timers.now() - this.lastHeard >= this.settings.deadAfterMs) {
        const dead = this.socket;
        this.lost(CLOSE.IDLE_TIMEOUT, `nothing from the relay for ${this.settings.deadAfterMs} ms`);
        try { dead.close(); } catch (e) { /* already gone */ }
        return;
      }
      this.write({ v: 1, type: 'ping', id: ++this.pingId });
      this.armHeartbeat();
    });
  }

  lost(code, reason) {
    if (this.state === 'closed') return;
    this.socket = null;
    this.socketJoined = false;
    this.disarm('ping');
    const refusal = this.refusal;
    this.refusal = null;
    if (FINAL.has(code)) {
      this.terminate({ code, reason: refusal && refusal.code === code ? refusal.message : reason, local: false,
        opensAt: refusal && refusal.code === code ? refusal.opensAt : undefined });
      return;
    }
    const why = `${code}${reason ? ' ' + reason : ''}`;
    if (this.state === 'joined') {
      this.state = 'reconnecting';
      this.tell('onDisconnected', `connection lost (${why})`);
    } else if (this.state === 'connecting') {
      this.tell('onDisconnected', `relay not reachable yet (attempt ${this.attempt + 1}: ${why})`);
    }
    const delay = backoffDelay(this.attempt++, this.random, this.settings.backoffInitialMs, this.settings.backoffMaxMs);
    this.arm('reconnect', delay, () => { if (this.state !== 'closed') this.connect(); });
  }

  hangUpIfDrained() {
    if (this.hangingUp && this.outbox.length === 0 && this.socket && this.socketJoined) {
      this.finishHangUp();
      return true;
    }
    return false;
  }

  finishHangUp() {
    const h = this.hangingUp;
    if (!h || this.state === 'closed') return;
    if (h.timer) this.timers.clearTimeout(h.timer);
    if (this.socket && this.socketJoined) this.write({ v: 1, type: 'leave', reason: h.reason, hangUp: true });
    this.terminate({ code: CLOSE.NORMAL, reason: `hung up: ${h.reason}`, local: true });
    h.resolve();
  }

  terminate(end) {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const name of Object.keys(this.timersArmed)) this.disarm(name);
    if (this.socket) {
      try { this.socket.close(CLOSE.NORMAL, end.local ? 'closed' : 'relay closed'); } catch (e) { /* already gone */ }
      this.socket = null;
    }
    for (const p of this.outbox) p.reject(new Error('the client closed before the relay accepted the message'));
    this.outbox = [];
    this.tell('onClosed', end);
  }

  arm(name, ms, run) {
    this.disarm(name);
    this.timersArmed[name] = this.timers.setTimeout(() => { delete this.timersArmed[name]; run(); }, ms);
  }

  disarm(name) {
    if (this.timersArmed[name] !== undefined) {
      this.timers.clearTimeout(this.timersArmed[name]);
      delete this.timersArmed[name];
    }
  }

  tell(method, ...args) {
    const f = this.listener[method];
    if (typeof f === 'function') {
      try { f.apply(this.listener, args); } catch (e) { /* a listener's failure must not stop the client */ }
    }
  }
}
