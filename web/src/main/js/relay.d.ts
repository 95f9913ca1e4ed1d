// Type declarations for relay.js: the relay protocol of docs/protocol.md for a browser.

export const CLOSE: Readonly<Record<string, number>>;
export const DEFAULTS: Readonly<{
  pingIntervalMs: number; deadAfterMs: number; ackDelayMs: number; backoffInitialMs: number; backoffMaxMs: number;
  framesPerSecond: number; hangUpFlushMs: number; peerResumeGraceMs: number;
}>;

export interface Member { participant: string; role: 'expert' | 'learner'; connection: string; arrivedAt: string; }
export interface Joined { session: string; self: Member; peer: Member | null; }
export type DepartureReason = 'hung-up' | 'peer-hung-up' | 'left' | 'connection-lost' | 'replaced' | 'idle' | 'session-closed';

export interface RelayListener {
  onJoined?(joined: Joined): void;
  onRejoined?(joined: Joined): void;
  /** `newClient`: the peer's new connection is of another client instance (a reload, another device, or a copy of its ticket). */
  onPeerJoined?(peer: Member, info: { newClient: boolean }): void;
  onPeerLeft?(left: { participant: string; connection: string; leftAt: string; reason: DepartureReason }): void;
  onMessage?(message: { from: string; relayedAt: string; msg: { type: string; [field: string]: unknown } }): void;
  onDisconnected?(why: string): void;
  onRefused?(refused: { code: number; name: string; message: string; opensAt?: string }): void;
  onClosed?(end: { code: number; reason: string; local: boolean; opensAt?: string }): void;
  onSendRefused?(msg: object, why: string): void;
}

export interface Timers {
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export class RelayClient {
  constructor(options: {
    url: string; ticket: string; listener?: RelayListener; WebSocket?: typeof WebSocket; timers?: Timers;
    random?: () => number; settings?: Partial<typeof DEFAULTS>;
  });
  readonly clientId: string;
  readonly state: 'new' | 'connecting' | 'joined' | 'reconnecting' | 'closed';
  join(): void;
  send(msg: { type: string; [field: string]: unknown }): Promise<void>;
  leave(reason?: string): void;
  hangUp(reason?: string): Promise<void>;
  close(): void;
}

export function backoffDelay(attempt: number, random?: () => number, initialMs?: number, maxMs?: number): number;
export function randomClientId(random?: () => number): string;
