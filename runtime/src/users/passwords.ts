import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (OWASP's recommended 19 MiB, 2 passes).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Verifies against a throw-away hash, so a login for an unknown user costs as much as one with a
 * wrong password and response times do not reveal which e-mails exist.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword('forma-dummy-password');
  await verifyPassword(await dummy, password);
  return false;
}
