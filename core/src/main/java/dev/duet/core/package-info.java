/**
 * Bookings, join windows and join tickets: what a backend needs to let exactly the two booked
 * people into a session, exactly while it is open. Pure values and functions; callers pass the time.
 */
package dev.duet.core;
