/** Duet module; its API packages are exported as they are written. */
module dev.duet.signaling.client {
    requires dev.duet.core;
}
