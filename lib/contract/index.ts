/**
 * The contract between the tiers: facts the infrastructure, the charts and the apps share, each
 * written once. Imports point one way: `lib/` tiers and `charts/` import this module; it imports
 * nothing of theirs (from `apps/`, whose images cannot see `lib/`, only types and the message
 * index name of a module without dependencies).
 */
export * from './api-routes';
export * from './app-env';
export * from './backends';
export * from './database-name';
export * from './names';
export * from './node-roles';
export * from './ports';
export * from './redis-acl';
export * from './search-index';
