/**
 * The demo customers (found again by phone number: the customers API returns the contact a number
 * already belongs to instead of writing another) and their pets (by customer and name).
 */
import type { Types } from 'mongoose';
import type { CustomerService } from '../services/customers/customer.service';
import type { PetService } from '../services/customers/pet.service';
import { CustomerCreateBody } from '../validators/customers/customer.schemas';
import { PetCreateBody } from '../validators/customers/pet.schemas';
import { DEMO_CUSTOMERS, type PetSeed } from './customerData';
import type { LocationLabel } from './data';
import type { StepTracker } from './step';

type CompanyId = Types.ObjectId;

/** Customer ids by full name. */
export type CustomerMap = Map<string, string>;

export interface SeededPet {
  id: string;
  customerId: string;
  location: LocationLabel;
  seed: PetSeed;
}

export async function seedCustomers(customers: CustomerService, companyId: CompanyId, t: StepTracker): Promise<CustomerMap> {
  const out: CustomerMap = new Map();
  for (const c of DEMO_CUSTOMERS) {
    const body = CustomerCreateBody.parse({
      fullName: c.fullName,
      phone: c.phone,
      ...(c.email ? { email: c.email } : {}),
      ...(c.notes ? { notes: c.notes } : {}),
      ...(c.whatsapp ? { social: { whatsapp: c.whatsapp } } : {}),
    });
    const { customer, created } = await customers.create(companyId, body);
    if (created) t.created();
    else t.existing();
    out.set(c.fullName, String((customer as { _id: unknown })._id));
  }
  return out;
}

export const petCount = (): number => DEMO_CUSTOMERS.reduce((n, c) => n + c.pets.length, 0);

export async function seedPets(pets: PetService, companyId: CompanyId, customers: CustomerMap, t: StepTracker): Promise<SeededPet[]> {
  const out: SeededPet[] = [];
  for (const c of DEMO_CUSTOMERS) {
    const customerId = customers.get(c.fullName)!;
    const { items } = await pets.list(companyId, { customerId });
    for (const seed of c.pets) {
      let id = items.find((p) => p.name === seed.name)?._id;
      if (id) t.existing();
      else {
        id = (await pets.create(companyId, PetCreateBody.parse({ customerId, ...seed })))._id;
        t.created();
      }
      out.push({ id: String(id), customerId, location: c.location, seed });
    }
  }
  return out;
}
