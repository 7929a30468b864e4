/** Turns anything thrown by the API layer into text a person can act on. */
import { ApiError, type ClientErrorCode } from './api';

export interface FieldIssue {
  /** Dotted path of the offending field (`email`, `tags.2`); '' for the form as a whole. */
  field: string;
  message: string;
}

export interface ErrorDescription {
  code: ClientErrorCode | null;
  /** The friendly sentence to show first. */
  message: string;
  /** The server's own explanation, when it adds something. */
  detail?: string;
  fields: FieldIssue[];
}

export const FRIENDLY_MESSAGES: Record<ClientErrorCode, string> = {
  VALIDATION_FAILED: 'Some of the information is not valid. Please check the fields below.',
  UNAUTHENTICATED: 'You need to log in to do that.',
  FORBIDDEN: "You don't have permission to do that.",
  NOT_FOUND: "We couldn't find that. It may have been removed, or it may be private.",
  CONFLICT: 'That clashes with something that already exists.',
  PAYLOAD_TOO_LARGE: 'That is too large to send. Please shorten it and try again.',
  RATE_LIMITED: "You're doing that too often. Please wait a moment and try again.",
  UNAVAILABLE: 'The service is temporarily unavailable. Please try again in a moment.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
  NETWORK: "We couldn't reach the server. Check your connection and try again.",
};

/** Codes whose server message is worth showing under the friendly sentence. */
const SHOW_SERVER_MESSAGE: ReadonlySet<ClientErrorCode> = new Set([
  'VALIDATION_FAILED',
  'FORBIDDEN',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
]);

export function describeError(
  error: unknown,
  overrides: Partial<Record<ClientErrorCode, string>> = {},
): ErrorDescription {
  if (!(error instanceof ApiError)) {
    return { code: null, message: 'Something unexpected went wrong. Please try again.', fields: [] };
  }
  const message = overrides[error.code] ?? FRIENDLY_MESSAGES[error.code];
  const fields = error.code === 'VALIDATION_FAILED' ? fieldIssues(error.details) : [];
  let detail: string | undefined;
  const server = error.message.trim();
  if (SHOW_SERVER_MESSAGE.has(error.code) && server && !sameText(server, message) && fields.length === 0) {
    detail = capitalize(server);
  }
  if (error.code === 'RATE_LIMITED' && error.retryAfter !== undefined && error.retryAfter > 0) {
    detail = `Try again in ${formatSeconds(error.retryAfter)}.`;
  }
  return detail === undefined ? { code: error.code, message, fields } : { code: error.code, message, detail, fields };
}

/** Just the sentence(s), for places with room for one line. */
export function errorText(error: unknown, overrides?: Partial<Record<ClientErrorCode, string>>): string {
  const d = describeError(error, overrides);
  const parts = [d.message];
  if (d.detail) parts.push(d.detail);
  for (const f of d.fields) parts.push(f.field ? `${f.field}: ${f.message}` : f.message);
  return parts.join(' ');
}

const REQUEST_PARTS = new Set(['body', 'query', 'querystring', 'params', 'headers']);

/**
 * Reads the field issues of a VALIDATION_FAILED `details`, whatever its exact shape: a list of
 * zod issues (`{path, message}`), `{issues: [...]}`, ajv errors (`{instancePath, message}`),
 * zod's flattened `{fieldErrors, formErrors}`, or a plain `{field: message | message[]}` record.
 */
export function fieldIssues(details: unknown): FieldIssue[] {
  if (Array.isArray(details)) return details.flatMap(issueFrom);
  if (!details || typeof details !== 'object') return [];
  const d = details as Record<string, unknown>;
  if (Array.isArray(d.issues)) return fieldIssues(d.issues);
  if (d.fieldErrors && typeof d.fieldErrors === 'object') {
    const form = Array.isArray(d.formErrors) ? d.formErrors.filter(isString).map((message) => ({ field: '', message })) : [];
    return [...form, ...fromRecord(d.fieldErrors as Record<string, unknown>)];
  }
  return fromRecord(d);
}

function issueFrom(issue: unknown): FieldIssue[] {
  if (typeof issue === 'string') return [{ field: '', message: issue }];
  if (!issue || typeof issue !== 'object') return [];
  const i = issue as Record<string, unknown>;
  if (!isString(i.message)) return [];
  const raw = i.path ?? i.instancePath ?? i.field ?? '';
  return [{ field: normalizePath(raw), message: i.message }];
}

function fromRecord(record: Record<string, unknown>): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const [key, value] of Object.entries(record)) {
    const messages = Array.isArray(value) ? value.filter(isString) : isString(value) ? [value] : [];
    for (const message of messages) out.push({ field: normalizePath(key), message });
  }
  return out;
}

export function normalizePath(raw: unknown): string {
  let parts: string[];
  if (Array.isArray(raw)) parts = raw.map(String);
  else if (typeof raw === 'string') parts = raw.split(/[./]/);
  else return '';
  parts = parts.filter((p) => p !== '');
  if (parts.length > 1 && REQUEST_PARTS.has(parts[0] as string)) parts = parts.slice(1);
  else if (parts.length === 1 && REQUEST_PARTS.has(parts[0] as string)) parts = [];
  return parts.join('.');
}

/** The first issue for a form field, including issues about its items (`tags.2` → `tags`). */
export function issueFor(fields: readonly FieldIssue[], name: string): string | undefined {
  return fields.find((f) => f.field === name || f.field.startsWith(`${name}.`))?.message;
}

function isString(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return norm(a) === norm(b);
}

function capitalize(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * Whether asking again could help: a lost connection or a server hiccup may pass, but a missing,
 * forbidden or malformed thing stays that way, so offering "Try again" there only frustrates.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.code === 'NETWORK' || error.code === 'UNAVAILABLE' || error.code === 'INTERNAL' || error.code === 'RATE_LIMITED';
}
