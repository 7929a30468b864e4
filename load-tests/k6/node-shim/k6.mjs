import { block, sample } from './bridge.mjs';

/** @param {number} seconds */
export function sleep(seconds) {
  block(seconds * 1000);
}

/**
 * @param {unknown} value
 * @param {Record<string, (v: unknown) => boolean>} sets
 */
export function check(value, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(value));
    sample('checks', 'rate', ok ? 1 : 0, { check: name });
    all &&= ok;
  }
  return all;
}

export default { sleep, check };
