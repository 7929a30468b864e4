import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';
import { pgErrorCode } from '../lib/db-errors.js';

/** A hostile body must not make its error answer large: few details, short paths and messages. */
const MAX_DETAILS = 50;
const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Maps every failure to `{code, message, details?}` with the status of its code, once. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext ?? 'body';
    const details = err.validation
      .slice(0, MAX_DETAILS)
      .flatMap((v) => {
        // instancePath is "/" for the whole body, "/tags/3" for a nested value.
        const path = [context, ...v.instancePath.split('/').filter(Boolean)].join('.');
        // An unknown field is reported at its own path, one detail per field.
        const keys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: unknown }).keys : undefined;
        if (Array.isArray(keys) && keys.length > 0) {
          return keys.map((key) => ({ path: clip(`${path}.${String(key)}`), message: 'unknown field' }));
        }
        return [{ path: clip(path), message: clip(v.message ?? 'invalid') }];
      })
      .slice(0, MAX_DETAILS);
    return new AppError('VALIDATION_FAILED', 'the request is not valid', details);
  }
  // Text PostgreSQL cannot store (a NUL character in a query string or a path): the client's fault.
  const sqlState = pgErrorCode(err);
  if (sqlState === '22021' || sqlState === '22P05') {
    return new AppError('VALIDATION_FAILED', 'the request contains a character that cannot be stored (such as NUL)');
  }
  if (isResponseSerializationError(err)) return new AppError('INTERNAL', 'internal error');
  const status = (err as FastifyError).statusCode;
  const message = (err as Error).message || 'request refused';
  switch (status) {
    case 400:
    case 415:
      return new AppError('VALIDATION_FAILED', message);
    case 401:
      return new AppError('UNAUTHENTICATED', message);
    case 403:
      return new AppError('FORBIDDEN', message);
    case 404:
      return new AppError('NOT_FOUND', message);
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 429:
      return new AppError('RATE_LIMITED', message);
    case 503:
      return new AppError('UNAVAILABLE', message);
    default:
      if (status && status >= 400 && status < 500) return new AppError('VALIDATION_FAILED', message);
      return new AppError('INTERNAL', 'internal error');
  }
}

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err, request, reply) => {
    const appError = toAppError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    else request.log.debug({ code: appError.code }, appError.message);
    void reply.status(appError.httpStatus).send(appError.toBody());
  });
});
