/** The relay protocol's frames and their JSON codec; {@code docs/protocol.md} is the reference. */
package dev.duet.signaling.client.wire;
