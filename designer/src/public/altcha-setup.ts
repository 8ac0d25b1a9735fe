// The ALTCHA widget without its inline worker bundle: the app's Content-Security-Policy refuses
// blob: workers, so the PBKDF2 worker is a file of this origin (Vite's ?worker import).
import 'altcha/external';
import 'altcha/altcha.css';
import 'altcha/i18n/zh-cn';
import Pbkdf2Worker from 'altcha/workers/pbkdf2?worker';

const registry = (globalThis as unknown as { $altcha: { algorithms: Map<string, () => Worker> } }).$altcha;
for (const name of ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512'])
  registry.algorithms.set(name, () => new Pbkdf2Worker());
