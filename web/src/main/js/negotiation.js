// Duet's negotiation rules for the browser: a pure state machine, a line-by-line port of the Java
// peer's dev.duet.core.negotiation.NegotiationMachine, following docs/protocol.md §10.
// Events in, commands out: it touches no RTCPeerConnection, no WebSocket and no clock. Timers are
// commands ({type:'start-timer', key, delayMs} / {type:'cancel-timer', key}) that the adapter runs
// and answers with {type:'timer-fired', key}.
//
// Events:
//   {type:'joined', self: Presence, peer: Presence|null}      Presence = {participant, connection, arrivedAt}
//   {type:'rejoined', self, peer}                              (this side joined again on a new connection)
//   {type:'peer-joined', peer}   {type:'peer-left', connection}
//   {type:'tracks-attached', epoch}
//   {type:'negotiation-needed', epoch}   {type:'ice-restart-needed', epoch}
//   {type:'local-description-ready', epoch, sdpType:'offer'|'answer', sdp}
//   {type:'remote-description-applied', epoch, sdpType}
//   {type:'operation-failed', epoch, operation, reason}
//   {type:'local-candidate', epoch, ufrag, candidate}          candidate = {candidate, sdpMid, sdpMLineIndex}
//   {type:'ice-state', epoch, state:'new'|'checking'|'connected'|'completed'|'disconnected'|'failed'|'closed'}
//   {type:'timer-fired', key}
//   {type:'signal', signal}   signal = a negotiation message of §6 (ready, offer, answer, candidates, bye)
//   {type:'hang-up', reason}   {type:'peer-hung-up', reason}   {type:'session-closed', reason}   {type:'window-closed'}
// Commands:
//   {type:'create-peer-connection', epoch, polite}   {type:'close-peer-connection', epoch}
//   {type:'create-offer', epoch, iceRestart}   {type:'create-answer', epoch}
//   {type:'apply-remote-description', epoch, sdpType, sdp, rollbackFirst}
//   {type:'add-remote-candidates', epoch, candidates}
//   {type:'send', signal}   {type:'start-timer', key, delayMs}   {type:'cancel-timer', key}
//   {type:'state-changed', from, to, why}

export const States = Object.freeze({
  IDLE: 'idle', WAITING_FOR_PEER: 'waiting-for-peer', PREPARING: 'preparing', NEGOTIATING: 'negotiating',
  CONNECTING: 'connecting', CONNECTED: 'connected', RECONNECTING: 'reconnecting', CLOSED: 'closed',
});

const S = States;
const LEGAL = {
  [S.IDLE]: [S.WAITING_FOR_PEER, S.PREPARING, S.CLOSED],
  [S.WAITING_FOR_PEER]: [S.PREPARING, S.CLOSED],
  [S.PREPARING]: [S.NEGOTIATING, S.WAITING_FOR_PEER, S.CLOSED],
  [S.NEGOTIATING]: [S.CONNECTING, S.CONNECTED, S.RECONNECTING, S.WAITING_FOR_PEER, S.PREPARING, S.CLOSED],
  [S.CONNECTING]: [S.CONNECTED, S.RECONNECTING, S.WAITING_FOR_PEER, S.PREPARING, S.CLOSED],
  [S.CONNECTED]: [S.RECONNECTING, S.WAITING_FOR_PEER, S.PREPARING, S.CLOSED],
  [S.RECONNECTING]: [S.CONNECTED, S.WAITING_FOR_PEER, S.PREPARING, S.CLOSED],
  [S.CLOSED]: [],
};

/** May a machine move from state `from` to `to`? (The one table of legal transitions.) */
export function canMoveTo(from, to) {
  return LEGAL[from].includes(to);
}

export const Timers = Object.freeze({
  READY_WAIT: 'ready-wait', ANSWER_WAIT: 'answer-wait', ICE_CONNECT: 'ice-connect', ICE_DISCONNECTED: 'ice-disconnected',
});

/** Timer lengths (ms) and limits; the same defaults as the Java peer. */
export const DEFAULT_SETTINGS = Object.freeze({
  readyResendMs: 5000, answerTimeoutMs: 10000, iceConnectTimeoutMs: 15000, iceDisconnectedGraceMs: 4000,
  maxBufferedCandidates: 128,
});

