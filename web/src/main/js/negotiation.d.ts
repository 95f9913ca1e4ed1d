// Type declarations for negotiation.js: Duet's negotiation rules as a pure state machine.

export type State = 'idle' | 'waiting-for-peer' | 'preparing' | 'negotiating' | 'connecting' | 'connected'
  | 'reconnecting' | 'closed';
export const States: Readonly<Record<'IDLE' | 'WAITING_FOR_PEER' | 'PREPARING' | 'NEGOTIATING' | 'CONNECTING'
  | 'CONNECTED' | 'RECONNECTING' | 'CLOSED', State>>;

/** Two connection ids in ascending string order, as `["c-1","c-2"]` on the wire. */
export type Epoch = [string, string];
/** A fact from the relay: who is present on which connection, arrived when (ISO-8601 instant). */
export interface Presence { participant: string; connection: string; arrivedAt: string; }
export interface Candidate { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; }
export type TimerKind = 'ready-wait' | 'answer-wait' | 'ice-connect' | 'ice-disconnected';
export const Timers: Readonly<Record<'READY_WAIT' | 'ANSWER_WAIT' | 'ICE_CONNECT' | 'ICE_DISCONNECTED', TimerKind>>;
export interface TimerKey { kind: TimerKind; generation: number; }

export type Signal =
  | { type: 'ready'; epoch: Epoch }
  | { type: 'offer'; epoch: Epoch; offerId: number; sdp: string }
  | { type: 'answer'; epoch: Epoch; offerId: number; sdp: string }
  | { type: 'candidates'; epoch: Epoch; ufrag: string; candidates: Candidate[] }
  | { type: 'bye'; epoch: Epoch; reason: string };

export type NegotiationEvent =
  | { type: 'joined' | 'rejoined'; self: Presence; peer: Presence | null }
  | { type: 'peer-joined'; peer: Presence }
  | { type: 'peer-left'; connection: string }
  | { type: 'tracks-attached' | 'negotiation-needed' | 'ice-restart-needed'; epoch: Epoch }
  | { type: 'local-description-ready'; epoch: Epoch; sdpType: 'offer' | 'answer'; sdp: string }
  | { type: 'remote-description-applied'; epoch: Epoch; sdpType: 'offer' | 'answer' }
  | { type: 'operation-failed'; epoch: Epoch; operation: string; reason: string }
  | { type: 'local-candidate'; epoch: Epoch; ufrag: string; candidate: Candidate }
  | { type: 'ice-state'; epoch: Epoch; state: 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed' }
  | { type: 'timer-fired'; key: TimerKey }
  | { type: 'signal'; signal: Signal }
  | { type: 'hang-up' | 'peer-hung-up' | 'session-closed'; reason: string }
  | { type: 'window-closed' };

export type NegotiationCommand =
  | { type: 'create-peer-connection'; epoch: Epoch; polite: boolean }
  | { type: 'close-peer-connection'; epoch: Epoch }
  | { type: 'create-offer'; epoch: Epoch; iceRestart: boolean }
  | { type: 'create-answer'; epoch: Epoch }
  | { type: 'apply-remote-description'; epoch: Epoch; sdpType: 'offer' | 'answer'; sdp: string; rollbackFirst: boolean }
  | { type: 'add-remote-candidates'; epoch: Epoch; candidates: Candidate[] }
  | { type: 'send'; signal: Signal }
  | { type: 'start-timer'; key: TimerKey; delayMs: number }
  | { type: 'cancel-timer'; key: TimerKey }
  | { type: 'state-changed'; from: State; to: State; why: string };

export interface Settings {
  readyResendMs: number; answerTimeoutMs: number; iceConnectTimeoutMs: number; iceDisconnectedGraceMs: number;
  maxBufferedCandidates: number;
}
export const DEFAULT_SETTINGS: Readonly<Settings>;
export const MAX_CANDIDATES_PER_BATCH: number;

export class IllegalNegotiationEvent extends Error {
  readonly state: State;
  readonly event: NegotiationEvent;
}

export class NegotiationMachine {
  constructor(self: string, settings?: Partial<Settings>);
  readonly self: string;
  readonly state: State;
  readonly epoch: Epoch | null;
  readonly initiator: boolean | null;
  readonly stats: Readonly<Record<string, number>>;
  /** One event in; the commands to carry out, in order. Throws IllegalNegotiationEvent and changes nothing. */
  handle(event: NegotiationEvent): NegotiationCommand[];
}

export function canMoveTo(from: State, to: State): boolean;
export function epochOf(a: string, b: string): Epoch;
export function arrivedAfter(a: Presence, b: Presence): boolean;
export function iceUfrag(sdp: string): string | null;
