export * from './schema';
export * from './load-profile';
export type { ProfileInput } from './profile-input';
export * from './aws-api-egress';
