/**
 * Who a contact is, for the hot paths (sending a message, delivering it): the company it belongs
 * to and its social ids. A contact never changes company and its social ids are set when it is
 * created, so positive answers are kept briefly in memory; the key includes the company, so one
 * tenant's lookup can never be answered with another's contact.
 */
import { Types } from 'mongoose';
import { Contact } from '../models/Contact';
import { ttlCache } from '../utils/ttlCache';

export interface ContactRef {
  _id: Types.ObjectId;
  companyId: Types.ObjectId;
  social?: { facebookId?: string; instagramId?: string; whatsapp?: string };
}

const refs = ttlCache<string, ContactRef>(60_000, 50_000);

export async function contactRef(companyId: Types.ObjectId | string, contactId: Types.ObjectId | string): Promise<ContactRef | null> {
  const key = `${String(companyId)}:${String(contactId)}`;
  const cached = refs.get(key);
  if (cached) return cached;
  if (!Types.ObjectId.isValid(String(contactId))) return null;
  const found = (await Contact.collection.findOne(
    { _id: new Types.ObjectId(String(contactId)), companyId: new Types.ObjectId(String(companyId)) },
    { projection: { companyId: 1, social: 1 } },
  )) as ContactRef | null;
  if (found) refs.set(key, found);
  return found;
}
