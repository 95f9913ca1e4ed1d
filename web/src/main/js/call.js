// A Duet call in the browser: the relay protocol (relay.js) and the negotiation rules
// (negotiation.js) driving one RTCPeerConnection per negotiation epoch, with the page's camera and
// microphone, chat, and media reports from getStats() every few seconds (docs/protocol.md §6).
//
//   const call = new DuetCall({ url, ticket, iceServers, listener: { onState, onRemoteStream, onChat, onEnded } });
//   (Over Pusher Channels instead of the relay: signaling: (listener) => new PusherClient({...}), see pusher.js.)
//   (url, ticket and the ICE servers come from the app's backend: IceServers.toRtcConfigurationJson() in duet-turn
//   gives {iceServers, iceTransportPolicy}, which can be spread into these options.)
//   await call.start();          // asks for the camera and microphone, then joins
//   call.sendChat('Hello!');
//   call.hangUp('lesson over');  // ends the session for both
//
// Listener (every method optional): onJoined(self, peer), onState(from, to, why), onLocalStream(stream),
// onRemoteStream(stream), onPeerPresent(member), onPeerLeft(left), onChat(from, text, relayedAt),
// onMediaReport(report), onPeerMediaReport(report), onOneWayMedia({kind, flowing, since, ended}),
// onSignalingInterrupted(why), onError({kind, message, code, opensAt}),
// onEnded({reason, error}), and onStatus(status): one object a page renders, see `status` below.
//
// call.status (also passed to onStatus whenever it changes) is
//   { phase, relay, peer, audioMuted, videoMuted, error }
// phase: 'idle' (not started) -> 'starting' (asking for the camera and microphone) -> 'joining' (the
//   relay has not answered yet) -> 'waiting-for-peer' (joined, alone) -> 'connecting' (the peer is
//   there; offer, answer and ICE under way) -> 'connected' (media can flow) -> 'reconnecting' (ICE
//   lost the path; the call restarts it) -> ... -> 'ended' (for good; `error` says why if it failed).
// relay: 'offline' | 'connecting' | 'online' | 'reconnecting' | 'closed': the signaling connection
//   alone. Media keeps flowing peer to peer while the relay reconnects.
// peer: {participant, connection, arrivedAt} while the peer is in the session, else null.
// audioMuted / videoMuted: this side's microphone and camera, see setAudioMuted / setVideoMuted.
import { NegotiationMachine, IllegalNegotiationEvent, iceUfrag } from './negotiation.js';
import { RelayClient } from './relay.js';

const NEGOTIATION = new Set(['ready', 'offer', 'answer', 'candidates', 'bye']);

/** The negotiation machine's states as the phases a page shows. */
const PHASES = {
  'idle': 'joining', 'waiting-for-peer': 'waiting-for-peer', 'preparing': 'connecting', 'negotiating': 'connecting',
  'connecting': 'connecting', 'connected': 'connected', 'reconnecting': 'reconnecting', 'closed': 'ended',
};

function presence(member) {
  return member ? { participant: member.participant, connection: member.connection, arrivedAt: member.arrivedAt } : null;
}

