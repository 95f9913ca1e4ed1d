/**
 * The Duet peer: {@link dev.duet.webrtc.DuetCall} (one participant's side of a session),
 * {@link dev.duet.webrtc.MediaEngine} (the shared native engine), {@link dev.duet.webrtc.LocalMedia}
 * (what to send), {@link dev.duet.webrtc.CallListener} (what the app is told).
 */
package dev.duet.webrtc;
