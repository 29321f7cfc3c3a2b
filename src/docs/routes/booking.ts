/**
 * Reference entries: appointments, availability, holds and time off (contract booking §3), and
 * the Meta Bot's internal booking API (docs/meta-bot-booking-api.md) and socket endpoints (I1–I3).
 */
import type { AreaDoc } from '../routeDoc';

const staff = 'Managers, receptionists and service providers (who see and progress their own appointments).';
const desk = 'Managers and receptionists.';
const bot = 'The Meta Bot names its company in the query (GET, DELETE) or the body; see docs/meta-bot-booking-api.md.';

export const bookingDocs: AreaDoc[] = [
  {
    tag: 'Appointments',
    description: "The dashboard's appointments. Rate-limited per user (429).",
    errors: 'E1',
    routes: {
      'GET /api/v1/appointments': {
        summary: 'List appointments (paged)',
        auth: 'bearer',
        returns: 'A page of appointments',
        description: staff,
      },
      'POST /api/v1/appointments': {
        summary: 'Book an appointment',
        auth: 'bearer',
        status: 201,
        returns: '`{message, appointment}`',
        description: `${desk} 409 BOOKING_CONFLICT or RESOURCE_CONFLICT when the time is taken.`,
      },
      'GET /api/v1/appointments/customer/:customerId': {
        summary: "List a customer's appointments",
        auth: 'bearer',
        returns: 'A page of appointments',
        description: staff,
      },
      'GET /api/v1/appointments/:id': { summary: 'Get an appointment', auth: 'bearer', returns: 'The appointment', description: staff },
      'PUT /api/v1/appointments/:id': {
        summary: 'Update or reschedule an appointment',
        auth: 'bearer',
        returns: '`{message, appointment}`',
        description: staff,
      },
      'PATCH /api/v1/appointments/:id/status': {
        summary: "Change an appointment's status",
        auth: 'bearer',
        returns: '`{message, appointment}`',
        description: `${staff} Only allowed transitions (400 INVALID_STATUS_TRANSITION otherwise).`,
      },
      'DELETE /api/v1/appointments/:id': {
        summary: 'Cancel an appointment',
        auth: 'bearer',
        returns: '`{message, appointment}` (the appointment is kept, canceled)',
        description: desk,
      },
    },
  },
  {
    tag: 'Availability',
    description: 'Free slots, short holds on a slot while a booking is made, and staff time off.',
    errors: 'E1',
    routes: {
      'GET /api/v1/availability': {
        summary: 'Find free slots',
        auth: 'bearer',
        returns: 'The free slots for the service and range',
        description: 'Managers, receptionists and service providers.',
      },
      'GET /api/v1/holds': { summary: 'List active holds', auth: 'bearer', returns: '`{items}`', description: desk },
      'POST /api/v1/holds': { summary: 'Hold a slot', auth: 'bearer', status: 201, returns: '`{hold}`', description: desk },
      'DELETE /api/v1/holds/:id': { summary: 'Release a hold', auth: 'bearer', returns: '`{message, hold}`', description: desk },
      'GET /api/v1/catalog/staff/:id/time-off': {
        summary: "List a staff member's time off",
        auth: 'bearer',
        returns: '`{items}`',
        description: desk,
      },
      'POST /api/v1/catalog/staff/:id/time-off': { summary: 'Add time off', auth: 'manager', status: 201, returns: 'The time off' },
      'PUT /api/v1/catalog/staff/:id/time-off/:timeOffId': { summary: 'Update time off', auth: 'manager', returns: 'The time off' },
      'DELETE /api/v1/catalog/staff/:id/time-off/:timeOffId': {
        summary: 'Delete time off',
        auth: 'manager',
        returns: '`{message, timeOff}`',
      },
    },
  },
  {
    tag: 'Meta Bot booking (internal)',
    description: `The Meta Bot's booking API: the same engine as the dashboard. ${bot}`,
    errors: 'E4',
    validation: 'E4',
    routes: {
      'POST /api/v1/internal/booking/availability/check': {
        summary: 'Check whether a staff member can take a time',
        auth: 'apiKey',
        returns: '`{success: true, available, ...}`',
      },
      'GET /api/v1/internal/booking/slots': {
        summary: 'Find free slots',
        auth: 'apiKey',
        returns: '`{success: true, items, time_ranges, timezone, ...}`',
      },
      'POST /api/v1/internal/booking/appointments': {
        summary: 'Book an appointment',
        auth: 'apiKey',
        status: 201,
        returns: '`{success: true, appointment}`',
      },
      'PUT /api/v1/internal/booking/appointments/:id': {
        summary: 'Reschedule an appointment',
        auth: 'apiKey',
        returns: '`{success: true, appointment}`',
      },
      'POST /api/v1/internal/booking/appointments/:id/cancel': {
        summary: 'Cancel an appointment',
        auth: 'apiKey',
        returns: '`{success: true, appointment}`',
      },
      'GET /api/v1/internal/booking/customers/:customerId/appointments': {
        summary: "List a customer's appointments",
        auth: 'apiKey',
        returns: '`{success: true, appointments, count}`',
      },
      'GET /api/v1/internal/booking/customers/:customerId/pets': {
        summary: "List a customer's pets",
        auth: 'apiKey',
        returns: '`{success: true, pets}`',
      },
      'POST /api/v1/internal/booking/customers/:customerId/pets': {
        summary: 'Add a pet to a customer',
        auth: 'apiKey',
        status: 201,
        returns: '`{success: true, pet}`',
      },
      'GET /api/v1/internal/booking/staff': { summary: 'List bookable staff', auth: 'apiKey', returns: '`{success: true, staff, count}`' },
      'GET /api/v1/internal/booking/locations': { summary: 'List locations', auth: 'apiKey', returns: '`{success: true, locations}`' },
      'GET /api/v1/internal/booking/services': { summary: 'List services', auth: 'apiKey', returns: '`{success: true, services}`' },
      'POST /api/v1/internal/booking/holds': { summary: 'Hold a slot', auth: 'apiKey', status: 201, returns: '`{success: true, hold}`' },
      'GET /api/v1/internal/booking/holds': { summary: 'List active holds', auth: 'apiKey', returns: '`{success: true, holds, count}`' },
      'DELETE /api/v1/internal/booking/holds/:id': { summary: 'Release a hold', auth: 'apiKey', returns: '`{success: true, hold}`' },
    },
  },
  {
    tag: 'Meta Bot events (internal)',
    description: "The Meta Bot's appointment notifications (I1–I3): the event goes to the appointment's company.",
    errors: 'E4',
    routes: {
      'POST /api/v1/internal/socket/appointment-created': {
        summary: 'Announce a created appointment',
        auth: 'apiKey',
        returns: '`{success: true, message, eventType}`',
      },
      'POST /api/v1/internal/socket/appointment-updated': {
        summary: 'Announce an updated appointment',
        auth: 'apiKey',
        returns: '`{success: true, message, eventType}`',
      },
      'POST /api/v1/internal/socket/appointment-canceled': {
        summary: 'Announce a canceled appointment',
        auth: 'apiKey',
        returns: '`{success: true, message, eventType}`',
      },
    },
  },
];
