import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';

/** Maps every failure to `{code, message, details?}` with the status of its code, once. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const details = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'invalid',
    }));
    return new AppError('VALIDATION_FAILED', 'the request is not valid', details);
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
