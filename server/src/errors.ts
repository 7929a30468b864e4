import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@cocreate/protocol';

/** The one error type of the server; its code decides the HTTP status and the close code. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
  get closeCode(): number {
    return ERROR_CODES[this.code].close;
  }
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const notFound = (what = 'resource') => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'not allowed') => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'sign in first') => new AppError('UNAUTHENTICATED', message);
export const conflict = (message: string, details?: unknown) => new AppError('CONFLICT', message, details);
export const invalid = (message: string, details?: unknown) => new AppError('VALIDATION_FAILED', message, details);
