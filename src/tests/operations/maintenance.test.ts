/**
 * The maintenance scripts' work, in-process: `delete:facebook-ids` (ids in every accepted form,
 * every company, one transaction per contact, dry run) and `clear:lockout --all` (fixed: failures
 * go too, the list of locked accounts is taken before).
 */
import { LoginAttempt } from '../../models/LoginAttempt';
import * as dataDeletion from '../../services/integrations/dataDeletion.service';
import { deleteFacebookIds, parseFacebookIds } from '../../services/integrations/facebookIdDeletion';
import { createLockoutService, MAX_FAILED_ATTEMPTS } from '../../services/lockout.service';
import { systemClock } from '../../utils/clock';
import { createCompany } from '../factories/accounts';
import { EVERYTHING, NOTHING, personIn, remaining } from '../factories/person';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

describe('parseFacebookIds', () => {
  test.each([
    ['a JSON array', '["1001", "1002", 1003]'],
    ['an object with ids', '{ "ids": ["1001", "1002", "1003"] }'],
    ['comma separated text', '1001,1002, 1003'],
    ['one per line, with blank lines and repeats', '1001\n\n1002\r\n1003\n1001\n'],
  ])('when given %s, then it reads the ids once each', (_what, text) => {
    expect(parseFacebookIds(text)).toEqual(['1001', '1002', '1003']);
  });

  test.each([
    ['nothing', '  \n', /no ids given/],
    ['broken JSON', '["1001",', /do not parse/],
    ['an object without ids', '{"users": ["1"]}', /"ids" array/],
    ['something that is not an id', '1001, {"$ne": 1}', /not a Facebook id/],
    ['an operator in JSON', '[{"$gt": ""}]', /not a Facebook id/],
  ])('when given %s, then it refuses the whole list', (_what, text, message) => {
    expect(() => parseFacebookIds(text)).toThrow(message);
  });
});

describe('deleteFacebookIds', () => {
  test('when a PSID has contacts in two companies, then both go with their history and nobody else is touched', async () => {
    const [a, b] = [await createCompany(), await createCompany()];
    const inA = await personIn(a.companyId, { facebookId: '5550001' });
    const inB = await personIn(b.companyId, { facebookId: '5550001', instagramId: null });
    const other = await personIn(a.companyId, { facebookId: '5550002' });

    const dry = await deleteFacebookIds(['5550001', '9999'], { dryRun: true });
    expect(dry).toEqual({ dryRun: true, ids: 2, notFound: ['9999'], contactsFound: 2, deleted: NOTHING, failed: [] });
    expect(await remaining(a.companyId, inA)).toMatchObject({ contacts: 1, messages: 2, pets: 1 });

    const summary = await deleteFacebookIds(['5550001', '9999'], { dryRun: false });
    expect(summary).toMatchObject({ dryRun: false, ids: 2, notFound: ['9999'], contactsFound: 2, failed: [] });
    expect(summary.deleted).toEqual({ contacts: 2, messages: 4, conversations: 2, appointments: 2, reservations: 2, holds: 2, pets: 2 });
    expect(await remaining(a.companyId, inA)).toEqual({ ...NOTHING, reservations: 1 }); // the bystander's reservation
    expect(await remaining(b.companyId, inB)).toEqual(NOTHING);
    expect(await remaining(a.companyId, other)).toEqual(EVERYTHING);
  });

  test('when one contact fails half-way, then its transaction leaves it whole and the others are deleted', async () => {
    const co = await createCompany();
    const first = await personIn(co.companyId, { facebookId: '7770001' });
    const second = await personIn(co.companyId, { facebookId: '7770002' });
    const real = dataDeletion.deleteContactsData;
    const spy = jest.spyOn(dataDeletion, 'deleteContactsData').mockImplementationOnce(async (companyId, ids, session) => {
      await real(companyId, ids, session); // everything deleted inside the transaction…
      throw new Error('disk full'); // …then it fails before the commit
    });
    try {
      const summary = await deleteFacebookIds(['7770001', '7770002'], { dryRun: false });
      expect(summary.failed).toHaveLength(1);
      expect(summary.failed[0]!.error).toBe('disk full');
      expect(summary.deleted.contacts).toBe(1);
    } finally {
      spy.mockRestore();
    }
    const left = [await remaining(co.companyId, first), await remaining(co.companyId, second)];
    const whole = left.filter((r) => r.contacts === 1);
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatchObject({ contacts: 1, messages: 2, conversations: 1, appointments: 1, holds: 1, pets: 1 });
  });
});

describe('clear:lockout --all', () => {
  const lockout = createLockoutService(systemClock);
  const lockOut = async (email: string) => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) await lockout.recordFailure(email, '10.0.0.1');
  };

  test('when accounts are locked, then it names them (taken before clearing), lifts every lock and the next failure does not re-lock', async () => {
    await lockOut('ana@example.com');
    await lockOut('levan@example.com');
    await lockout.recordFailure('nino@example.com', '10.0.0.2');
    await lockout.recordSuccess('giorgi@example.com', '10.0.0.3');
    expect((await lockout.listLocked()).sort()).toEqual(['ana@example.com', 'levan@example.com']);

    const { previouslyLocked, removed } = await lockout.clearAll();
    expect(previouslyLocked.sort()).toEqual(['ana@example.com', 'levan@example.com']);
    expect(removed).toBe(2 * (MAX_FAILED_ATTEMPTS + 1) + 1);
    expect(await lockout.listLocked()).toEqual([]);
    // The original kept the failures, so one more failed login locked the account again at once.
    await lockout.recordFailure('ana@example.com', '10.0.0.1');
    expect(await lockout.isLocked('ana@example.com')).toBe(false);
    await expect(lockout.assertNotLocked('ana@example.com')).resolves.toBeUndefined();
    // Successful logins are history, not locks: they stay.
    expect(await LoginAttempt.countDocuments({ email: 'giorgi@example.com', successful: true })).toBe(1);
  });

  test('when nothing is locked, then it says so and removes only failures', async () => {
    await lockout.recordFailure('nino@example.com', '10.0.0.2');
    expect(await lockout.clearAll()).toEqual({ previouslyLocked: [], removed: 1 });
  });
});
