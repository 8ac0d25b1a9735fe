/**
 * The abusive user of the fairness workload, in a worker thread of its own: `clients` loops sending
 * one heavy aggregate each, again and again (a refused client waits `pauseMs`, not the Retry-After).
 * Its own work (sending 600 KB bodies, reading answers) runs on another event loop than the quiet
 * tenant's load generator, whose timings it would otherwise stretch: an abusive client's costs are
 * its own, on its own machine; only what it costs the server is measured.
 * Messages in: 'stop' (no new requests), 'abort' (abort those in flight). Out: every answer, and the
 * number in flight whenever it changes; 'done' once every loop has ended.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

// Plain JavaScript: a worker thread does not inherit the tsx loader. workerData and the messages
// are typed in fairness.ts (AbuserData, AbuserMessage).

const data = workerData;
const port = parentPort;
if (!port) throw new Error('fairness-abuser runs as a worker thread');
const post = (m) => port.postMessage(m);
const inFlight = new Set();
let stop = false;

port.on('message', (m) => {
  if (m === 'stop') stop = true;
  if (m === 'abort') {
    stop = true;
    for (const c of inFlight) c.abort();
  }
});

async function client() {
  while (!stop) {
    const c = new AbortController();
    inFlight.add(c);
    post({ kind: 'inFlight', n: inFlight.size });
    const t0 = performance.now();
    try {
      const r = await fetch(data.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json' },
        body: data.body,
        signal: c.signal,
      });
      await r.text();
      inFlight.delete(c);
      post({ kind: 'answer', status: r.status, retryAfter: r.headers.has('retry-after'), ms: performance.now() - t0 });
      if (r.status === 429 || r.status === 503) await new Promise((res) => setTimeout(res, data.pauseMs));
    } catch {
      // Aborted at the end of the phase: reported as still in flight before the abort.
    } finally {
      inFlight.delete(c);
      post({ kind: 'inFlight', n: inFlight.size });
    }
  }
}

await Promise.all(Array.from({ length: data.clients }, client));
post({ kind: 'done' });
