/** The database the apps use on the PostgreSQL instances; RDS creates it with the primary. */
export const DATABASE_NAME = 'cotalk';

/**
 * The PostgreSQL roles the apps log in as, with RDS IAM authentication. The api's migrations create
 * them (`apps/api/migrations/006_app_roles.sql`) with each app's grants; each app's Pod Identity role
 * may connect as its own only (`rds-db:connect`). The master user is the migrations Job's alone.
 */
export const DATABASE_USERS = { api: 'cotalk_api', worker: 'cotalk_worker' } as const;
