/** What peers send each other through a relay, and the transport interface the peer code talks to. */
package dev.duet.signaling.client;
