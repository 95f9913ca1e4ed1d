// The example page: one participant of one booked session. The backend (BackendExample.java) serves
// this page and duet-web, and hands the page its join details; everything else is duet-web's DuetCall.
//   /?session=<id>&participant=<id>[&autojoin=1]
import { DuetCall } from './duet-web/call.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const session = query.get('session');
const participant = query.get('participant');
let call = null;

const clock = (date = new Date()) => date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function line(list, text, at = new Date()) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.dateTime = at.toISOString();
  time.textContent = clock(at);
  item.append(time, document.createTextNode(text)); // text, never HTML: chat comes from the other side
  $(list).append(item);
  $(list).scrollTop = $(list).scrollHeight;
}

const timeline = (text, at) => line('timeline', text, at);

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = false;
}

const PHASE_TEXT = {
  idle: 'Not joined', starting: 'Asking for your camera and microphone…', joining: 'Joining…',
  'waiting-for-peer': 'Waiting for the other participant', connecting: 'Connecting…', connected: 'Connected',
  reconnecting: 'Connection lost, reconnecting…', ended: 'The session has ended',
};

function render(status) {
  let text = PHASE_TEXT[status.phase] || status.phase;
  if (status.relay === 'reconnecting' && status.phase !== 'ended') text += ' (signaling reconnecting; media goes on)';
  $('status').textContent = text;
  const live = status.phase !== 'idle' && status.phase !== 'ended';
  for (const id of ['mic', 'cam', 'hangup', 'chat-text', 'chat-send']) $(id).disabled = !live;
  $('join').disabled = status.phase !== 'idle';
  $('mic').setAttribute('aria-pressed', String(status.audioMuted));
  $('mic').textContent = status.audioMuted ? 'Unmute microphone' : 'Mute microphone';
  $('cam').setAttribute('aria-pressed', String(status.videoMuted));
  $('cam').textContent = status.videoMuted ? 'Turn camera on' : 'Turn camera off';
  $('remote-empty').hidden = status.phase === 'connected' || status.phase === 'reconnecting';
}

function explain(error) {
  if (error.kind === 'media') return `${error.message}. Allow the camera and microphone for this page, then reload it.`;
  if (error.code === 4425 && error.opensAt) return `Too early: the session opens at ${clock(new Date(error.opensAt))}. Reload the page then.`;
  if (error.code === 4401 || error.code === 4410) return 'The join ticket was refused or has expired. Reload the page for a new one.';
  if (error.code === 4403) return 'This session already has its two participants, or the link is for another session.';
  if (error.code === 4409) return 'You opened this session somewhere else (another tab or device); that one is live now.';
  if (error.code === 4499) return 'This session is over.';
  return `Could not join: ${error.message}${error.code ? ` (code ${error.code})` : ''}.`;
}

async function join() {
  $('join').disabled = true;
  let details;
  try {
    const response = await fetch(`/api/sessions/${encodeURIComponent(session)}/join`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ participant }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.message || `the backend answered ${response.status}`);
    details = body;
  } catch (e) {
    showError(`Could not get the join details: ${e.message}`);
    $('join').disabled = false;
    return;
  }
  call = new DuetCall({
    ...details, // url, ticket, iceServers, iceTransportPolicy: exactly DuetServer.join(...).toJson()
    listener: {
      onStatus: render,
      onLocalStream: (stream) => { $('local').srcObject = stream; },
      onRemoteStream: (stream) => { $('remote').srcObject = stream; $('remote').play().catch(() => {}); },
      onJoined: (self, peer) => timeline(peer ? `You joined; ${peer.participant} is here` : 'You joined; waiting for the other participant'),
      onPeerPresent: (peer) => timeline(`${peer.participant} is here`, new Date(peer.arrivedAt)),
      onPeerLeft: (left) => timeline(`${left.participant} left (${left.reason})`, new Date(left.leftAt)),
      onState: (from, to) => { if (to === 'connected' || to === 'reconnecting') timeline(to === 'connected' ? 'Media connected' : 'Media path lost'); },
      onChat: (from, text, relayedAt) => line('messages', `${from}: ${text}`, new Date(relayedAt)),
      onOneWayMedia: (c) => timeline(c.ended ? `${c.kind} flows both ways again`
        : c.flowing === 'outbound' ? `The other side does not receive your ${c.kind}… or you do not receive theirs` : `You receive ${c.kind} but the other side gets none of yours`),
      onSignalingInterrupted: () => timeline('Signaling connection lost; reconnecting'),
      onError: (error) => showError(explain(error)),
      onEnded: (end) => { timeline(`Ended: ${end.reason}`); fetchReport(0); },
    },
  });
  call.start().catch(() => {}); // refusals arrive through onError
}

async function fetchReport(attempt) {
  const response = await fetch(`/api/sessions/${encodeURIComponent(session)}/outcome`).catch(() => null);
  if (response && response.ok) {
    const r = await response.json();
    const facts = {
      Outcome: `${r.outcome} (${r.outcomeReason})`,
      'Both present': `${Math.round(r.bothPresentMs / 1000)} s`,
      'Media both ways': `${Math.round(r.mediaBothWaysMs / 1000)} s`,
      Charge: `${r.charge.currency} ${r.charge.total}`,
    };
    for (const [k, v] of Object.entries(facts)) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      $('report').append(dt, dd);
    }
    $('report-box').hidden = false;
  } else if (attempt < 30) {
    setTimeout(() => fetchReport(attempt + 1), 2000); // the relay settles a session shortly after both left
  }
}

$('session').textContent = session || '';
$('join').addEventListener('click', join);
$('mic').addEventListener('click', () => call.setAudioMuted(!call.status.audioMuted));
$('cam').addEventListener('click', () => call.setVideoMuted(!call.status.videoMuted));
$('hangup').addEventListener('click', () => call.hangUp('hung up'));
$('full').addEventListener('click', () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else $('remote-box').requestFullscreen().catch((e) => showError(`Full screen refused: ${e.message}`));
});
$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-text').value.trim();
  if (!text || !call) return;
  $('chat-text').value = '';
  call.sendChat(text).then(() => line('messages', `you: ${text}`)).catch((err) => showError(`Not sent: ${err.message}`));
});
window.addEventListener('pagehide', () => { if (call) call.close(); }); // leaving is not hanging up: the peer may wait

if (!session || !participant) {
  showError('This page needs ?session=<id>&participant=<id> in its address; the backend prints such links.');
  $('join').disabled = true;
} else if (query.get('autojoin') === '1') {
  join();
}
