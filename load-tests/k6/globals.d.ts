// k6 provides console in every context; @types/k6 does not declare it (and the DOM lib would bring far more).
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};

/** One load account from the seed's file (see server/src/seed-load.ts). */
interface LoadUser {
  id: string;
  handle: string;
  token: string;
}
