// Joins a real Duet relay with relay.js (node's WebSocket: node --experimental-websocket on Node 20),
// sends a chat line, waits for the peer's line, then hangs up. Prints what happened as JSON lines.
//   node --experimental-websocket relay-live.mjs <ws url> <ticket>
import { RelayClient } from '../../main/js/relay.js';

const [url, ticket] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const deadline = setTimeout(() => { say({ event: 'timeout' }); process.exit(2); }, 20000);
let gotLine = false;
let peerHere = false;
const relay = new RelayClient({
  url, ticket, settings: { pingIntervalMs: 300 },
  listener: {
    onJoined(j) {
      say({ event: 'joined', self: j.self, peer: j.peer });
      peerHere = j.peer != null;
      relay.send({ type: 'chat', text: 'hello from js' }).then(() => say({ event: 'accepted' }));
    },
    onPeerJoined(m) { peerHere = true; say({ event: 'peer-joined', peer: m.participant }); },
    onMessage(m) {
      say({ event: 'message', from: m.from, msg: m.msg });
      if (m.msg.type === 'chat' && m.msg.text === 'hello from java' && !gotLine) {
        gotLine = true;
        // Stay a little (heartbeats go out every 300 ms and must keep the connection), then hang up.
        setTimeout(() => relay.hangUp('done'), 1000);
      }
    },
    onDisconnected(why) { say({ event: 'disconnected', why }); },
    onClosed(end) {
      say({ event: 'closed', end, peerHere });
      clearTimeout(deadline);
      setTimeout(() => process.exit(0), 50);
    },
  },
});
relay.join();
