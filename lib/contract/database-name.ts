/** The database the apps use on the PostgreSQL instances; RDS creates it with the primary. */
export const DATABASE_NAME = 'cotalk';
