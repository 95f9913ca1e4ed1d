/** Duet module; its API packages are exported as they are written. */
module dev.duet.signaling.server {
    requires dev.duet.core;
}
