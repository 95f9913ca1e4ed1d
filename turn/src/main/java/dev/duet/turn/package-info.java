/**
 * TURN credentials bound to a booking, and the ordered ICE server list a peer is given.
 * {@link dev.duet.turn.RestTurnCredentials} mints coturn REST-API credentials;
 * {@link dev.duet.turn.LongTermTurnUsers} adds a coturn user per session and removes it after.
 */
package dev.duet.turn;