/** Media report streams from two getStats() snapshots, with the Java peer's definition of flowing. */
export function mediaStreams(before, now, seconds) {
  const streams = [];
  for (const [id, s] of now) {
    if ((s.type !== 'inbound-rtp' && s.type !== 'outbound-rtp') || (s.kind !== 'audio' && s.kind !== 'video')) continue;
    const prev = before ? before.get(id) : undefined;
    const inbound = s.type === 'inbound-rtp';
    const packets = Math.max(0, (inbound ? s.packetsReceived : s.packetsSent) - (prev ? (inbound ? prev.packetsReceived : prev.packetsSent) : 0));
    const bytes = Math.max(0, (inbound ? s.bytesReceived : s.bytesSent) - (prev ? (inbound ? prev.bytesReceived : prev.bytesSent) : 0));
    const frames = Math.max(0, (s.framesDecoded || 0) - (prev ? prev.framesDecoded || 0 : 0));
    const lost = inbound ? Math.max(0, (s.packetsLost || 0) - (prev ? prev.packetsLost || 0 : 0)) : 0;
    const flowing = inbound && s.kind === 'video' ? frames > 0 : packets > 0;
    const report = {
      direction: inbound ? 'inbound' : 'outbound', kind: s.kind, flowing,
      bitrateKbps: Math.min(1e7, seconds > 0 ? (bytes * 8) / seconds / 1000 : 0),
      lossRatio: packets + lost === 0 ? 0 : lost / (packets + lost),
    };
    if (inbound && typeof s.jitter === 'number') report.jitterMs = s.jitter * 1000;
    if (s.kind === 'video' && typeof s.framesPerSecond === 'number') report.framesPerSecond = s.framesPerSecond;
    if (s.kind === 'video' && typeof s.frameWidth === 'number') { report.width = s.frameWidth; report.height = s.frameHeight; }
    streams.push(report);
  }
  // One entry per direction and kind (a renegotiation may leave an old stream behind: keep the flowing one).
  const byKey = new Map();
  for (const s of streams) {
    const key = s.direction + '/' + s.kind;
    if (!byKey.has(key) || (s.flowing && !byKey.get(key).flowing)) byKey.set(key, s);
  }
  return [...byKey.values()].slice(0, 8);
}

/**
 * One-way media, as the Java peer detects it: for a kind, exactly one direction flowing (this side
 * sends but receives nothing, or the reverse) without a break for at least `thresholdMs`. Each
 * episode is reported once when it passes the threshold, and once when it ends. Pure: time comes
 * from the `nowMs` given with each report.
 */
export class OneWayMediaDetector {
  constructor(thresholdMs = 10000) {
    this.thresholdMs = thresholdMs;
    this.episodes = new Map(); // kind -> {flowing, since, reported}
  }

  /** Feeds one media report's streams; returns the changes: [{kind, flowing: 'inbound'|'outbound', since, ended}]. */
  observe(streams, nowMs) {
    const changes = [];
    for (const kind of ['audio', 'video']) {
      const flows = (direction) => streams.some((s) => s.kind === kind && s.direction === direction && s.flowing);
      const inbound = flows('inbound');
      const outbound = flows('outbound');
      let episode = this.episodes.get(kind);
      if (inbound === outbound) {
        if (episode) {
          this.episodes.delete(kind);
          if (episode.reported) changes.push({ kind, flowing: episode.flowing, since: episode.since, ended: true });
        }
        continue;
      }
      const flowing = inbound ? 'inbound' : 'outbound';
      if (!episode || episode.flowing !== flowing) {
        if (episode && episode.reported) changes.push({ kind, flowing: episode.flowing, since: episode.since, ended: true });
        episode = { flowing, since: nowMs, reported: false };
        this.episodes.set(kind, episode);
      }
      if (!episode.reported && nowMs >= episode.since + this.thresholdMs) {
        episode.reported = true;
        changes.push({ kind, flowing, since: episode.since, ended: false });
      }
    }
    return changes;
  }
}

export class DuetCall {
  constructor({ url, ticket, iceServers = [], iceTransportPolicy = 'all', media = { audio: true, video: true }, listener = {},
    statsIntervalMs = 3000, oneWayThresholdMs = 10000,
    RTCPeerConnection: PeerConnection = globalThis.RTCPeerConnection,
    getUserMedia = (constraints) => navigator.mediaDevices.getUserMedia(constraints), WebSocket: Socket = globalThis.WebSocket,
    timers, signaling }) {
    this.listener = listener;
    this.iceServers = iceServers;
    this.iceTransportPolicy = iceTransportPolicy; // 'relay' hides this side's addresses: TURN only
    this.media = media;
    this.statsIntervalMs = statsIntervalMs;
    this.oneWayThresholdMs = oneWayThresholdMs;
    this.PeerConnection = PeerConnection;
    this.getUserMedia = getUserMedia;
    this.machine = null;
    this.early = [];
    this.pc = null;
    this.epoch = null;
    this.timers = new Map();
    this.ended = false;
    this.hangUpReason = null;
    this.shown = { phase: 'idle', relay: 'offline', peer: null, audioMuted: false, videoMuted: false, error: null };
    this.published = JSON.stringify(this.shown);
    // The signalling: Duet's relay (url, ticket), or another transport with RelayClient's interface and listener,
    // such as Pusher's: signaling: (listener) => new PusherClient({ ..., listener }) (pusher.js).
    this.relay = typeof signaling === 'function' ? signaling(this.relayListener())
      : new RelayClient({ url, ticket, WebSocket: Socket, listener: this.relayListener(), ...(timers ? { timers } : {}) });
  }