/** At most this many candidates per `candidates` message. */
export const MAX_CANDIDATES_PER_BATCH = 32;

/** An event the state does not allow, or one that breaks a rule; the machine did not change. */
export class IllegalNegotiationEvent extends Error {
  constructor(state, event, why) {
    super(`event ${event.type} not allowed in state ${state}: ${why}`);
    this.name = 'IllegalNegotiationEvent';
    this.state = state;
    this.event = event;
  }
}

/** The epoch of two connection ids: both, in ascending string order (as `["c-1","c-2"]` on the wire). */
export function epochOf(a, b) {
  if (a === b) throw new Error(`an epoch joins two different connections, but both are ${a}`);
  return a < b ? [a, b] : [b, a];
}

function sameEpoch(x, y) {
  return x != null && y != null && x[0] === y[0] && x[1] === y[1];
}

/** Is presence `a` the later arrival (the initiator)? Later relay stamp wins; equal stamps: the greater participant id. */
export function arrivedAfter(a, b) {
  const ta = Date.parse(a.arrivedAt);
  const tb = Date.parse(b.arrivedAt);
  if (ta !== tb) return ta > tb;
  return a.participant > b.participant;
}

/** The first `a=ice-ufrag:` value of an SDP, or null. */
export function iceUfrag(sdp) {
  const prefix = 'a=ice-ufrag:';
  const at = sdp.startsWith(prefix) ? 0 : sdp.indexOf('\n' + prefix);
  if (at < 0) return null;
  const from = at === 0 ? prefix.length : at + 1 + prefix.length;
  let end = from;
  while (end < sdp.length && sdp[end] !== '\r' && sdp[end] !== '\n') end++;
  const ufrag = sdp.substring(from, end).trim();
  return ufrag.length === 0 || ufrag.length > 256 ? null : ufrag;
}

const Op = Object.freeze({
  NONE: 'none', CREATING_OFFER: 'creating-offer', APPLYING_REMOTE_OFFER: 'applying-remote-offer',
  CREATING_ANSWER: 'creating-answer', APPLYING_REMOTE_ANSWER: 'applying-remote-answer',
});
const Sig = Object.freeze({ STABLE: 'stable', HAVE_LOCAL_OFFER: 'have-local-offer', HAVE_REMOTE_OFFER: 'have-remote-offer' });

function newRound(epoch, initiator) {
  return {
    epoch, initiator, tracksAttached: false, peerReady: false, firstOfferMade: false, exchangeDone: false,
    negotiationPending: false, restartPending: false, iceConnected: false, signaling: Sig.STABLE, op: Op.NONE,
    opOfferId: 0, opRemoteUfrag: null, offerSeq: 0, localOffer: null, lastRemoteOfferId: 0, lastAnswer: null,
    pendingRemoteOffer: null, remoteUfrag: null, staleRemoteUfrags: new Set(), sentLocalUfrags: new Set(),
    bufferedRemote: [], unsentLocalCandidates: new Map(),
  };
}

/** One participant's side of a session's negotiation. Not shared between sessions; call from one place at a time. */
export class NegotiationMachine {
  constructor(self, settings = DEFAULT_SETTINGS) {
    if (typeof self !== 'string' || self.length === 0) throw new TypeError('self must be the participant id');
    this.self = self;
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.state = S.IDLE;
    this.selfPresence = null;
    this.peerPresence = null;
    this.round = null;
    this.armed = new Map(); // timer kind -> generation
    this.timerGeneration = 0;
    this.stats = { stale: 0, duplicates: 0, ignoredOffers: 0, rollbacks: 0, staleCandidates: 0, overflowCandidates: 0,
      malformed: 0, resent: 0, iceRestarts: 0 };
  }

  /** The current epoch while both sides are present, else null. */
  get epoch() {
    return this.round ? this.round.epoch : null;
  }

  /** Whether this side offers in the current epoch; null without one. */
  get initiator() {
    return this.round ? this.round.initiator : null;
  }

