/**
 * The negotiation state machine: who offers, when, and what to do with every message, ICE state
 * and timer, as pure code. {@link dev.duet.core.negotiation.NegotiationMachine} takes
 * {@link dev.duet.core.negotiation.NegotiationEvent}s and returns
 * {@link dev.duet.core.negotiation.NegotiationCommand}s; adapters (the WebRTC peer, the browser
 * client, the simulation in the tests) carry the commands out.
 */
package dev.duet.core.negotiation;
