/** Duet module; its API packages are exported as they are written. */
module dev.duet.webrtc {
    requires dev.duet.core;
}
