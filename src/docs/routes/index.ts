/** Every area's reference entries, in the order the document lists its tags. */
import type { AreaDoc } from '../routeDoc';
import { accountsDocs } from './accounts';
import { bookingDocs } from './booking';
import { catalogueDocs } from './catalogue';
import { companyDocs } from './company';
import { customersDocs } from './customers';
import { integrationsDocs } from './integrations';
import { messagingDocs } from './messaging';
import { operationsDocs } from './operations';

export const AREAS: readonly AreaDoc[] = [
  ...operationsDocs,
  ...accountsDocs,
  ...customersDocs,
  ...catalogueDocs,
  ...bookingDocs,
  ...companyDocs,
  ...messagingDocs,
  ...integrationsDocs,
];