  /** Takes one event, returns the commands to carry out in order; throws IllegalNegotiationEvent and changes nothing. */
  handle(event) {
    if (!this.allows(event)) {
      throw new IllegalNegotiationEvent(this.state, event, this.state === S.CLOSED
        ? 'the session is closed and takes no more events'
        : this.state === S.IDLE ? 'expected joined first (or hang-up, session-closed, window-closed)'
          : 'already joined; a new connection of this side is reported as rejoined');
    }
    const out = [];
    switch (event.type) {
      case 'joined': this.onJoined(event, out); break;
      case 'rejoined': this.onRejoined(event, out); break;
      case 'peer-joined': this.onPeerJoined(event, out); break;
      case 'peer-left': this.onPeerLeft(event, out); break;
      case 'tracks-attached': this.onTracksAttached(event, out); break;
      case 'negotiation-needed':
        if (!this.droppedAsStale(event.epoch)) { this.round.negotiationPending = true; this.proceed(out); }
        break;
      case 'ice-restart-needed':
        if (!this.droppedAsStale(event.epoch)) { this.round.restartPending = true; this.proceed(out); }
        break;
      case 'local-description-ready': this.onLocalDescriptionReady(event, out); break;
      case 'remote-description-applied': this.onRemoteDescriptionApplied(event, out); break;
      case 'operation-failed':
        if (!this.droppedAsStale(event.epoch)) this.close(`peer connection operation ${event.operation} failed: ${event.reason}`, out);
        break;
      case 'local-candidate': this.onLocalCandidate(event, out); break;
      case 'ice-state': this.onIceState(event, out); break;
      case 'timer-fired': this.onTimerFired(event.key, out); break;
      case 'signal': this.onSignal(event.signal, out); break;
      case 'hang-up':
        if (this.round) out.push({ type: 'send', signal: { type: 'bye', epoch: this.round.epoch, reason: event.reason } });
        this.close(`hung up: ${event.reason}`, out);
        break;
      case 'peer-hung-up': this.close(`peer hung up${event.reason ? ': ' + event.reason : ''}`, out); break;
      case 'session-closed': this.close(`relay closed the session: ${event.reason}`, out); break;
      case 'window-closed': this.close('the join window closed', out); break;
      default: throw new IllegalNegotiationEvent(this.state, event, 'unknown event type');
    }
    return out;
  }

  allows(event) {
    if (this.state === S.IDLE) return ['joined', 'hang-up', 'session-closed', 'window-closed'].includes(event.type);
    if (this.state === S.CLOSED) return false;
    return event.type !== 'joined';
  }

  // ------------------------------------------------------------------ presence

  onJoined(e, out) {
    this.checkPresences(e, e.self, e.peer);
    this.selfPresence = e.self;
    this.enterPresence(e.peer, 'joined', out);
  }

  onRejoined(e, out) {
    this.checkPresences(e, e.self, e.peer);
    this.endRound(out);
    this.selfPresence = e.self;
    this.enterPresence(e.peer, 'rejoined on a new connection', out);
  }

  checkPresences(e, self, peer) {
    if (self.participant !== this.self) {
      throw new IllegalNegotiationEvent(this.state, e, `self presence is for ${self.participant}, but this machine is ${this.self}`);
    }
    if (peer) this.checkPeer(e, peer, self);
  }

  checkPeer(e, peer, self) {
    if (peer.participant === this.self) {
      throw new IllegalNegotiationEvent(this.state, e, `peer presence is this machine's own participant ${this.self}`);
    }
    if (self && peer.connection === self.connection) {
      throw new IllegalNegotiationEvent(this.state, e, `peer and self share connection ${peer.connection}`);
    }
  }

  enterPresence(peer, why, out) {
    if (peer) {
      this.peerPresence = peer;
      this.startRound(`${why}, peer ${peer.participant} present`, out);
    } else {
      this.peerPresence = null;
      this.moveTo(S.WAITING_FOR_PEER, `${why}, peer not present`, out);
    }
  }

