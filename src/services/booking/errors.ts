/**
 * The booking errors, with the original's codes [COMPAT, §6.2] and their real statuses (B-12:
 * the original answered 500 for all but BOOKING_CONFLICT).
 */
import { AppError } from '../../utils/errors';

export class BookingValidationError extends AppError {
  constructor(readonly validationErrors: string[]) {
    super(400, 'VALIDATION_FAILED', `Appointment validation failed: ${validationErrors.join('; ')}`, { validationErrors });
  }
}

export class StaffNotQualifiedError extends AppError {
  constructor(message: string) {
    super(400, 'STAFF_NOT_QUALIFIED', message);
  }
}

export class BookingConflictError extends AppError {
  constructor(
    prefix: 'Booking' | 'Reschedule' | 'Hold',
    readonly reason: string,
    extra: { conflictingAppointment?: string; timeOffId?: string } = {},
  ) {
    super(409, 'BOOKING_CONFLICT', `${prefix} not available: ${reason}`, { reason, ...extra });
  }
}

export class ResourceConflictError extends AppError {
  constructor(readonly reason: string) {
    super(409, 'RESOURCE_CONFLICT', `Resource unavailable: ${reason}`, { reason });
  }
}

export class StatusTransitionError extends AppError {
  constructor(from: string, to: string) {
    super(400, 'INVALID_STATUS_TRANSITION', `Cannot transition from ${from} to ${to}`);
  }
}
