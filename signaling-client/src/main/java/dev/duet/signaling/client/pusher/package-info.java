/**
 * Duet over Pusher Channels (protocol 7) or a Pusher-protocol server, instead of Duet's relay: for
 * now the app backend's side, {@link dev.duet.signaling.client.pusher.PusherChannelAuth} (signs
 * subscriptions to a session's channel for holders of a valid join ticket) and
 * {@link dev.duet.signaling.client.pusher.PusherWebhooks} (checks and reads Pusher's webhooks).
 */
package dev.duet.signaling.client.pusher;
