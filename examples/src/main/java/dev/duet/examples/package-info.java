/** Runnable programs: {@link dev.duet.examples.CallDemo}, the README's main command. */
package dev.duet.examples;
