// Type declarations for pusher.js: Duet's signalling over Pusher Channels (docs/protocol.md §11), on pusher-js.

import type { Member, RelayListener, Timers } from './relay.js';

export const PUSHER_DEFAULTS: Readonly<{
  eventsPerSecond: number; eventBurst: number; maxPartsBytes: number; peerLeftGraceMs: number; resendAfterMs: number;
  ackDelayMs: number; rateLimitPauseMs: number; hangUpFlushMs: number;
}>;

/** A member from a presence user_id and the user_info PusherChannelAuth signed. */
export function memberOf(userId: string, info: { role: string; connection: string; arrived_at: number }): Member;

/** A message's text cut into parts that each fit one client event. */
export function cutIntoParts(text: string, maxBytes?: number): string[];

export class PusherClient {
  constructor(options: {
    /** pusher-js's Pusher class (load vendor/pusher-js-8.6.0/pusher.min.js first). */
    Pusher: new (key: string, options: object) => unknown;
    key: string;
    sessionId: string;
    /** Asks the app's backend to sign; reject with an error whose `status` is 403 when it refused for good. */
    authorize(socketId: string, channel: string): Promise<{ auth: string; channel_data: string }>;
    pusherOptions?: object;
    listener?: RelayListener;
    timers?: Timers;
    random?: () => number;
    settings?: Partial<typeof PUSHER_DEFAULTS>;
  });
  readonly clientId: string;
  readonly state: 'new' | 'connecting' | 'joined' | 'reconnecting' | 'closed';
  join(): void;
  send(msg: { type: string; [field: string]: unknown }): Promise<void>;
  hangUp(reason: string): void;
  leave(reason: string): void;
}