  onPeerJoined(e, out) {
    const peer = e.peer;
    this.checkPeer(e, peer, this.selfPresence);
    if (this.peerPresence && this.peerPresence.participant !== peer.participant) {
      throw new IllegalNegotiationEvent(this.state, e, `peer ${peer.participant} joined while peer `
        + `${this.peerPresence.participant} is present; a session has two participants`);
    }
    if (this.peerPresence && this.peerPresence.connection === peer.connection
        && this.peerPresence.arrivedAt === peer.arrivedAt) {
      this.stats.duplicates++;
      return;
    }
    const replaced = this.peerPresence != null;
    this.endRound(out);
    this.peerPresence = peer;
    this.startRound(replaced ? `peer ${peer.participant} rejoined on a new connection` : `peer ${peer.participant} joined`, out);
  }

  onPeerLeft(e, out) {
    if (!this.peerPresence || this.peerPresence.connection !== e.connection) {
      this.stats.stale++;
      return;
    }
    const who = this.peerPresence.participant;
    this.endRound(out);
    this.peerPresence = null;
    this.moveTo(S.WAITING_FOR_PEER, `peer ${who} left`, out);
  }

  startRound(why, out) {
    const initiator = arrivedAfter(this.selfPresence, this.peerPresence);
    this.round = newRound(epochOf(this.selfPresence.connection, this.peerPresence.connection), initiator);
    out.push({ type: 'create-peer-connection', epoch: this.round.epoch, polite: !initiator });
    this.moveTo(S.PREPARING, `${why}; epoch ${this.round.epoch.join('+')}, `
      + (initiator ? 'this side arrived later and offers' : 'the peer arrived later and offers'), out);
  }

  endRound(out) {
    if (this.round) {
      out.push({ type: 'close-peer-connection', epoch: this.round.epoch });
      this.round = null;
    }
    for (const kind of Object.values(Timers)) this.disarm(kind, out);
  }

  close(why, out) {
    this.endRound(out);
    this.moveTo(S.CLOSED, why, out);
  }

  // ------------------------------------------------------------------ local side

  onTracksAttached(e, out) {
    if (this.droppedAsStale(e.epoch)) return;
    const r = this.round;
    if (r.tracksAttached) throw new IllegalNegotiationEvent(this.state, e, `tracks of epoch ${e.epoch} were already attached`);
    r.tracksAttached = true;
    out.push({ type: 'send', signal: { type: 'ready', epoch: r.epoch } });
    if (!r.peerReady) this.arm(Timers.READY_WAIT, this.settings.readyResendMs, out);
    this.proceed(out);
  }

  onLocalDescriptionReady(e, out) {
    if (this.droppedAsStale(e.epoch)) return;
    const r = this.round;
    const expected = e.sdpType === 'offer' ? Op.CREATING_OFFER : Op.CREATING_ANSWER;
    if (r.op !== expected) {
      throw new IllegalNegotiationEvent(this.state, e, `a local ${e.sdpType} was reported, but ${r.op} is outstanding`);
    }
    const ufrag = iceUfrag(e.sdp);
    if (ufrag == null) throw new IllegalNegotiationEvent(this.state, e, 'the local description has no a=ice-ufrag line');
    r.op = Op.NONE;
    if (e.sdpType === 'answer') {
      r.signaling = Sig.STABLE;
      r.lastAnswer = { type: 'answer', epoch: r.epoch, offerId: r.opOfferId, sdp: e.sdp };
      out.push({ type: 'send', signal: r.lastAnswer });
      this.markDescriptionSent(ufrag, out);
      this.exchangeDone('answer sent', out);
      this.proceed(out);
      return;
    }
    r.signaling = Sig.HAVE_LOCAL_OFFER;
    if (r.pendingRemoteOffer) {
      // Only the polite side keeps a remote offer while making its own: glare, and it yields.
      this.applyRemoteOffer(r.pendingRemoteOffer, true, out);
      return;
    }
    r.localOffer = { type: 'offer', epoch: r.epoch, offerId: r.opOfferId, sdp: e.sdp };
    out.push({ type: 'send', signal: r.localOffer });
    this.markDescriptionSent(ufrag, out);
    this.arm(Timers.ANSWER_WAIT, this.settings.answerTimeoutMs, out);
  }

