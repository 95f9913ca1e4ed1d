// The PeerJS server (npm `peer`), as a JavaScript team runs it for one-to-one calls, for the
// side-by-side benchmark in compare.mjs. Usage: node peerjs-server.mjs <port>
import { PeerServer } from 'peer';

const port = Number(process.argv[2]);
// concurrent_limit is 5,000 clients by default; the benchmark holds up to 10,000 sockets.
PeerServer({ host: '127.0.0.1', port, path: '/', key: 'peerjs', concurrent_limit: 100000 }, () => {
  console.log(`peerjs listening on 127.0.0.1:${port}`);
});
