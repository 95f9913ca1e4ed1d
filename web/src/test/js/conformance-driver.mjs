// Feeds a recorded event list to the browser client's NegotiationMachine and prints, for each
// event, the commands it returned (or the error it threw), as one JSON document on stdout.
// Used by the Java test ConformanceTest, which records the events and its own machine's commands.
//   node conformance-driver.mjs <file with {"self": "...", "events": [...]}>
import { readFileSync } from 'node:fs';
import { NegotiationMachine } from '../../main/js/negotiation.js';

const script = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const machine = new NegotiationMachine(script.self);
const results = [];
for (const event of script.events) {
  try {
    results.push({ commands: machine.handle(event), state: machine.state });
  } catch (e) {
    results.push({ error: String(e.message), state: machine.state });
  }
}
process.stdout.write(JSON.stringify(results));