  onRemoteDescriptionApplied(e, out) {
    if (this.droppedAsStale(e.epoch)) return;
    const r = this.round;
    const expected = e.sdpType === 'offer' ? Op.APPLYING_REMOTE_OFFER : Op.APPLYING_REMOTE_ANSWER;
    if (r.op !== expected) {
      throw new IllegalNegotiationEvent(this.state, e, `a remote ${e.sdpType} was reported applied, but ${r.op} is outstanding`);
    }
    this.setRemoteUfrag(r.opRemoteUfrag, out);
    if (e.sdpType === 'offer') {
      r.signaling = Sig.HAVE_REMOTE_OFFER;
      r.op = Op.CREATING_ANSWER;
      out.push({ type: 'create-answer', epoch: r.epoch });
    } else {
      r.signaling = Sig.STABLE;
      r.localOffer = null;
      r.op = Op.NONE;
      this.exchangeDone('answer applied', out);
      this.proceed(out);
    }
  }

  onLocalCandidate(e, out) {
    if (this.droppedAsStale(e.epoch)) return;
    const r = this.round;
    if (r.sentLocalUfrags.has(e.ufrag)) {
      out.push({ type: 'send', signal: { type: 'candidates', epoch: r.epoch, ufrag: e.ufrag, candidates: [e.candidate] } });
    } else {
      if (!r.unsentLocalCandidates.has(e.ufrag)) r.unsentLocalCandidates.set(e.ufrag, []);
      r.unsentLocalCandidates.get(e.ufrag).push(e.candidate);
    }
  }

  markDescriptionSent(ufrag, out) {
    const r = this.round;
    r.sentLocalUfrags.add(ufrag);
    const waiting = r.unsentLocalCandidates.get(ufrag);
    if (!waiting) return;
    r.unsentLocalCandidates.delete(ufrag);
    for (let from = 0; from < waiting.length; from += MAX_CANDIDATES_PER_BATCH) {
      out.push({ type: 'send', signal: { type: 'candidates', epoch: r.epoch, ufrag,
        candidates: waiting.slice(from, from + MAX_CANDIDATES_PER_BATCH) } });
    }
  }

  onIceState(e, out) {
    if (this.droppedAsStale(e.epoch)) return;
    const r = this.round;
    switch (e.state) {
      case 'connected':
      case 'completed':
        if (this.state === S.PREPARING) {
          throw new IllegalNegotiationEvent(this.state, e, 'ICE cannot connect before any description was exchanged');
        }
        r.iceConnected = true;
        this.disarm(Timers.ICE_CONNECT, out);
        this.disarm(Timers.ICE_DISCONNECTED, out);
        this.moveTo(S.CONNECTED, `ICE ${e.state}`, out);
        break;
      case 'disconnected':
        r.iceConnected = false;
        if (this.state === S.CONNECTED) this.moveTo(S.RECONNECTING, 'ICE disconnected', out);
        if (r.initiator && this.state === S.RECONNECTING) this.arm(Timers.ICE_DISCONNECTED, this.settings.iceDisconnectedGraceMs, out);
        break;
      case 'failed':
        r.iceConnected = false;
        if (this.state !== S.PREPARING) this.moveTo(S.RECONNECTING, 'ICE failed', out);
        if (r.initiator) this.requestIceRestart(out);
        break;
      default:
        break; // new, checking, closed: informational
    }
  }

  requestIceRestart(out) {
    this.disarm(Timers.ICE_CONNECT, out);
    this.disarm(Timers.ICE_DISCONNECTED, out);
    this.round.restartPending = true;
    this.proceed(out);
  }

  // ------------------------------------------------------------------ the peer's signals

  onSignal(signal, out) {
    if (this.droppedAsStale(signal.epoch)) return;
    const r = this.round;
    switch (signal.type) {
      case 'ready':
        if (r.peerReady) { this.stats.duplicates++; return; }
        r.peerReady = true;
        this.disarm(Timers.READY_WAIT, out);
        this.proceed(out);
        break;
      case 'offer': this.onOffer(signal, out); break;
      case 'answer': this.onAnswer(signal, out); break;
      case 'candidates': this.onCandidates(signal, out); break;
      case 'bye': this.close(`peer said bye${signal.reason ? ': ' + signal.reason : ''}`, out); break;
      default: this.stats.malformed++;
    }
  }

