/**
 * I1–I3: the Meta Bot asks for an appointment to be announced. The appointment is looked up by id
 * in any company (the API key is global), and its event goes to that company's rooms (B-3: the
 * original answered 200 and emitted nothing).
 */
import { asyncHandler } from '../asyncHandler';
import { valid } from '../../middleware/validate';
import { Appointment } from '../../models/Appointment';
import { crossTenant } from '../../models/plugins/tenantScoped';
import type { AppointmentService } from '../../services/booking/appointment.service';
import { loadView } from '../../services/booking/appointmentView';
import type { AppointmentEventName } from '../../socket/events/types';
import { AppError } from '../../utils/errors';
import { SocketBody } from '../../validators/booking/internalBooking.schemas';

export function internalSocketController(appointments: AppointmentService) {
  return {
    emit: (event: AppointmentEventName) =>
      asyncHandler(async (_req, res) => {
        const { appointmentId } = valid(res, 'body', SocketBody);
        const found = await crossTenant(Appointment.findOne({ _id: appointmentId }, { companyId: 1 }).lean());
        if (!found) throw new AppError(404, 'APPOINTMENT_NOT_FOUND', `Appointment ${appointmentId} not found`, undefined, 'E1');
        const view = await loadView(found.companyId, appointmentId, { location: false });
        try {
          appointments.announce(found.companyId, event, view);
        } catch (err) {
          throw new AppError(500, 'SOCKET_EMISSION_FAILED', 'Failed to emit socket event', { details: (err as Error).message }, 'E1');
        }
        res.json({ success: true, message: 'Socket event emitted successfully', eventType: event });
      }),
  };
}
