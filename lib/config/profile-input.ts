import type { z } from 'zod';
import type { profileSchema } from './schema';

/** What a profile file declares, before validation. */
export type ProfileInput = z.input<typeof profileSchema>;
