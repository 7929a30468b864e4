import { type Options, hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id settings: 19 MiB, two passes, one lane. Algorithm 2 is Argon2id. */
const ARGON2ID: Options = { algorithm: 2 as Options['algorithm'], memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** A real hash of nothing, so a login for an unknown email costs what a wrong password costs. */
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword('cocreate-timing-equaliser');
  await verifyPassword(await dummy, password);
  return false;
}