  onOffer(offer, out) {
    const r = this.round;
    if (r.pendingRemoteOffer && r.pendingRemoteOffer.offerId === offer.offerId) { this.stats.duplicates++; return; }
    if (offer.offerId <= r.lastRemoteOfferId) {
      if (r.lastAnswer && r.lastAnswer.offerId === offer.offerId) {
        out.push({ type: 'send', signal: r.lastAnswer });
        this.stats.resent++;
      } else {
        this.stats.duplicates++;
      }
      return;
    }
    if (iceUfrag(offer.sdp) == null) { this.stats.malformed++; return; }
    const collision = r.op === Op.CREATING_OFFER || (r.op === Op.NONE && r.signaling === Sig.HAVE_LOCAL_OFFER);
    if (collision && r.initiator) { this.stats.ignoredOffers++; return; }
    r.lastRemoteOfferId = offer.offerId;
    if (collision) {
      this.stats.rollbacks++;
      r.negotiationPending = true;
      this.disarm(Timers.ANSWER_WAIT, out);
      if (r.op === Op.CREATING_OFFER) r.pendingRemoteOffer = offer;
      else this.applyRemoteOffer(offer, true, out);
    } else if (r.op !== Op.NONE || !r.tracksAttached) {
      r.pendingRemoteOffer = offer;
    } else {
      this.applyRemoteOffer(offer, false, out);
    }
  }

  applyRemoteOffer(offer, rollbackFirst, out) {
    const r = this.round;
    r.pendingRemoteOffer = null;
    if (rollbackFirst) {
      r.localOffer = null;
      r.signaling = Sig.STABLE;
    }
    r.op = Op.APPLYING_REMOTE_OFFER;
    r.opOfferId = offer.offerId;
    r.opRemoteUfrag = iceUfrag(offer.sdp);
    out.push({ type: 'apply-remote-description', epoch: r.epoch, sdpType: 'offer', sdp: offer.sdp, rollbackFirst });
    if (this.state === S.PREPARING) this.moveTo(S.NEGOTIATING, `offer ${offer.offerId} received`, out);
  }

  onAnswer(answer, out) {
    const r = this.round;
    if (r.op !== Op.NONE || r.signaling !== Sig.HAVE_LOCAL_OFFER || !r.localOffer || r.localOffer.offerId !== answer.offerId) {
      this.stats.duplicates++;
      return;
    }
    const ufrag = iceUfrag(answer.sdp);
    if (ufrag == null) { this.stats.malformed++; return; }
    this.disarm(Timers.ANSWER_WAIT, out);
    r.op = Op.APPLYING_REMOTE_ANSWER;
    r.opRemoteUfrag = ufrag;
    out.push({ type: 'apply-remote-description', epoch: r.epoch, sdpType: 'answer', sdp: answer.sdp, rollbackFirst: false });
  }

  onCandidates(c, out) {
    const r = this.round;
    const applying = r.op === Op.APPLYING_REMOTE_OFFER || r.op === Op.APPLYING_REMOTE_ANSWER;
    if (!applying && c.ufrag === r.remoteUfrag) {
      out.push({ type: 'add-remote-candidates', epoch: r.epoch, candidates: c.candidates });
      return;
    }
    const aboutToBeStale = applying && c.ufrag === r.remoteUfrag && c.ufrag !== r.opRemoteUfrag;
    if (aboutToBeStale || r.staleRemoteUfrags.has(c.ufrag)) {
      this.stats.staleCandidates += c.candidates.length;
      return;
    }
    for (const candidate of c.candidates) {
      if (r.bufferedRemote.length >= this.settings.maxBufferedCandidates) {
        r.bufferedRemote.shift();
        this.stats.overflowCandidates++;
      }
      r.bufferedRemote.push({ ufrag: c.ufrag, candidate });
    }
  }

