/**
 * Factories for the customers suites: contacts as the staff API stores them (display phone and
 * E.164), leads as the inbox creates them, pets, and appointments of a pet written directly.
 */
import { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import type { AppointmentStatus } from '../../models/constants';
import { Contact } from '../../models/Contact';
import { Pet } from '../../models/Pet';

type Id = Types.ObjectId;
let seq = 0;
const next = (): number => ++seq;

export interface CustomerSeed {
  fullName?: string;
  email?: string;
  /** As displayed; with `e164`, as the staff API writes it. */
  phone?: string;
  e164?: string;
  contactStatus?: 'lead' | 'customer';
  social?: { facebookId?: string; instagramId?: string; whatsapp?: string };
}

/** A contact of the company (a customer unless told otherwise). */
export async function seedCustomer(companyId: Id, o: CustomerSeed = {}) {
  const contact = await Contact.create({
    companyId,
    fullName: o.fullName ?? `Customer ${next()}`,
    contactStatus: o.contactStatus ?? 'customer',
    ...(o.email ? { email: o.email } : {}),
    ...(o.phone ? { phone: o.phone } : {}),
    ...(o.e164 ? { phoneE164: o.e164 } : {}),
    ...(o.social ? { social: o.social } : {}),
  });
  return contact._id;
}

/** A lead as the inbox writes it: a social id and a name from the profile, no phone. */
export async function seedLead(companyId: Id, o: { fullName?: string; instagramId?: string } = {}) {
  return seedCustomer(companyId, {
    fullName: o.fullName ?? 'Instagram User',
    contactStatus: 'lead',
    social: { instagramId: o.instagramId ?? `17841400000${String(next()).padStart(6, '0')}` },
  });
}

export async function seedPet(
  companyId: Id,
  customerId: Id,
  o: { name?: string; species?: 'dog' | 'cat' | 'other'; size?: 'S' | 'M' | 'L' | 'XL'; breed?: string } = {},
) {
  const pet = await Pet.create({
    companyId,
    customerId,
    name: o.name ?? `Pet ${next()}`,
    species: o.species ?? 'dog',
    sex: 'unknown',
    ...o,
  });
  return pet._id;
}

/** An appointment of the pet from `start` for an hour, with made-up service and staff ids. */
export async function seedAppointment(companyId: Id, customerId: Id, petId: Id, start: Date, status: AppointmentStatus = 'scheduled') {
  const appointment = await Appointment.create({
    companyId,
    locationId: new Types.ObjectId(),
    customerId,
    petId,
    serviceId: new Types.ObjectId(),
    serviceItemId: new Types.ObjectId(),
    staffId: new Types.ObjectId(),
    start,
    end: new Date(start.getTime() + 3600_000),
    status,
    ...(status === 'canceled' ? { canceledAt: start, audit: { cancelReason: 'customer_requested' } } : {}),
  });
  return appointment._id;
}
