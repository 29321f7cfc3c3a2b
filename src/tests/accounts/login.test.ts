/** POST /api/v1/auth/login: the response, credential failures, several companies per email, email normalisation. */
import bcrypt from 'bcrypt';
import request from 'supertest';
import { User } from '../../models/User';
import { createCompany, createStaff, DEFAULT_PASSWORD } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { authApp, login, setCookie } from './support';

useTestDatabase();

const { app } = authApp();
const INVALID = { error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' } };

describe('successful login', () => {
  test('when the credentials are right, then 200 with user.id, an ISO tokenExpiry, the company and a refresh cookie', async () => {
    const company = await createCompany({ name: 'Alpha Grooming' });
    const staff = await createStaff(company.companyId, 'groomer');
    const before = Date.now();
    const res = await login(app, { email: staff.email, password: staff.password });

    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Login successful');
    expect(res.body.user).toEqual({
      id: String(staff.userId),
      email: staff.email,
      fullName: 'groomer person',
      color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
      role: 'groomer',
      companyId: String(company.companyId),
      companyName: 'Alpha Grooming',
    });
    expect(typeof res.body.accessToken).toBe('string');
    expect(res.body.tokenExpiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const expiry = Date.parse(res.body.tokenExpiry as string);
    expect(expiry).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    expect(res.body.company).toMatchObject({ _id: String(company.companyId), name: 'Alpha Grooming' });

    const cookie = setCookie(res, 'refreshToken');
    expect(cookie?.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(cookie?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax', 'max-age': '604800' });
  });

  test('when a staff member created as jane.doe@gmail.com logs in as " Jane.Doe@Gmail.com ", then it works', async () => {
    const company = await createCompany();
    const staff = await createStaff(company.companyId, 'receptionist', { email: 'jane.doe@gmail.com' });
    const res = await login(app, { email: ' Jane.Doe@Gmail.com ', password: DEFAULT_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: String(staff.userId), email: 'jane.doe@gmail.com' });
  });

  test('when the access token from login is used, then it opens an authenticated route', async () => {
    const company = await createCompany();
    const staff = await createStaff(company.companyId, 'manager');
    const res = await login(app, { email: staff.email, password: staff.password });
    const locations = await request(app).get('/api/v1/locations').set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(locations.status).toBe(200);
  });
});

describe('credential failures', () => {
  test('when the password is wrong, then 401 INVALID_CREDENTIALS and no cookie', async () => {
    const company = await createCompany();
    const staff = await createStaff(company.companyId, 'groomer');
    const res = await login(app, { email: staff.email, password: 'Wrong1Password' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID);
    expect(setCookie(res, 'refreshToken')).toBeUndefined();
  });

  test('when the email is unknown, then 401 INVALID_CREDENTIALS, the same answer as a wrong password', async () => {
    const res = await login(app, { email: 'nobody@example.com', password: DEFAULT_PASSWORD });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID);
    expect(setCookie(res, 'refreshToken')).toBeUndefined();
  });

  test('when the user is inactive, then 401 INVALID_CREDENTIALS even with the right password', async () => {
    const company = await createCompany();
    const staff = await createStaff(company.companyId, 'groomer', { isActive: false });
    const res = await login(app, { email: staff.email, password: staff.password });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID);
  });

  test.each([
    ['no email', { password: DEFAULT_PASSWORD }, 'email'],
    ['an invalid email', { email: 'not-an-email', password: DEFAULT_PASSWORD }, 'email'],
    ['an empty password', { email: 'a@example.com', password: '' }, 'password'],
    ['a password over 72 bytes', { email: 'a@example.com', password: `Aa1${'é'.repeat(35)}` }, 'password'],
    ['a companyId that is not an id', { email: 'a@example.com', password: DEFAULT_PASSWORD, companyId: 'abc' }, 'companyId'],
    ['an unknown field', { email: 'a@example.com', password: DEFAULT_PASSWORD, role: 'manager' }, ''],
  ])('when the body has %s, then 400 VALIDATION_ERROR', async (_what, body, field) => {
    const res = await login(app, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'Validation failed' });
    if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('one email in several companies', () => {
  async function sharedEmail() {
    const email = 'shared@example.com';
    const alpha = await createCompany({ name: 'Alpha Grooming' });
    const beta = await createCompany({ name: 'Beta Vets' });
    const gamma = await createCompany({ name: 'Gamma Daycare' });
    const inAlpha = await createStaff(alpha.companyId, 'groomer', { email });
    const inBeta = await createStaff(beta.companyId, 'veterinarian', { email });
    const inGamma = await createStaff(gamma.companyId, 'receptionist', { email });
    // The same person, with another password at Gamma.
    await User.updateOne(
      { _id: inGamma.userId, companyId: gamma.companyId },
      { $set: { passwordHash: await bcrypt.hash('Other1Passw0rd', 4) } },
    );
    return { email, alpha, beta, gamma, inAlpha, inBeta };
  }

  test('when the password opens two companies and none is chosen, then 409 MULTIPLE_COMPANIES lists exactly those two', async () => {
    const { email, alpha, beta } = await sharedEmail();
    const res = await login(app, { email, password: DEFAULT_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('MULTIPLE_COMPANIES');
    expect(res.body.error.message).toBe('Multiple companies found for this email. Please specify company.');
    const companies = [...(res.body.error.companies as { companyId: string; companyName: string }[])];
    expect(companies.sort((a, b) => a.companyName.localeCompare(b.companyName))).toEqual([
      { companyId: String(alpha.companyId), companyName: 'Alpha Grooming' },
      { companyId: String(beta.companyId), companyName: 'Beta Vets' },
    ]);
    expect(setCookie(res, 'refreshToken')).toBeUndefined();
  });

  test('when the login is resubmitted with a companyId, then 200 into that company', async () => {
    const { email, beta, inBeta } = await sharedEmail();
    const res = await login(app, { email, password: DEFAULT_PASSWORD, companyId: String(beta.companyId) });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      id: String(inBeta.userId),
      role: 'veterinarian',
      companyId: String(beta.companyId),
      companyName: 'Beta Vets',
    });
    expect(res.body.company._id).toBe(String(beta.companyId));
  });

  test('when the other password is used, then it logs into the one company it belongs to', async () => {
    const { email, gamma } = await sharedEmail();
    const res = await login(app, { email, password: 'Other1Passw0rd' });
    expect(res.status).toBe(200);
    expect(res.body.user.companyId).toBe(String(gamma.companyId));
  });

  test('when a companyId is chosen whose account has another password, then 401 INVALID_CREDENTIALS', async () => {
    const { email, gamma } = await sharedEmail();
    const res = await login(app, { email, password: DEFAULT_PASSWORD, companyId: String(gamma.companyId) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID);
  });
});
