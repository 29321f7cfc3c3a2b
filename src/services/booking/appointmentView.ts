/**
 * How appointments leave the service [COMPAT, §3 A1/A2, §10.3]: populated references with `_id`
 * (`staffId._id` places an appointment in its staff column), dates as ISO strings, and the
 * socket payloads per audience (no customer phone or email for groomers, S-8).
 */
import type { ClientSession, PopulateOptions, Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { NotFoundError } from '../../utils/errors';

type Id = Types.ObjectId | string;

/** The references of A1 (and A3/A6): the location as an object with label, address and phone. */
export function appointmentPopulate(companyId: Id, opts: { location: boolean }): PopulateOptions[] {
  const match = { companyId };
  return [
    { path: 'customerId', select: 'fullName email phone', match },
    { path: 'petId', select: 'name species breed size coatType', match },
    { path: 'serviceId', select: 'name', match },
    { path: 'serviceItemId', select: 'size label coatType price durationMinutes', match },
    { path: 'staffId', select: 'fullName role color', match },
    ...(opts.location ? [{ path: 'locationId', select: 'label address phone', match }] : []),
  ];
}

export type AppointmentView = Record<string, unknown> & { _id: Types.ObjectId };

/** One appointment of the company, populated, as a plain object; 404 when it is not there. */
export async function loadView(companyId: Id, id: Id, opts: { location: boolean; session?: ClientSession }): Promise<AppointmentView> {
  const doc = await Appointment.findOne({ _id: id, companyId }, null, opts.session ? { session: opts.session } : {})
    .populate(appointmentPopulate(companyId, opts))
    .lean();
  if (!doc) throw new NotFoundError('Appointment not found');
  return doc as unknown as AppointmentView;
}

/** The view without the customer's phone and email. */
export function limitedView(view: AppointmentView): AppointmentView {
  const customer = view.customerId as Record<string, unknown> | null | undefined;
  if (!customer || typeof customer !== 'object' || !('_id' in customer)) return view;
  const { phone: _phone, email: _email, ...rest } = customer;
  return { ...view, customerId: rest };
}
