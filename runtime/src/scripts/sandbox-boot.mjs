// Entry of a sandbox child process. It answers the parent's heartbeat from the first moment, then
// loads the child proper, which can take long on a busy machine (TypeScript is compiled by tsx in
// development and tests): a child that is slow to start is not a dead one.
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
