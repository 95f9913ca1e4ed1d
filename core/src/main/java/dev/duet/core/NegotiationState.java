package dev.duet.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of one participant's side of a session, and the one table of legal transitions
 * between them. the negotiation machine moves only along this table and throws on anything
 * else; the negotiation machine checks which events each state takes at all.
 *
 * <pre>
 *   IDLE ──joined──▶ WAITING_FOR_PEER ──peer present──▶ PREPARING ──first offer made/received──▶ NEGOTIATING
 *     │                 ▲     ▲                              ▲                                        │
 *     │                 │     └──────── peer left ───────────┼──── (from any state below) ◀──────────┤
 *     │                 │                                    └──── new epoch (rejoin, either side)    ▼
 *     └─joined with peer present─▶ PREPARING         CONNECTED ◀──ICE connected── CONNECTING ◀──descriptions exchanged
 *                                                       │  ▲
 *                                   ICE disconnected/failed ▼  │ ICE connected
 *                                                    RECONNECTING
 *   any state ──bye / session closed / window closed / hang up / operation failed──▶ CLOSED (terminal)
 * </pre>
 *
 * Persisted or sent by {@link #code()}, never by ordinal.
 */
public enum NegotiationState {
    /** Created; not joined to the relay yet. */
    IDLE("idle"),
    /** Joined; the peer is not present. */
    WAITING_FOR_PEER("waiting-for-peer"),
    /** Both present; the epoch's peer connection is being built, tracks attached, ready exchanged. */
    PREPARING("preparing"),
    /** The epoch's first offer/answer exchange is under way. */
    NEGOTIATING("negotiating"),
    /** Descriptions exchanged; ICE is checking. */
    CONNECTING("connecting"),
    /** ICE connected: media can flow. Renegotiation happens within this state. */
    CONNECTED("connected"),
    /** ICE disconnected or failed; waiting for it to recover or for the initiator's ICE restart. */
    RECONNECTING("reconnecting"),
    /** The session is over for this side. Terminal: takes no event. */
    CLOSED("closed");

    private final String code;

    NegotiationState(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Every legal (from, to) pair. Self-transitions are not transitions and are never emitted. */
    private static final Map<NegotiationState, Set<NegotiationState>> LEGAL = Map.of(
            IDLE, EnumSet.of(WAITING_FOR_PEER, PREPARING, CLOSED),
            WAITING_FOR_PEER, EnumSet.of(PREPARING, CLOSED),
            PREPARING, EnumSet.of(NEGOTIATING, WAITING_FOR_PEER, CLOSED),
            NEGOTIATING, EnumSet.of(CONNECTING, CONNECTED, RECONNECTING, WAITING_FOR_PEER, PREPARING, CLOSED),
            CONNECTING, EnumSet.of(CONNECTED, RECONNECTING, WAITING_FOR_PEER, PREPARING, CLOSED),
            CONNECTED, EnumSet.of(RECONNECTING, WAITING_FOR_PEER, PREPARING, CLOSED),
            RECONNECTING, EnumSet.of(CONNECTED, WAITING_FOR_PEER, PREPARING, CLOSED),
            CLOSED, EnumSet.noneOf(NegotiationState.class));

    /** May the machine move from this state to {@code to}? */
    public boolean canMoveTo(NegotiationState to) {
        return LEGAL.get(this).contains(to);
    }

    /** The states this one may move to. */
    public Set<NegotiationState> successors() {
        Set<NegotiationState> next = LEGAL.get(this);
        return next.isEmpty() ? EnumSet.noneOf(NegotiationState.class) : EnumSet.copyOf(next);
    }
}