  /** What a page shows: see the header comment. A copy; changes arrive through onStatus. */
  get status() {
    return { ...this.shown, peer: this.shown.peer && { ...this.shown.peer } };
  }

  /**
   * Mutes or unmutes this side's microphone. A muted track still sends (silence), so the call and
   * its media report go on: muting is not leaving. No effect before start() has the microphone.
   */
  setAudioMuted(muted) {
    this.mute('audio', !!muted);
  }

  /** Turns this side's camera off (black frames are sent) or on again; see setAudioMuted. */
  setVideoMuted(muted) {
    this.mute('video', !!muted);
  }

  mute(kind, muted) {
    if (this.localStream) this.localStream.getTracks().filter((t) => t.kind === kind).forEach((t) => { t.enabled = !muted; });
    this.update(kind === 'audio' ? { audioMuted: muted } : { videoMuted: muted });
  }

  update(change) {
    if (this.shown.phase === 'ended' && change.phase !== undefined && change.phase !== 'ended') delete change.phase;
    Object.assign(this.shown, change);
    const now = JSON.stringify(this.shown);
    if (now !== this.published) {
      this.published = now;
      this.tell('onStatus', this.status);
    }
  }

  /** Asks for the camera and microphone, then joins. Rejects (and ends the call) when media is refused. */
  async start() {
    if (this.started) throw new Error('start() was called already: a DuetCall is started once');
    this.started = true;
    this.update({ phase: 'starting' });
    try {
      this.localStream = await this.getUserMedia(this.media);
    } catch (e) {
      const message = e && e.name === 'NotAllowedError' ? 'the camera or microphone was refused' : `local media failed: ${e && e.message}`;
      this.fail({ kind: 'media', message });
      throw new Error(message);
    }
    if (this.ended) {
      this.localStream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.mute('audio', this.shown.audioMuted);
    this.mute('video', this.shown.videoMuted);
    this.tell('onLocalStream', this.localStream);
    this.update({ phase: 'joining', relay: 'connecting' });
    this.relay.join();
  }

  sendChat(text) {
    return this.relay.send({ type: 'chat', text });
  }

  /** Ends the session for both: bye, then (once the relay has it) leave with hangUp. */
  hangUp(reason = 'hung up') {
    if (this.ended) return;
    this.hangUpReason = reason;
    if (this.machine) this.post({ type: 'hang-up', reason });
    else this.finish(`hung up before joining: ${reason}`, null);
  }

  /** Leaves without ending the session (the peer waits for this side to come back). */
  close() {
    this.finish('closed by the page', null);
  }

  // ------------------------------------------------------------------ relay events

  relayListener() {
    return {
      onJoined: (j) => {
        this.machine = new NegotiationMachine(j.self.participant);
        this.update({ relay: 'online', peer: presence(j.peer), phase: j.peer ? 'connecting' : 'waiting-for-peer' });
        this.tell('onJoined', j.self, j.peer);
        if (j.peer) this.tell('onPeerPresent', j.peer);
        this.post({ type: 'joined', self: presence(j.self), peer: presence(j.peer) });
        const early = this.early;
        this.early = [];
        early.forEach((e) => this.post(e));
      },
      onRejoined: (j) => {
        this.update({ relay: 'online', peer: presence(j.peer) });
        this.post({ type: 'rejoined', self: presence(j.self), peer: presence(j.peer) });
      },
      onPeerJoined: (m) => { this.update({ peer: presence(m) }); this.tell('onPeerPresent', m); this.post({ type: 'peer-joined', peer: presence(m) }); },
      onPeerLeft: (l) => {
        if (this.shown.peer && this.shown.peer.connection === l.connection) this.update({ peer: null });
        this.tell('onPeerLeft', l);
        this.post({ type: 'peer-left', connection: l.connection });
        if (l.reason === 'hung-up') this.post({ type: 'peer-hung-up', reason: 'the relay saw it hang up' });
      },
      onMessage: (m) => {
        if (NEGOTIATION.has(m.msg.type)) this.post({ type: 'signal', signal: m.msg });
        else if (m.msg.type === 'chat') this.tell('onChat', m.from, m.msg.text, m.relayedAt);
        else if (m.msg.type === 'media-report') this.tell('onPeerMediaReport', m.msg);
      },
      onDisconnected: (why) => {
        if (!this.ended) this.update({ relay: 'reconnecting' });
        this.tell('onSignalingInterrupted', why);
      },
      onRefused: (r) => this.tell('onError', { kind: 'join-refused', message: r.message, code: r.code, opensAt: r.opensAt }),
      onClosed: (end) => {
        this.update({ relay: 'closed' });
        if (!end.local && !this.ended) {
          if (this.machine) this.post({ type: 'session-closed', reason: end.reason });
          else this.finish(`the relay refused the join: ${end.reason}`, { kind: 'join-refused', message: end.reason, code: end.code,
            opensAt: end.opensAt });
        }
      },
    };
  }

  // ------------------------------------------------------------------ the machine

  post(event) {
    if (this.ended) return;
    if (!this.machine) { this.early.push(event); return; }
    let commands;
    try {
      commands = this.machine.handle(event);
    } catch (e) {
      if (e instanceof IllegalNegotiationEvent) return; // not allowed now: ignored, nothing changed
      throw e;
    }
    for (const c of commands) this.execute(c);
  }

  execute(c) {
    switch (c.type) {
      case 'state-changed':
        this.update({ phase: PHASES[c.to] || this.shown.phase });
        this.tell('onState', c.from, c.to, c.why);
        if (c.to === 'closed') this.finish(c.why, null);
        break;
      case 'send': this.relay.send(c.signal).catch(() => {}); break;
      case 'start-timer': {
        const handle = setTimeout(() => { this.timers.delete(c.key.kind); this.post({ type: 'timer-fired', key: c.key }); }, c.delayMs);
        this.timers.set(c.key.kind, handle);
        break;
      }
      case 'cancel-timer':
        clearTimeout(this.timers.get(c.key.kind));
        this.timers.delete(c.key.kind);
        break;
      case 'create-peer-connection': this.openPeer(c.epoch); break;
      case 'close-peer-connection': this.closePeer(); break;
      case 'create-offer': this.describe(c.epoch, 'offer', { iceRestart: c.iceRestart }); break;
      case 'create-answer': this.describe(c.epoch, 'answer', {}); break;
      case 'apply-remote-description': this.applyRemote(c); break;
      case 'add-remote-candidates':
        if (this.pc && this.current(c.epoch)) {
          for (const cand of c.candidates) {
            this.pc.addIceCandidate({ candidate: cand.candidate, sdpMid: cand.sdpMid, sdpMLineIndex: cand.sdpMLineIndex }).catch(() => {});
          }
        }
        break;
      default: break;
    }
  }

  current(epoch) {
    return this.epoch && epoch && this.epoch[0] === epoch[0] && this.epoch[1] === epoch[1];
  }

  openPeer(epoch) {
    this.closePeer();
    const pc = new this.PeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy });
    this.pc = pc;
    this.epoch = epoch;
    this.lastStats = null;
    this.lastStatsAt = Date.now(); // a new connection's counters start now: the first report covers the time since
    this.oneWay = new OneWayMediaDetector(this.oneWayThresholdMs);
    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate || this.pc !== pc) return;
      const ufrag = e.candidate.usernameFragment || (pc.localDescription && iceUfrag(pc.localDescription.sdp));
      if (!ufrag) return;
      this.post({ type: 'local-candidate', epoch, ufrag,
        candidate: { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex } });
    };
    pc.oniceconnectionstatechange = () => {
      if (this.pc === pc) this.post({ type: 'ice-state', epoch, state: pc.iceConnectionState });
    };
    pc.ontrack = (e) => {
      if (this.pc !== pc) return;
      const stream = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      this.tell('onRemoteStream', stream);
    };
    for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    this.post({ type: 'tracks-attached', epoch });
    this.statsTimer = setInterval(() => this.sample(pc, epoch), this.statsIntervalMs);
  }

  closePeer() {
    clearInterval(this.statsTimer);
    if (this.pc) {
      try { this.pc.close(); } catch (e) { /* already closed */ }
    }
    this.pc = null;
    this.epoch = null;
  }

  describe(epoch, sdpType, options) {
    const pc = this.pc;
    const made = sdpType === 'offer' ? pc.createOffer(options) : pc.createAnswer();
    made.then((d) => pc.setLocalDescription(d))
      .then(() => { if (this.pc === pc) this.post({ type: 'local-description-ready', epoch, sdpType, sdp: pc.localDescription.sdp }); })
      .catch((e) => { if (this.pc === pc) this.post({ type: 'operation-failed', epoch, operation: `create ${sdpType}`, reason: String(e) }); });
  }

  applyRemote(c) {
    const pc = this.pc;
    const rollback = c.rollbackFirst ? pc.setLocalDescription({ type: 'rollback' }) : Promise.resolve();
    rollback.then(() => pc.setRemoteDescription({ type: c.sdpType, sdp: c.sdp }))
      .then(() => { if (this.pc === pc) this.post({ type: 'remote-description-applied', epoch: c.epoch, sdpType: c.sdpType }); })
      .catch((e) => { if (this.pc === pc) this.post({ type: 'operation-failed', epoch: c.epoch, operation: `apply remote ${c.sdpType}`, reason: String(e) }); });
  }

  async sample(pc, epoch) {
    if (this.pc !== pc) return;
    const stats = await pc.getStats();
    const now = new Map();
    let relayed = false;
    const candidates = new Map();
    stats.forEach((s) => {
      now.set(s.id, s);
      if (s.type === 'local-candidate') candidates.set(s.id, s);
    });
    stats.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        const local = candidates.get(s.localCandidateId);
        if (local && local.candidateType === 'relay') relayed = true;
      }
    });
    const seconds = this.lastStatsAt ? (Date.now() - this.lastStatsAt) / 1000 : this.statsIntervalMs / 1000;
    const streams = mediaStreams(this.lastStats, now, seconds);
    this.lastStats = now;
    this.lastStatsAt = Date.now();
    if (streams.length === 0 || this.pc !== pc) return;
    // The span these figures cover, as measured here; attendance credits exactly this (docs/protocol.md).
    const intervalMs = Math.min(60000, Math.max(1, Math.round(seconds * 1000)));
    const report = { type: 'media-report', epoch, sampledAt: new Date().toISOString(), relayed, intervalMs, streams };
    this.relay.send(report).catch(() => {});
    this.tell('onMediaReport', report);
    for (const change of this.oneWay.observe(streams, Date.now())) this.tell('onOneWayMedia', change);
  }

  // ------------------------------------------------------------------ the end

  fail(error) {
    this.tell('onError', error);
    this.finish(error.message, error);
  }

  finish(reason, error) {
    if (this.ended) return;
    this.ended = true;
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
    this.closePeer();
    if (this.localStream) this.localStream.getTracks().forEach((t) => t.stop());
    if (this.hangUpReason != null) this.relay.hangUp(this.hangUpReason);
    else this.relay.leave(reason.slice(0, 200));
    this.update({ phase: 'ended', error: error ? { ...error } : null });
    this.tell('onEnded', { reason, error });
  }

  tell(method, ...args) {
    const f = this.listener[method];
    if (typeof f === 'function') {
      try { f.apply(this.listener, args); } catch (e) { /* the page's failure must not stop the call */ }
    }
  }
}
