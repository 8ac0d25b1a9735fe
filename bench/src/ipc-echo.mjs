// The other end of ipc-floor.ts: answers each message at once, as a sandbox child answers a warm call.
process.on('message', (m) => process.send({ t: 'done', id: m.id, out: m.out }));
process.on('disconnect', () => process.exit(0));
