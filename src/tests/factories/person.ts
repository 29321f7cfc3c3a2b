/** A contact with a history (messages, pet, appointment with a reservation, hold), for the deletion tests. */
import { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import { BookingHold } from '../../models/BookingHold';
import { Contact } from '../../models/Contact';
import { Conversation } from '../../models/Conversation';
import { Message } from '../../models/Message';
import { Pet } from '../../models/Pet';
import { ResourceReservation } from '../../models/ResourceReservation';
import { seedAppointment, seedPet } from './customers';
import { createContact, createMessage } from './inbox';

/** A contact with everything deletion must remove: messages (and summary), an appointment with a reservation, a hold, a pet. */
export async function personIn(companyId: Types.ObjectId, social: { facebookId?: string | null; instagramId?: string | null }) {
  const contact = await createContact(companyId, social);
  await createMessage(companyId, contact._id);
  await createMessage(companyId, contact._id, { direction: 'outbound' });
  const petId = await seedPet(companyId, contact._id);
  await seedAppointment(companyId, contact._id, petId, new Date('2030-01-01T10:00:00Z'));
  const appointment = (await Appointment.findOne({ companyId, customerId: contact._id }).lean())!;
  await ResourceReservation.create({
    companyId,
    locationId: appointment.locationId,
    appointmentId: appointment._id,
    appointmentItemId: new Types.ObjectId(),
    resourceTypeId: new Types.ObjectId(),
    start: appointment.start,
    end: appointment.end,
  });
  await BookingHold.create({
    companyId,
    locationId: new Types.ObjectId(),
    customerId: contact._id,
    tentative: [{ staffId: new Types.ObjectId(), start: new Date('2030-01-02T10:00:00Z'), end: new Date('2030-01-02T11:00:00Z') }],
    expiresAt: new Date(Date.now() + 600_000),
  });
  return contact._id;
}

/** What is left of a contact's data (all counts zero once deleted). */
export async function remaining(companyId: Types.ObjectId, contactId: Types.ObjectId) {
  return {
    contacts: await Contact.countDocuments({ companyId, _id: contactId }),
    messages: await Message.countDocuments({ company_id: companyId, contact_id: contactId }),
    conversations: await Conversation.countDocuments({ companyId, contactId }),
    appointments: await Appointment.countDocuments({ companyId, customerId: contactId }),
    reservations: await ResourceReservation.countDocuments({ companyId }),
    holds: await BookingHold.countDocuments({ companyId, customerId: contactId }),
    pets: await Pet.countDocuments({ companyId, customerId: contactId }),
  };
}
export const NOTHING = { contacts: 0, messages: 0, conversations: 0, appointments: 0, reservations: 0, holds: 0, pets: 0 };
export const EVERYTHING = { contacts: 1, messages: 2, conversations: 1, appointments: 1, reservations: 1, holds: 1, pets: 1 };
