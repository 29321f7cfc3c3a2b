/** The contact-phones migration on contacts the original backend (or the Meta Bot) wrote. */
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { checkMigrations, runMigrations } from '../../migrations';
import { contactPhones } from '../../migrations/2026-12-07-contact-phones';
import { useTestDatabase } from '../helpers/database';
import { CUSTOMERS, customersApp, georgianCompany, idsOf, setCompanyRaw } from './support';

useTestDatabase();

const { app, config } = customersApp();
const contacts = () => mongoose.connection.db!.collection('contacts');

it('normalises what parses in the company country, keeps one contact per number, reports the rest and makes every contact searchable', async () => {
  const co = await georgianCompany(config);
  const us = await georgianCompany(config);
  await setCompanyRaw(us.companyId, { country: 'US' });
  const [lead, customer, unparsed, american, noPhone] = [0, 1, 2, 3, 4].map(() => new Types.ObjectId()) as [
    Types.ObjectId,
    Types.ObjectId,
    Types.ObjectId,
    Types.ObjectId,
    Types.ObjectId,
  ];
  await contacts().insertMany([
    { _id: lead, companyId: co.companyId, fullName: 'Lead Twin', phone: '599 11 22 33', contactStatus: 'lead' },
    { _id: customer, companyId: co.companyId, fullName: 'Customer Twin', phone: '+995-599-112-233', contactStatus: 'customer' },
    { _id: unparsed, companyId: co.companyId, fullName: 'Garbled', phone: 'ask at desk', contactStatus: 'customer' },
    { _id: noPhone, companyId: co.companyId, fullName: 'Social Only', social: { instagramId: '178414' }, contactStatus: 'lead' },
    { _id: american, companyId: us.companyId, fullName: 'New Yorker', phone: '(212) 555-0123', contactStatus: 'customer' },
  ]);
  await mongoose.connection.db!.collection('migrations').deleteMany({});
  expect(await checkMigrations()).toContain('2026-12-07-contact-phones');

  const lines: string[] = [];
  await runMigrations((l) => lines.push(l));
  expect(lines.join('\n')).toContain(
    `2 phones normalised, 1 duplicates left without phoneE164 (${String(lead)}), 1 phones that do not parse left as they are (${String(unparsed)}), 5 contacts given search keys`,
  );
  const stored = async (id: Types.ObjectId) => contacts().findOne({ _id: id });
  expect(await stored(customer)).toMatchObject({ phone: '+995-599-112-233', phoneE164: '+995599112233' });
  expect(await stored(lead)).not.toHaveProperty('phoneE164');
  expect(await stored(american)).toMatchObject({ phoneE164: '+12125550123' });
  expect(await stored(unparsed)).toMatchObject({ phone: 'ask at desk' });

  const search = (query: Record<string, string>) => request(app).get(CUSTOMERS).query(query).set(co.manager);
  expect(idsOf(await search({ contactStatus: 'all', q: '599 11' }))).toEqual([customer, lead].map(String));
  expect(idsOf(await search({ contactStatus: 'all', q: 'social' }))).toEqual([String(noPhone)]);
  // The wizard now finds the kept number instead of creating a third contact.
  const created = await request(app).post(CUSTOMERS).set(co.manager).send({ fullName: 'Again', phone: '+995 599 11 22 33' });
  expect(created.status).toBe(200);
  expect(created.body.customer._id).toBe(String(customer));

  expect(await contactPhones.up()).toContain('0 phones normalised, 1 duplicates');
  expect(await contactPhones.down!()).toContain('removed from 5 contacts');
});

it('is recorded as not needed on a fresh database', async () => {
  await mongoose.connection.db!.collection('migrations').deleteMany({});
  expect(await checkMigrations()).toEqual([]);
});
