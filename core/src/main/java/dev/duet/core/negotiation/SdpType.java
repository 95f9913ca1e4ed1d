package dev.duet.core.negotiation;

/** The two session description types Duet exchanges (rollback is a command flag, never sent). */
public enum SdpType {
    OFFER,
    ANSWER
}
