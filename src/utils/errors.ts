/**
 * Application errors: one AppError type carrying an HTTP status, a stable UPPER_SNAKE code and
 * optional details. The error handler renders it in the envelope family of the route.
 */
export type EnvelopeFamily = 'E1' | 'E2' | 'E3' | 'E4';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Forces an envelope family (auth failures are E1 whatever the route's family). */
    readonly family?: EnvelopeFamily,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400 VALIDATION_ERROR, always in the E1 envelope (the contract uses it on every route family). */
export class ValidationError extends AppError {
  constructor(details: { field: string; message: string }[], message = 'Validation failed') {
    super(400, 'VALIDATION_ERROR', message, { details }, 'E1');
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required', code = 'UNAUTHORIZED') {
    super(401, code, message, undefined, 'E1');
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Insufficient permissions', code = 'FORBIDDEN') {
    super(403, code, message, undefined, 'E1');
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found', code = 'NOT_FOUND') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT', details?: Record<string, unknown>) {
    super(409, code, message, details);
  }
}

/** An error for the Meta Bot's internal routes, always in the E4 envelope ({ success, error, code }). */
export class InternalApiError extends AppError {
  constructor(status: number, code: string, message: string) {
    super(status, code, message, undefined, 'E4');
  }
}
