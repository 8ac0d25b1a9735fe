/**
 * The abusive user of the fairness workload, in a process of its own started in a session of its own
 * (`detached`: setsid). With the kernel's autogroup scheduling the bench process and the server it
 * started share one scheduling group, so abusive clients on a thread of the bench would take their
 * CPU (600 KB bodies, 20 clients) out of the very group the server and the quiet tenant's load run
 * in; an abusive client's costs are its own, on its own machine, and only what it costs the server
 * is measured. `clients` loops send one heavy aggregate each, again and again (a refused client waits
 * `pauseMs`, not the Retry-After).
 * Messages in: {kind: 'start', data} (begin or resume), 'stop' (no new requests), 'abort' (no new
 * requests, abort those in flight), 'exit'. Out: every answer, the number in flight whenever it
 * changes, and 'idle' once every loop has ended after a stop or abort.
 */
import { performance } from 'node:perf_hooks';

// Plain JavaScript: a child started by fork does not need the tsx loader. The data and the messages
// are typed in fairness.ts (AbuserData, AbuserMessage).

if (!process.send) throw new Error('fairness-abuser runs as a forked child');
const post = (m) => process.send?.(m);
const inFlight = new Set();
let data;
let stop = true;
let running = Promise.resolve();

process.on('message', (m) => {
  if (m?.kind === 'start') {
    data = m.data ?? data;
    if (!stop) return;
    stop = false;
    running = running.then(async () => {
      await Promise.all(Array.from({ length: data.clients }, client));
      post({ kind: 'idle' });
    });
  }
  if (m === 'stop') stop = true;
  if (m === 'abort') {
    stop = true;
    for (const c of inFlight) c.abort();
  }
  if (m === 'exit') {
    stop = true;
    for (const c of inFlight) c.abort();
    process.disconnect();
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
      // Aborted at the end of a phase: reported as still in flight before the abort.
    } finally {
      inFlight.delete(c);
      post({ kind: 'inFlight', n: inFlight.size });
    }
  }
}
