/** Request schemas of /api/v1/diagnostics. */
import { z } from 'zod';

/** POST /diagnostics/test-registration: anything goes in; what is missing comes back as `errors`. */
export const TestRegistrationBody = z.object({ company: z.unknown().optional(), user: z.unknown().optional() });
export type TestRegistrationBody = z.infer<typeof TestRegistrationBody>;
