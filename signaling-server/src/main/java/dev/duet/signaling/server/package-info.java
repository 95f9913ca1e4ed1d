/**
 * Not built yet: this module holds only its place in the reactor. See the
 * module table in the project's design notes for what will live here.
 */
package dev.duet.signaling.server;
