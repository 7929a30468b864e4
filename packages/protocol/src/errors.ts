/**
 * The one table of error codes. Every HTTP error body, Socket.IO ack and WebSocket close
 * carries one of these codes; the HTTP status and close code are looked up here, never typed
 * elsewhere.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { http: 400, close: 4400 },
  UNAUTHENTICATED: { http: 401, close: 4401 },
  FORBIDDEN: { http: 403, close: 4403 },
  NOT_FOUND: { http: 404, close: 4404 },
  CONFLICT: { http: 409, close: 4409 },
  PAYLOAD_TOO_LARGE: { http: 413, close: 4413 },
  RATE_LIMITED: { http: 429, close: 1013 },
  UNAVAILABLE: { http: 503, close: 1013 },
  INTERNAL: { http: 500, close: 1011 },
} as const satisfies Record<string, { http: number; close: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The JSON body of every HTTP error and the payload of every failed ack. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Named WebSocket close codes (RFC 6455 range plus the 44xx application range above). */
export const CLOSE_CODES = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  INTERNAL: 1011,
  TRY_AGAIN_LATER: 1013,
  MALFORMED: 4400,
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  NOT_FOUND: 4404,
  TOO_LARGE: 4413,
} as const;
