// Entry of a document worker thread (piscina): loads the task module named by the pool, through tsx
// when it is TypeScript (development and tests), as is when it is compiled JavaScript.
import { workerData } from 'node:worker_threads';

const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
const task = await import(entry);
export default task.default;
