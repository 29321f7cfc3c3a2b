/**
 * A staff member's time off (the original had no API for it, §0.5). Creating or moving time off
 * never cancels appointments; the answer lists the active appointments it overlaps so the
 * manager can move them.
 */
import type { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { ACTIVE_APPOINTMENT_STATUSES } from '../../models/constants';
import { TimeOff } from '../../models/TimeOff';
import { AppError, NotFoundError } from '../../utils/errors';
import { staffMember } from './refs';

export interface TimeOffInput {
  start: Date;
  end: Date;
  reason?: string;
  color?: string;
}

async function overlapping(companyId: Types.ObjectId, userId: Types.ObjectId | string, start: Date, end: Date): Promise<string[]> {
  const found = await Appointment.find(
    { companyId, staffId: userId, status: { $in: ACTIVE_APPOINTMENT_STATUSES }, start: { $lt: end }, end: { $gt: start } },
    { _id: 1 },
  )
    .limit(100)
    .lean();
  return found.map((a) => String(a._id));
}

function checkRange(start: Date, end: Date): void {
  if (!(end > start)) throw new AppError(400, 'INVALID_RANGE', 'End time must be after start time');
  if (end.getTime() - start.getTime() > 366 * 24 * 3600_000)
    throw new AppError(400, 'INVALID_RANGE', 'Time off cannot last longer than a year');
}

export const timeOffService = {
  async list(companyId: Types.ObjectId, staffId: string, q: { from?: Date; to?: Date }) {
    await staffMember(companyId, staffId);
    return TimeOff.find({
      companyId,
      userId: staffId,
      ...(q.to ? { start: { $lt: q.to } } : {}),
      ...(q.from ? { end: { $gt: q.from } } : {}),
    })
      .sort({ start: 1 })
      .limit(1000)
      .lean();
  },

  async create(companyId: Types.ObjectId, staffId: string, input: TimeOffInput) {
    const staff = await staffMember(companyId, staffId);
    checkRange(input.start, input.end);
    const doc = await TimeOff.create({ companyId, userId: staff._id, ...input });
    return { timeOff: doc.toObject(), conflictingAppointments: await overlapping(companyId, staff._id, input.start, input.end) };
  },

  async update(companyId: Types.ObjectId, staffId: string, id: string, input: Partial<TimeOffInput>) {
    const current = await TimeOff.findOne({ _id: id, companyId, userId: staffId }).lean();
    if (!current) throw new NotFoundError('Time off not found');
    const start = input.start ?? current.start;
    const end = input.end ?? current.end;
    checkRange(start, end);
    const doc = await TimeOff.findOneAndUpdate({ _id: id, companyId, userId: staffId }, { $set: { ...input } }, { new: true }).lean();
    if (!doc) throw new NotFoundError('Time off not found');
    return { timeOff: doc, conflictingAppointments: await overlapping(companyId, staffId, start, end) };
  },

  async remove(companyId: Types.ObjectId, staffId: string, id: string) {
    const doc = await TimeOff.findOneAndDelete({ _id: id, companyId, userId: staffId }).lean();
    if (!doc) throw new NotFoundError('Time off not found');
    return doc;
  },
};
