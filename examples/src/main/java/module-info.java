/** Duet module; its API packages are exported as they are written. */
module dev.duet.examples {
    requires dev.duet.core;
}
