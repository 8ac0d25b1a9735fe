// Entry of a sandbox child process. It answers the parent's heartbeat from the first moment, then
// loads the child proper, which can take long on a busy machine (TypeScript is compiled by tsx in
// development and tests): a child that is slow to start is not a dead one.
import fs from 'node:fs';
import os from 'node:os';

// The low-priority child (FORMA_SANDBOX_NICE, sandbox-process.ts): every thread of it, isolates
// included. On Linux a nice value belongs to a thread, not to the process, and new threads take
// their creator's: lowering every thread there is now covers those isolated-vm starts later.
const nice = Number(process.env.FORMA_SANDBOX_NICE) || 0;
function lowerPriority() {
  if (nice <= 0) return;
  let threads = [];
  try {
    threads = fs.readdirSync('/proc/self/task').map(Number);
  } catch {
    // Not Linux: the process's priority is all there is.
  }
  if (threads.length === 0) threads = [0];
  for (const tid of threads) {
    try {
      if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    } catch {
      // Gone meanwhile.
    }
  }
}
lowerPriority();
process.on('message', (m) => {
  if (m && m.t === 'ping') process.send?.({ t: 'pong', n: m.n });
});
// The parent is gone: nobody will ever read an answer.
process.on('disconnect', () => process.exit(0));
const entry = process.argv[2];
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
lowerPriority();
