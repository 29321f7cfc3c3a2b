/**
 * Resolves the documents a booking names, all in the caller's company: another company's id
 * is answered like a missing one. The location keeps the contract's 400 INVALID_LOCATION.
 */
import type { Types } from 'mongoose';
import { Company } from '../../models/Company';
import { Contact } from '../../models/Contact';
import { Location } from '../../models/Location';
import { Pet } from '../../models/Pet';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { User } from '../../models/User';
import { AppError, NotFoundError } from '../../utils/errors';
import { BookingValidationError } from './errors';
import type { CompanyLike, LocationLike } from './facts';

type Id = Types.ObjectId | string;

export async function companyOf(companyId: Id): Promise<CompanyLike> {
  const company = await Company.findById(companyId, { timezone: 1, settings: 1 }).lean();
  if (!company) throw new NotFoundError('Company not found');
  return company as CompanyLike;
}

export async function locationOf(companyId: Id, locationId: Id): Promise<LocationLike & { label?: string }> {
  const location = await Location.findOne({ _id: locationId, companyId }).lean();
  if (!location) throw new AppError(400, 'INVALID_LOCATION', 'Invalid locationId for this company');
  return location as LocationLike & { label?: string };
}

export async function staffMember(companyId: Id, staffId: Id) {
  const user = await User.findOne({ _id: staffId, companyId }).lean();
  if (!user) throw new NotFoundError('Staff not found');
  return user;
}

/** The service and its variant: the variant must belong to the service, both active. */
export async function serviceAndItem(companyId: Id, serviceId: Id | undefined, serviceItemId: Id) {
  const item = await ServiceItem.findOne({ _id: serviceItemId, companyId }).lean();
  if (!item) throw new NotFoundError('Service item not found');
  const service = await ServiceCategory.findOne({ _id: serviceId ?? item.serviceCategoryId, companyId }).lean();
  if (!service) throw new NotFoundError('Service not found');
  const problems: string[] = [];
  if (String(item.serviceCategoryId) !== String(service._id)) problems.push('Service item does not belong to this service');
  if (service.active === false) problems.push('Service is not active');
  if (item.active === false) problems.push('Service item is not active');
  if (problems.length) throw new BookingValidationError(problems);
  return { service, item };
}

/** The customer and their pet; the pet must be the customer's and of a species the service takes. */
export async function customerAndPet(companyId: Id, customerId: Id, petId: Id, serviceSpecies?: string) {
  const [customer, pet] = await Promise.all([
    Contact.findOne({ _id: customerId, companyId }, { fullName: 1, phone: 1, email: 1, contactStatus: 1 }).lean(),
    Pet.findOne({ _id: petId, companyId }).lean(),
  ]);
  if (!customer) throw new NotFoundError('Customer not found');
  if (!pet) throw new NotFoundError('Pet not found');
  if (String(pet.customerId) !== String(customer._id)) throw new BookingValidationError(['Pet does not belong to this customer']);
  if (serviceSpecies && serviceSpecies !== 'other' && !serviceSpecies.split('&').includes(pet.species)) {
    throw new BookingValidationError([`This service is not offered for the species ${pet.species}`]);
  }
  return { customer, pet };
}
