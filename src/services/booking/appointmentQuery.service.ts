/**
 * Reading appointments for the dashboard: the paginated list (A1), one appointment (A3) and a
 * customer's appointments (A6). A caller who does not manage bookings (a groomer) sees only their
 * own appointments (S-6): a staffId filter can narrow that, never widen it.
 */
import type { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { Contact } from '../../models/Contact';
import type { AppointmentStatus } from '../../models/constants';
import type { Clock } from '../../utils/clock';
import { NotFoundError } from '../../utils/errors';
import { appointmentPopulate, loadView } from './appointmentView';
import { companyOf } from './refs';
import { localDate, startOfLocalDay } from './time';
import { zoneOf } from './facts';

export interface ListQuery {
  page?: number;
  limit?: number;
  size?: number;
  sortField: string;
  ascending: boolean;
  startDate?: Date;
  endDate?: Date;
  locationId?: string;
  staffId?: string;
  customerId?: string;
  status?: AppointmentStatus[];
}

/** Whose appointments the caller may see: everyone's, or only their own. */
export interface Viewer {
  ownOnly?: string;
}

const ACTIVE_UPCOMING: AppointmentStatus[] = ['scheduled', 'checked_in', 'in_progress'];

export function createAppointmentQueries(deps: { clock: Clock }) {
  async function list(companyId: Types.ObjectId, q: ListQuery, viewer: Viewer) {
    const filter: Record<string, unknown> = { companyId };
    if (viewer.ownOnly) {
      // A groomer asking for someone else's column gets an empty list, not that column.
      filter.staffId = q.staffId && q.staffId !== viewer.ownOnly ? { $in: [] } : viewer.ownOnly;
    } else if (q.staffId) filter.staffId = q.staffId;
    if (q.locationId) filter.locationId = q.locationId;
    if (q.customerId) filter.customerId = q.customerId;
    if (q.status) filter.status = q.status.length === 1 ? q.status[0] : { $in: q.status };
    if (q.startDate || q.endDate) {
      filter.start = { ...(q.startDate ? { $gte: q.startDate } : {}), ...(q.endDate ? { $lte: q.endDate } : {}) };
    } else {
      // Z-1: "from today" means today in the company's zone, not the server's.
      const company = await companyOf(companyId);
      const zone = zoneOf(company);
      filter.start = { $gte: new Date(startOfLocalDay(localDate(deps.clock.now().getTime(), zone), zone)) };
    }
    const size = q.limit ?? q.size ?? 20;
    const page = q.page ?? 1;
    const sort: Record<string, 1 | -1> = { [q.sortField]: q.ascending ? 1 : -1 };
    if (q.sortField !== 'start') sort.start = 1;
    sort._id = 1;
    const [items, total] = await Promise.all([
      Appointment.find(filter)
        .sort(sort)
        .skip((page - 1) * size)
        .limit(size)
        .populate(appointmentPopulate(companyId, { location: true }))
        .lean(),
      Appointment.countDocuments(filter),
    ]);
    const totalPages = Math.ceil(total / size);
    return { items, pagination: { page, size, total, totalPages, hasNext: page < totalPages, hasPrev: page > 1 } };
  }

  async function get(companyId: Types.ObjectId, id: string, viewer: Viewer) {
    const view = await loadView(companyId, id, { location: true });
    const staff = view.staffId as { _id?: unknown } | null;
    if (viewer.ownOnly && String(staff?._id ?? staff) !== viewer.ownOnly) throw new NotFoundError('Appointment not found');
    return view;
  }

  async function forCustomer(
    companyId: Types.ObjectId,
    customerId: string,
    q: { status?: AppointmentStatus; upcoming?: boolean },
    viewer: Viewer,
  ) {
    if (!(await Contact.exists({ _id: customerId, companyId }))) throw new NotFoundError('Customer not found');
    const filter: Record<string, unknown> = { companyId, customerId };
    if (viewer.ownOnly) filter.staffId = viewer.ownOnly;
    if (q.upcoming) {
      filter.start = { $gte: deps.clock.now() };
      filter.status = { $in: ACTIVE_UPCOMING };
    } else if (q.status) filter.status = q.status;
    const appointments = await Appointment.find(filter)
      .sort({ start: 1 })
      .limit(1000)
      .populate(appointmentPopulate(companyId, { location: true }).filter((p) => p.path !== 'customerId'))
      .lean();
    return { success: true, appointments, count: appointments.length };
  }

  return { list, get, forCustomer };
}

export type AppointmentQueries = ReturnType<typeof createAppointmentQueries>;