  setRemoteUfrag(ufrag, out) {
    const r = this.round;
    if (r.remoteUfrag != null && r.remoteUfrag !== ufrag) r.staleRemoteUfrags.add(r.remoteUfrag);
    r.remoteUfrag = ufrag;
    const ready = [];
    r.bufferedRemote = r.bufferedRemote.filter((b) => {
      if (b.ufrag === ufrag) { ready.push(b.candidate); return false; }
      if (r.staleRemoteUfrags.has(b.ufrag)) { this.stats.staleCandidates++; return false; }
      return true;
    });
    if (ready.length > 0) out.push({ type: 'add-remote-candidates', epoch: r.epoch, candidates: ready });
  }

  // ------------------------------------------------------------------ progress

  proceed(out) {
    const r = this.round;
    if (!r || r.op !== Op.NONE || !r.tracksAttached) return;
    if (r.pendingRemoteOffer) {
      this.applyRemoteOffer(r.pendingRemoteOffer, false, out);
      return;
    }
    if (r.signaling !== Sig.STABLE || !r.peerReady) return;
    if (r.initiator && !r.firstOfferMade) this.makeOffer(false, out);
    else if (r.exchangeDone && (r.restartPending || r.negotiationPending)) this.makeOffer(r.restartPending, out);
  }

  makeOffer(iceRestart, out) {
    const r = this.round;
    r.op = Op.CREATING_OFFER;
    r.opOfferId = ++r.offerSeq;
    r.firstOfferMade = true;
    r.negotiationPending = false;
    if (iceRestart) {
      r.restartPending = false;
      this.stats.iceRestarts++;
    }
    out.push({ type: 'create-offer', epoch: r.epoch, iceRestart });
    if (this.state === S.PREPARING) this.moveTo(S.NEGOTIATING, 'tracks attached and peer ready: making the first offer', out);
  }

  exchangeDone(why, out) {
    const r = this.round;
    r.exchangeDone = true;
    if (!r.iceConnected && r.initiator) this.arm(Timers.ICE_CONNECT, this.settings.iceConnectTimeoutMs, out);
    if (this.state === S.NEGOTIATING) {
      this.moveTo(r.iceConnected ? S.CONNECTED : S.CONNECTING, `descriptions exchanged: ${why}`, out);
    }
  }

  // ------------------------------------------------------------------ timers

  onTimerFired(key, out) {
    const generation = this.armed.get(key.kind);
    if (generation === undefined || generation !== key.generation || !this.round) {
      this.stats.stale++;
      return;
    }
    this.armed.delete(key.kind);
    const r = this.round;
    switch (key.kind) {
      case Timers.READY_WAIT:
        if (!r.peerReady) {
          out.push({ type: 'send', signal: { type: 'ready', epoch: r.epoch } });
          this.stats.resent++;
          this.arm(Timers.READY_WAIT, this.settings.readyResendMs, out);
        }
        break;
      case Timers.ANSWER_WAIT:
        if (r.op === Op.NONE && r.signaling === Sig.HAVE_LOCAL_OFFER && r.localOffer) {
          out.push({ type: 'send', signal: r.localOffer });
          this.stats.resent++;
          this.arm(Timers.ANSWER_WAIT, this.settings.answerTimeoutMs, out);
        }
        break;
      default: // ICE_CONNECT, ICE_DISCONNECTED
        if (!r.iceConnected && r.initiator) this.requestIceRestart(out);
    }
  }

  arm(kind, delayMs, out) {
    this.disarm(kind, out);
    const generation = ++this.timerGeneration;
    this.armed.set(kind, generation);
    out.push({ type: 'start-timer', key: { kind, generation }, delayMs });
  }

  disarm(kind, out) {
    const generation = this.armed.get(kind);
    if (generation !== undefined) {
      this.armed.delete(kind);
      out.push({ type: 'cancel-timer', key: { kind, generation } });
    }
  }

  // ------------------------------------------------------------------ helpers

  droppedAsStale(epoch) {
    if (this.round && sameEpoch(this.round.epoch, epoch)) return false;
    this.stats.stale++;
    return true;
  }

  moveTo(to, why, out) {
    if (to === this.state) return;
    if (!canMoveTo(this.state, to)) throw new Error(`bug: transition ${this.state} -> ${to} is not in the table (${why})`);
    out.push({ type: 'state-changed', from: this.state, to, why });
    this.state = to;
  }
}
