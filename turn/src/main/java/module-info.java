/** Duet module; its API packages are exported as they are written. */
module dev.duet.turn {
    requires dev.duet.core;
}
