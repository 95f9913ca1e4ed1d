// Type declarations for call.js: a Duet call in the browser.
import type { Member } from './relay.js';

export interface StreamReport {
  direction: 'inbound' | 'outbound'; kind: 'audio' | 'video'; flowing: boolean; bitrateKbps: number; lossRatio: number;
  jitterMs?: number; framesPerSecond?: number; width?: number; height?: number;
}
export interface MediaReport { type: 'media-report'; epoch: [string, string]; sampledAt: string; relayed: boolean; intervalMs: number; streams: StreamReport[]; }
export interface OneWayChange { kind: 'audio' | 'video'; flowing: 'inbound' | 'outbound'; since: number; ended: boolean; }

/** What a page renders; see call.js's header. */
export interface CallStatus {
  phase: 'idle' | 'starting' | 'joining' | 'waiting-for-peer' | 'connecting' | 'connected' | 'reconnecting' | 'ended';
  relay: 'offline' | 'connecting' | 'online' | 'reconnecting' | 'closed';
  peer: { participant: string; connection: string; arrivedAt: string } | null;
  audioMuted: boolean;
  videoMuted: boolean;
  error: CallError | null;
}
export interface CallError { kind: 'media' | 'join-refused'; message: string; code?: number; opensAt?: string }

export interface CallListener {
  onStatus?(status: CallStatus): void;
  onJoined?(self: Member, peer: Member | null): void;
  onState?(from: string, to: string, why: string): void;
  onLocalStream?(stream: MediaStream): void;
  onRemoteStream?(stream: MediaStream): void;
  onPeerPresent?(peer: Member): void;
  onPeerLeft?(left: { participant: string; connection: string; leftAt: string; reason: string }): void;
  onChat?(from: string, text: string, relayedAt: string): void;
  onMediaReport?(report: MediaReport): void;
  onPeerMediaReport?(report: MediaReport): void;
  onOneWayMedia?(change: OneWayChange): void;
  onSignalingInterrupted?(why: string): void;
  onError?(error: CallError): void;
  onEnded?(end: { reason: string; error: object | null }): void;
}

/** What DuetCall needs of a signalling transport: RelayClient and PusherClient both are one. */
export interface Signaling {
  join(): void;
  send(msg: { type: string; [field: string]: unknown }): Promise<void>;
  hangUp(reason: string): void;
  leave(reason: string): void;
}

export class DuetCall {
  constructor(options: {
    /** The relay's session address and the ticket; not needed with `signaling`. */
    url?: string; ticket?: string; iceServers?: RTCIceServer[]; iceTransportPolicy?: RTCIceTransportPolicy;
    media?: MediaStreamConstraints; listener?: CallListener; statsIntervalMs?: number; oneWayThresholdMs?: number;
    /** Another signalling transport instead of Duet's relay, such as `(l) => new PusherClient({..., listener: l})`. */
    signaling?: (listener: import('./relay.js').RelayListener) => Signaling;
  });
  readonly status: CallStatus;
  /** Once per call: asks for the camera and microphone, then joins. */
  start(): Promise<void>;
  setAudioMuted(muted: boolean): void;
  setVideoMuted(muted: boolean): void;
  sendChat(text: string): Promise<void>;
  hangUp(reason?: string): void;
  close(): void;
}

export class OneWayMediaDetector {
  constructor(thresholdMs?: number);
  observe(streams: StreamReport[], nowMs: number): OneWayChange[];
}

export function mediaStreams(before: Map<string, any> | null, now: Map<string, any>, seconds: number): StreamReport[];
